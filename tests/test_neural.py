import json

import numpy as np
import pytest
import torch
from conftest import synthetic_arrays

from fmstudy import FmstudyError
from fmstudy.neural import (
    PRESETS,
    Layer,
    NetSpec,
    build_model,
    count_parameters,
    get_preset,
    load_model,
    parse_layers,
    predict,
    resolve_arch,
    save_run,
    train,
    with_overrides,
)


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


@pytest.fixture(scope="module")
def data():
    a = synthetic_arrays()
    keep_tr = np.isin(a["train-labels"], (4, 5, 6, 7))
    keep_te = np.isin(a["test-labels"], (4, 5, 6, 7))
    return (
        a["train-images"][keep_tr],
        a["train-labels"][keep_tr],
        a["test-images"][keep_te],
        a["test-labels"][keep_te],
    )


SMALL = NetSpec(parse_layers("32:d0.1-16"), optimizer="adam", lr=3e-3, batch_size=16, epochs=6)


def test_same_seed_same_history(data):
    a = train(SMALL, *data, (4, 5, 6, 7), seed=3, threads=1)
    b = train(SMALL, *data, (4, 5, 6, 7), seed=3, threads=1)
    c = train(SMALL, *data, (4, 5, 6, 7), seed=4, threads=1)
    assert a.history == b.history and np.array_equal(a.y_pred, b.y_pred)
    assert a.history != c.history
    assert set(np.unique(a.y_pred)) <= {4, 5, 6, 7}
    assert len(a.history["val_loss"]) == 6 and a.epochs_run == 6


def test_early_stopping_restores_the_best_epoch(data):
    spec = with_overrides(SMALL, epochs=40, patience=2, lr=0.05)
    run = train(spec, *data, (4, 5, 6, 7), seed=0, threads=1)
    losses = run.history["val_loss"]
    assert run.epochs_run < 40 and run.best_epoch == int(np.argmin(losses)) + 1
    assert run.epochs_run == run.best_epoch + 2
    # The weights kept are the best epoch's: evaluating them gives its validation loss.
    from fmstudy.neural import _evaluate, _prepare, build_model, split_validation

    model = build_model(spec, 4)
    model.load_state_dict(run.state)
    x, y = data[0], data[1]
    _, val_idx = split_validation(y, spec, 0)
    lut = {4: 0, 5: 1, 6: 2, 7: 3}
    loss, _, _ = _evaluate(
        model, _prepare(x[val_idx], run.scaler, spec), torch.tensor([lut[v] for v in y[val_idx]])
    )
    assert loss == pytest.approx(losses[run.best_epoch - 1], rel=1e-5)


def test_validation_splits(data):
    from fmstudy.neural import split_validation

    y = data[1]
    tr, val = split_validation(y, get_preset("notebook-1"), 0)
    assert val.tolist() == list(range(len(val))) and len(val) == round(0.2 * len(y))
    tr, val = split_validation(y, SMALL, 0)
    assert set(tr).isdisjoint(val) and len(tr) + len(val) == len(y)
    for c in (4, 5, 6, 7):
        assert abs(np.mean(y[val] == c) - np.mean(y == c)) < 0.05


def test_save_reload_same_predictions(data, tmp_path):
    run = train(SMALL, *data, (4, 5, 6, 7), seed=1, threads=1)
    run.dataset = "kmnist"
    save_run(run, tmp_path / "net")
    meta = json.loads((tmp_path / "net" / "spec.json").read_text())
    assert meta["dataset"] == "kmnist"  # 'fmstudy evaluate' tests on the data it learnt
    assert not list((tmp_path / "net").glob("*.pt"))  # safetensors, never pickle
    spec, classes, model, scaler = load_model(tmp_path / "net")
    assert spec == SMALL and classes == (4, 5, 6, 7)
    assert np.array_equal(predict(model, spec, scaler, data[2], classes), run.y_pred)


def test_load_rejects_non_models(tmp_path):
    with pytest.raises(FmstudyError, match="not a saved fmstudy network"):
        load_model(tmp_path)
    (tmp_path / "spec.json").write_text("{}")
    (tmp_path / "model.safetensors").write_bytes(b"\x80\x04 not safetensors")
    with pytest.raises(FmstudyError, match="cannot read"):
        load_model(tmp_path)


