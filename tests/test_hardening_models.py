"""Issue 24 for saved models: ``fmstudy evaluate`` and ``fmstudy predict`` on a model whose
JSON disagrees with its weights, whose files are not what they claim (a FIFO, a device,
a zip bomb, a sparse file), whose recorded split was edited, and on image files that are
bombs or FIFOs: one line each, exit 2, nothing written.  The models are real: a network
and a k-NN fitted on three classes of scikit-learn's digits and saved as a study does."""

from __future__ import annotations

import io
import json
import os
import shutil
import struct
import zipfile
import zlib
from pathlib import Path

import numpy as np
import pytest
from badinput import check_bad_input
from PIL import Image
from sklearn.preprocessing import StandardScaler
from test_own_data import make_folder

from fmstudy.cli.main import main
from fmstudy.data.loading import load_dataset
from fmstudy.data.subsets import select_classes
from fmstudy.models import saved as saved_models
from fmstudy.models.classical import fit_model
from fmstudy.models.predict import predict_images
from fmstudy.models.zoo import zoo_defaults, zoo_specs
from fmstudy.nets import model_files
from fmstudy.nets.saved import save_run
from fmstudy.nets.spec import NetSpec, parse_layers
from fmstudy.nets.training import train_subset

SAVED: dict[str, Path] = {}  # "net", "knn", "data": filled by the module fixture
GONE = object()  # a field to drop from the JSON


@pytest.fixture(scope="module", autouse=True)
def models(tmp_path_factory):
    """A dense network and a k-NN on digits 0-2, saved as ``fmstudy run`` saves them."""
    root = tmp_path_factory.mktemp("models")
    data = root / "data"
    sub = select_classes(load_dataset("digits", data), (0, 1, 2))
    run = train_subset(NetSpec(parse_layers("8"), epochs=1), sub, seed=0, threads=1)
    SAVED["net"] = save_run(run, root / "net")
    (spec,) = zoo_specs(("knn",), zoo_defaults("quick", 0))
    flat = {k: getattr(sub, k).reshape(len(getattr(sub, k)), -1) for k in ("x_train", "x_test")}
    fit = fit_model(spec, flat["x_train"], sub.y_train, flat["x_test"])
    meta = saved_models.model_meta(spec, fit, sub)
    SAVED["knn"] = saved_models.write_model(root / "knn", saved_models.dump(fit.model), meta)
    SAVED["data"] = data
    Image.fromarray(sub.x_test[0]).save(root / "digit.png")
    SAVED["image"] = root / "digit.png"
    return SAVED


def _copy(kind: str, p: Path, changes: dict) -> Path:
    folder = p / kind
    shutil.copytree(SAVED[kind], folder)
    file = folder / ("spec.json" if kind == "net" else "model.json")
    meta = json.loads(file.read_text())
    meta.update(changes)
    file.write_text(json.dumps({k: v for k, v in meta.items() if v is not GONE}))
    return folder


def net(**changes):
    return lambda p: _copy("net", p, changes)


def knn(**changes):
    return lambda p: _copy("knn", p, changes)


def raw_json(kind: str, text: str):
    """The model with its JSON replaced by ``text``."""

    def make(p):
        folder = _copy(kind, p, {})
        (folder / ("spec.json" if kind == "net" else "model.json")).write_text(text)
        return folder

    return make


def swapped(kind: str, name: str, how):
    """The model with its file ``name`` replaced: ``how(path)`` makes the new one."""

    def make(p):
        folder = _copy(kind, p, {})
        (folder / name).unlink()
        how(folder / name)
        return folder

    return make


def fifo(path):
    os.mkfifo(path)


def dev_zero(path):
    path.symlink_to("/dev/zero")


def sparse(path):
    with open(path, "wb") as fh:
        fh.truncate(3 * 2**30)  # 3 GiB that take no disk: it must never be read


def zip_bomb(path):
    """A small zip whose one member unzips to 64 MiB of zeros (about 1,000 to 1)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("schema.json", b"\0" * (64 * 2**20))


def rezipped(edit):
    """``how`` for :func:`swapped`: the k-NN's skops file with ``edit(name, bytes)`` applied
    to each member."""

    def how(path):
        with zipfile.ZipFile(SAVED["knn"] / "model.skops") as src:
            with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
                for name in src.namelist():
                    out.writestr(name, edit(name, src.read(name)))

    return how


def deep_schema(name, data):
    return b"[" * 100_000 + b"]" * 100_000 if name == "schema.json" else data


def huge_array(name, data):
    """Every array's header declares 10**12 float64 values (7 TiB)."""
    if not name.endswith(".npy"):
        return data
    head = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        head, {"descr": "<f8", "fortran_order": False, "shape": (10**12,)}
    )
    return head.getvalue()


