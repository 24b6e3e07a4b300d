"""One's own images: folders, CSV and .npz read into a study, checked, cached; bad files
named in one line."""

import json
import logging

import numpy as np
import pytest
from PIL import Image

from fmstudy import FmstudyError, load_dataset
from fmstudy.cli.main import main
from fmstudy.data import own as own_data
from fmstudy.data.own import DataOptions


def _images(n, shape, seed):
    """Images whose class shows in their brightness, so models can learn them."""
    rng = np.random.default_rng(seed)
    return rng.integers(0, 120, size=(n, *shape), dtype=np.uint8)


def make_folder(
    root, classes=("boot", "coat", "hat"), per_class=20, shape=(12, 10), mode="L", framed=False
):
    """Class folders of PNGs; ``framed``: light things on a dark ground, as Fashion-MNIST."""
    for k, name in enumerate(classes):
        d = root / name
        d.mkdir(parents=True)
        for i, img in enumerate(_images(per_class, shape, k)):
            img = img + np.uint8(60 * k)
            if framed:
                img[:2], img[-2:], img[:, :2], img[:, -2:] = 0, 0, 0, 0
            Image.fromarray(img).convert(mode).save(d / f"{i:03d}.png")
    return root


def test_an_image_folder_is_split_stratified_and_cached(tmp_path):
    folder = make_folder(tmp_path / "photos")
    ds = load_dataset(str(folder), tmp_path / "data", options=DataOptions(0.25, None, 3))
    assert ds.class_names == ("boot", "coat", "hat")
    assert ds.x_train.shape == (45, 12, 10) and ds.x_test.shape == (15, 12, 10)
    assert np.bincount(ds.y_test).tolist() == [5, 5, 5]
    assert ds.info["split"] == {"kind": "stratified", "test_share": 0.25, "seed": 3}
    assert list(ds.sha256) == ["loaded"]
    assert list((tmp_path / "data" / "decoded" / "own").glob("*.npz"))  # cached
    again = load_dataset(str(folder), tmp_path / "data", options=DataOptions(0.25, None, 3))
    assert again.sha256 == ds.sha256 and np.array_equal(again.x_test, ds.x_test)
    other = load_dataset(str(folder), tmp_path / "data", options=DataOptions(0.25, None, 4))
    assert other.sha256 != ds.sha256  # another seed, another split, another hash


def test_a_given_split_and_colour_images(tmp_path):
    make_folder(tmp_path / "p" / "train", mode="RGB")
    make_folder(tmp_path / "p" / "test", per_class=4, mode="RGB")
    ds = load_dataset(str(tmp_path / "p"), tmp_path / "data")
    assert ds.x_train.shape == (60, 12, 10, 3) and ds.x_test.shape == (12, 12, 10, 3)
    assert ds.info["split"] == {"kind": "given"}
    assert ds.info["duplicates"] == 12  # the same seeds drew the same first images


def test_mixed_sizes_need_image_size(tmp_path):
    folder = make_folder(tmp_path / "p")
    Image.fromarray(np.zeros((20, 20), np.uint8)).save(folder / "coat" / "big.png")
    with pytest.raises(FmstudyError, match="differ in size.*--image-size"):
        load_dataset(str(folder), tmp_path / "data")
    ds = load_dataset(str(folder), tmp_path / "data", options=DataOptions(0.2, (8, 8), 0))
    assert ds.x_train.shape[1:] == (8, 8)


@pytest.mark.parametrize(
    "damage, message",
    [
        (lambda f: (f / "coat" / "bad.png").write_bytes(b"not a png"), "cannot read the image"),
        (lambda f: (f / "coat" / "notes.txt").write_text("x"), "not a PNG, JPEG or BMP"),
        (lambda f: (f / "empty").mkdir(), "holds no images"),
    ],
)
def test_a_bad_file_is_named(tmp_path, damage, message):
    folder = make_folder(tmp_path / "p")
    damage(folder)
    with pytest.raises(FmstudyError, match=message):
        load_dataset(str(folder), tmp_path / "data")


def _csv(path, rows, pixels=16):
    header = "label," + ",".join(f"pixel{i + 1}" for i in range(pixels))
    path.write_text(header + "\n" + "\n".join(",".join(map(str, r)) for r in rows) + "\n")
    return path


def test_csv_files(tmp_path):
    rng = np.random.default_rng(0)
    rows = [[k % 3, *rng.integers(0, 256, 16)] for k in range(30)]
    ds = load_dataset(str(_csv(tmp_path / "one.csv", rows)), tmp_path / "data")
    assert ds.x_train.shape[1:] == (4, 4) and ds.class_names == ("0", "1", "2")
    folder = tmp_path / "kaggle"
    folder.mkdir()
    _csv(folder / "train.csv", rows)
    _csv(folder / "test.csv", rows[:6])
    assert load_dataset(str(folder), tmp_path / "data").info["split"] == {"kind": "given"}


