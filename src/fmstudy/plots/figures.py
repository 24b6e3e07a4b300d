"""The study's figures: each function reads result data and returns a matplotlib Figure.

    fig = confusion_heatmap(result.confusion, names, "Random forest")
    fig.savefig("confusion.png")          # or display it in a notebook

Nothing here computes a result; it only draws what the study stages returned.
Figures are built as ``matplotlib.figure.Figure`` objects, outside pyplot: importing
or calling this module never changes the caller's backend, theme or open figures.
Seaborn's whitegrid style and deep palette apply inside each drawing only.
"""

from __future__ import annotations

import functools

import matplotlib as mpl
import numpy as np
import seaborn as sns
from cycler import cycler
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.ticker import MaxNLocator, ScalarFormatter

from fmstudy import escape
from fmstudy.i18n import decimal_symbol, pct
from fmstudy.i18n import gettext as _
from fmstudy.plots import legends

PALETTE = sns.color_palette("deep")
# The report prints a figure at most this wide and high (inches: A4 less its margins, and
# report.html.j2's greatest figure height), and at 110/96 of its size when it is smaller.
PRINTED_IN = (7.17, 3.74)
SMALLEST_PT = 7.5  # the smallest text a figure prints, in points
PCA_PER_CLASS = 500  # the PCA scatter draws at most this many images of each class


def _as_text(value):
    """A drawing argument with every string in it (alone, in a list or tuple, or as a
    dict's value) escaped for matplotlib: names are drawn as text, never as mathtext."""
    if isinstance(value, str):
        return escape.mpl(value)
    if isinstance(value, (list, tuple)) and any(isinstance(v, str) for v in value):
        return type(value)(escape.mpl(v) if isinstance(v, str) else v for v in value)
    if isinstance(value, dict) and any(isinstance(v, str) for v in value.values()):
        return {k: escape.mpl(v) if isinstance(v, str) else v for k, v in value.items()}
    return value


def styled(draw):
    """Draw inside seaborn's whitegrid style and deep palette, then lay the figure out and
    place the legends that keep off the data (:mod:`fmstudy.plots.legends`). Every string
    argument (titles, class and model names) is escaped for matplotlib."""

    @functools.wraps(draw)
    def wrapper(*args, **kwargs) -> Figure:
        args = tuple(_as_text(a) for a in args)
        kwargs = {k: _as_text(v) for k, v in kwargs.items()}
        with (
            sns.axes_style("whitegrid"),
            sns.plotting_context("notebook"),
            mpl.rc_context({"axes.prop_cycle": cycler(color=PALETTE)}),
        ):
            fig = draw(*args, **kwargs)
            localized(fig)
            legible(fig)
            legends.settle(fig)
        return fig

    return wrapper


class LocaleFormatter(ScalarFormatter):
    """Matplotlib's tick labels with a language's decimal sign (0,5 in Swedish), fixed
    when the figure is made (it may be drawn later, outside the language's block)."""

    def __init__(self, decimal: str):
        super().__init__()
        self.decimal = decimal

    def __call__(self, x, pos=None):
        return super().__call__(x, pos).replace(".", self.decimal)


def legible(fig: Figure) -> Figure:
    """Every text of ``fig`` made at least :data:`SMALLEST_PT` at the size the report
    prints ``fig`` (a figure wider or higher than the page is shrunk to fit it)."""
    width, height = fig.get_size_inches()
    scale = min(110 / 96, PRINTED_IN[0] / width, PRINTED_IN[1] / height)
    floor = SMALLEST_PT / scale
    for text in fig.findobj(Text):
        if text.get_fontsize() < floor:
            text.set_fontsize(floor)
    return fig


def localized(fig: Figure) -> Figure:
    """Every plain numeric axis of ``fig`` written with the current language's decimals."""
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            if type(axis.get_major_formatter()) is ScalarFormatter:
                axis.set_major_formatter(LocaleFormatter(decimal_symbol()))
    return fig