def bad_deflate(path):
    """The skops file with bytes of its deflated schema.json flipped."""
    data = bytearray((SAVED["knn"] / "model.skops").read_bytes())
    with zipfile.ZipFile(SAVED["knn"] / "model.skops") as z:
        at = z.getinfo("schema.json").header_offset
    name_len, extra_len = struct.unpack("<HH", data[at + 26 : at + 30])
    start = at + 30 + name_len + extra_len
    data[start + 5 : start + 25] = bytes(b ^ 0x55 for b in data[start + 5 : start + 25])
    path.write_bytes(bytes(data))


def encrypted(path):
    """The skops file with each member flagged as encrypted."""
    data = bytearray((SAVED["knn"] / "model.skops").read_bytes())
    at = data.find(b"PK\x01\x02")
    while at >= 0:
        data[at + 8] |= 1
        at = data.find(b"PK\x01\x02", at + 1)
    path.write_bytes(bytes(data))


def scaler(path):
    """A fitted StandardScaler: a type skops trusts, but no classifier."""
    x = np.zeros((4, 64))
    path.write_bytes(saved_models.dump(StandardScaler().fit(x)))


def renamed(path):
    """The network's weights with one tensor renamed (same length, same data)."""
    data = (SAVED["net"] / "model.safetensors").read_bytes()
    path.write_bytes(data.replace(b'"model.1.weight"', b'"model.1.weighx"', 1))


def header(path: Path) -> tuple[int, dict]:
    n = int.from_bytes(path.read_bytes()[:8], "little")
    return n, json.loads(path.read_bytes()[8 : 8 + n])


def nan_weight(path):
    shutil.copy(SAVED["net"] / "model.safetensors", path)
    n, head = header(path)
    start = 8 + n + head["model.1.weight"]["data_offsets"][0]
    data = bytearray(path.read_bytes())
    data[start : start + 4] = struct.pack("<f", float("nan"))
    path.write_bytes(bytes(data))


def padded(path):
    path.write_bytes((SAVED["net"] / "model.safetensors").read_bytes() + b"\0" * 100)


def huge_header(path):
    path.write_bytes((2**40).to_bytes(8, "little") + b"{}")


