"""Config files, spec files, surnames and --classes: every wrong type, size or spelling is
one line and exit 2 with nothing written; Unicode spelled two ways gives one answer."""

from __future__ import annotations

import json
import os
import unicodedata

import pytest
from badinput import check_bad_input

from fmstudy import FmstudyError
from fmstudy.data.groups import classes_for_surname, parse_classes
from fmstudy.data.registry import FASHION_MNIST
from fmstudy.study.config import StudyConfig

BASE = StudyConfig(classes=(4, 5), profile="quick", tasks=("1",)).to_dict()
FASHION = FASHION_MNIST.classes


def config(**changes):
    def make(p):
        (p / "config.json").write_text(json.dumps({**BASE, **changes}))
        return p / "config.json"

    return make


def text(name, body):
    def make(p):
        (p / name).write_text(body)
        return p / name

    return make


DEEP = "[" * 100_000 + "]" * 100_000
LONG_INT = '{"classes": [4, 5], "seed": ' + "9" * 5000 + "}"
CASES = [
    (["run", "--config", config(dataset=3)], "dataset must be text"),
    (["run", "--config", config(dataset=["fashion-mnist"])], "dataset must be text"),
    (["run", "--config", config(dataset="x" * 5000)], "dataset is longer than"),
    (["run", "--config", config(dataset="a\x00b")], "control character"),
    (["run", "--config", config(groups=["A-G:0-3"])], "--groups must be text"),
    (["run", "--config", config(groups=7)], "--groups must be text"),
    (["run", "--config", config(groups="A-Ö:4-7\n")], "control character"),
    (["run", "--config", config(surname=["Lind"])], "surname must be text"),
    (["run", "--config", config(group=3)], "group must be text"),
    (["run", "--config", config(pca_random_directions=10**9)], "pca_random_directions"),
    (["run", "--config", config(pca_random_directions=0)], "pca_random_directions"),
    (["run", "--config", config(networks_chosen_by=5)], "networks_chosen_by"),
    (["run", "--config", config(networks_chosen_by="me")], "networks_chosen_by"),
    (["run", "--config", config(bootstrap=10**12)], "bootstrap"),
    (["run", "--config", config(network_seeds=10**6)], "network seeds"),
    (["run", "--config", config(learning_folds=10**9)], "learning_folds"),
    (["run", "--config", config(cv_repeats=10**9)], "--cv-repeats"),
    (["run", "--config", config(parallel_fits="yes")], "parallel_fits"),
    (["run", "--config", config(lang=5)], "--lang"),
    (["run", "--config", config(lang=["en"])], "--lang"),
    (["run", "--config", config(profile=["quick"])], "profile"),
    (["run", "--config", config(compare=["5x2cv"])], "--compare"),
    (["run", "--config", config(tasks=[1])], "task"),
    (["run", "--config", config(classes=["4", "5"])], "whole number"),
    (["run", "--config", config(classes=[4.0, 5.0])], "whole number"),
    (["run", "--config", config(classes=[[4], [5]])], "whole number"),
    (["run", "--config", config(image_size="big")], "HEIGHTxWIDTH"),
    (["run", "--config", config(image_size=[10**6, 10**6])], "--image-size"),
    (["run", "--config", config(test_share="0.2")], "--test-share"),
    (["run", "--config", config(version="2")], "config version"),
    (["run", "--config", config(forest=[1])], "config is not valid"),
    (["run", "--config", config(logreg="x")], "config is not valid"),
    (["run", "--config", config(forest={**BASE["forest"], "n_estimators": 10**9})], "n_estimators"),
    (["run", "--config", config(models="forest")], "--models"),
    (["run", "--config", config(models=[3])], "--models"),
    (["run", "--config", config(zoo=[])], "zoo must map"),
    (["run", "--config", config(models=["svc"], zoo={"svc": {"C": "big"}})], "C"),
    (["run", "--config", config(networks="abc")], "config is not valid"),
    (["run", "--config", config(networks=[1])], "config is not valid"),
    (["run", "--config", config(search=[1])], "config is not valid"),
    (["run", "--config", config(search="x")], "config is not valid"),
    (["run", "--config", text("config.json", LONG_INT)], "a number too long to read"),
    (["run", "--config", text("config.json", DEEP)], "nests too deeply"),
    (["run", "--config", text("config.json", '{"a":' * 50_000 + "1" + "}" * 50_000)], "nests"),
    (["run", "--config", text("config.json", "null")], "not an fmstudy config"),
    (["run", "--config", text("config.json", '"x"')], "not an fmstudy config"),
    (["run", "--config", text("config.json", "{}")], "must be lists"),
    (
        ["run", "--config", text("config.json", '{"classes": [4, 5], "bootstrap": NaN}')],
        "bootstrap",
    ),
    (
        [
            "run",
            "--config",
            config(
                networks=[{"layers": [{"kind": "dense", "width": 65536}] * 3}], tasks=["1", "5"]
            ),
        ],
        "weights",
    ),
    (
        [
            "run",
            "--config",
            config(networks=[{"layers": [{"kind": "dense", "width": 8}] * 101}], tasks=["1", "5"]),
        ],
        "at most 100",
    ),
    (["nn", "--arch", "c1024-16", "--batch-size", "512", "--classes", "4-7"], "activations"),
    (["nn", "--arch", "65536-65536", "--classes", "4-7"], "weights"),
    (
        [
            "run",
            "--dataset",
            "digits",
            "--classes",
            "0-9",
            "--config",
            config(
                dataset="digits",
                classes=list(range(10)),
                networks=[{"layers": [{"kind": "dense", "width": 65536}] * 2}],
                tasks=["1", "5"],
            ),
        ],
        "weights",
    ),
    (["nn", "--arch", text("spec.json", DEEP), "--classes", "4-7"], "nests too deeply"),
    (["nn", "--arch", text("spec.json", LONG_INT), "--classes", "4-7"], "too long to read"),
    (["data", "--classes", "4-5,coat-shirt"], "numbers only"),
    (["data", "--classes", "shirt,Ö"], "neither a class number"),
    (["data", "--surname", "\u0301"], "Swedish alphabet"),
    (["data", "--surname", "Lind\x1b[2J"], "control character"),
    (["run", "--all-groups", "--classes", ""], "leave out --surname, --classes"),
]


