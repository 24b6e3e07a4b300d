"""``fmstudy predict`` decides from the model: its recorded polarity, its training
images' spread, the aspect ratio it takes; folders, CSV and JSON out."""

import csv
import io
import json

import numpy as np
import pytest
from PIL import Image
from sklearn.neighbors import KNeighborsClassifier

from fmstudy.cli.main import main
from fmstudy.errors import FmstudyError
from fmstudy.models import saved as saved_models
from fmstudy.models.predict import model_polarity, predict_images, said
from fmstudy.models.predict_inputs import image_paths, pad_to_aspect
from fmstudy.nets.image_reference import contrast, reference_record, training_polarity
from fmstudy.nets.saved_meta import read_meta

NAMES = ["bar", "beam", "block"]
SIZE = 16


def prototype(k: int, dark_on_light: bool) -> np.ndarray:
    """Class ``k``'s shape, centred: a vertical bar, a horizontal beam or a block."""
    x = np.zeros((SIZE, SIZE))
    box = {0: (3, 13, 6, 10), 1: (6, 10, 3, 13), 2: (4, 12, 4, 12)}[k]
    x[box[0] : box[1], box[2] : box[3]] = 1
    ink, ground = (30, 225) if dark_on_light else (225, 30)
    return ground + (ink - ground) * x


def images(n: int, dark_on_light, seed: int):
    """``n`` noisy images per class; ``dark_on_light`` True, False or "mixed"."""
    rng = np.random.default_rng(seed)
    xs, ys = [], []
    for k in range(3):
        for i in range(n):
            way = (i % 2 == 0) if dark_on_light == "mixed" else dark_on_light
            xs.append(prototype(k, way) + rng.normal(0, 12, (SIZE, SIZE)))
            ys.append(k)
    return np.clip(np.rint(xs), 0, 255).astype(np.uint8), np.array(ys)


def save_model(folder, dark_on_light, *, old=False):
    """A k-NN on 16 x 16 grey images saved as fmstudy saves one; ``old``:
    model.json without the polarity and reference a model saved before them lacks."""
    x, y = images(30, dark_on_light, 0)
    xt, yt = images(30, dark_on_light, 1)
    est = KNeighborsClassifier(5).fit(x.reshape(len(x), -1), y)
    proba = est.predict_proba(xt.reshape(len(xt), -1))
    assert est.score(xt.reshape(len(xt), -1), yt) > 0.9
    meta = {"key": "knn", "kind": "knn", "label": "k-NN", "params": {}, "classes": [0, 1, 2]}
    meta |= {"class_names": NAMES, "dataset": "shapes", "image_shape": [SIZE, SIZE]}
    if not old:
        meta |= reference_record(x, y, [0, 1, 2], xt, proba)
    saved_models.write_model(folder, saved_models.dump(est), meta)
    return folder, x, y


def save_png(path, pixels):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.asarray(pixels, np.uint8)).save(path)
    return path


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    root = tmp_path_factory.mktemp("models")
    return {way: save_model(root / str(way), way) for way in (True, False, "mixed")}


def test_polarity_is_measured_from_the_training_images(models):
    for way, want in ((True, "dark-on-light"), (False, "light-on-dark"), ("mixed", "mixed")):
        meta = saved_models.read_meta(models[way][0])
        assert meta["polarity"] == want
        assert meta["reference"]["pool_shape"] == [SIZE, SIZE]
    c = np.array([100.0] * 99 + [-100.0])  # one image in a hundred the other way: still one
    assert training_polarity(c)[0] == "light-on-dark"
    assert training_polarity(np.array([100.0] * 98 + [-100.0] * 2))[0] == "mixed"


def test_a_dark_on_light_model_does_not_invert_its_own_training_images(models, tmp_path):
    folder, x, y = models[True]
    files = [save_png(tmp_path / f"{i:02d}.png", x[i]) for i in range(0, len(x), 5)]
    got = predict_images(folder, files)
    assert not any(p.inverted for p in got)
    assert [p.label for p in got] == list(y[::5])
    assert all(p.image_polarity == "dark-on-light" for p in got)