def png(name: str, width: int, height: int):
    """A PNG that declares ``width`` x ``height`` pixels and holds none."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    def make(p):
        ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
        body = chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b"")
        (p / name).write_bytes(b"\x89PNG\r\n\x1a\n" + body)
        return p / name

    return make


def special(name: str, how):
    def make(p):
        how(p / name)
        return p / name

    return make


def photos(p):
    """Three classes named as the models' digits 0-2, of 12 x 10 images of one's own."""
    return make_folder(p / "photos", classes=("0", "1", "2"))


def image(p):
    return SAVED["image"]


def data_dir(p):
    return SAVED["data"]


def evaluate(model):
    return ["evaluate", model, "--data-dir", data_dir]


def predict(model):
    return ["predict", model, image]


WIDE = NetSpec(parse_layers("16"), epochs=1).to_dict()
HUGE = NetSpec(parse_layers("65536-65536"), epochs=1).to_dict()
SPLIT = {"test_share": 0.8, "seed": 0, "image_size": None}
DEEP = '{"classes": [0, 1, 2], "history": ' + "[" * 100_000 + "]" * 100_000 + "}"
LONG = '{"classes": [0, 1, ' + "9" * 5000 + "]}"
CASES = [
    # 1. the JSON against the weights: class names, classes, image shape
    (predict(net(class_names=["0", "1"])), "class_names has 2 names for 3 classes"),
    (evaluate(net(class_names=["0", "1", "2", "3"])), "class_names has 4 names for 3 classes"),
    (predict(knn(class_names=["0"])), "class_names has 1 names for 3 classes"),
    (evaluate(net(classes=[0, 1, 2, 3], class_names=GONE)), "but the network in model.saf"),
    (predict(net(classes=[0, 1], class_names=GONE)), "names 2 classes, but the network"),
    (evaluate(net(image_shape=[2, 2])), "image_shape 2 x 2 (4 values) does not fit"),
    (predict(net(image_shape=[8, 8, 3])), "(192 values) does not fit"),
    (evaluate(net(spec=WIDE)), "do not fit its spec.json: model.1.weight"),
    (predict(net(spec=HUGE)), "spec.json: network 'custom' has 4,299,489,283 weights"),
    (evaluate(knn(classes=[0, 1, 7])), "the estimator in model.skops has [0, 1, 2] (not [7])"),
    (predict(knn(classes=[0, 1], class_names=GONE)), "the estimator in model.skops has"),
    (evaluate(knn(image_shape=[2, 2])), "(4 values) does not fit the estimator"),
    (predict(knn(image_shape=[8, 8, 3])), "which takes 64 values per image"),
    # 1. the polarity level and wrong types anywhere in the JSON
    (predict(net(background="dark")), "background must be a number"),
    (predict(knn(background=300)), "background must be in [0, 255]"),
    (evaluate(net(background=-1.5)), "background must be in [0, 255]"),
    (predict(raw_json("net", '{"classes": [0, 1, 2], "spec": {}, "background": NaN}')), "finite"),
    (evaluate(net(classes=[0, 1, 1])), "names a class twice"),
    (evaluate(net(classes=["0", "1", "2"])), "must be a whole number"),
    (predict(knn(class_names=[0, 1, 2])), "class_names entry must be text"),
    (predict(net(class_names="012")), "class_names must be a list"),
    (evaluate(net(dataset=3)), "dataset must be text"),
    (evaluate(knn(data_options={**SPLIT, "test_share": 0.95})), "test_share must be in"),
    (evaluate(net(data_options={"colour": 1})), "data_options has unknown fields"),
    (evaluate(knn(data_options={**SPLIT, "image_size": [16, 16]})), "disagrees with image_shape"),
    (evaluate(net(test_accuracy="high")), "test_accuracy must be a number"),
    (evaluate(net(colour="red")), "unknown fields ['colour']"),
    (evaluate(net(seed=1.5)), "seed must be a whole number"),
    (evaluate(net(history={"val_acc": "up"})), "history val_acc must be a list"),
    (evaluate(net(test_sha256="abc")), "64 hexadecimal digits"),
    (evaluate(knn(key=GONE)), "key missing"),
    (evaluate(knn(key="../x")), "plain file name"),
    (evaluate(knn(label=5)), "label must be text"),
    (evaluate(knn(params={"C": [[1]]})), "params C must be a number, text"),
    (evaluate(knn(classes=list(range(2000)))), "classes must hold 0 to 1001 entries"),
    (evaluate(raw_json("net", LONG)), "holds a number too long to read"),
    (predict(raw_json("knn", '{"key": "k", ' + LONG[1:])), "holds a number too long to read"),
    (evaluate(raw_json("net", DEEP)), "nests too deeply"),
    (predict(raw_json("knn", DEEP)), "nests too deeply"),
    (evaluate(net()) + ["--dataset", photos], "the model takes images of 8 x 8;"),
    (evaluate(knn()) + ["--dataset", photos], "'s are 12 x 10: choose its data set"),
    # 3. an edited split: evaluate would test on other images
    (evaluate(net(data_options=SPLIT)), "but the model was tested on 107"),
    (evaluate(knn(data_options=SPLIT)), "but the model was tested on 107"),
    (evaluate(net(data_options={**SPLIT, "test_share": 0.2, "seed": 1})), "is not the one"),
    # 4. model files: not regular, too large, bombs, damaged headers
    (evaluate(swapped("knn", "model.skops", zip_bomb)), "would unzip to 67,108,864 bytes"),
    (predict(swapped("knn", "model.skops", fifo)), "model.skops is not a regular file"),
    (evaluate(swapped("knn", "model.skops", rezipped(deep_schema))), "maximum recursion"),
    (predict(swapped("knn", "model.skops", rezipped(huge_array))), "Unable to allocate"),
    (evaluate(swapped("knn", "model.skops", bad_deflate)), "Error -3 while decompressing"),
    (predict(swapped("knn", "model.skops", encrypted)), "is encrypted or compressed"),
    (evaluate(swapped("knn", "model.skops", scaler)), "does not hold a fitted classifier"),
    (predict(swapped("net", "model.safetensors", renamed)), "missing ['model.1.weight']"),
    (evaluate(swapped("knn", "model.skops", dev_zero)), "model.skops is not a regular file"),
    (evaluate(swapped("knn", "model.skops", sparse)), "is 3,221,225,472 bytes; at most"),
    (predict(swapped("knn", "model.json", fifo)), "model.json is not a regular file"),
    (evaluate(swapped("net", "model.safetensors", sparse)), "is 3,221,225,472 bytes; at most"),
    (predict(swapped("net", "model.safetensors", fifo)), "is not a regular file"),
    (evaluate(swapped("net", "model.safetensors", dev_zero)), "is not a regular file"),
    (evaluate(swapped("net", "spec.json", fifo)), "spec.json is not a regular file"),
    (evaluate(swapped("net", "model.safetensors", huge_header)), "not a safetensors file"),
    (predict(swapped("net", "model.safetensors", padded)), "its header describes"),
    (evaluate(swapped("net", "model.safetensors", nan_weight)), "not finite numbers"),
    # 5. image files handed to predict
    (["predict", knn(), png("bomb.png", 50_000, 50_000)], "bomb.png"),
    (["predict", net(), special("pipe.png", fifo)], "pipe.png is not a file"),
    (["predict", knn(), special("zero.png", dev_zero)], "zero.png is not a file"),
]


@pytest.mark.parametrize("args, words", CASES, ids=lambda v: v if isinstance(v, str) else None)
def test_bad_saved_model_or_image_is_one_line(args, words, tmp_path, capsys, monkeypatch):
    check_bad_input(args, words, tmp_path, capsys, monkeypatch)


def test_each_point_has_its_cases():
    assert len(CASES) >= 50


def test_a_saved_model_records_the_test_part_and_evaluate_repeats_it(capsys):
    """The untouched models test again on the 107 images they were tested on."""
    for kind, file in (("net", "spec.json"), ("knn", "model.json")):
        meta = json.loads((SAVED[kind] / file).read_text())
        assert meta["n_test"] == 107 and len(meta["test_sha256"]) == 64
        argv = ["evaluate", str(SAVED[kind]), "--json", "--data-dir", str(SAVED["data"])]
        assert main(argv) == 0
        evaluated = json.loads(capsys.readouterr().out)
        assert evaluated["accuracy"] == pytest.approx(meta["test_accuracy"])
        assert sum(map(sum, evaluated["confusion"])) == 107


def test_an_older_model_without_the_record_still_evaluates(tmp_path, capsys):
    folder = _copy("knn", tmp_path, {"n_test": GONE, "test_sha256": GONE})
    assert main(["evaluate", str(folder), "--json", "--data-dir", str(SAVED["data"])]) == 0
    assert sum(map(sum, json.loads(capsys.readouterr().out)["confusion"])) == 107


def test_a_skops_file_past_the_unzipped_bound_is_refused_at_any_ratio(
    tmp_path, capsys, monkeypatch
):
    """The k-NN's file unzips about 7 to 1, under the ratio; the absolute bound holds too."""
    monkeypatch.setattr(model_files, "MAX_EXPANDED_BYTES", 10_000)
    check_bad_input(evaluate(knn()), "would unzip to", tmp_path, capsys, monkeypatch)


def test_a_16_bit_png_predicts_as_its_8_bit_original(tmp_path):
    """A 16-bit grey PNG (each value times 257) is scaled to 8 bits, not clipped."""
    pixels = np.asarray(Image.open(SAVED["image"]), np.uint16)
    Image.fromarray(pixels * 257).save(tmp_path / "deep.png")
    assert Image.open(tmp_path / "deep.png").mode.startswith("I")
    for kind in ("net", "knn"):
        eight, sixteen = predict_images(SAVED[kind], [SAVED["image"], tmp_path / "deep.png"])
        assert sixteen.probabilities == pytest.approx(eight.probabilities)
        assert sixteen.inverted == eight.inverted


def test_predict_resizes_a_larger_image_and_says_from_what(tmp_path):
    Image.open(SAVED["image"]).resize((24, 16)).save(tmp_path / "wide.png")
    (p,) = predict_images(SAVED["knn"], [tmp_path / "wide.png"])
    assert p.resized_from == [16, 24] and abs(sum(p.probabilities.values()) - 1) < 1e-9