@pytest.mark.parametrize("args, words", CASES, ids=lambda v: None if isinstance(v, list) else v)
def test_bad_input_is_one_line_exit_2_and_writes_nothing(
    args, words, tmp_path, capsys, monkeypatch
):
    check_bad_input(args, words, tmp_path, capsys, monkeypatch)


def test_a_surname_in_decomposed_unicode_goes_to_its_own_group():
    decomposed = unicodedata.normalize("NFD", "Åberg")
    assert decomposed[0] == "A"  # as macOS file names and some keyboards spell it
    assert classes_for_surname(decomposed) == classes_for_surname("Åberg") == (6, 7, 8, 9)
    assert classes_for_surname(unicodedata.normalize("NFD", "Öst")) == (6, 7, 8, 9)


def test_a_hyphen_is_a_range_not_part_of_a_name():
    """``a-b`` once matched a class named ``ab`` by dropping the hyphen."""
    with pytest.raises(FmstudyError, match="ranges go between numbers only"):
        parse_classes("a-b,c", ("a", "ab", "b", "c"))
    assert parse_classes("ab,c", ("a", "ab", "b", "c")) == (1, 3)


def test_names_match_exactly_then_by_case_then_by_letters():
    assert parse_classes("coat,SHIRT", FASHION) == (4, 6)
    assert parse_classes("ankle boot,ankleboot,Bag", FASHION) == (8, 9)
    assert parse_classes("t-shirt/top,4-5", FASHION) == (0, 4, 5)
    nfd = unicodedata.normalize("NFD", "kö")
    assert parse_classes(f"{nfd},c", ("c", "kö")) == (0, 1)


def test_a_name_that_fits_two_classes_is_refused():
    with pytest.raises(FmstudyError, match="fits several classes"):
        parse_classes("ab,c", ("a b", "a_b", "c"))


@pytest.mark.parametrize(
    "layers, shape",
    [
        ("16", (28, 28)),
        ("c8-p-c16-p-32:d0.2", (28, 28)),
        ("c4-p-p-p-p-8", (5, 7)),
        ("c3-16", (6, 6, 3)),
        ("100-512:d0.3-1024:d0.2", (8, 8)),
    ],
)
def test_a_networks_size_is_counted_as_torch_counts_it(layers, shape):
    from fmstudy.nets.spec import NetSpec, build_model, count_parameters, footprint, parse_layers

    spec = NetSpec(parse_layers(layers))
    assert footprint(spec, 3, shape)[0] == count_parameters(build_model(spec, 3, shape))


def test_a_network_too_big_for_memory_is_refused_before_it_is_built():
    from fmstudy.nets.spec import NetSpec, build_model, parse_layers

    with pytest.raises(FmstudyError, match="weights for 28x28 images; at most"):
        build_model(NetSpec(parse_layers("65536-65536")), 2)
    with pytest.raises(FmstudyError, match="activations; at most"):
        build_model(NetSpec(parse_layers("c4096-16"), batch_size=4096), 2)


@pytest.mark.parametrize(
    "args, words",
    [
        (["data", "--dataset", "/dev/null"], "not a regular file"),
        (["run", "--config", "deep.json"], "nests too deeply"),
        (
            ["data", "--surname", unicodedata.normalize("NFD", "Åberg"), "--classes", "x-y"],
            "numbers only",
        ),
    ],
)
def test_bad_input_through_a_real_shell(args, words, tmp_path):
    """As a user runs it: a fresh interpreter, a real exit code and stderr."""
    from conftest import run_cli

    (tmp_path / "deep.json").write_text(DEEP)
    proc = run_cli(
        *args,
        cwd=tmp_path,
        timeout=120,
        env={**os.environ, "FMSTUDY_DATA_DIR": str(tmp_path / "d")},
    )
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode == 2 and len(lines) == 1 and words in lines[0], proc.stderr
    assert "Traceback" not in proc.stderr and not (tmp_path / "d").exists()