@styled
def example_grid(
    images: np.ndarray, labels: np.ndarray, classes, names, per_class: int = 8
) -> Figure:
    """A row of example training images for each chosen class."""
    fig = Figure(figsize=(per_class * 1.1, len(classes) * 1.25))
    axes = fig.subplots(len(classes), per_class, squeeze=False)
    for r, (c, name) in enumerate(zip(classes, names, strict=True)):
        idx = np.flatnonzero(labels == c)[:per_class]
        for k, ax in enumerate(axes[r]):
            ax.set_axis_off()
            if k < len(idx):
                ax.imshow(images[idx[k]], cmap="gray_r")
        axes[r][0].set_title(f"{c}: {name}", loc="left", fontsize=10)
    fig.suptitle(_("Example training images per class"))
    return fig


@styled
def pca_scatter(
    coords: np.ndarray,
    labels: np.ndarray,
    names_by_label: dict,
    ratios,
    per_class: int = PCA_PER_CLASS,
) -> Figure:
    """The training images on PC1 and PC2: at most ``per_class`` of each class, chosen at
    random (seed 0), drawn in one random order so that no class covers the others."""
    fig = Figure(figsize=(7.2, 5))
    ax = fig.subplots()
    rng = np.random.default_rng(0)
    classes = list(names_by_label)
    picked = [rng.permutation(np.flatnonzero(labels == c))[:per_class] for c in classes]
    order = rng.permutation(np.concatenate(picked))
    colour = {c: PALETTE[i % len(PALETTE)] for i, c in enumerate(classes)}
    ax.scatter(
        coords[order, 0],
        coords[order, 1],
        c=[colour[int(v)] for v in labels[order]],
        s=9,
        alpha=0.55,
        linewidths=0,
    )
    for c in classes:
        ax.scatter([], [], color=colour[c], s=30, label=names_by_label[c])
    ax.set_xlabel(_("PC1 ({share} of the variance)").format(share=pct(ratios[0])))
    ax.set_ylabel(_("PC2 ({share} of the variance)").format(share=pct(ratios[1])))
    ax.set_title(_("Training images on the first two principal components"), fontsize=11)
    ax.legend(title=_("class"), loc="upper left", bbox_to_anchor=(1.01, 1))
    return fig


@styled
def pca_variance(ratios: np.ndarray, for_90: int | None = None) -> Figure:
    """Each component's explained variance ratio and their running sum; with ``for_90``
    (the components needed for 90 %; ``ratios`` reaching at least that far) the x range
    reaches it and a dashed line marks it."""
    fig = Figure(figsize=(7.5, 4))
    ax = fig.subplots()
    k = np.arange(1, len(ratios) + 1)
    ax.bar(k, ratios, color=PALETTE[0], label=_("per component"))
    ax2 = ax.twinx()
    ax2.plot(k, np.cumsum(ratios), color=PALETTE[3], marker=".", label=_("cumulative"))
    ax2.set_ylim(0, 1)
    ax2.grid(False)
    if for_90 is not None:
        ax.set_xlim(0, max(len(ratios), for_90) + 1)
        ax2.axhline(0.9, color="grey", linestyle=":", linewidth=1)
        ax2.axvline(
            for_90,
            color="grey",
            linestyle="--",
            linewidth=1,
            label=_("90 % at {k} components").format(k=for_90),
        )
    ax.set_xlabel(_("principal component"))
    ax.set_ylabel(_("explained variance ratio"))
    ax2.set_ylabel(_("cumulative ratio"))
    ax.set_title(_("Explained variance"))
    fig.legend(loc="center right", bbox_to_anchor=(0.85, 0.5))
    return fig


