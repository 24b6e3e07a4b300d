"""Figures of the deeper evaluation: probabilities (ROC, precision-recall, reliability),
learning curves, and galleries of confident mistakes.

    fig = probability_panels(y_test, proba, classes, names, result)   # one per model
    fig = learning_curves([curve, ...])                                # tasks 3-4
    fig = mistakes_gallery(images, true, pred, confidence, names_by_label, title)

Like :mod:`fmstudy.plots.figures`, each function only draws what it is given (the curves
from the test probabilities, the scores from the typed records) and returns a Figure
without touching pyplot's global state.
"""

from __future__ import annotations

import re
import textwrap

import numpy as np
from matplotlib.figure import Figure
from sklearn.metrics import precision_recall_curve, roc_curve

from fmstudy.i18n import gettext as _
from fmstudy.i18n import grouped, num
from fmstudy.plots import legends
from fmstudy.plots.figures import PALETTE, styled


@styled
def probability_panels(y_true, proba: np.ndarray, classes, names, result, label: str) -> Figure:
    """One-vs-rest ROC and precision-recall curves per class with their areas, and the
    top-label reliability diagram with the expected calibration error."""
    fig = Figure(figsize=(11, 4.6))
    roc, pr, rel = fig.subplots(1, 3)
    y = np.asarray(y_true)
    for i, (c, name) in enumerate(zip(classes, names, strict=True)):
        color = PALETTE[i % len(PALETTE)]
        fpr, tpr = roc_curve(y == c, proba[:, i])[:2]
        auc, ap = num(result.roc_auc[str(c)], 3), num(result.average_precision[str(c)], 3)
        roc.plot(fpr, tpr, color=color, label=f"{name} ({auc}; {ap})")
        prec, rec = precision_recall_curve(y == c, proba[:, i])[:2]
        pr.plot(rec, prec, color=color)
    roc.plot([0, 1], [0, 1], color="0.6", linestyle=":", linewidth=1)
    roc.set(xlabel=_("false positive rate"), ylabel=_("true positive rate"))
    titled(
        roc,
        _("ROC, one class vs the rest (macro AUC {auc})").format(
            auc=num(result.roc_auc["macro"], 3)
        ),
    )
    pr.set(xlabel=_("recall"), ylabel=_("precision"), ylim=(0, 1.02))
    titled(pr, _("Precision-recall, one class vs the rest"))
    legends.below(
        fig,
        *roc.get_legend_handles_labels(),
        under=(roc, pr),
        title=_("class (AUC; average precision)"),
        fontsize=8,
        title_fontsize=8,
    )
    bins = np.asarray(result.calibration["bins"], dtype=float)
    rel.plot(
        [0, 1], [0, 1], color="0.6", linestyle=":", linewidth=1, label=_("perfect calibration")
    )
    rel.plot(bins[:, 0], bins[:, 1], marker="o", color="0.2", label=_("this model"))
    for conf, acc, n in bins:
        rel.annotate(
            f"{int(n)}", (conf, acc), textcoords="offset points", xytext=(4, -10), fontsize=7
        )
    rel.set(xlabel=_("confidence (probability of the predicted class)"), ylabel=_("accuracy"))
    rel.set(xlim=(0, 1.02), ylim=(0, 1.02))
    titled(rel, _("Reliability (ECE {ece}; numbers: images per bin)").format(ece=num(result.ece)))
    legends.below(fig, *rel.get_legend_handles_labels(), under=(rel,), fontsize=8)
    fig.suptitle(_("{model}: test-set probabilities").format(model=label), fontsize=12)
    return fig


