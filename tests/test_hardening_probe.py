"""Issue 24, point 7: what a second probe of the new surfaces found, each kept as a case.

Image files are opened only as PNG, JPEG or BMP (an EPS named .png would have run
Ghostscript); a CSV the csv module cannot split is one line; an empty --classes is
refused, not read as absent; a saved model's class names are checked like a data set's
and must be those of the data set it is evaluated on; a config's image size is whole
numbers; class names that look the same are refused; --groups is NFC; a class folder's
broken link or FIFO is refused, not skipped.
"""

from __future__ import annotations

import json
import os
import shutil
import unicodedata
from pathlib import Path

import numpy as np
import pytest
from badinput import check_bad_input
from PIL import Image

from fmstudy import checks
from fmstudy.cli.main import main
from fmstudy.data.groups import parse_groups
from fmstudy.data.loading import load_dataset
from fmstudy.data.own import DataOptions
from fmstudy.data.registry import get_dataset_spec
from fmstudy.data.subsets import select_classes
from fmstudy.errors import FmstudyError
from fmstudy.models import saved as saved_models
from fmstudy.models.classical import fit_model
from fmstudy.models.zoo import zoo_defaults, zoo_specs
from fmstudy.report.context import dataset_title

EPS = b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 8 8\nshowpage\n"
GOOD_CSV = "label,p1,p2,p3,p4\n" + "".join(
    f"{i % 2},{i},{i + 1},{i + 2},{i + 3}\n" for i in range(8)
)


def make_folder(root: Path, classes=("a", "b"), n=3) -> Path:
    """Class folders of ``n`` distinct 4 x 4 grey PNGs each."""
    for ci, name in enumerate(classes):
        (root / name).mkdir(parents=True)
        for i in range(n):
            pixels = np.full((4, 4), 20 * i + 70 * ci, np.uint8)
            Image.fromarray(pixels).save(root / name / f"{i}.png")
    return root


def folder(classes=("a", "b"), extra=None):
    """A builder: a small image folder, ``extra(class_a_folder)`` adding one odd file."""

    def make(p):
        root = make_folder(p / "photos", classes)
        if extra is not None:
            extra(root / classes[0])
        return root

    return make


def saved_as(fmt: str, name: str = "odd.png", **kw):
    def add(d):
        frames = [Image.fromarray(np.full((4, 4), v, np.uint8)) for v in (0, 255)]
        frames[0].save(d / name, format=fmt, **kw)

    return add


def written(name: str, data: bytes):
    return lambda d: (d / name).write_bytes(data)


def csv(text: str):
    def make(p):
        (p / "d.csv").write_text(text, newline="")
        return p / "d.csv"

    return make


def config(**changes):
    """A config.json for the 'photos' folder, tasks 1 only, with ``changes``."""

    def make(p):
        make_folder(p / "photos")
        body = {"classes": [0, 1], "dataset": str(p / "photos"), "tasks": ["1"]}
        (p / "c.json").write_text(json.dumps({"config": {**body, **changes}}))
        return p / "c.json"

    return make