@styled
def pca_components(components: np.ndarray, ratios, shape: tuple = (28, 28)) -> Figure:
    """The first principal axes drawn as images of the data's shape (H, W) or (H, W, C)."""
    n = len(components)
    cols = min(n, 5)
    rows = -(-n // cols)
    fig = Figure(figsize=(cols * 1.4, rows * 1.9))
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    for ax in axes[n:]:
        ax.set_axis_off()
    for i, ax in enumerate(axes[:n]):
        lim = np.abs(components[i]).max()
        picture = components[i].reshape(shape)
        picture = picture.mean(axis=-1) if picture.ndim == 3 else picture  # colour: channels' mean
        ax.imshow(picture, cmap="RdBu_r", vmin=-lim, vmax=lim)
        ax.set_title(f"PC{i + 1}\n{pct(ratios[i])}", fontsize=9)
        ax.set_axis_off()
    fig.suptitle(
        _("Principal axes as {h}x{w} images (red +, blue -)").format(h=shape[0], w=shape[1]),
        fontsize=10,
    )
    return fig


@styled
def confusion_heatmap(cm, names, title: str) -> Figure:
    fig = Figure(figsize=(5.6, 4.6))
    ax = fig.subplots()
    sns.heatmap(
        np.asarray(cm),
        annot=True,
        fmt="d",
        cmap="Blues",
        cbar=False,
        ax=ax,
        xticklabels=names,
        yticklabels=names,
        square=True,
    )
    ax.set_xlabel(_("predicted class"))
    ax.set_ylabel(_("true class"))
    ax.set_title(title, fontsize=11)
    return fig


@styled
def oob_curve(curve) -> Figure:
    fig = Figure(figsize=(5.5, 3.4))
    ax = fig.subplots()
    trees, acc = zip(*curve, strict=True)
    ax.plot(trees, acc, marker="o")
    ax.set_xscale("log", base=2)
    ax.set_xticks(trees, [str(t) for t in trees])
    ax.set_xlabel(_("trees"))
    ax.set_ylabel(_("out-of-bag accuracy"))
    ax.set_title(_("Random forest: out-of-bag accuracy as trees are added"))
    return fig


@styled
def difference_from_best(best: str, labels: list[str], diffs: list) -> Figure:
    """Each model's test accuracy minus the best model's, in points, with its 95 % paired
    bootstrap interval; 0 is the best model."""
    fig = Figure(figsize=(7.5, 1.2 + 0.55 * max(1, len(labels))))
    ax = fig.subplots()
    y = np.arange(len(labels))
    d = np.array([x[0] for x in diffs]) * 100
    lo = d - np.array([x[1] for x in diffs]) * 100
    hi = np.array([x[2] for x in diffs]) * 100 - d
    ax.errorbar(d, y, xerr=[lo, hi], fmt="o", color=PALETTE[0], capsize=4)
    ax.axvline(0, color=PALETTE[3], linestyle="--")  # the best: named by the axis label
    ax.set_yticks(y, labels)
    ax.set_xlabel(
        _("test accuracy minus {best} (points, 95 % paired bootstrap interval)").format(best=best)
    )
    ax.margins(x=0.06)  # an interval's cap is not clipped at the frame
    ax.invert_yaxis()  # no legend: it covered the lowest model's point and interval
    return fig


@styled
def training_curves(histories: list[dict], marked_epoch: int, title: str) -> Figure:
    """Loss and accuracy per epoch, train vs validation: mean over seeds with a min-max
    band; the dotted line marks ``marked_epoch``, where the mean validation loss is lowest."""
    fig = Figure(figsize=(8.6, 3.4))
    axes = fig.subplots(1, 2)
    n = min(len(h["val_loss"]) for h in histories)
    epochs = np.arange(1, n + 1)
    pal = PALETTE
    for ax, metric, label in ((axes[0], "loss", _("loss")), (axes[1], "acc", _("accuracy"))):
        for part, color in (("train", pal[0]), ("val", pal[3])):
            runs = np.array([h[f"{part}_{metric}"][:n] for h in histories])
            ax.plot(
                epochs,
                runs.mean(0),
                color=color,
                marker=".",
                label=_("train") if part == "train" else _("validation"),
            )
            if len(runs) > 1:
                ax.fill_between(epochs, runs.min(0), runs.max(0), color=color, alpha=0.2)
        ax.axvline(
            marked_epoch,
            color="gray",
            linestyle=":",
            label=_("lowest mean val loss (epoch {epoch})").format(epoch=marked_epoch),
        )
        ax.set_xlabel(_("epoch"))
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylabel(label)
    legends.below(fig, *axes[0].get_legend_handles_labels(), fontsize=8)
    fig.suptitle(title, fontsize=11)
    return fig
