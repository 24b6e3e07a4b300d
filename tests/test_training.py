"""training.py: the deterministic training loop, validation splits, early stopping, refit."""

import numpy as np
import pytest
import torch
from conftest import SMALL

from fmstudy import FmstudyError
from fmstudy.nets.presets import get_preset
from fmstudy.nets.spec import build_model, with_overrides
from fmstudy.nets.training import train


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
    from fmstudy.nets.inputs import prepare_inputs, split_validation
    from fmstudy.nets.training import evaluate_network

    model = build_model(spec, 4)
    model.load_state_dict(run.state)
    x, y = data[0], data[1]
    _, val_idx = split_validation(y, spec, 0)
    lut = {4: 0, 5: 1, 6: 2, 7: 3}
    loss, _, _, _ = evaluate_network(
        model,
        prepare_inputs(x[val_idx], run.scaler, spec),
        torch.tensor([lut[v] for v in y[val_idx]]),
    )
    assert loss == pytest.approx(losses[run.best_epoch - 1], rel=1e-5)


def test_validation_splits(data):
    from fmstudy.nets.inputs import split_validation

    y = data[1]
    tr, val = split_validation(y, get_preset("notebook-1"), 0)
    assert val.tolist() == list(range(len(val))) and len(val) == round(0.2 * len(y))
    tr, val = split_validation(y, SMALL, 0)
    assert set(tr).isdisjoint(val) and len(tr) + len(val) == len(y)
    for c in (4, 5, 6, 7):
        assert abs(np.mean(y[val] == c) - np.mean(y == c)) < 0.05


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


def test_device_auto_is_the_cpu_here_and_keys_only_name_other_devices():
    from fmstudy.nets.devices import device_params, resolve_device

    assert resolve_device("auto") == ("cuda" if torch.cuda.is_available() else "cpu")
    assert resolve_device("cpu") == "cpu"
    spec = SMALL
    assert device_params(spec, "cpu") == spec.to_dict()  # CPU keys as before --device
    assert device_params(spec, "cuda") == {**spec.to_dict(), "device": "cuda"}


def test_precision_auto_is_bfloat16_only_where_the_processor_computes_it(monkeypatch):
    from fmstudy.nets.devices import device_params, precision_used

    auto = with_overrides(SMALL, precision="auto")
    assert precision_used(SMALL, "cpu") == "float32"
    assert precision_used(with_overrides(SMALL, precision="bfloat16"), "cpu") == "bfloat16"
    for bf16, amx, want in (
        (True, False, "bfloat16"),
        (False, True, "bfloat16"),
        (False, False, "float32"),
    ):
        monkeypatch.setattr(torch.cpu, "_is_avx512_bf16_supported", lambda v=bf16: v)
        monkeypatch.setattr(torch.cpu, "_is_amx_tile_supported", lambda v=amx: v)
        assert precision_used(auto, "cpu") == want
        # the cache key says what was computed: a float32 training is not a bfloat16 one
        assert device_params(auto, "cpu") == {**auto.to_dict(), "precision_used": want}
    assert "precision_used" not in device_params(SMALL, "cpu")
    with pytest.raises(FmstudyError, match="precision"):
        with_overrides(SMALL, precision="float16")


def test_bfloat16_computes_every_forward_pass_in_bfloat16_and_keeps_float32_weights(data):
    spec = with_overrides(SMALL, precision="bfloat16", epochs=2)
    seen = []
    real = torch.nn.Linear.forward

    def forward(self, x):
        out = real(self, x)
        seen.append((self.training, out.dtype))
        return out

    torch.nn.Linear.forward = forward
    try:
        run = train(spec, *data, (4, 5, 6, 7), seed=0, threads=1)
    finally:
        torch.nn.Linear.forward = real
    assert {dtype for training, dtype in seen if training} == {torch.bfloat16}
    assert {dtype for training, dtype in seen if not training} == {torch.bfloat16}
    assert run.precision == "bfloat16" and run.to_dict()["precision"] == "bfloat16"
    assert all(v.dtype == torch.float32 for v in run.state.values() if v.is_floating_point())
    assert train(SMALL, *data, (4, 5, 6, 7), seed=0, threads=1).precision == "float32"
    # a saved network predicts as it was tested: in the precision it trained in
    from fmstudy.nets.saved import predict

    model = build_model(spec, 4)
    model.load_state_dict(run.state)
    assert np.array_equal(predict(model, spec, run.scaler, data[2], (4, 5, 6, 7)), run.y_pred)
    # a run saved before the precision was recorded reads back as float32
    from fmstudy.nets.train_run import TrainRun

    old = {k: v for k, v in run.to_dict().items() if k != "precision"}
    assert TrainRun.from_dict(old, spec, y_pred=run.y_pred, proba=None).precision == "float32"
