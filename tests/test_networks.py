"""networks.py: the spec, its grammar, the presets and the builder."""

import json
import subprocess
import sys

import pytest
import torch

from fmstudy import FmstudyError
from fmstudy.nets.presets import PRESETS, get_preset, resolve_arch
from fmstudy.nets.spec import Layer, NetSpec, build_model, count_parameters, parse_layers


def dense_params(widths, n_out):
    sizes = [784, *widths, n_out]
    return sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:], strict=True))


def test_notebook_3_has_the_notebooks_parameter_count():
    spec = get_preset("notebook-3")
    assert count_parameters(build_model(spec, 10)) == 9_140_734
    assert count_parameters(build_model(spec, 4)) == dense_params([100, 512, 1024, 2000, 3200], 4)


@pytest.mark.parametrize("widths", [[10], [64, 32], [50, 40, 30, 20, 10]])
@pytest.mark.parametrize("n_out", [2, 4])
def test_builder_layers_and_parameters(widths, n_out):
    spec = NetSpec(tuple(Layer("dense", w, 0.1) for w in widths))
    model = build_model(spec, n_out)
    linears = [m for m in model if isinstance(m, torch.nn.Linear)]
    drops = [m for m in model if isinstance(m, torch.nn.Dropout)]
    assert len(linears) == len(widths) + 1 and len(drops) == len(widths)
    assert count_parameters(model) == dense_params(widths, n_out)
    assert model(torch.zeros(3, 784)).shape == (3, n_out)


def test_glorot_init_like_keras():
    model = build_model(get_preset("notebook-1"), 4)
    first = next(m for m in model if isinstance(m, torch.nn.Linear))
    limit = (6 / (784 + 100)) ** 0.5
    assert first.weight.abs().max() <= limit and torch.all(first.bias == 0)


def test_conv_builder():
    model = build_model(get_preset("cnn-small"), 4)
    assert model(torch.zeros(2, 1, 28, 28)).shape == (2, 4)
    assert any(isinstance(m, torch.nn.Conv2d) for m in model)


@pytest.mark.parametrize(
    "text, layers",
    [
        ("100-512:d0.3-1024:d0.2", [("dense", 100, 0), ("dense", 512, 0.3), ("dense", 1024, 0.2)]),
        (
            "c32-p-c64:d0.1-p-128:d.5",
            [
                ("conv", 32, 0),
                ("pool", 0, 0),
                ("conv", 64, 0.1),
                ("pool", 0, 0),
                ("dense", 128, 0.5),
            ],
        ),
        ("256", [("dense", 256, 0)]),
    ],
)
def test_parse_layers(text, layers):
    assert [(x.kind, x.width, x.dropout) for x in parse_layers(text)] == layers
    assert "-".join(str(x) for x in parse_layers(text)).replace("d.5", "d0.5") == "-".join(
        str(x) for x in parse_layers(text)
    )


@pytest.mark.parametrize(
    "text, bad",
    [
        ("100-abc", "'abc'"),
        ("100:d1.5", "dropout"),
        ("100:x0.2", "'100:x0.2'"),
        ("", "''"),
        ("0-10", "width"),
        ("100-c32", "conv 'c32' after a dense"),
        ("100--5", "''"),
    ],
)
def test_parse_layers_invalid_names_the_bad_part(text, bad):
    with pytest.raises(FmstudyError, match=bad):
        parse_layers(text)


def test_spec_validation_and_json_round_trip(tmp_path):
    with pytest.raises(FmstudyError, match="optimizer 'rmsprop'"):
        NetSpec(parse_layers("10"), optimizer="rmsprop")
    with pytest.raises(FmstudyError, match="lr"):
        NetSpec(parse_layers("10"), lr=0)
    spec = get_preset("notebook-2")
    assert NetSpec.from_dict(json.loads(spec.to_json())) == spec
    path = tmp_path / "arch.json"
    path.write_text(spec.to_json())
    assert resolve_arch(str(path)) == spec
    assert resolve_arch("notebook-2") == spec
    assert resolve_arch("64-32").layers == parse_layers("64-32")
    with pytest.raises(FmstudyError, match="unknown network preset 'notebook-9'"):
        resolve_arch("notebook-9")
    with pytest.raises(FmstudyError, match="unknown fields"):
        NetSpec.from_dict({"layers": [], "colour": "red"})


def test_presets_cover_the_notebook_and_more():
    nb = [get_preset(f"notebook-{i}") for i in (1, 2, 3)]
    assert [s.optimizer for s in nb] == ["sgd", "sgd", "adam"]
    assert [s.lr for s in nb] == [0.01, 0.01, 0.001] and all(s.momentum == 0 for s in nb)
    assert [s.epochs for s in nb] == [15, 15, 20] and all(s.batch_size == 32 for s in nb)
    assert all(s.val_split == "first" and s.scaling == "standardize" for s in nb)
    assert any(s.is_conv for s in PRESETS.values()) and len(PRESETS) >= 7
    with pytest.raises(FmstudyError, match="notebook-1"):
        get_preset("nope")


def test_specs_and_presets_load_without_torch():
    """Configs, presets and classical cache keys need no PyTorch: tasks 1-4 never import it
    (it costs seconds and about 200 MB)."""
    code = (
        "import sys, pathlib, fmstudy.study.run\n"
        "from fmstudy.cache.fits import FitCache\n"
        "FitCache(pathlib.Path('.'), {}, (4, 5)).key('forest', {})\n"
        "print('torch' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