def test_a_light_on_dark_model_inverts_a_clearly_dark_on_light_image_and_says_so(models, tmp_path):
    folder = models[False][0]
    photo = save_png(tmp_path / "coat.png", prototype(2, True))  # dark block on white
    plain = save_png(tmp_path / "plain.png", prototype(2, False))
    auto = predict_images(folder, [photo, plain])
    assert [p.inverted for p in auto] == [True, False]
    assert auto[0].class_name == "block" and auto[0].image_polarity == "dark-on-light"
    assert [said(n) for n in auto[0].notes] == [
        "inverted: the image is dark on light, the model's training images light on dark"
    ]
    assert not auto[1].notes
    never = predict_images(folder, [photo, plain], invert="never")
    assert [p.inverted for p in never] == [False, False]
    always = predict_images(folder, [photo, plain], invert="always")
    assert [p.inverted for p in always] == [True, True]
    assert always[1].probabilities == pytest.approx(never[0].probabilities)  # both inverses
    with pytest.raises(FmstudyError, match="unknown --invert 'sometimes'"):
        predict_images(folder, [photo], invert="sometimes")


def test_an_unclear_image_or_a_mixed_model_is_never_inverted_under_auto(models, tmp_path):
    grey = save_png(tmp_path / "grey.png", np.full((SIZE, SIZE), 128))
    assert not predict_images(models[False][0], [grey])[0].inverted  # no contrast at all
    photo = save_png(tmp_path / "coat.png", prototype(2, True))
    (p,) = predict_images(models["mixed"][0], [photo])
    assert p.model_polarity == "mixed" and not p.inverted


def test_padding_keeps_the_aspect_ratio_and_is_said(models, tmp_path):
    wide = np.full((20, 30), 210, np.uint8)
    wide[:, 10:20] = 40
    out = pad_to_aspect(wide, (SIZE, SIZE))
    assert out.shape == (30, 30)
    assert (out[:5] == 210).all() and (out[25:] == 210).all()  # the border colour
    assert np.array_equal(out[5:25], wide)  # the image itself, unsquashed
    assert pad_to_aspect(wide, (20, 30)) is wide  # its ratio already
    tall = pad_to_aspect(np.zeros((30, 20, 3), np.uint8), (SIZE, SIZE))
    assert tall.shape == (30, 30, 3)
    (p,) = predict_images(models[True][0], [save_png(tmp_path / "wide.png", wide)])
    assert p.size == [20, 30] and p.padded_to == [30, 30] and p.resized_from == [20, 30]
    assert [said(n) for n in p.notes] == [
        "padded 20×30 to 30×30 (height×width) to keep its aspect ratio",
        "resized from 20×30 to 16×16",
    ]


def test_a_folder_is_searched_recursively_for_images_only(models, tmp_path, monkeypatch):
    root = tmp_path / "photos"
    for name in ("b/deep/z.png", "a.jpg", "C.PNG", ".hidden/x.png", "b/.y.png"):
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(prototype(0, True).astype(np.uint8)).save(path, format="PNG")
    (root / "notes.txt").write_text("not an image")
    (root / "b" / "data.csv").write_text("1,2")
    monkeypatch.chdir(tmp_path)
    found = image_paths([root])
    assert [p.relative_to(root).as_posix() for p in found] == ["C.PNG", "a.jpg", "b/deep/z.png"]
    got = predict_images(models[True][0], [root / "a.jpg", root])
    names = ["a.jpg", "C.PNG", "a.jpg", "b/deep/z.png"]  # as named, then the folder's
    assert [p.file for p in got] == [f"photos/{n}" for n in names]
    (tmp_path / "empty").mkdir()
    with pytest.raises(FmstudyError, match="holds no PNG, JPEG or BMP images"):
        image_paths([tmp_path / "empty"])
    with pytest.raises(FmstudyError, match="is not a PNG, JPEG or BMP image"):
        image_paths([root / "notes.txt"])


