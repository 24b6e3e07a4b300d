"""How the classical models' test probabilities are made, each with the sentence that
says so (the network's softmax is said by the report itself)."""

from __future__ import annotations

from fmstudy.i18n import gettext as _
from fmstudy.i18n import num
from fmstudy.models.record import ProbabilitySource


def _votes(cal: dict, details: dict) -> str:
    return _(
        "The ensemble's probabilities are the means of its trees' leaf class fractions; "
        "its fully grown trees have pure leaves, so these are the fractions of trees "
        "voting for each class. A class no tree voted for gets 0, which would make the log-loss infinite, so for "
        "the log-loss they are clipped at {clip} and each row renormalised; AUC and "
        "calibration use them as they are."
    ).format(clip=num(cal["clip"], 3))


def _neighbours(cal: dict, details: dict) -> str:
    return _(
        "k-NN's probabilities are its {k} nearest training images' votes for each class, "
        "weighted as its votes are. A class none of them voted for gets 0, so for the "
        "log-loss they are clipped at {clip} and each row renormalised; AUC and "
        "calibration use them as they are."
    ).format(k=details.get("k", "k"), clip=num(cal["clip"], 3))


def _logistic(cal: dict, details: dict) -> str:
    return _("Its probabilities are the logistic regression's own (predict_proba).")


def _platt(cal: dict, details: dict) -> str:
    text = _(
        "An SVC gives scores, not probabilities: scikit-learn turns its one-vs-one votes "
        "into one score per class (the vote count plus a small tie-breaking term), and "
        "these are calibrated by one sigmoid per class (Platt) on a cross-validation of "
        "the training rows, then renormalised; the predicted class is the most probable."
    )
    if cal.get("coarse"):  # the calibration record's verdict (fmstudy.evaluation.probabilities)
        text += " " + _(
            "The votes dominate the scores, so its confidences are coarse: here they fill "
            "{n} of the 10 reliability bins, and its calibration figures say little."
        ).format(n=cal["bins_filled"])
    return text


def _boosting(cal: dict, details: dict) -> str:
    return _("Its probabilities are the softmax of the boosted trees' summed scores.")


VOTES = ProbabilitySource("votes", _votes)  # fractions of trees
NEIGHBOURS = ProbabilitySource("neighbours", _neighbours)  # weighted fractions of the k nearest
LOGISTIC = ProbabilitySource("logistic", _logistic)
PLATT = ProbabilitySource("platt", _platt)  # sigmoid-calibrated decision values
BOOSTING = ProbabilitySource("boosting", _boosting)  # softmax of the boosted scores
