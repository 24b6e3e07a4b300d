"""The deeper evaluation's sentences: probabilities, learning curves, --cv and 5x2cv.

Their verdicts are in the records: calibration (ModelResult.calibration, made by
fmstudy.evaluation.probabilities with its threshold), a learning curve's last doubling
(LearningCurve.still_rising) and its overfitting verdict (LearningCurve.overfits), the
tests' significance."""

from __future__ import annotations

from dataclasses import replace

from fmstudy.evaluation.probabilities import calibration_verdict, lowest_auc
from fmstudy.i18n import gettext as _
from fmstudy.i18n import grouped, ngettext, num, pvalue, sig
from fmstudy.models import registry
from fmstudy.report.narrative.comparison import verdict
from fmstudy.results import CVScores, LearningCurve, ModelResult


def probability_note(ev: ModelResult, names: dict) -> str:
    """What a model's test probabilities show: log-loss, ROC AUC, calibration, and how
    the probabilities were made usable where they were not as they came."""
    if ev.log_loss is None:
        return ""
    cal = ev.calibration
    if cal["source"] == "softmax":
        made = _("Its probabilities are the network's softmax outputs.")
    else:  # a classical model's source says it (an unknown source: FmstudyError)
        made = registry.source(cal["source"]).note(cal, ev.details)
    return made + " " + calibration_text(ev, names)


def calibration_text(ev: ModelResult, names: dict) -> str:
    """A model's test probabilities in numbers, and the calibration verdict its record
    holds (over- or under-confident, or matched within the record's gap)."""
    if "confidence" not in ev.calibration:  # a record made by hand: judged as the study does
        ev = replace(
            ev, calibration={**ev.calibration, **calibration_verdict(ev.calibration["bins"])}
        )
    cal = ev.calibration
    side = {
        "over": _("over-confident on average: mean confidence {conf} against accuracy {acc}"),
        "under": _("under-confident on average: mean confidence {conf} against accuracy {acc}"),
        "matched": ngettext(
            "overall, its mean confidence ({conf}) is within {points} point of its accuracy "
            "({acc}); the calibration error is the gap bin by bin",
            "overall, its mean confidence ({conf}) is within {points} points of its accuracy "
            "({acc}); the calibration error is the gap bin by bin",
            round(cal["gap"] * 100),
        ),
    }[cal["confidence"]]
    side = side.format(
        conf=num(cal["mean_confidence"]),
        acc=num(cal["mean_accuracy"]),
        points=sig(cal["gap"] * 100),
    )
    low = ev.lowest_auc_class or lowest_auc(ev.roc_auc)
    if len(ev.roc_auc) == 3:  # two classes and the macro mean: the lower of two
        text = _(
            "On the test images: log-loss {loss}, macro one-vs-rest ROC AUC {auc} (lower "
            "{cls}, {low}), expected calibration error {ece}; {side}."
        )
    else:
        text = _(
            "On the test images: log-loss {loss}, macro one-vs-rest ROC AUC {auc} (lowest "
            "{cls}, {low}), expected calibration error {ece}; {side}."
        )
    return text.format(
        loss=num(ev.log_loss),
        auc=num(ev.roc_auc["macro"]),
        cls=names[int(low)],
        low=num(ev.roc_auc[low]),
        ece=num(ev.ece),
        side=side,
    )


def learning_curve_text(c: LearningCurve, label: str) -> str:
    """One model's learning curve in words: where it starts and ends, whether the last
    doubling of rows still helped beyond the fold spread, and the gap between accuracy on
    the rows it was trained on and on the held-out folds with the record's overfitting
    verdict (fmstudy.overfitting.train_gap), the one its figure marks."""
    text = _("{model}: held-out accuracy {first} with {rows0} rows, {last} with {rows1};").format(
        model=label,
        first=num(c.val_mean[0]),
        rows0=grouped(c.train_rows[0]),
        last=num(c.val_mean[-1]),
        rows1=grouped(c.train_rows[-1]),
    )
    if c.still_rising:
        more = _(
            "the last doubling still added {gain} points, more than the fold-to-fold spread "
            "({spread}): more training rows may help."
        )
    else:
        more = _(
            "the last doubling added {gain} points, within the fold-to-fold spread ({spread}): "
            "the curve has flattened at this size."
        )
    text += " " + more.format(
        gain=num(c.last_gain * 100, 1, sign=True), spread=num(c.last_spread * 100, 1)
    )
    return text + " " + gap_text(c)


