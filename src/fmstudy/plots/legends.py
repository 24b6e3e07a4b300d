"""Legends that keep off the data: a figure of several panels sharing their entries has
one legend centred below the panels, not inside any of them.

    legend = below(fig, handles, labels)   # while drawing, one for all panels
    settle(fig)                           # once the figure is laid out (figures.styled)

A legend's size relative to its panels is known only when the figure's texts have their
final sizes, so :func:`below` marks the legend and :func:`settle` makes its room then.
"""

from __future__ import annotations

import weakref

from matplotlib.figure import Figure
from matplotlib.legend import Legend

BELOW = "fmstudy-legend-below"  # the gid of a figure's legend below its panels
UNDER: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # such a legend's panels


def below(fig: Figure, handles: list, labels: list[str], under=None, **kwargs) -> Legend:
    """One legend for the panels ``under`` (default: every panel of ``fig``), centred
    below them in one row (more rows when one is wider than they are); :func:`settle`
    keeps the panels above it."""
    under = tuple(fig.axes if under is None else under)
    return _shared(fig, (under, handles, labels, kwargs), len(labels))


def _shared(fig: Figure, spec: tuple, ncols: int) -> Legend:
    """A :func:`below` legend drawn from ``spec`` (its panels, handles, labels and
    keyword arguments) in ``ncols`` columns."""
    _under, handles, labels, kwargs = spec
    legend = fig.legend(
        handles, labels, loc="lower center", bbox_to_anchor=(0.5, 0.0), ncols=ncols, **kwargs
    )
    legend.set_gid(BELOW)
    UNDER[legend] = spec
    return legend


def _in_columns(legend: Legend, ncols: int) -> Legend:
    """``legend`` drawn again in ``ncols`` columns (matplotlib sets columns only when it
    makes a legend), its text at the sizes it has now."""
    under, handles, labels, kwargs = UNDER.pop(legend)
    fig = legend.get_figure()
    kwargs = {
        **kwargs,
        "fontsize": legend.get_texts()[0].get_fontsize(),
        "title_fontsize": legend.get_title().get_fontsize(),
    }
    legend.remove()
    return _shared(fig, (under, handles, labels, kwargs), ncols)


def _span(axes) -> tuple[float, float]:
    """The horizontal extent of ``axes`` together, in figure fractions."""
    return min(ax.get_position().x0 for ax in axes), max(ax.get_position().x1 for ax in axes)


def settle(fig: Figure) -> Figure:
    """Lay ``fig`` out, once its texts have their final sizes, with room under its panels
    for its :func:`below` legends, each in as many columns as fit the width of its
    panels and centred under them."""
    shared = [g for g in fig.legends if g.get_gid() == BELOW]
    if not shared:
        fig.tight_layout()
        return fig
    for i, legend in enumerate(shared):
        x0, x1 = _span(UNDER[legend][0])
        room = (1.0 if len(shared) == 1 else x1 - x0 + 0.04) * fig.bbox.width
        entries = ncols = len(legend.get_texts())
        while ncols > 1 and legend.get_window_extent().width > room:
            ncols -= 1
            legend = _in_columns(legend, ncols)
        rows = -(-entries // ncols)
        if ncols != -(-entries // rows):  # the entries shared out evenly over the rows
            legend = _in_columns(legend, -(-entries // rows))
        shared[i] = legend
    height = max(g.get_window_extent().height for g in shared) / fig.bbox.height
    fig.tight_layout(rect=(0, height + 0.01, 1, 1))
    if len(shared) > 1:
        for legend in shared:
            x0, x1 = _span(UNDER[legend][0])
            legend.set_bbox_to_anchor(((x0 + x1) / 2, 0.0), transform=fig.transFigure)
    return fig