def test_random_shift_moves_pixels_in_pixel_space():
    from fmstudy.neural import _random_shift

    mean, std = torch.full((784,), 10.0), torch.full((784,), 2.0)
    raw = torch.zeros(3, 784)
    raw[:, 14 * 28 + 14] = 255.0
    x = (raw - mean) / std
    out = _random_shift(x, 2, torch.Generator().manual_seed(0), mean, std)
    back = (out * std + mean).view(3, 28, 28)
    for img in back:
        ((r, c),) = (img > 100).nonzero().tolist()
        assert abs(r - 14) <= 2 and abs(c - 14) <= 2
        assert torch.allclose(img[img < 100], torch.zeros(1))  # background stays 0


def _standardizer(seed=0):
    rng = np.random.default_rng(seed)
    mean = torch.from_numpy(rng.uniform(0, 100, 784).astype(np.float32))
    std = torch.from_numpy(rng.uniform(1, 50, 784).astype(np.float32))
    return mean, std


def test_mirror_flips_in_pixel_space():
    from fmstudy.neural import _mirror

    mean, std = _standardizer()  # per-pixel, not mirror-symmetric
    raw = torch.from_numpy(np.random.default_rng(1).uniform(0, 255, (5, 784)).astype(np.float32))
    expected = (raw.view(5, 28, 28).flip(-1).reshape(5, 784) - mean) / std
    assert torch.allclose(_mirror((raw - mean) / std, mean, std), expected, atol=1e-4)
    conv = ((raw - mean) / std).view(5, 1, 28, 28)
    assert _mirror(conv, mean, std).shape == (5, 1, 28, 28)
    unit = (raw / 255).view(5, 1, 28, 28)  # pixels / 255: an exact flip, no rescaling
    assert torch.equal(_mirror(unit), unit.flip(-1))


def test_tta_averages_the_probabilities_of_image_and_mirror():
    from fmstudy.neural import _log_probs, _mirror

    mean, std = _standardizer()
    model = build_model(SMALL, 4).eval()
    x = torch.randn(6, 784)
    with torch.no_grad():
        expected = (model(x).softmax(1) + model(_mirror(x, mean, std)).softmax(1)) / 2
        got = _log_probs(model, x, (mean, std)).exp()
        plain = _log_probs(model, x).exp()
    assert torch.allclose(got, expected, atol=1e-6)
    assert torch.allclose(plain, model(x).softmax(1).detach(), atol=1e-6)


def test_mixup_is_deterministic_and_changes_training(data):
    spec = with_overrides(SMALL, mixup=0.4)
    a = train(spec, *data, (4, 5, 6, 7), seed=2, threads=1)
    b = train(spec, *data, (4, 5, 6, 7), seed=2, threads=1)
    plain = train(SMALL, *data, (4, 5, 6, 7), seed=2, threads=1)
    assert a.history == b.history and a.history["train_loss"] != plain.history["train_loss"]
    with pytest.raises(FmstudyError, match="mixup"):
        with_overrides(SMALL, mixup=-1.0)


@pytest.mark.parametrize("patience", [None, 2])
def test_refit_trains_on_every_row_for_the_validated_epochs(data, patience):
    from dataclasses import replace

    spec = with_overrides(SMALL, epochs=12 if patience else 5, patience=patience, lr=0.02)
    run = train(replace(spec, refit=True), *data, (4, 5, 6, 7), seed=5, threads=1)
    validated = train(spec, *data, (4, 5, 6, 7), seed=5, threads=1)
    assert run.history == validated.history and run.best_epoch == validated.best_epoch
    epochs = run.best_epoch if patience else spec.epochs
    full = train(
        replace(spec, epochs=epochs, patience=None),
        *data,
        (4, 5, 6, 7),
        seed=5,
        threads=1,
        holdout=False,
    )
    assert len(full.history["train_loss"]) == epochs
    assert np.array_equal(run.y_pred, full.y_pred) and run.test_accuracy == full.test_accuracy
    assert all(torch.equal(run.state[k], full.state[k]) for k in full.state)
    assert not all(torch.equal(run.state[k], validated.state[k]) for k in full.state)
    assert run.refit_seconds > 0 and replace(spec, refit=True).total_epochs == 2 * spec.epochs