D = ["data", "--dataset"]
CASES = [
    # Pillow opens only PNG, JPEG and BMP, whatever the name says
    ([*D, folder(extra=written("e.png", EPS))], "not a PNG, JPEG or BMP file"),
    ([*D, folder(extra=saved_as("GIF", save_all=True))], "not a PNG, JPEG or BMP file"),
    ([*D, folder(extra=saved_as("TIFF"))], "not a PNG, JPEG or BMP file"),
    ([*D, folder(extra=saved_as("WEBP", name="odd.jpg"))], "not a PNG, JPEG or BMP file"),
    ([*D, folder(extra=written("z.png", b""))], "not a PNG, JPEG or BMP file"),
    # a class folder's odd entries are refused, not skipped
    ([*D, folder(extra=lambda d: os.symlink("/nonexistent/x.png", d / "x.png"))], "broken link"),
    ([*D, folder(extra=lambda d: os.mkfifo(d / "f.png"))], "not a regular file"),
    ([*D, folder(extra=lambda d: os.symlink("/dev/zero", d / "z.png"))], "not a regular file"),
    # the csv module's errors are one line
    ([*D, csv(GOOD_CSV.replace("\n", "\r"))], "lone carriage return"),
    ([*D, csv(GOOD_CSV + '"' + "x" * 200_000 + '",1,2,3,4\n')], "row 10 is not a CSV row"),
    ([*D, csv('"' + "l" * 200_000 + '",p1\n0,1\n1,2\n')], "row 1 is not a CSV row"),
    ([*D, csv(GOOD_CSV + '0,"' + "1" * 200_000 + '",1,2,3\n')], "row 10 is not a CSV row"),
    ([*D, csv(GOOD_CSV + "0,1\r2,3,4\n")], "row 10 is not a CSV row"),
    ([*D, csv(GOOD_CSV + "0,1_0,1,2,3\n")], "row 10: pixels must be whole numbers 0-255"),
    ([*D, csv(GOOD_CSV + "0,\u0663,1,2,3\n")], "row 10: pixels must be whole numbers 0-255"),
    # an empty --classes is refused, never read as 'all classes' or 'by surname'
    (["data", "--classes", ""], "--classes is empty"),
    (["data", "--surname", "Lind", "--classes", ""], "--classes is empty"),
    (["data", "--dataset", folder(), "--classes", ""], "--classes is empty"),
    (["run", "--surname", "Lind", "--classes", "", "--tasks", "1"], "--classes is empty"),
    (["notebook", "--surname", "Lind", "--classes", "", "--no-execute"], "--classes is empty"),
    # class names that look the same are two names for one class
    ([*D, folder(("cat ", "cat"))], "look the same"),
    ([*D, folder(("c\u200bat", "cat"))], "look the same"),
    ([*D, folder(("\uff43\uff41\uff54", "cat"))], "look the same"),
    ([*D, folder(("\u200b", "cat"))], "a class name is empty"),
    ([*D, csv("label,p1\nca\u200bt,1\ncat,2\nb,3\nb,4\n")], "look the same"),
    # a surname reaches the report's title: no line separator, no bidirectional override
    (["run", "--surname", "Lind\u202eteg", "--tasks", "1"], "contains a control character"),
    (["run", "--surname", "Lind\u2028x", "--tasks", "1"], "contains a control character"),
    (["notebook", "--surname", "Lind\u2066x", "--no-execute"], "contains a control character"),
    # a config's image size is two whole numbers, as on the command line
    (["run", "--config", config(image_size=[True, 8])], "must be a whole number, got True"),
    (["run", "--config", config(image_size=[8.5, 8])], "must be a whole number, got 8.5"),
]


@pytest.mark.parametrize("args, words", CASES)
def test_probe_finding_stops_in_one_line(args, words, tmp_path, capsys, monkeypatch):
    check_bad_input(args, words, tmp_path, capsys, monkeypatch)


def test_pillow_opens_only_the_formats_fmstudy_reads(tmp_path, monkeypatch):
    """An image named .jpg that is a PNG, and a multi-picture JPEG, still load."""
    monkeypatch.setenv("FMSTUDY_DATA_DIR", str(tmp_path / "d"))
    root = make_folder(tmp_path / "photos")
    Image.fromarray(np.zeros((4, 4), np.uint8)).save(root / "a" / "png.jpg", format="PNG")
    rgb = [Image.fromarray(np.full((4, 4, 3), v, np.uint8)) for v in (10, 200)]
    rgb[0].save(root / "b" / "mpo.jpg", format="MPO", save_all=True, append_images=rgb[1:])
    ds = load_dataset(str(root), tmp_path / "d", options=DataOptions(test_share=0.25))
    assert len(ds.x_train) + len(ds.x_test) == 8