def test_a_long_file_name_is_printed_whole(models, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    name = "a-photo-with-a-very-long-name-" + "x" * 90 + "-end.png"
    save_png(tmp_path / name, prototype(1, True))
    assert main(["predict", str(models[True][0]), name]) == 0
    rows = [line.split("│") for line in capsys.readouterr().out.splitlines()]
    first = "".join(cells[1].strip() for cells in rows if len(cells) > 2)  # wrapped, joined
    assert first == name


def test_csv_and_json_hold_what_predict_found(models, tmp_path, monkeypatch, capsys):
    folder = models[False][0]
    monkeypatch.chdir(tmp_path)
    save_png(tmp_path / "in" / "coat.png", prototype(2, True))
    save_png(tmp_path / "in" / "wide.png", np.full((20, 30), 30))
    want = predict_images(folder, [tmp_path / "in"])
    assert main(["predict", str(folder), "in", "--csv", "out.csv"]) == 0
    rows = list(csv.DictReader(io.StringIO((tmp_path / "out.csv").read_text())))
    assert list(rows[0])[:4] == ["file", "class", "label", "probability"]
    assert [r["file"] for r in rows] == ["in/coat.png", "in/wide.png"]
    assert [r["class"] for r in rows] == [p.class_name for p in want]
    assert [r["inverted"] for r in rows] == ["True", "False"]
    assert [r["padded"] for r in rows] == ["False", "True"]
    assert float(rows[0]["top1_probability"]) == pytest.approx(want[0].probability, abs=1e-6)
    assert rows[0]["top2_class"] == want[0].top3[1][0] and "top3_class" in rows[0]
    assert "padded 20×30 to 30×30" in rows[1]["notes"]
    capsys.readouterr()
    assert main(["predict", str(folder), "in", "--csv", "-"]) == 0
    assert capsys.readouterr().out == (tmp_path / "out.csv").read_text()
    assert main(["predict", str(folder), "in", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert [p["class_name"] for p in printed] == [p.class_name for p in want]
    assert printed[0]["inverted"] is True and printed[1]["padded_to"] == [30, 30]
    assert printed[0]["top3"][0] == [want[0].class_name, pytest.approx(want[0].probability)]
    assert printed[0]["notes"] == [
        "inverted: the image is dark on light, the model's training images light on dark"
    ]
    assert main(["predict", str(folder), "in", "--csv", "-", "--json"]) == 2


def test_an_image_unlike_the_training_images_carries_a_warning(
    models, tmp_path, capsys, monkeypatch
):
    monkeypatch.setenv("COLUMNS", "160")  # the table's width, whatever runs the test
    folder, x, _ = models[True]
    rng = np.random.default_rng(5)
    noise = save_png(tmp_path / "noise.png", rng.integers(0, 256, (SIZE, SIZE)))
    typical = save_png(tmp_path / "typical.png", prototype(0, True))
    far, near = predict_images(folder, [noise, typical])
    assert not near.warnings and near.distance < far.distance
    limit = saved_models.read_meta(folder)["reference"]["distance_p99"]
    assert far.distance > limit and "99 % of test images within" in said(far.warnings[0])
    assert main(["predict", str(folder), str(noise)]) == 0
    out = capsys.readouterr().out
    flat = " ".join(out.split())  # Rich wraps at the terminal's width
    assert "noise.png *" in out and "treat this prediction with care (" in flat


def test_a_reference_that_does_not_fit_the_model_is_refused(models, tmp_path):
    folder = models[True][0]
    meta = json.loads((folder / "model.json").read_text())
    meta["reference"]["means"] = meta["reference"]["means"][:2]
    other = tmp_path / "m"
    saved_models.write_model(other, (folder / "model.skops").read_bytes(), meta)
    image = save_png(tmp_path / "a.png", prototype(0, True))
    with pytest.raises(FmstudyError, match="reference means must be 3 rows of 256 values"):
        predict_images(other, [image])


def test_a_low_top_probability_alone_warns(models, tmp_path, monkeypatch):
    folder = models[True][0]
    meta = json.loads((folder / "model.json").read_text())
    meta["reference"] |= {"top_p01": 0.9, "distance_p99": 255}  # no image is that far
    other = tmp_path / "m"
    saved_models.write_model(other, (folder / "model.skops").read_bytes(), meta)
    cross = np.minimum(prototype(0, True), prototype(1, True))  # a bar and a beam at once
    sure, unsure = predict_images(
        other,
        [save_png(tmp_path / "a.png", prototype(0, True)), save_png(tmp_path / "x.png", cross)],
    )
    assert sure.probability == 1 and not sure.warnings
    assert unsure.probability < 0.9 and len(unsure.warnings) == 1
    assert said(unsure.warnings[0]) == (
        f"top probability {round(unsure.probability, 3)}; 99 % of test images at or above 0.9"
    )


def test_a_model_saved_before_polarity_was_recorded_still_predicts(tmp_path):
    folder, x, y = save_model(tmp_path / "old", False, old=True)
    meta = json.loads((folder / "model.json").read_text())
    assert "polarity" not in meta and "reference" not in meta
    files = [save_png(tmp_path / f"{i}.png", x[i]) for i in (0, 30, 60)]
    files.append(save_png(tmp_path / "photo.png", prototype(2, True)))
    got = predict_images(folder, files)
    assert [p.label for p in got] == [0, 1, 2, 2]
    assert all(p.distance is None and not p.warnings for p in got)  # nothing to judge by
    # as today's Fashion-MNIST models: light on dark, so a dark-on-light image is inverted
    assert all(p.model_polarity == "light-on-dark" for p in got)
    assert [p.inverted for p in got] == [False, False, False, True]
    assert model_polarity({"background": 230.0}) == "dark-on-light"
    assert model_polarity({"background": 120.0}) == "mixed"


def test_the_model_json_of_a_study_records_polarity_and_reference(sub, tmp_path):
    from types import SimpleNamespace

    spec = SimpleNamespace(model_key="lr", kind="logreg", label="LR", params={})
    proba = np.full((len(sub.x_test), 4), 0.25)
    fit = SimpleNamespace(info={}, y_pred=sub.y_test, proba=proba)
    meta = saved_models.model_meta(spec, fit, sub)
    assert meta["polarity"] in ("light-on-dark", "dark-on-light", "mixed")
    assert meta["reference"]["top_p01"] == 0.25 and len(meta["reference"]["means"]) == 4
    assert meta["reference"]["contrast_median"] == pytest.approx(
        float(np.median(contrast(sub.x_train))), abs=0.05
    )
    (tmp_path / "model.json").write_text(json.dumps(meta))
    assert read_meta(tmp_path / "model.json", "model")["reference"] == meta["reference"]
    meta["reference"]["means"][0][5] = 300
    (tmp_path / "model.json").write_text(json.dumps(meta))
    with pytest.raises(FmstudyError, match="means must hold grey levels 0-255, got 300"):
        read_meta(tmp_path / "model.json", "model")
    meta["polarity"] = "upside-down"
    (tmp_path / "model.json").write_text(json.dumps(meta))
    with pytest.raises(FmstudyError, match="unknown polarity"):
        read_meta(tmp_path / "model.json", "model")


def test_colour_images_are_judged_by_their_grey_levels():
    rng = np.random.default_rng(3)
    x = rng.integers(0, 256, (6, 9, 7, 3), dtype=np.uint8)
    g = x @ np.array([0.299, 0.587, 0.114])
    ring = np.ones((9, 7), bool)
    ring[1:8, 1:6] = False
    want = g[:, 2:7, 1:6].mean(axis=(1, 2)) - g[:, ring].mean(axis=1)
    np.testing.assert_allclose(contrast(x), want)
    record = reference_record(x, np.arange(6) % 2, [0, 1], x, np.full((6, 2), 0.5))
    assert len(record["reference"]["means"][0]) == 9 * 7 * 3
    np.testing.assert_allclose(
        record["reference"]["means"][1], x[1::2].reshape(3, -1).mean(0), atol=0.05
    )
