"""What a model's class probabilities say beyond its labels: log-loss, one-vs-rest ROC AUC,
calibration, and its most confident mistakes.

    scores = probability_scores(y_test, proba, classes, source="votes")
    scores["log_loss"], scores["roc_auc"]["macro"], scores["ece"]
    scores["calibration"]["confidence"]        # "over", "under" or "matched" (the verdict)
    worst = confident_mistakes(y_test, proba, classes, n=16)   # row indices

``proba`` has one row per test image and one column per class, in the study's class
order.  A forest's probabilities are vote fractions (``votes``; k-NN's are its
neighbours' weighted votes, ``neighbours``): a class no tree or neighbour voted for
gets 0, which makes the log-loss infinite for one such mistake.  They are clipped at
:data:`VOTE_CLIP` and each row renormalised before the log-loss; the report says so.
Softmax, logistic, Platt-calibrated and boosting probabilities are used as they come
(scikit-learn clips at the float64 epsilon, so a log-loss is always finite).
The verdicts the report words are made here too: whether a model is over- or
under-confident on average (beyond :data:`CONFIDENCE_GAP`), whether its confidences are
too coarse to judge (:data:`COARSE_BINS`), and its class with the lowest AUC.
"""

from __future__ import annotations

import numpy as np
from sklearn.metrics import average_precision_score, log_loss, roc_auc_score

VOTE_CLIP = 1e-3  # the smallest probability a forest's vote fraction is given
VOTED = ("votes", "neighbours")  # probabilities that are vote fractions: clipped
ECE_BINS = 10  # equal-width confidence bins of the reliability diagram
CONFIDENCE_GAP = 0.01  # mean confidence this far from accuracy: over- or under-confident
COARSE_BINS = 3  # confidences filling this many bins or fewer are too coarse to judge


def check_rows(proba: np.ndarray, n_classes: int) -> np.ndarray:
    """``proba`` as a float64 array of shape (rows, classes) whose rows sum to 1."""
    p = np.asarray(proba, dtype=np.float64)
    if p.ndim != 2 or p.shape[1] != n_classes:
        raise ValueError(f"probabilities must have {n_classes} columns, got shape {p.shape}")
    if not np.allclose(p.sum(axis=1), 1.0, atol=1e-5) or (p < 0).any():
        raise ValueError("probabilities must be non-negative and sum to 1 in every row")
    return p


def usable(proba: np.ndarray, source: str) -> np.ndarray:
    """The probabilities the log-loss is computed from: vote fractions clipped at
    :data:`VOTE_CLIP` and renormalised, any other source unchanged."""
    if source not in VOTED:
        return proba
    p = np.clip(proba, VOTE_CLIP, 1.0)
    return p / p.sum(axis=1, keepdims=True)


def roc_auc_per_class(y_true, proba: np.ndarray, classes) -> dict:
    """One-vs-rest ROC AUC of each class (its column against all other classes), and their
    unweighted mean as ``macro`` (scikit-learn's multi_class='ovr', average='macro')."""
    y = np.asarray(y_true)
    out = {str(c): float(roc_auc_score(y == c, proba[:, i])) for i, c in enumerate(classes)}
    out["macro"] = float(np.mean(list(out.values())))
    return out


def average_precision(y_true, proba: np.ndarray, classes) -> dict:
    """Area under each class's one-vs-rest precision-recall curve (average precision)."""
    y = np.asarray(y_true)
    return {
        str(c): float(average_precision_score(y == c, proba[:, i])) for i, c in enumerate(classes)
    }


def reliability(y_true, proba: np.ndarray, classes, bins: int = ECE_BINS):
    """Top-label reliability: for equal-width bins of the predicted class's probability,
    [mean confidence, accuracy, count] of the non-empty bins, and the expected calibration
    error (the count-weighted mean gap between the two)."""
    y = np.asarray(y_true)
    conf = proba.max(axis=1)
    right = np.asarray(classes)[proba.argmax(axis=1)] == y
    which = np.minimum((conf * bins).astype(int), bins - 1)  # 1.0 falls in the top bin
    rows, ece = [], 0.0
    for b in range(bins):
        inside = which == b
        n = int(inside.sum())
        if n:
            c, a = float(conf[inside].mean()), float(right[inside].mean())
            rows.append([c, a, n])
            ece += n / len(y) * abs(a - c)
    return rows, float(ece)


def calibration_verdict(bins: list) -> dict:
    """The count-weighted mean confidence and accuracy over the reliability ``bins``, the
    verdict on them (``over``, ``under`` or ``matched`` within ``gap``), how many bins are
    filled and whether that is too few to judge (``coarse``)."""
    n = sum(b[2] for b in bins)
    conf = sum(b[0] * b[2] for b in bins) / n
    acc = sum(b[1] * b[2] for b in bins) / n
    if conf > acc + CONFIDENCE_GAP:
        verdict = "over"
    elif conf < acc - CONFIDENCE_GAP:
        verdict = "under"
    else:
        verdict = "matched"
    filled = sum(1 for b in bins if b[2])
    return {
        "mean_confidence": conf,
        "mean_accuracy": acc,
        "confidence": verdict,
        "gap": CONFIDENCE_GAP,
        "bins_filled": filled,
        "coarse": filled <= COARSE_BINS,
    }


def lowest_auc(roc_auc: dict) -> str:
    """The class (its str key) with the lowest one-vs-rest AUC, the first on a tie."""
    per_class = {k: v for k, v in roc_auc.items() if k != "macro"}
    return min(per_class, key=per_class.get)


def probability_scores(y_true, proba: np.ndarray, classes, source: str) -> dict:
    """Log-loss, per-class and macro ROC AUC (and the lowest class), average precision,
    reliability bins with their verdict, and the expected calibration error of one model's
    test probabilities."""
    p = check_rows(proba, len(classes))
    bins, ece = reliability(y_true, p, classes)
    auc = roc_auc_per_class(y_true, p, classes)
    return {
        "log_loss": float(log_loss(y_true, usable(p, source), labels=list(classes))),
        "roc_auc": auc,
        "lowest_auc_class": lowest_auc(auc),
        "average_precision": average_precision(y_true, p, classes),
        "ece": ece,
        "calibration": {
            "source": source,
            "clip": VOTE_CLIP if source in VOTED else None,
            "bins": bins,
            **calibration_verdict(bins),
        },
    }


def confident_mistakes(y_true, proba: np.ndarray, classes, n: int = 16) -> np.ndarray:
    """Indices of the ``n`` wrongly classified rows whose predicted (wrong) class had the
    highest probability, most confident first (ties by row order)."""
    y = np.asarray(y_true)
    pred = np.asarray(classes)[proba.argmax(axis=1)]
    wrong = np.flatnonzero(pred != y)
    conf = proba[wrong].max(axis=1)
    return wrong[np.argsort(-conf, kind="stable")][:n]
