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

from fmstudy.plots import evaluation, legends
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
    one_word = [re.sub(r"<[^>]*>", "", t) for t in re.findall(r"<td class=\"w\">(.*?)</td>", page)]
    assert "Sneaker" in one_word or "n8" in one_word
    assert all(" " not in t and len(t) <= 16 for t in one_word)
    assert re.search(r"td\.w \{ white-space: nowrap;", page)
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
    assert "\n" not in ax.get_title()  # what is drawn is said by the caption


def _synthetic_panels_and_training():
    """The probability panels and training curves drawn from tiny synthetic records."""
    from types import SimpleNamespace

    rng = np.random.default_rng(0)
    y = np.repeat([4, 5, 6], 40)
    proba = rng.dirichlet(np.ones(3), size=len(y))
    proba[np.arange(len(y)), y - 4] += 1.5
    proba /= proba.sum(1, keepdims=True)
    record = SimpleNamespace(
        roc_auc={"4": 0.9, "5": 0.8, "6": 0.95, "macro": 0.88},
        average_precision={"4": 0.9, "5": 0.8, "6": 0.95},
        calibration={"bins": [[0.45, 0.4, 10], [0.65, 0.7, 40], [0.9, 0.92, 70]]},
        ece=0.03,
    )
    panels = evaluation.probability_panels(y, proba, [4, 5, 6], ["a", "b", "c"], record, "m")
    curve = {
        "train_loss": [1.0, 0.6, 0.4, 0.3],
        "val_loss": [1.1, 0.8, 0.7, 0.75],
        "train_acc": [0.6, 0.8, 0.9, 0.95],
        "val_acc": [0.55, 0.7, 0.75, 0.74],
    }
    return panels, figs.training_curves([curve, curve], 3, "net")


def test_the_probability_and_training_figures_keep_their_legends_off_the_data():
    """The probability panels and the training curves draw their legends below the
    panels, none inside or beside an axes: the classes' one under ROC and
    precision-recall, the reliability panel's under it, the training curves' one under
    both; in one row where it fits, and clear of each other."""
    panels, training = _synthetic_panels_and_training()
    for fig, entries in ((panels, [3, 2]), (training, [3])):
        FigureCanvasAgg(fig).draw()
        assert [len(g.get_texts()) for g in fig.legends] == entries
        assert [ax for ax in fig.axes if ax.get_legend() is not None] == []
        boxes = [g.get_window_extent() for g in fig.legends]
        for box in boxes:
            assert all(box.y1 < ax.get_tightbbox().y0 for ax in fig.axes)  # below every panel
            assert box.x0 >= 0 and box.x1 <= fig.bbox.width and box.y0 >= 0  # in the figure
        assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1 :])
    (row,) = training.legends
    assert len({round(t.get_window_extent().y0) for t in row.get_texts()}) == 1  # one row
    classes, reliability = panels.legends
    assert classes.get_window_extent().x1 < panels.axes[2].get_position().x0 * panels.bbox.width
    assert reliability.get_window_extent().x0 > panels.axes[1].get_position().x1 * panels.bbox.width


def test_a_shared_legend_too_wide_for_its_panels_takes_more_rows():
    """Eight long entries under one small panel: more rows, each as wide as the panel
    allows, its text at the size it had (legible)."""
    fig = Figure(figsize=(4, 3))
    ax = fig.subplots()
    lines = [ax.plot([0, 1], [i, i], label=f"a long label {i}")[0] for i in range(8)]
    legends.below(fig, lines, [line.get_label() for line in lines], fontsize=9)
    legends.settle(fig)
    FigureCanvasAgg(fig).draw()
    (legend,) = fig.legends
    assert legend.get_window_extent().width <= fig.bbox.width
    rows = {round(t.get_window_extent().y0) for t in legend.get_texts()}
    assert 1 < len(rows) < 8 and legend.get_texts()[0].get_fontsize() == 9


def test_side_by_side_panels_titles_do_not_run_into_each_other():
    """The panels' titles (wrapped to their width) and the suptitle overlap nothing else's
    text; the panels keep most of the figure's width (no legend beside them)."""
    panels, training = _synthetic_panels_and_training()
    for fig in (panels, training):
        FigureCanvasAgg(fig).draw()
        boxes = [ax.title.get_window_extent() for ax in fig.axes if ax.get_title()]
        boxes += [t.get_window_extent() for t in _texts(fig) if t.get_text() == fig.get_suptitle()]
        for i, a in enumerate(boxes):
            assert not any(a.overlaps(b) for b in boxes[i + 1 :])
        left = min(ax.get_position().x0 for ax in fig.axes)
        right = max(ax.get_position().x1 for ax in fig.axes)
        assert right - left > 0.8
