"""Bad input through every subcommand: exit code 2, one line on stderr that starts
``fmstudy: error:``, no traceback, nothing written.  In-process through ``main(argv)``
(one through a real subprocess) so the table stays fast."""

from __future__ import annotations

import json
import os

import pytest
from badinput import check_bad_input, fifo
from conftest import run_cli

from fmstudy.nets.spec import NetSpec, parse_layers
from fmstudy.study.config import StudyConfig

BASE_CONFIG = StudyConfig(classes=(4, 5), profile="quick", tasks=("1",)).to_dict()
BASE_SPEC = NetSpec(parse_layers("16"), name="small", epochs=1).to_dict()


def _write(p, name, text):
    (p / name).write_text(text)
    return p / name


def config(**changes):
    def make(p):
        return _write(p, "config.json", json.dumps({**BASE_CONFIG, **changes}))

    return make


def network(**changes):
    """A config whose one network spec has ``changes``."""
    return config(networks=[{**BASE_SPEC, **changes}], tasks=["1", "5"])


def layer(**changes):
    return network(layers=[{"kind": "dense", "width": 16, "dropout": 0.0, **changes}])


def spec(**changes):
    def make(p):
        return _write(p, "spec.json", json.dumps({**BASE_SPEC, **changes}))

    return make


def raw(name, text):
    return lambda p: _write(p, name, text)


def big(p):
    path = p / "config.json"
    path.write_bytes(b" " * (5 * 2**20))
    return path


def saved(meta: dict | None, weights: bytes = b"\x80 not safetensors"):
    def make(p):
        folder = p / "net"
        folder.mkdir()
        (folder / "spec.json").write_text(json.dumps(meta) if meta is not None else "{")
        (folder / "model.safetensors").write_bytes(weights)
        return folder

    return make


def classical(meta: dict | None, data: bytes | None = b"not a zip"):
    """A folder that looks like a saved classical model (model.json, model.skops)."""

    def make(p):
        folder = p / "svc"
        folder.mkdir()
        (folder / "model.json").write_text(json.dumps(meta) if meta is not None else "[")
        if data is not None:
            (folder / "model.skops").write_bytes(data)
        return folder

    return make


def a_file(p):
    return _write(p, "plain.txt", "x")


def foreign_dir(p):
    (p / "theirs").mkdir()
    (p / "theirs" / "thesis.tex").write_text("x")
    return p / "theirs"


