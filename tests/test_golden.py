"""The golden check itself: exact on a kind of machine with its own files, and within
what vector kernels can move elsewhere, but never blind to a real change."""

from __future__ import annotations

import shutil

import golden
import pytest


@pytest.fixture
def report(tmp_path):
    """A copy of the reference quick report's numbers, as a fresh run would write them."""
    (tmp_path / "report").mkdir()
    for name in ("metrics.json", "predictions.csv"):
        shutil.copy(golden.GOLDEN / "quick-4-7" / name, tmp_path / "report" / name)
    return tmp_path / "report"


def _change(report, share: float) -> None:
    text = (report / "predictions.csv").read_text().splitlines()
    rows = len(text) - 1
    for i in range(1, 1 + int(rows * share)):  # the forest's prediction: another class
        cells = text[i].split(",")
        cells[3] = "4" if cells[3] != "4" else "5"
        text[i] = ",".join(cells)
    (report / "predictions.csv").write_text("\n".join(text) + "\n")


def test_elsewhere_a_kernels_worth_of_difference_passes(report, monkeypatch):
    monkeypatch.setattr(golden, "machine", lambda: "no-such-kind")
    _change(report, 0.01)
    golden.assert_same_numbers("quick-4-7", report)


def test_elsewhere_a_real_change_fails(report, monkeypatch):
    monkeypatch.setattr(golden, "machine", lambda: "no-such-kind")
    _change(report, 0.05)
    with pytest.raises(AssertionError, match="forest"):
        golden.assert_same_numbers("quick-4-7", report)


def test_on_a_kind_with_its_own_files_the_check_is_exact(report, monkeypatch):
    monkeypatch.setattr(golden, "GOLDEN", report.parent / "golden")
    kind = report.parent / "golden" / "quick-4-7" / "machines" / golden.machine()
    shutil.copytree(report, kind)
    _change(report, 0.001)
    assert golden.golden_folder("quick-4-7") == (kind, True)
    with pytest.raises(AssertionError):
        golden.assert_same_numbers("quick-4-7", report)
