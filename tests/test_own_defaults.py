"""Defaults for one's own data: every class unless --classes says otherwise, 'all'
everywhere, errors that name the data's own classes, the report without the user's
folders, and task 1's near-duplicate check in metrics.json and the report."""

import json

import numpy as np
import pytest

from fmstudy import FmstudyError, load_dataset
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
    assert found["count"] >= t1["duplicates"] and found["min_correlation"] == 0.9
    assert all(set(e) == {"test", "train", "correlation"} for e in found["examples"])
    assert all(e["test"].startswith(("boot/", "coat/", "hat/")) for e in found["examples"])
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


def _npz(path, names=None):
    rng = np.random.default_rng(0)
    arrays = {
        "x_train": rng.integers(0, 256, (20, 6, 6), dtype=np.uint8),
        "y_train": np.arange(20) % 2,
        "x_test": rng.integers(0, 256, (6, 6, 6), dtype=np.uint8),
        "y_test": np.arange(6) % 2,
    }
    if names is not None:
        arrays["class_names"] = np.array(names, dtype=str)
    np.savez(path, **arrays)
    return str(path)


def test_class_names_from_an_npz_array_csv_text_labels_or_the_option(tmp_path):
    data = tmp_path / "data"
    assert load_dataset(_npz(tmp_path / "n.npz", ["cat", "dog"]), data).class_names == (
        "cat",
        "dog",
    )
    plain = _npz(tmp_path / "p.npz")
    assert load_dataset(plain, data).class_names == ("0", "1")
    assert load_dataset(plain, data, class_names=("ant", "bee")).class_names == ("ant", "bee")
    rows = [["dog" if k % 2 else "cat", *[k] * 16] for k in range(20)]
    csv = tmp_path / "t.csv"
    csv.write_text(
        "label,"
        + ",".join(f"pixel{i + 1}" for i in range(16))
        + "\n"
        + "\n".join(",".join(map(str, r)) for r in rows)
        + "\n"
    )
    assert load_dataset(str(csv), data).class_names == ("cat", "dog")  # text, sorted
    cfg = study_config(dataset=plain, class_names="ant,bee", classes="bee,ant")
    assert cfg.class_names == ("ant", "bee") and cfg.classes == (0, 1)


@pytest.mark.parametrize(
    "given, message",
    [
        ("ant", r"--class-names gives 1 names; p.npz has 2 classes \(0, 1\)"),
        ("ant,bee,cow", "gives 3 names"),
        ("ant,Ant", "differ only by case"),
        ("ant,", "a class name is empty"),
    ],
)
def test_class_names_are_checked_once(tmp_path, given, message):
    with pytest.raises(FmstudyError, match=message):
        study_config(dataset=_npz(tmp_path / "p.npz"), class_names=given)


def test_class_names_reach_the_report_escaped_and_refused_for_fashion_mnist(tmp_path):
    with pytest.raises(FmstudyError, match="your own data; Fashion-MNIST"):
        study_config(dataset="fashion-mnist", classes="0-3", class_names="a,b,c,d")
    out = tmp_path / "report"
    argv = ["run", "--dataset", _npz(tmp_path / "p.npz"), "--class-names", "<b>ant</b>,bee"]
    argv += ["--profile", "quick", "--tasks", "1", "--out", str(out)]
    assert main([*argv, "--data-dir", str(tmp_path / "data")]) == 0
    assert json.loads((out / "metrics.json").read_text())["task1"]["class_names"] == [
        "<b>ant</b>",
        "bee",
    ]
    html = (out / "index.html").read_text()
    assert "&lt;b&gt;ant&lt;/b&gt;" in html and "<b>ant</b>" not in html
