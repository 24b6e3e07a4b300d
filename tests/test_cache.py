"""cache.py: one key function for every fit, and each kind of entry written and read back."""

import json

import numpy as np
import pytest
from conftest import SMALL

from fmstudy.cache import FitCache
from fmstudy.classical import FitResult
from fmstudy.manifest import library_versions
from fmstudy.training import TrainRun, train

SHA = {"train-images": "a" * 64}


def test_key_changes_with_everything_that_decides_a_fit(tmp_path):
    base = FitCache(tmp_path, SHA, (4, 5))
    key = base.key("forest", {"n_estimators": 30})
    assert key == FitCache(tmp_path / "elsewhere", SHA, (4, 5)).key("forest", {"n_estimators": 30})
    others = {
        base.key("forest", {"n_estimators": 31}),
        base.key("forest", {"n_estimators": 30}, seed=1),
        base.key("logreg", {"n_estimators": 30}),
        FitCache(tmp_path, SHA, (4, 6)).key("forest", {"n_estimators": 30}),
        FitCache(tmp_path, {"train-images": "b" * 64}, (4, 5)).key("forest", {"n_estimators": 30}),
    }
    assert key not in others and len(others) == 5
    assert key.startswith("forest-")


def test_key_includes_the_deciding_library_versions(tmp_path, monkeypatch):
    cache = FitCache(tmp_path, SHA, (4, 5))
    before = cache.key("forest", {})
    assert set(library_versions()) == {"numpy", "scikit-learn", "torch"}
    monkeypatch.setattr(
        "fmstudy.cache.library_versions", lambda: {**library_versions(), "numpy": "0.0"}
    )
    assert cache.key("forest", {}) != before


def test_classical_fit_round_trip_and_fresh(tmp_path):
    cache = FitCache(tmp_path, SHA, (4, 5))
    fit = FitResult("forest", "Random forest", np.array([4, 5, 5]), 1.5, 0.1, {"n_trees": 3})
    key = cache.key("forest", {})
    assert cache.load_fit(key) is None
    cache.keep_fit(key, fit)
    back = cache.load_fit(key)
    assert np.array_equal(back.y_pred, fit.y_pred) and back.info == fit.info
    assert (back.key, back.fit_seconds) == ("forest", 1.5)
    assert FitCache(tmp_path, SHA, (4, 5), fresh=True).load_fit(key) is None
    assert not list(tmp_path.glob("*.part"))


def test_a_network_training_comes_back_in_the_same_form(tmp_path, data):
    run = train(SMALL, *data, (4, 5, 6, 7), seed=1, threads=1)
    cache = FitCache(tmp_path, SHA, (4, 5, 6, 7))
    key = cache.key("network", SMALL.to_dict(), 1)
    kept = cache.keep_training(key, run)
    assert kept.folder == tmp_path / key
    assert {p.name for p in kept.folder.iterdir()} == {
        "model.safetensors",
        "spec.json",
        "run.json",
        "y_pred.npy",
    }
    back = cache.load_training(key, SMALL)
    assert isinstance(back, TrainRun) and back.folder == kept.folder
    assert back.history == run.history and np.array_equal(back.y_pred, run.y_pred)
    for field in ("seed", "best_epoch", "epochs_run", "test_accuracy", "n_params", "dataset"):
        assert getattr(back, field) == getattr(run, field), field
    assert json.loads((kept.folder / "spec.json").read_text())["classes"] == [4, 5, 6, 7]


@pytest.mark.parametrize("missing", ["run.json", "y_pred.npy"])
def test_an_incomplete_training_entry_is_a_miss(tmp_path, data, missing):
    run = train(SMALL, *data, (4, 5, 6, 7), seed=2, threads=1)
    cache = FitCache(tmp_path, SHA, (4, 5, 6, 7))
    key = cache.key("network", SMALL.to_dict(), 2)
    (cache.keep_training(key, run).folder / missing).unlink()
    assert cache.load_training(key, SMALL) is None
