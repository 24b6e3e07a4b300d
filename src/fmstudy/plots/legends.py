"""Legends that keep off the data. A figure of several panels sharing their entries has
one legend centred below the panels (:func:`below`); a single panel's legend goes in a
corner of the axes where no drawn point, line, band or label lies, else outside the axes
on the right (:func:`off_data`).

    legend = off_data(ax, title="class")   # while drawing
    legend = below(fig, handles, labels)   # while drawing, one for all panels
    settle(fig)                           # once the figure is laid out (figures.styled)

A legend's size relative to its axes is known only when the figure's texts have their
final sizes and the figure is laid out, so these functions mark the legend and
:func:`settle` chooses its place (and the room below the panels) then.
"""

from __future__ import annotations

import weakref

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.transforms import Bbox

OFF_DATA = "fmstudy-legend-off-data"  # the gid that marks a legend settle() places
CORNERS = ("upper right", "upper left", "lower left", "lower right")
OUTSIDE = (1.02, 1.0)  # axes fraction: right of the axes, at its top
BELOW = "fmstudy-legend-below"  # the gid of a figure's legend below its panels
UNDER: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # such a legend's panels


def off_data(ax: Axes, **kwargs) -> Legend:
    """``ax.legend(**kwargs)`` marked to be placed off the data by :func:`settle`."""
    legend = ax.legend(loc="upper right", **kwargs)
    legend.set_gid(OFF_DATA)
    return legend


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


def fit_below(fig: Figure) -> None:
    """Lay ``fig`` out with room under its panels for its :func:`below` legends, each in
    as many columns as fit the width of its panels and centred under them."""
    shared = [g for g in fig.legends if g.get_gid() == BELOW]
    if not shared:
        fig.tight_layout()
        return
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


def drawn_points(ax: Axes) -> np.ndarray:
    """Display coordinates of what ``ax`` draws: each line densely along its segments
    (a line crosses a box between its vertices too), each collection's points and the
    vertices of its areas (bands, bars)."""
    found = [np.empty((0, 2))]
    for line in ax.get_lines():
        xy = line.get_transform().transform(line.get_xydata())
        xy = xy[np.isfinite(xy).all(axis=1)]
        if len(xy) > 1:
            t = np.linspace(0, 1, 25)[:, None, None]
            xy = (xy[:-1] * (1 - t) + xy[1:] * t).reshape(-1, 2)
        found.append(xy)
    for coll in ax.collections:
        offsets = np.asarray(coll.get_offsets())
        if len(offsets):
            found.append(coll.get_offset_transform().transform(offsets))
        for path in coll.get_paths():
            found.append(coll.get_transform().transform(path.vertices))
    for patch in ax.patches:
        found.append(patch.get_transform().transform(patch.get_path().vertices))
    points = np.concatenate(found)
    return points[np.isfinite(points).all(axis=1)]


def covers(box: Bbox, ax: Axes, points: np.ndarray) -> bool:
    """Whether ``box`` (display coordinates) covers a point drawn or a text of ``ax``."""
    inside = (
        (points[:, 0] >= box.x0)
        & (points[:, 0] <= box.x1)
        & (points[:, 1] >= box.y0)
        & (points[:, 1] <= box.y1)
    )
    texts = [t for t in ax.texts if t.get_visible() and t.get_text().strip()]
    return bool(inside.any()) or any(box.overlaps(t.get_window_extent()) for t in texts)


def place(legend: Legend, ax: Axes) -> bool:
    """Put ``legend`` in the first corner of ``ax`` where it covers nothing drawn; else
    outside the axes on the right. Returns whether it went outside."""
    points = drawn_points(ax)
    for corner in CORNERS:
        legend.set_loc(corner)
        legend.set_bbox_to_anchor(None)
        if not covers(legend.get_window_extent().padded(2), ax, points):
            return False
    legend.set_loc("upper left")
    legend.set_bbox_to_anchor(OUTSIDE, transform=ax.transAxes)
    return True


def settle(fig: Figure) -> Figure:
    """Make room for a :func:`below` legend and place every legend of ``fig`` made by
    :func:`off_data`; when one goes outside its axes, lay the figure out again and place
    the others anew (their axes changed size)."""
    fit_below(fig)
    legends = [
        (ax, ax.get_legend())
        for ax in fig.axes
        if ax.get_legend() is not None and ax.get_legend().get_gid() == OFF_DATA
    ]
    outside: set[int] = set()
    while True:
        moved = {
            i for i, (ax, legend) in enumerate(legends) if i not in outside and place(legend, ax)
        }
        if not moved:
            return fig
        outside |= moved
        fit_below(fig)
