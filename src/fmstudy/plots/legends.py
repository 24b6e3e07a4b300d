"""Legends that keep off the data: in a corner of the axes where no drawn point, line,
band or label lies, else outside the axes on the right.

    legend = off_data(ax, title="class")   # while drawing
    settle(fig)                           # once the figure is laid out (figures.styled)

A legend's size relative to its axes is known only when the figure's texts have their
final sizes and the figure is laid out, so :func:`off_data` marks the legend and
:func:`settle` chooses its place then.
"""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.transforms import Bbox

OFF_DATA = "fmstudy-legend-off-data"  # the gid that marks a legend settle() places
CORNERS = ("upper right", "upper left", "lower left", "lower right")
OUTSIDE = (1.02, 1.0)  # axes fraction: right of the axes, at its top


def off_data(ax: Axes, **kwargs) -> Legend:
    """``ax.legend(**kwargs)`` marked to be placed off the data by :func:`settle`."""
    legend = ax.legend(loc="upper right", **kwargs)
    legend.set_gid(OFF_DATA)
    return legend


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
    """Place every legend of ``fig`` made by :func:`off_data`; when one goes outside its
    axes, lay the figure out again and place the others anew (their axes changed size)."""
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
        fig.tight_layout()