@pytest.mark.parametrize(
    "rows, message",
    [
        ([[0, *[1] * 16], [1, *[1] * 17]], "row 3 has 18 values, expected 17"),
        ([[0, *[1] * 16], [1, *[1] * 15]], "row 3 has fewer than 17 values"),
        ([[0, *[1] * 16], [1, *[300] * 16]], "row 3: pixels must be whole numbers 0-255"),
    ],
)
def test_a_bad_csv_row_is_named(tmp_path, rows, message):
    with pytest.raises(FmstudyError, match=message):
        load_dataset(str(_csv(tmp_path / "bad.csv", rows)), tmp_path / "data")


def test_a_test_label_outside_the_training_labels(tmp_path):
    folder = tmp_path / "kaggle"
    folder.mkdir()
    _csv(folder / "train.csv", [[k % 2, *[k] * 16] for k in range(10)])
    _csv(folder / "test.csv", [[7, *[1] * 16]])
    with pytest.raises(FmstudyError, match=r"test.csv: label 7 is not among the training labels"):
        load_dataset(str(folder), tmp_path / "data")


def test_npz_in_keras_form_and_no_pickle(tmp_path):
    rng = np.random.default_rng(0)
    arrays = {
        "x_train": rng.integers(0, 256, (20, 6, 6), dtype=np.uint8),
        "y_train": np.arange(20) % 2,
        "x_test": rng.integers(0, 256, (6, 6, 6), dtype=np.uint8),
        "y_test": np.arange(6) % 2,
    }
    np.savez(tmp_path / "d.npz", **arrays)
    ds = load_dataset(str(tmp_path / "d.npz"), tmp_path / "data")
    assert ds.x_train.shape == (20, 6, 6) and np.array_equal(ds.y_test, arrays["y_test"])
    np.savez(tmp_path / "p.npz", **{**arrays, "x_train": np.array([{"a": 1}] * 20, dtype=object)})
    with pytest.raises(FmstudyError, match="cannot read .*p.npz"):
        load_dataset(str(tmp_path / "p.npz"), tmp_path / "data")
    np.savez(tmp_path / "m.npz", x_train=arrays["x_train"])
    with pytest.raises(FmstudyError, match="lacks y_train"):
        load_dataset(str(tmp_path / "m.npz"), tmp_path / "data")


def test_the_memory_budget_refuses_and_suggests_image_size(tmp_path, monkeypatch):
    folder = make_folder(tmp_path / "p")
    monkeypatch.setattr(own_data, "MAX_PIXEL_BYTES", 1000)
    with pytest.raises(FmstudyError, match="more than the .*--image-size"):
        load_dataset(str(folder), tmp_path / "data")


def test_identical_train_and_test_images_are_counted_and_warned(tmp_path, caplog):
    folder = make_folder(tmp_path / "p", per_class=10)
    for name in ("boot", "coat", "hat"):  # each class's first image twice
        (folder / name / "copy.png").write_bytes((folder / name / "000.png").read_bytes())
    with caplog.at_level(logging.WARNING, logger="fmstudy"):
        ds = load_dataset(str(folder), tmp_path / "data", options=DataOptions(0.5, None, 0))
    assert ds.info["duplicates"] == own_data.duplicates(ds.x_train, ds.x_test) > 0
    assert f"{ds.info['duplicates']} test images are identical" in caplog.text


def test_class_names_win_over_numbers_with_a_note(tmp_path, capsys, caplog):
    folder = make_folder(tmp_path / "p", classes=("1", "2", "3"))
    argv = ["data", "--dataset", str(folder), "--classes", "1,2", "--json"]
    with caplog.at_level(logging.WARNING, logger="fmstudy"):
        assert main([*argv, "--data-dir", str(tmp_path / "data")]) == 0
    assert json.loads(capsys.readouterr().out)["class_names"] == ["1", "2"]  # not 2 and 3
    assert "as a number it would be '2'. Names win." in caplog.text


def test_a_study_on_an_uneven_folder_reports_balanced_accuracy(tmp_path):
    folder = make_folder(tmp_path / "p", per_class=20)
    for i in range(20, 60):  # hats: three times the others
        Image.fromarray(_images(1, (12, 10), i)[0] + np.uint8(120)).save(
            folder / "hat" / f"{i}.png"
        )
    out = tmp_path / "report"
    argv = ["run", "--dataset", str(folder), "--classes", "boot,coat,hat", "--profile", "quick"]
    argv += ["--tasks", "1-4", "--out", str(out), "--data-dir", str(tmp_path / "data")]
    assert main(argv) == 0
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["task1"]["uneven"] and metrics["task1"]["split"]["kind"] == "stratified"
    assert all(0 < m["balanced_accuracy"] <= 1 for m in metrics["models"].values())
    md = (out / "report.md").read_text()
    assert "balanced accuracy" in md and "The classes are uneven" in md
    assert "No official split: 20 % of each class's images" in md
    config = json.loads((out / "config.json").read_text())
    assert config["manifest"]["data_sha256"]["loaded"] == metrics["task1"]["sha256"]["loaded"]
