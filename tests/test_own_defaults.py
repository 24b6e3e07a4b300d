"""Defaults for one's own data: every class unless --classes says otherwise, 'all'
everywhere, errors that name the data's own classes, the report without the user's
folders, and task 1's near-duplicate check in metrics.json and the report."""

import json

import pytest

from fmstudy import FmstudyError
from fmstudy.cli.main import main
from fmstudy.data.groups import parse_classes, resolve_classes
from fmstudy.study.config import study_config
from tests.test_own_data import make_folder

FASHION = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat")


def test_own_data_uses_every_class_by_default(tmp_path):
    folder = make_folder(tmp_path / "photos")
    assert study_config(dataset=str(folder)).classes == (0, 1, 2)
    assert study_config(dataset=str(folder), classes="all").classes == (0, 1, 2)
    assert study_config(dataset="digits").classes == tuple(range(10))


def test_all_means_every_class_and_fashion_mnist_still_asks_whose_study():
    assert parse_classes("all", FASHION) == (0, 1, 2, 3, 4)
    assert parse_classes(" ALL ", FASHION) == (0, 1, 2, 3, 4)
    with pytest.raises(FmstudyError, match=r"--surname NAME \(the course's groups\)"):
        resolve_classes(FASHION)
    assert resolve_classes(FASHION, every=True) == (0, 1, 2, 3, 4)


def test_errors_for_own_data_name_its_classes(tmp_path):
    folder = make_folder(tmp_path / "photos")
    with pytest.raises(FmstudyError, match=r"photos has its own classes \(0 boot, 1 coat, 2 hat"):
        study_config(dataset=str(folder), surname="Lind")
    with pytest.raises(FmstudyError) as e:
        study_config(dataset=str(folder), classes="4-7")
    assert "outside 0-2 (0 boot, 1 coat, 2 hat)" in str(e.value)
    assert "e.g. 4-7" not in str(e.value)


def test_a_study_names_the_folder_only_and_reports_near_copies(tmp_path):
    folder = make_folder(tmp_path / "photos", per_class=12)
    for name in ("boot", "coat"):  # a copy of each class's first image
        (folder / name / "copy.png").write_bytes((folder / name / "000.png").read_bytes())
    out = tmp_path / "report"
    argv = ["run", "--dataset", str(folder), "--profile", "quick", "--tasks", "1"]
    argv += ["--test-share", "0.5", "--out", str(out), "--data-dir", str(tmp_path / "data")]
    assert main(argv) == 0
    t1 = json.loads((out / "metrics.json").read_text())["task1"]
    assert t1["classes"] == [0, 1, 2]
    found = t1["near_duplicates"]
    assert found["count"] >= t1["duplicates"] and found["max_distance"] == 0.08
    assert all(set(e) == {"test", "train", "distance"} for e in found["examples"])
    md = (out / "report.md").read_text()
    html = (out / "index.html").read_text()
    for page in (md, html):
        assert str(tmp_path) not in page  # the user's folders stay private
        assert "photos" in page
    assert "near-cop" in md or "No test image of the chosen classes" in md


def test_two_classes_are_worded_as_the_only_pair(tmp_path):
    folder = make_folder(tmp_path / "pets", classes=("cat", "dog"), per_class=15)
    out = tmp_path / "report"
    argv = ["run", "--dataset", str(folder), "--profile", "quick", "--tasks", "1,2"]
    argv += ["--out", str(out), "--data-dir", str(tmp_path / "data")]
    assert main(argv) == 0
    md = (out / "report.md").read_text()
    assert "furthest apart" not in md and "The pair nearest" not in md
    assert "overlap most" not in md and "the most similar pair" not in md
    assert "PC1 sets cat" in md and "the two classes cat and dog" in md
