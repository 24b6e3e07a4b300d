"""The deeper evaluation's sentences: probabilities, learning curves, --cv and 5x2cv."""

from __future__ import annotations

from fmstudy.narrative.models import counted, verdict
from fmstudy.results import CVScores, LearningCurve, ModelResult

CONFIDENCE_GAP = 0.01  # mean confidence this far from accuracy: over- or under-confident


def probability_note(ev: ModelResult, names: dict) -> str:
    """What a model's test probabilities show: log-loss, ROC AUC, calibration, and how
    the probabilities were made usable where they were not as they came."""
    if ev.log_loss is None:
        return ""
    cal = ev.calibration
    made = {
        "votes": (
            "The forest's probabilities are the fractions of its trees voting for each "
            "class. A class no tree voted for gets 0, which would make the log-loss "
            f"infinite, so for the log-loss they are clipped at {cal.get('clip')} and each "
            "row renormalised; AUC and calibration use them as they are."
        ),
        "logistic": "Its probabilities are the logistic regression's own (predict_proba).",
        "softmax": "Its probabilities are the network's softmax outputs.",
    }[cal["source"]]
    per_class = {k: v for k, v in ev.roc_auc.items() if k != "macro"}
    low = min(per_class, key=per_class.get)
    bins = cal["bins"]
    n = sum(b[2] for b in bins)
    conf = sum(b[0] * b[2] for b in bins) / n
    acc = sum(b[1] * b[2] for b in bins) / n
    if conf > acc + CONFIDENCE_GAP:
        side = f"over-confident on average: mean confidence {conf:.4f} against accuracy {acc:.4f}"
    elif conf < acc - CONFIDENCE_GAP:
        side = f"under-confident on average: mean confidence {conf:.4f} against accuracy {acc:.4f}"
    else:
        side = (
            f"on average its confidence ({conf:.4f}) matches its accuracy ({acc:.4f}) "
            f"within {CONFIDENCE_GAP * 100:.0f} point"
        )
    return (
        f"{made} On the test images: log-loss {ev.log_loss:.4f}, macro one-vs-rest ROC AUC "
        f"{ev.roc_auc['macro']:.4f} (lowest {names[int(low)]}, {per_class[low]:.4f}), "
        f"expected calibration error {ev.ece:.4f}; {side}."
    )


def learning_curve_text(c: LearningCurve) -> str:
    """One model's learning curve in a sentence or two: where it starts and ends, whether
    the last doubling of rows still helped beyond the fold spread, the training gap."""
    gain = c.val_mean[-1] - c.val_mean[-2]
    spread = max(c.val_sd[-1], c.val_sd[-2])
    text = (
        f"{c.label}: held-out accuracy {c.val_mean[0]:.4f} with {c.train_rows[0]:,} rows, "
        f"{c.val_mean[-1]:.4f} with {c.train_rows[-1]:,}; "
    )
    if gain > spread:
        text += (
            f"the last doubling still added {gain * 100:.1f} points, more than the "
            f"fold-to-fold spread ({spread * 100:.1f}): more training rows would likely help."
        )
    else:
        text += (
            f"the last doubling added {gain * 100:+.1f} points, within the fold-to-fold "
            f"spread ({spread * 100:.1f}): the curve has flattened at this size."
        )
    gap = c.train_mean[-1] - c.val_mean[-1]
    text += (
        f" Accuracy on its own training rows is {c.train_mean[-1]:.4f}, "
        f"{gap * 100:.1f} points above."
    )
    if c.oob_accuracy is not None:
        text += (
            " A forest's training accuracy is close to 1 by construction: its fully grown "
            "trees fit the rows they were grown on, and it votes with them on rows it has "
            "seen. That says nothing about new images; the estimates on rows a tree did not "
            f"see do: the out-of-bag accuracy of the study's forest ({c.oob_accuracy:.4f}, "
            f"all {c.rows:,} rows, each scored only by the trees that left it out) and the "
            f"held-out folds above ({c.val_mean[-1]:.4f})."
        )
    return text


def learning_curves_intro(curves: list[LearningCurve]) -> str:
    """How the curves were made: on the training rows only."""
    c = curves[0]
    return (
        f"Each curve is {c.folds}-fold stratified cross-validation on the training rows "
        "only (the test set is not used): each fold's training part is cut to 10, 25, 50 "
        "and 100 % of its rows, the model (with the settings of the study's fit) is "
        "trained on that share and scored on it and on the held-out fold. Points are "
        "means over the folds, bands ±1 standard deviation."
    )


def cv_text(scores: dict[str, CVScores]) -> str:
    """What the --cv table's numbers are, and what they are not."""
    s = next(iter(scores.values()))
    n = s.folds * s.repeats
    return (
        f"Repeated stratified {s.folds}-fold cross-validation ({counted(s.repeats, 'repeat')}, "
        f"{n} fold scores per model) on the training rows only; each fold model is trained "
        f"on {(s.folds - 1) / s.folds:.0%} of them. The ± is the standard deviation of the "
        "fold scores, their spread, not a standard error: the folds share training rows, "
        "so their scores are not independent and no interval or test is made from them. "
        "Unlike the summary, this measures each algorithm over many training sets, not one "
        "fitted model on one test split."
    )


def five_by_two_text(tests: list, rows: int) -> str:
    """The 5x2cv design, its test and its verdicts in one paragraph."""
    text = (
        "5x2 cross-validation (Dietterich 1998) with Alpaydin's (1999) combined F-test: "
        "the training rows are split in half at random five times (stratified); each "
        "model is trained on each half and scored on the other, so every fit learns from "
        f"half the rows (about {rows // 2:,}) and scores lower than the study's fits. "
        "The statistic follows F(10, 5) when two algorithms are equally accurate; "
        f"p-values are Holm-corrected across the {counted(len(tests), 'pair')}. This "
        "compares the algorithms on training sets of that size, not the fitted models."
    )
    apart = [t for t in tests if t.significant]
    same = [t for t in tests if not t.significant]
    if apart:
        text += (
            " "
            + "; ".join(
                f"{_label(t, t.better)} is more accurate than {_label(t, _other(t))} "
                f"({verdict(t)}, p Holm {t.p_holm:.3g})"
                for t in apart
            )
            + "."
        )
    if same:
        text += (
            " Indistinguishable here: "
            + "; ".join(f"{t.a_label} and {t.b_label} (p Holm {t.p_holm:.3g})" for t in same)
            + "."
        )
    return text


def _label(t, key: str) -> str:
    return t.a_label if key == t.a else t.b_label


def _other(t) -> str:
    return t.b if t.better == t.a else t.a