def test_nfd_groups_read_as_typed():
    """'N-Ö' typed in decomposed Unicode (as macOS may) is the course's rule."""
    nfd = unicodedata.normalize("NFD", "A-G:0-3,H-M:4-7,N-Ö:6-9")
    rule = parse_groups(nfd, get_dataset_spec("fashion-mnist").classes)
    assert rule.for_surname("Öberg").classes == (6, 7, 8, 9)


@pytest.mark.parametrize("value", [[True, 8], [8.5, 8], [8.0, 8]])
def test_an_image_size_is_two_whole_numbers(value):
    with pytest.raises(FmstudyError):
        checks.image_size(value)
    assert checks.image_size([8, 9]) == checks.image_size("8X9") == (8, 9)


# --- a saved model: its class names checked, and those of the data set it tests on ------


@pytest.fixture(scope="module")
def knn(tmp_path_factory):
    """A k-NN saved as 'fmstudy run' saves it, trained on the folder's classes a, b."""
    root = tmp_path_factory.mktemp("knn")
    photos = make_folder(root / "photos", n=5)
    ds = load_dataset(str(photos), root / "d", options=DataOptions())
    sub = select_classes(ds, (0, 1))
    (spec,) = zoo_specs(("knn",), zoo_defaults("quick", 0))
    flat = {k: getattr(sub, k).reshape(len(getattr(sub, k)), -1) for k in ("x_train", "x_test")}
    fit = fit_model(spec, flat["x_train"], sub.y_train, flat["x_test"])
    meta = saved_models.model_meta(spec, fit, sub)
    return saved_models.write_model(root / "knn", saved_models.dump(fit.model), meta), photos


def model_copy(knn, **changes):
    def make(p):
        folder_, photos = knn
        shutil.copytree(photos, p / "photos")
        shutil.copytree(folder_, p / "knn")
        meta = json.loads((p / "knn" / "model.json").read_text())
        meta.update(dataset=str(p / "photos"), **changes)
        (p / "knn" / "model.json").write_text(json.dumps(meta))
        return p / "knn"

    return make


def other_data(classes):
    return lambda p: make_folder(p / "other", classes, n=5)


SAVED_CASES = [
    ({"class_names": ["a", "a"]}, None, "appears twice"),
    ({"class_names": ["a", "A"]}, None, "differ only by case"),
    ({"class_names": ["a", ""]}, None, "a class name is empty"),
    ({"class_names": ["b", "a"]}, None, "the model learnt the classes b, a"),
    ({}, ("cat", "dog"), "are cat, dog"),
    ({}, ("x", "y", "z"), "are x, y"),
]


@pytest.mark.parametrize("changes, other, words", SAVED_CASES)
def test_a_saved_model_meets_data_of_its_classes(
    knn, changes, other, words, tmp_path, capsys, monkeypatch
):
    args = ["evaluate", model_copy(knn, **changes)]
    if other is not None:
        args += ["--dataset", other_data(other)]
    check_bad_input(args, words, tmp_path, capsys, monkeypatch)