def gap_text(c: LearningCurve) -> str:
    """The training/held-out gap at the largest size and the verdict stored on it."""
    if c.gaps is None:  # a record made before the verdict was
        return (
            _(
                "With {rows} rows its accuracy on the rows it was trained on is {train} (mean over "
                "the folds), {gap} points above the held-out folds."
            ).format(
                rows=grouped(c.train_rows[-1]),
                train=num(c.train_mean[-1]),
                gap=num((c.train_mean[-1] - c.val_mean[-1]) * 100, 1),
            )
            + " "
            + _("No overfitting verdict stored.")
        )
    args = {
        "rows": grouped(c.train_rows[-1]),
        "train": num(c.train_mean[-1]),
        "val": num(c.val_mean[-1]),
        "gap": num(c.gaps[-1] * 100, 1, sign=True),
        "sd": num(c.gap_sds[-1] * 100, 1),
        "points": num(c.gaps[-1] * 100, 1),
    }
    if c.overfits:
        return (
            _(
                "Overfitting, read on the learning curve: with {rows} rows it scores {points} points "
                "higher on the rows it learnt from ({train}) than on the held-out folds ({val}, "
                "means over the folds), fold-to-fold sd {sd}: more than twice that spread (the "
                "bracket in its panel)."
            ).format(**args)
            + " "
            + narrowing_text(c)
        )
    text = _(
        "With {rows} rows its accuracy on the rows it was trained on is {train} against {val} "
        "on the held-out folds (means over the folds): a gap of {gap} points, fold-to-fold sd "
        "{sd} (the bracket in its panel)."
    ).format(**args)
    if c.memorises:
        return text + " " + memorised_text(c)
    text += " " + _("That is within twice its spread: no overfitting.")
    return text + " " + narrowing_text(c)


def narrowing_text(c: LearningCurve) -> str:
    """Whether the gap narrowed as rows grew (the record's ``gap_narrows``) and, for a gap
    that did while held-out accuracy still rises (``still_rising``), that more rows may
    narrow it further."""
    if c.gap_narrows and c.still_rising and c.overfits:
        narrows = _(
            "The gap was {gap} points with {rows} rows: it shrinks as rows grow, by more than "
            "twice its spread, and held-out accuracy still rises, so more rows may narrow it "
            "further."
        )
    elif c.gap_narrows:
        narrows = _(
            "The gap was {gap} points with {rows} rows: it narrows as rows grow, by more than "
            "twice its spread."
        )
    else:
        narrows = _(
            "The gap was {gap} points with {rows} rows: it has not narrowed beyond twice its "
            "spread as rows grew."
        )
    return narrows.format(gap=num(c.gaps[0] * 100, 1, sign=True), rows=grouped(c.train_rows[0]))


def memorised_text(c: LearningCurve) -> str:
    """Why the gap rule is not applied to fully grown trees, and what is read instead."""
    why = _(
        "Its fully grown trees fit the rows they were grown on, and it votes with them on rows "
        "it has seen, so its training accuracy is close to 1 by construction whatever it does "
        "on new images: the gap is about one minus its held-out accuracy, and the overfitting "
        "rule (a gap beyond twice its spread) is not applied to it."
    )
    if c.oob_accuracy is None:
        instead = _(
            "Rows it did not see say how it does on new images: the held-out folds ({val})."
        )
    else:
        instead = _(
            "Rows its trees did not see say how it does on new images: the held-out folds "
            "({val}) and the out-of-bag accuracy of the study's forest ({oob}, all {rows} rows, "
            "each scored only by the trees that left it out)."
        )
    return (
        why
        + " "
        + instead.format(
            val=num(c.val_mean[-1]), oob=num(c.oob_accuracy or 0), rows=grouped(c.rows)
        )
    )


def learning_curves_intro(curves: list[LearningCurve]) -> str:
    """How the curves were made, on the training rows only, and the overfitting rule."""
    return (
        _(
            "Each curve is {folds}-fold stratified cross-validation on the training rows only "
            "(the test set is not used): each fold's training part is cut to 10, 25, 50 and "
            "100 % of its rows, the model (with the settings of the study's fit) is trained on "
            "that share and scored on it and on the held-out fold. Points are means over the "
            "folds, bands ±1 standard deviation."
        ).format(folds=curves[0].folds)
        + " "
        + _(
            "A model overfits when, with the most rows, its accuracy on the rows it was trained "
            "on exceeds its accuracy on the held-out fold by more than twice the fold-to-fold "
            "standard deviation of that gap: the held-out folds decide it, never the test set."
        )
        + " "
        + _(
            "It is the same idea as a network's overfitting, doing better on the rows learnt "
            "from than on rows not seen, read here as rows grow instead of as epochs pass."
        )
    )