@styled
def learning_curves(curves: list, labels: list[str]) -> Figure:
    """Validation and training accuracy against training rows, one panel per model, the
    bands one standard deviation over the folds; the gap at the largest size bracketed with
    its stored verdict; a forest's out-of-bag accuracy marked."""
    fig = Figure(figsize=(3.6 * len(curves), 3.6))
    axes = np.atleast_1d(fig.subplots(1, len(curves), sharey=True))
    for ax, c, label in zip(axes, curves, labels, strict=True):
        n = np.asarray(c.train_rows)
        for mean, sd, what, color in (
            (c.train_mean, c.train_sd, _("accuracy on the training rows"), PALETTE[3]),
            (c.val_mean, c.val_sd, _("accuracy on the held-out fold"), PALETTE[0]),
        ):
            m, s = np.asarray(mean), np.asarray(sd)
            ax.plot(n, m, marker="o", color=color, label=what)
            ax.fill_between(n, m - s, m + s, color=color, alpha=0.15, linewidth=0)
        if c.gaps is not None:
            gap_bracket(ax, c)
        if c.oob_accuracy is not None:
            ax.scatter(
                [c.rows],
                [c.oob_accuracy],
                marker="*",
                s=120,
                color=PALETTE[2],
                zorder=3,
                label=_("out-of-bag, all rows"),
            )
        ax.set_xscale("log")
        ax.set_xticks(n, [grouped(v) for v in n])
        ax.minorticks_off()
        ax.set_xlabel(_("training rows (log scale)"))
        titled(ax, label)
    axes[0].set_ylabel(_("accuracy"))
    shown = {}  # each entry once, whichever panel draws it (the out-of-bag star: the forest's)
    for ax in axes:
        for handle, text in zip(*ax.get_legend_handles_labels(), strict=True):
            shown.setdefault(text, handle)
    legends.below(fig, list(shown.values()), list(shown), fontsize=8)
    fig.suptitle(
        _(
            "Learning curves: {folds}-fold cross-validation on the training rows (bands: ±1 sd "
            "over the folds)"
        ).format(folds=curves[0].folds),
        fontsize=11,
    )
    return fig


def titled(ax, title: str, width: int = 34) -> None:
    """A panel's title on lines of at most ``width`` characters: side by side, the panels'
    titles print at 7.5 pt or more without running into each other."""
    ax.set_title("\n".join(textwrap.wrap(title, width)), fontsize=10)


def narrow(line: str, width: int = 28) -> str:
    """``line`` broken after its inner colons and semicolons, before its brackets and
    between words to at most ``width`` - 6 characters a line, when longer than ``width``
    characters: a label beside a bracket stays inside its panel."""
    if len(line) <= width:
        return line
    parts = re.sub(r" \(", "\n(", re.sub(r"([:;]) (?=\S)", "\\1\n", line)).split("\n")
    return "\n".join(piece for part in parts for piece in textwrap.wrap(part, width - 6))


def gap_bracket(ax, c) -> None:
    """The gap the learning curve's sentence quotes, at the largest size: a bracket from
    held-out to training accuracy, labelled with the stored gap, its sd and verdict."""
    x, top, bottom = c.train_rows[-1], c.train_mean[-1], c.val_mean[-1]
    ax.annotate(
        "",
        (x, top),
        (x, bottom),
        arrowprops={"arrowstyle": "|-|", "color": "0.3", "shrinkA": 0, "shrinkB": 0},
    )
    if c.memorises:
        verdict = _("~1 by construction: not judged")
    elif c.overfits:
        verdict = _("overfitting (> 2 sd)")
    else:
        verdict = _("no overfitting (≤ 2 sd)")
    label = _("gap {gap} (sd {sd}) points:\n{verdict}").format(
        gap=num(c.gaps[-1] * 100, 1, sign=True), sd=num(c.gap_sds[-1] * 100, 1), verdict=verdict
    )
    ax.annotate(
        "\n".join(narrow(line) for line in label.split("\n")),
        (x, (top + bottom) / 2),
        xytext=(-8, 0),
        textcoords="offset points",
        ha="right",
        va="center",
        fontsize=8,
    )


@styled
def mistakes_gallery(images, true, pred, confidence, names_by_label, title: str) -> Figure:
    """Wrongly classified test images, captioned true → predicted and the probability the
    model gave the wrong class, in the order given (most confident first)."""
    n = len(images)
    cols = 8
    rows = max(1, int(np.ceil(n / cols)))
    fig = Figure(figsize=(cols * 1.25, rows * 1.95))
    axes = fig.subplots(rows, cols, squeeze=False)
    for k, ax in enumerate(axes.flat):
        ax.set_axis_off()
        if k < n:
            ax.imshow(images[k], cmap="gray_r")
            ax.set_title(
                f"{names_by_label[int(true[k])]}\n→ {names_by_label[int(pred[k])]} "
                f"{num(confidence[k], 2)}",
                fontsize=7.5,
            )
    fig.suptitle(title, fontsize=10)
    return fig
