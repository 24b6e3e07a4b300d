"""Networks on one's own images (grey and colour), ``fmstudy predict`` and ``evaluate``
on them, and scikit-learn's digits end to end."""

import json

import numpy as np
import pytest
from PIL import Image
from test_own_data import make_folder

from fmstudy.cli.main import main
from fmstudy.models.predict import predict_images


@pytest.fixture(scope="module", params=["L", "RGB"])
def trained(request, tmp_path_factory):
    """cnn-tiny trained for 2 epochs on a small folder of grey or colour images."""
    tmp = tmp_path_factory.mktemp(f"own-{request.param}")
    folder = make_folder(
        tmp / "photos", per_class=30, shape=(16, 16), mode=request.param, framed=True
    )
    out = tmp / "nn"
    argv = ["nn", "--arch", "cnn-tiny", "--dataset", str(folder), "--classes", "boot,coat,hat"]
    argv += ["--epochs", "2", "--out", str(out), "--data-dir", str(tmp / "data")]
    assert main(argv) == 0
    return folder, out, request.param


def test_a_saved_network_on_own_images_records_what_predict_needs(trained):
    folder, out, mode = trained
    meta = json.loads((out / "models" / "cnn-tiny" / "spec.json").read_text())
    assert meta["image_shape"] == ([16, 16] if mode == "L" else [16, 16, 3])
    assert meta["class_names"] == ["boot", "coat", "hat"]
    assert meta["data_options"] == {"test_share": 0.2, "seed": 0, "image_size": None}
    assert 0 <= meta["background"] <= 255
    assert meta["polarity"] == "light-on-dark"  # framed: light things on a dark ground
    reference = meta["reference"]
    assert len(reference["means"]) == 3 and reference["pool_shape"] == [16, 16]
    assert len(reference["means"][0]) == (256 if mode == "L" else 768)
    assert reference["distance_p99"] > 0 and 0 < reference["top_p01"] <= 1


def test_predict_converts_size_and_polarity(trained, tmp_path, capsys):
    folder, out, mode = trained
    model = out / "models" / "cnn-tiny"
    image = folder / "hat" / "000.png"
    plain = predict_images(model, [image])[0]
    assert not plain.inverted and plain.resized_from is None
    assert abs(sum(plain.probabilities.values()) - 1) < 1e-9
    pixels = np.asarray(Image.open(image))
    Image.fromarray(255 - pixels).resize((32, 32)).save(tmp_path / "negative.png")
    turned = predict_images(model, [tmp_path / "negative.png"])[0]
    assert turned.inverted and turned.resized_from == [32, 32]
    assert main(["predict", str(model), str(image), str(tmp_path / "negative.png"), "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert [p["class_name"] for p in printed] == [plain.class_name, turned.class_name]
    assert printed[0]["probabilities"] == pytest.approx(plain.probabilities)


def test_evaluate_tests_an_own_data_network_on_the_same_split(trained, capsys):
    folder, out, _ = trained
    model = out / "models" / "cnn-tiny"
    assert main(["evaluate", str(model), "--json", "--data-dir", str(out.parent / "data")]) == 0
    evaluated = json.loads(capsys.readouterr().out)
    metrics = json.loads((out / "metrics.json").read_text())
    assert evaluated["accuracy"] == metrics["models"]["nn-cnn-tiny"]["accuracy"]


@pytest.mark.slow
def test_digits_run_end_to_end_offline(tmp_path):
    out = tmp_path / "digits"
    argv = ["run", "--dataset", "digits", "--classes", "0-9", "--profile", "quick"]
    assert main([*argv, "--out", str(out), "--data-dir", str(tmp_path / "data")]) == 0
    metrics = json.loads((out / "metrics.json").read_text())
    t1 = metrics["task1"]
    assert t1["shapes"]["train_images"] == [1438, 8, 8] and t1["image_shape"] == [8, 8]
    assert t1["split"] == {"kind": "stratified", "test_share": 0.2, "seed": 0}
    assert set(metrics["models"]) == {
        "forest",
        "logreg_raw",
        "logreg_std",
        "nn-notebook-1",
        "nn-cnn-tiny",
    }
    assert metrics["models"]["forest"]["accuracy"] > 0.9
    md = (out / "report.md").read_text()
    assert "Alpaydin" in md and "No official split" in md