def cv_text(scores: dict[str, CVScores]) -> str:
    """What the --cv table's numbers are, and what they are not."""
    s = next(iter(scores.values()))
    return (
        ngettext(
            "Repeated stratified {k}-fold cross-validation ({r} repeat, {n} fold scores per model) "
            "on the training rows only; each fold model is trained on {share} of them.",
            "Repeated stratified {k}-fold cross-validation ({r} repeats, {n} fold scores per "
            "model) on the training rows only; each fold model is trained on {share} of them.",
            s.repeats,
        ).format(
            k=s.folds,
            r=s.repeats,
            n=s.folds * s.repeats,
            share=f"{num(100 * (s.folds - 1) / s.folds, 0)} %",
        )
        + " "
        + _(
            "The ± is the standard deviation of the fold scores, their spread, not a standard "
            "error: the folds share training rows, so their scores are not independent and no "
            "interval or test is made from them. Unlike the summary, this measures each algorithm "
            "over many training sets, not one fitted model on one test split."
        )
    )


def five_by_two_text(tests: list, labels: dict) -> str:
    """The 5x2cv design, the rows each pair was resampled on, its test and its verdicts in
    one paragraph."""
    text = ngettext(
        "5x2 cross-validation (Dietterich 1998) with Alpaydin's (1999) combined F-test: a "
        "pair's training rows are split in half at random five times (stratified); both models "
        "are trained on the same half and scored on the other, so every fit learns from half "
        "the pair's rows and none is scored on the test set: the accuracies are not the "
        "study's fits' test accuracies and may lie above or below them. The statistic follows "
        "F(10, 5) when two algorithms are equally accurate; p-values are Holm-corrected across "
        "the {n} pair. This compares the algorithms on training sets of that size, not the fitted "
        "models.",
        "5x2 cross-validation (Dietterich 1998) with Alpaydin's (1999) combined F-test: a "
        "pair's training rows are split in half at random five times (stratified); both models "
        "are trained on the same half and scored on the other, so every fit learns from half "
        "the pair's rows and none is scored on the test set: the accuracies are not the "
        "study's fits' test accuracies and may lie above or below them. The statistic follows "
        "F(10, 5) when two algorithms are equally accurate; p-values are Holm-corrected across "
        "the {n} pairs. This compares the algorithms on training sets of that size, not the fitted "
        "models.",
        len(tests),
    ).format(n=len(tests))
    groups: dict = {}  # (rows, whose sample, why): the pairs resampled on them
    for t in tests:
        pair = _("{a} vs {b}").format(a=labels[t.a], b=labels[t.b])
        groups.setdefault((t.paired_rows, t.paired_on, t.paired_reason), []).append(pair)
    for (rows, on, reason), pairs in groups.items():
        n, fill = len(pairs), {"rows": grouped(rows), "half": grouped(rows // 2)}
        if reason == "same" and len(groups) == 1:
            line = _(
                "Each pair is split on the {rows} training rows both its models are trained "
                "on, so each fit learns from about {half}."
            )
        elif reason == "same":
            line = ngettext(
                "The pair {pairs} is split on the {rows} training rows both its models are "
                "trained on, so each fit learns from about {half}.",
                "The pairs {pairs} are split on the {rows} training rows both models of each "
                "are trained on, so each fit learns from about {half}.",
                n,
            )
        elif reason == "within":
            line = ngettext(
                "The pair {pairs} is split on the {rows} rows {model} is trained on, which lie "
                "within the other model's sample, so each fit learns from about {half}.",
                "The pairs {pairs} are split on the {rows} rows {model} is trained on, which "
                "lie within the other model's sample in each, so each fit learns from about "
                "{half}.",
                n,
            )
        else:  # "partly"
            line = ngettext(
                "The pair {pairs} is split on the {rows} rows {model} is trained on, so each "
                "fit learns from about {half}; the other model's own sample holds only some of "
                "them, but it may be trained on as many rows.",
                "The pairs {pairs} are split on the {rows} rows {model} is trained on, so each "
                "fit learns from about {half}; the other model's own sample holds only some of "
                "them in each, but it may be trained on as many rows.",
                n,
            )
        model = labels[on] if on else ""
        text += " " + line.format(pairs=", ".join(pairs), model=model, **fill)
    apart = [
        _("{better} is more accurate than {worse} ({verdict}, p Holm {p})").format(
            better=labels[t.better],
            worse=labels[t.b if t.better == t.a else t.a],
            verdict=verdict(t),
            p=pvalue(t.p_holm),
        )
        for t in tests
        if t.significant
    ]
    same = [
        _("{a} and {b} (p Holm {p})").format(a=labels[t.a], b=labels[t.b], p=pvalue(t.p_holm))
        for t in tests
        if not t.significant
    ]
    if apart:
        text += " " + "; ".join(apart) + "."
    if same:
        text += " " + _("Indistinguishable here: {pairs}.").format(pairs="; ".join(same))
    return text