SAVED = {"spec": BASE_SPEC, "classes": [4, 5], "dataset": "fashion-mnist"}
SKOPS = {"key": "svc", "classes": [4, 5], "dataset": "fashion-mnist", "image_shape": [28, 28]}
C47 = ["--classes", "4-7"]
CASES = [
    # fmstudy data
    (["data", "--dataset", "cifar"], "unknown data set"),
    (["data", "--classes", "4"], "at least two"),
    (["data", "--classes", "4,4"], "at least two"),
    (["data", "--classes", "4-99"], "outside 0-9"),
    (["data", "--classes", "coat-shirt"], "numbers only"),
    (["data", "--surname", ""], "empty"),
    (["data", "--surname", "123"], "--classes"),
    (["data", "--no-such-flag"], "No such option"),
    (["data", "--surname"], "requires an argument"),
    # own data, digits, predict
    (["data", "--dataset", "/nonexistent/photos"], "unknown data set"),
    (["data", "--dataset", a_file], "a file must be a .csv or an .npz"),
    (["data", "--dataset", foreign_dir], "has no class folders"),
    (["data", "--dataset", "digits", "--image-size", "big"], "HEIGHTxWIDTH"),
    (["data", "--dataset", "digits", "--image-size", "0x8"], "--image-size must be from 1"),
    (["data", "--dataset", "digits", "--test-share", "0"], "--test-share must be in (0"),
    (["run", "--dataset", "digits", *C47, "--test-share", "0.95"], "--test-share must be in"),
    (["run", "--dataset", "digits", "--surname", "Lind"], "leave --surname out"),
    (["run", "--dataset", "digits", "--classes", "0-10"], "outside 0-9"),
    (["predict", "/nonexistent/model", "x.png"], "not a saved fmstudy model"),
    (["evaluate", foreign_dir], "not a saved fmstudy model"),
    # --models, --save-models
    (["run", *C47, "--models", "forest,xgboost"], "--models: unknown model 'xgboost'"),
    (["run", *C47, "--models", ""], "--models: unknown model"),
    (["run", *C47, "--save-models", "some"], "unknown --save-models 'some'"),
    (["run", "--all-groups", "--save-models", "big"], "unknown --save-models 'big'"),
    (["predict", raw("model.json", "{"), "x.png"], "cannot read the saved model"),
    (["predict", saved(SAVED)], "Missing argument 'images'"),
    (["predict", saved(SAVED), "/nonexistent.png"], "is not a file"),
    (["predict", saved(SAVED), a_file], "not a PNG, JPEG or BMP"),
    (["predict", saved(SAVED), raw("x.png", "not an image")], "cannot read"),
    (["predict", saved(SAVED), "x.png", "--csv", ""], "--csv is empty"),
    (["predict", saved(SAVED), "x.png", "--csv", " "], "--csv is empty"),
    (["run", "--all-groups", "--dataset", foreign_dir], "your own data, with no groups"),
    # --device
    (["run", *C47, "--device", "tpu"], "--device must be auto, cpu or cuda"),
    (["run", *C47, "--device", "cuda"], "sees no CUDA device"),
    (["nn", "--arch", "notebook-1", *C47, "--device", "cuda"], "sees no CUDA device"),
    (["search", *C47, "--device", "gpu"], "--device must be auto, cpu or cuda"),
    (["run", "--all-groups", "--device", "cuda"], "sees no CUDA device"),
    # fmstudy cache
    (["cache", "--older-than", "2026-01-01"], "add --clear"),
    (["cache", "--clear", "--older-than", "yesterday"], "YYYY-MM-DD"),
    (["cache", "--data-dir", a_file], "not a folder"),
    # fmstudy notebook
    (["notebook", *C47, "--out", "study.txt"], "should end in .ipynb"),
    (
        ["notebook", *C47, "--out", lambda p: _write(p, "x.ipynb", "{}")],
        "is not a notebook fmstudy wrote",
    ),
    (["notebook", *C47, "--out", "/nonexistent/x.ipynb"], "does not exist"),
    (["notebook", *C47, "--out", "/proc/x.ipynb"], "cannot write"),
    (["notebook", *C47, "--profile", "slow"], "unknown profile"),
    (["notebook", *C47, "--lang", "fi"], "--lang"),
    (["notebook"], "--surname"),
    # --groups, the surname rule
    (["data", "--surname", "Lind", "--groups", ""], "--groups is empty"),
    (["data", "--surname", "Lind", "--groups", "A-G:0-3"], "no group holds H"),
    (["data", "--surname", "Lind", "--groups", "A-M:0-3,H-Ö:4-7"], "in two groups"),
    (["data", "--surname", "Lind", "--groups", "A-G:0-3,H-Ö"], "LETTERS:CLASSES"),
    (["data", "--surname", "Lind", "--groups", "A-G:0-3,H-Ö:11-12"], "outside 0-9"),
    (["data", "--surname", "Lind", "--groups", "G-A:0-3,H-Ö:4-7"], "runs backwards"),
    (["data", "--surname", "Lind", "--groups", "1-G:0-3,H-Ö:4-7"], "not a letter"),
    (["run", "--surname", "Lind", "--groups", "A-G:0-3,H-Ö:4"], "one class"),
    (["run", "--all-groups", "--groups", "A-Ö:4"], "one class"),
    (["run", "--all-groups", *C47], "leave out --surname, --classes"),
    (["run", "--all-groups", "--surname", "Lind"], "leave out --surname, --classes"),
    (["run", "--all-groups", "--profile", "slow"], "unknown profile"),
    (["run", "--all-groups", "--out", foreign_dir], "not an fmstudy report"),
    # fmstudy run: options
    (["run", *C47, "--out", "/proc/fmstudy-out"], "cannot write"),
    (["run", *C47, "--profile", "slow"], "unknown profile"),
    (["run", *C47, "--tasks", "7"], "--tasks"),
    (["run", *C47, "--tasks", ","], "--tasks"),
    (["run", *C47, "--jobs", "0"], "--jobs"),
    (["run", *C47, "--jobs", "-1"], "--jobs"),
    (["run", *C47, "--jobs", "65"], "--jobs"),
    (["run", *C47, "--seed", "-1"], "--seed"),
    (["run", *C47, "--seed", str(2**32)], "--seed"),
    (["run", *C47, "--seed", "x"], "valid integer"),
    (["run", *C47, "--cv", "1"], "--cv must be 0 (none) or from 2 to 20"),
    (["run", *C47, "--cv", "21"], "--cv must be from 0 to 20"),
    (["run", *C47, "--cv", "-3"], "--cv must be from 0 to 20"),
    (["run", *C47, "--cv", "5", "--cv-repeats", "0"], "--cv-repeats must be from 1 to 20"),
    (["run", *C47, "--compare", "7x2"], "unknown --compare '7x2'"),
    (["run", "--config", config(learning_curves="yes")], "learning_curves"),
    (["run", "--config", config(learning_folds=1)], "learning_folds"),
    (["run", "--config", config(cv=2.5)], "--cv must be a whole number"),
    (["run"], "--surname"),
    (["run", "--surname", "Lind\x07"], "control character"),
    (["run", *C47, "--out", a_file], "is a file"),
    (["run", *C47, "--out", foreign_dir], "not an fmstudy report"),
    (["run", *C47, "--data-dir", a_file], "not a folder"),
    (["run", *C47, "--data-dir", "/proc/fmstudy-data"], "cannot write to --data-dir"),
    # fmstudy run --config: the file
    (["run", "--config", "/nonexistent/config.json"], "cannot read"),
    (["run", "--config", "/dev/zero"], "not a regular file"),
    (["run", "--config", lambda p: p], "not a regular file"),
    (["run", "--config", fifo("config.json")], "not a regular file"),
    (["run", "--config", big], "at most"),
    (["run", "--config", raw("config.json", "{not json")], "not valid JSON"),
    (["run", "--config", raw("config.json", "[1, 2]")], "not an fmstudy"),
    (["run", "--config", raw("config.json", "\xff\xfe")], "JSON"),
    # fmstudy run --config: what it says
    (["run", "--config", config(colour=1)], "unknown keys"),
    (["run", "--config", config(version=99)], "config version 99"),
    (["run", "--config", config(classes=[-1, 4])], "from 0 to 9"),
    (["run", "--config", config(classes=[4, 10])], "from 0 to 9"),
    (["run", "--config", config(classes="4-7")], "must be lists"),
    (["run", "--config", config(classes=[4, True])], "whole number"),
    (["run", "--config", config(tasks="12")], "must be lists"),
    (["run", "--config", config(tasks=["1", "9"])], "unknown task"),
    (["run", "--config", config(seed=2**32)], "--seed"),
    (["run", "--config", config(seed=-1)], "--seed"),
    (["run", "--config", config(seed=1.5)], "--seed"),
    (["run", "--config", config(surname="a\x00b")], "control character"),
    (["run", "--config", config(profile="fast")], "unknown profile"),
    (["run", "--config", config(dataset="cifar")], "unknown data set"),
    (["run", "--config", config(forest={"n_estimators": "many"})], "n_estimators"),
    (["run", "--config", config(logreg={"max_iter": 0})], "max_iter"),
    (["run", "--config", config(bootstrap=-5)], "bootstrap"),
    (["run", "--config", config(search={"trials": 0})], "--trials"),
    (["run", "--config", config(search={"timeout": float("nan")})], "--timeout"),
    (["run", "--config", config(search={"colour": 1})], "search settings"),
    (["run", "--config", config(network_seeds=0)], "network seeds"),
    (["run", "--config", layer(width="wide")], "whole number"),
    (["run", "--config", layer(width=-5)], "width"),
    (["run", "--config", layer(width=10**12)], "width"),
    (["run", "--config", layer(dropout=1.5)], "dropout"),
    (["run", "--config", layer(kind="lstm")], "unknown layer kind"),
    (["run", "--config", layer(colour=1)], "bad network spec"),
    (["run", "--config", network(epochs=1.5)], "epochs"),
    (["run", "--config", network(lr=float("inf"))], "lr"),
    (["run", "--config", network(batch_size=0)], "batch size"),
    (["run", "--config", network(hflip="yes")], "hflip"),
    (["run", "--config", network(name="../..")], "plain file name"),
    (["run", "--config", network(name="/abs")], "plain file name"),
    (
        [
            "run",
            "--config",
            network(layers=[{"kind": "conv", "width": 8}] + [{"kind": "pool"}] * 5),
        ],
        "poolings",
    ),
    (
        [
            "run",
            "--config",
            network(layers=[{"kind": "dense", "width": 8}, {"kind": "conv", "width": 8}]),
        ],
        "before the dense",
    ),
    (["run", "--config", network(layers="16-16")], "layers"),
    # fmstudy nn
    (["nn", "--arch", "100-x", *C47], "cannot read 'x'"),
    (["nn", "--arch", "100:d1.5", *C47], "dropout"),
    (["nn", "--arch", "c32-p-p-p-p-p", *C47], "poolings"),
    (["nn", "--arch", "notebook-7", *C47], "unknown network preset"),
    (["nn", *C47], "--arch"),
    (["nn", "--arch", "64", *C47, "--seeds", "0"], "--seeds"),
    (["nn", "--arch", "64", *C47, "--lr", "inf"], "lr"),
    (["nn", "--arch", "64", *C47, "--lr", "nan"], "lr"),
    (["nn", "--arch", "64", *C47, "--lr", "0"], "lr"),
    (["nn", "--arch", "64", *C47, "--epochs", "0"], "epochs"),
    (["nn", "--arch", "64", *C47, "--batch-size", "0"], "batch size"),
    (["nn", "--arch", "64", *C47, "--optimizer", "rmsprop"], "unknown optimizer"),
    (["nn", "--arch", "64", *C47, "--scaling", "log"], "unknown scaling"),
    (["nn", "--arch", "64", *C47, "--precision", "float16"], "unknown precision"),
    (["nn", "--arch", "64", *C47, "--val-split", "last"], "unknown validation split"),
    (["nn", "--arch", "64", *C47, "--mixup", "-1"], "mixup"),
    (["nn", "--arch", "64", *C47, "--patience", "0"], "patience"),
    (["nn", "--arch", "64", *C47, "--jobs", "0"], "--jobs"),
    (["nn", "--arch", "64", *C47, "--jobs", "-1"], "--jobs"),
    (["nn", "--arch", "64", *C47, "--seed", "-3"], "--seed"),
    (["nn", "--arch", spec(layers=[{"kind": "dense", "width": "wide"}]), *C47], "whole number"),
    (["nn", "--arch", spec(name="../.."), *C47], "plain file name"),
    (["nn", "--arch", spec(colour=1), *C47], "unknown fields"),
    (["nn", "--arch", raw("spec.json", "{nope"), *C47], "not valid JSON"),
    (["nn", "--arch", raw("spec.json", "[1]"), *C47], "does not hold a network spec"),
    (["nn", "--arch", "/nonexistent/spec.json", *C47], "cannot read"),
    (["nn", "--arch", fifo("pipe.json"), *C47], "not a regular file"),
    # fmstudy search
    (["search", *C47, "--trials", "0"], "--trials"),
    (["search", *C47, "--timeout", "nan"], "--timeout"),
    (["search", *C47, "--timeout", "-5"], "--timeout"),
    (["search", *C47, "--timeout", "inf"], "--timeout"),
    (["search", *C47, "--pruner", "best"], "unknown pruner"),
    (["search", *C47, "--max-epochs", "0"], "--max-epochs"),
    (["search", *C47, "--workers", "0"], "--workers"),
    (["search", *C47, "--workers", "1000"], "--workers"),
    (["search", *C47, "--storage", "nonsense"], "bad --storage URL"),
    (["search", *C47, "--storage", "redis://localhost/0"], "not a supported database"),
    (["search", *C47, "--storage", "sqlite:///no/such/folder/x.db"], "does not exist"),
    (["search", *C47, "--storage", "mysql://u@127.0.0.1:1/db"], "driver"),
    (["search", *C47, "--study-name", "a\x01b"], "control character"),
    (["search", *C47, "--out", a_file], "is a file"),
    # fmstudy evaluate
    (["evaluate", "/nonexistent"], "not a saved fmstudy model"),
    (["evaluate", saved(None)], "cannot read the saved network"),
    (["evaluate", saved({})], "does not describe a saved network"),
    (["evaluate", saved(SAVED)], "cannot read the saved network"),
    (["evaluate", saved({**SAVED, "classes": [4, -1]})], "class"),
    (["evaluate", saved({**SAVED, "classes": [4]})], "fewer than two"),
    (["evaluate", saved({**SAVED, "spec": {**BASE_SPEC, "epochs": 0}})], "epochs"),
    (["evaluate", classical(None)], "cannot read the saved model"),
    (["evaluate", classical(SKOPS)], "cannot read the saved model"),
    (["evaluate", classical(SKOPS, None)], "is missing: the model was not saved"),
    (["evaluate", classical({**SKOPS, "classes": [4]})], "fewer than two"),
    (["evaluate", classical({**SKOPS, "image_shape": [28]})], "image_shape must be"),
    (["predict", classical(SKOPS), raw("x.png", "not an image")], "cannot read"),
]


@pytest.mark.parametrize("args, words", CASES, ids=lambda v: None if isinstance(v, list) else v)
def test_bad_input_is_one_line_exit_2_and_writes_nothing(
    args, words, tmp_path, capsys, monkeypatch
):
    check_bad_input(args, words, tmp_path, capsys, monkeypatch)


def test_the_table_is_long_enough():
    assert len(CASES) >= 60


def test_a_fifo_config_does_not_hang_a_real_shell(tmp_path):
    os.mkfifo(tmp_path / "config.json")
    proc = run_cli("run", "--config", tmp_path / "config.json", timeout=60)
    assert proc.returncode == 2 and "not a regular file" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr
