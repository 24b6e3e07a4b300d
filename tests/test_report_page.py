"""The report's page fits (issue 27): tables that wrap instead of scrolling, numbers that
never break, and figures whose text prints at 7 pt or more on A4, legends off the data.

The printed size of a figure follows the print styles of report.html.j2: an image is
shown at its natural size (110 dpi pixels as CSS pixels, 96 to the inch), shrunk to fit
the page's width and a figure's greatest height."""

from __future__ import annotations

import io
import re
from pathlib import Path

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.text import Text
from test_report_parity import study  # noqa: F401  (the study showing every section)

from fmstudy.plots import figures as figs
from fmstudy.report.figures import Figures
from fmstudy.report.write import report_pages

TEMPLATES = Path(__file__).parents[1] / "src" / "fmstudy" / "report" / "templates"
CSS = (TEMPLATES / "report.html.j2").read_text()
MM = 96 / 25.4  # CSS pixels per millimetre
SAVED_DPI = 110  # report.write saves each figure at this resolution


def _print_box() -> tuple[float, float]:
    """The printed width of the page's text and a figure's greatest height, in CSS px."""
    page = re.search(r"@page \{ size: A4; margin: (\d+)mm (\d+)mm; \}", CSS)
    height = re.search(r"figure img \{ max-height: (\d+)mm;", CSS)
    assert page and height, "the print styles changed: read them here again"
    return (210 - 2 * int(page[2])) * MM, int(height[1]) * MM


def _texts(fig: Figure) -> list[Text]:
    return [
        t
        for t in fig.findobj(Text)
        if t.get_visible() and t.get_text().strip() and t.get_figure() is not None
    ]


def printed_points(fig: Figure) -> tuple[float, str]:
    """The smallest text of ``fig`` at its printed size, in points, and that text."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=SAVED_DPI, bbox_inches="tight")
    width, height = (int.from_bytes(buf.getvalue()[o : o + 4], "big") for o in (16, 20))
    max_w, max_h = _print_box()
    shown = min(1.0, max_w / width, max_h / height)  # CSS px per image px
    scale = shown * SAVED_DPI / 96  # printed inches per figure inch
    smallest = min(_texts(fig), key=lambda t: t.get_fontsize())
    return smallest.get_fontsize() * scale, smallest.get_text()


def test_every_figure_prints_its_text_at_7_points_or_more(study):  # noqa: F811
    result, _images = study
    small = {}
    for key, fig in Figures(result).items():
        points, text = printed_points(fig)
        if points < 7:
            small[key] = (round(points, 1), text)
    assert small == {}, small


def test_a_wide_figure_is_caught():
    """The measure itself: 8 pt text on a figure twice the page's width prints at ~4 pt."""
    fig = Figure(figsize=(14, 3))
    fig.subplots().set_title("small", fontsize=8)
    assert printed_points(fig)[0] < 5
    fig = Figure(figsize=(6, 3))
    fig.subplots().set_title("fine", fontsize=8)
    assert printed_points(fig)[0] >= 8


def test_numbers_never_break_and_nothing_breaks_a_word(study):  # noqa: F811
    """Every table cell without letters (numbers, intervals, counts) is td.n, which keeps
    it on one line; a cell with words is not; no style breaks a word at any letter."""
    result, images = study
    page, _markdown = report_pages(result, images, "sv")
    cells = re.findall(r"<td( class=\"n\")?[^>]*>(.*?)</td>", page)
    numeric = [text for n, text in cells if n]
    wordy = [text for n, text in cells if not n]
    assert "0,5" not in wordy and numeric and wordy
    assert all(not re.search(r"[^\W\d_]", re.sub(r"<[^>]*>", "", t)) for t in numeric)
    assert all(re.search(r"[^\W\d_]", re.sub(r"<[^>]*>", "", t)) for t in wordy)
    assert re.search(r"td\.n \{ white-space: nowrap;", page)
    for breaking in ("break-all", "anywhere"):
        assert breaking not in CSS
    assert "table {" in CSS and "display: block" not in CSS  # a table is never a scroll box


def test_the_pca_scatter_mixes_the_classes_and_keeps_its_legend_off_the_data():
    rng = np.random.default_rng(1)
    labels = np.repeat([4, 5, 6], 900)
    coords = rng.normal(size=(len(labels), 2)) + labels[:, None]
    fig = figs.pca_scatter(coords, labels, {4: "a", 5: "b", 6: "c"}, [0.3, 0.2], per_class=200)
    FigureCanvasAgg(fig).draw()
    ax = fig.axes[0]
    points = ax.collections[0]
    assert len(points.get_offsets()) == 600  # 200 of each class
    last = [tuple(c) for c in points.get_facecolors()[-60:]]
    assert len(set(last)) == 3  # the last drawn are of every class: none covers the rest
    legend = ax.get_legend()
    assert isinstance(legend, Legend)
    assert not legend.get_window_extent().overlaps(ax.get_window_extent())
    assert "200 random images of each class" in ax.get_title()