def test_a_saved_model_evaluates_on_data_of_its_classes(knn, tmp_path, capsys, monkeypatch):
    """The same class names, in another case or folder, still evaluate."""
    monkeypatch.setenv("FMSTUDY_DATA_DIR", str(tmp_path / "d"))
    model = model_copy(knn)(tmp_path)
    other = make_folder(tmp_path / "other", ("A", "B"), n=5)
    assert main(["evaluate", str(model), "--dataset", str(other), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["dataset"] == str(other) and {"A", "B"} <= set(out["report"])


def test_predict_refuses_an_eps_named_png(knn, tmp_path, capsys, monkeypatch):
    """Pillow would hand an EPS to Ghostscript; predict opens images as fmstudy does."""
    args = ["predict", model_copy(knn), lambda p: (p / "e.png").write_bytes(EPS) and p / "e.png"]
    check_bad_input(args, "not a PNG, JPEG or BMP file", tmp_path, capsys, monkeypatch)


def test_predict_shows_a_file_names_control_characters(knn, tmp_path, capsys, monkeypatch):
    """A terminal escape in an image's name is printed as its escape, not acted on."""
    monkeypatch.setenv("FMSTUDY_DATA_DIR", str(tmp_path / "d"))
    monkeypatch.chdir(tmp_path)  # a short name, so the table shows it whole
    model = model_copy(knn)(tmp_path)
    Image.fromarray(np.zeros((4, 4), np.uint8)).save("a\x1b[2Jb.png", format="PNG")
    capsys.readouterr()
    assert main(["predict", str(model), "a\x1b[2Jb.png"]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "a\\x1b[2Jb.png" in out


def with_spec_json(knn):
    """The k-NN's folder with a network's spec.json beside its model.json."""

    def make(p):
        folder_ = model_copy(knn)(p)
        (folder_ / "spec.json").write_text("{}")
        return folder_

    return make


def test_a_folder_of_two_kinds_of_model_is_refused(knn, tmp_path, capsys, monkeypatch):
    """evaluate had picked the classical model without a word, even for its spec.json."""
    args = ["evaluate", with_spec_json(knn)]
    check_bad_input(
        args,
        "holds a saved network (spec.json) and a classical model",
        tmp_path,
        capsys,
        monkeypatch,
    )


def test_a_file_names_the_model_it_belongs_to(knn, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("FMSTUDY_DATA_DIR", str(tmp_path / "d"))
    folder_ = with_spec_json(knn)(tmp_path)
    assert main(["evaluate", str(folder_ / "model.json"), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["name"] == "knn"
    assert main(["evaluate", str(folder_ / "spec.json")]) == 2  # read as the network it names
    assert "spec.json" in capsys.readouterr().err


@pytest.mark.parametrize(
    "profile, exercise", [("quick", False), ("notebook", False), ("quick", True)]
)
def test_every_notebook_cell_starts_at_its_marker(profile, exercise, tmp_path, monkeypatch):
    """A marker after a line ending in a template tag lost its line break, so tasks 4 and
    5 ran their code as markdown and the notebook stopped at NameError: name 'raw'."""
    monkeypatch.setenv("FMSTUDY_DATA_DIR", str(tmp_path / "d"))
    out = tmp_path / "n.ipynb"
    args = [
        "notebook",
        "--surname",
        "Lind",
        "--profile",
        profile,
        "--no-execute",
        "--out",
        str(out),
    ]
    assert main(args + (["--exercise"] if exercise else [])) == 0
    cells = json.loads(out.read_text())["cells"]
    assert not [c for c in cells if "%% code" in "".join(c["source"])]
    code = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    if exercise:  # tasks 4 and 5 are questions with the student's code cells under them
        assert code.count("# your code here") >= 5 and "def train_network(" in code
    else:
        assert "raw = LogisticRegression(" in code and "train_network(make()" in code


def test_a_notebook_too_small_to_run_stops_before_the_kernel(tmp_path, capsys, monkeypatch):
    """Three images a class leave a network no validation image: said in one line before
    the kernel starts (it had run 20 s and stopped in cell 22)."""
    monkeypatch.chdir(tmp_path)
    photos = make_folder(tmp_path / "photos", n=3)
    args = ["notebook", "--dataset", str(photos), "--classes", "a,b", "--profile", "quick"]
    capsys.readouterr()
    assert main([*args, "--data-dir", str(tmp_path / "d"), "--out", "n.ipynb"]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and "validates on 20 %" in lines[0] and "cell" not in lines[0], lines
    assert not (tmp_path / "n.ipynb").exists()


def test_a_folder_name_with_brackets_is_the_title_whole(tmp_path):
    """'photos (2024)' was cut to 'photos' as if '(2024)' named a publisher."""
    photos = make_folder(tmp_path / "photos (2024)")
    assert dataset_title(str(photos)) == "photos (2024)"
    assert dataset_title("fashion-mnist") == "Fashion-MNIST"
