"""cache.py: one key function for every fit, and each kind of entry written and read back."""

import json
import shutil

import numpy as np
import pytest
from conftest import SMALL

from fmstudy.cache.fits import FitCache
from fmstudy.models.classical import FitResult
from fmstudy.nets.training import TrainRun, train
from fmstudy.versions import library_versions

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
        "fmstudy.cache.fits.library_versions", lambda: {**library_versions(), "numpy": "0.0"}
    )
    assert cache.key("forest", {}) != before


def test_classical_fit_round_trip_and_fresh(tmp_path):
    cache = FitCache(tmp_path, SHA, (4, 5))
    proba = np.array([[0.9, 0.1], [0.2, 0.8], [0.4, 0.6]])
    fit = FitResult("forest", "Random forest", np.array([4, 5, 5]), 1.5, 0.1, {"n_trees": 3}, proba)
    key = cache.key("forest", {})
    assert cache.load_fit(key) is None
    cache.keep_fit(key, fit)
    back = cache.load_fit(key)
    assert np.array_equal(back.y_pred, fit.y_pred) and back.info == fit.info
    assert np.array_equal(back.proba, proba)
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
        "proba.npy",
    }
    back = cache.load_training(key, SMALL)
    assert isinstance(back, TrainRun) and back.folder == kept.folder
    assert back.history == run.history and np.array_equal(back.y_pred, run.y_pred)
    assert np.array_equal(back.proba, run.proba) and back.proba.shape == (len(data[3]), 4)
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


# --- damaged entries: a miss with one line, then the same results as before -------------


def _seal(entry: dict) -> bytes:
    import hashlib

    body = json.dumps(entry, sort_keys=True).encode()
    return json.dumps({"entry": entry, "sha256": hashlib.sha256(body).hexdigest()}).encode()


def _flip(path, at=-3):
    data = bytearray(path.read_bytes())
    data[at] ^= 0x10
    path.write_bytes(bytes(data))


def _npy_bytes(arr):
    import io

    buf = io.BytesIO()
    np.save(buf, arr, allow_pickle=False)
    return buf.getvalue()


def _resealed(path, change):
    """Rewrite a sealed record after ``change(entry)``, with a valid seal."""
    entry = json.loads(path.read_text())["entry"]
    change(entry)
    path.write_bytes(_seal(entry))


def _wrong_length(meta, npy):
    raw = _npy_bytes(np.load(npy)[:-1])
    npy.write_bytes(raw)
    import hashlib

    _resealed(meta, lambda e: e.update(predictions_sha256=hashlib.sha256(raw).hexdigest()))


def _foreign_label(meta, npy):
    arr = np.load(npy)
    arr[0] = 251
    raw = _npy_bytes(arr)
    npy.write_bytes(raw)
    import hashlib

    _resealed(meta, lambda e: e.update(predictions_sha256=hashlib.sha256(raw).hexdigest()))


def _unnormalised(meta, npy):
    proba_file = npy.with_suffix(".proba.npy")
    raw = _npy_bytes(np.load(proba_file) * 2)
    proba_file.write_bytes(raw)
    import hashlib

    _resealed(meta, lambda e: e.update(probabilities_sha256=hashlib.sha256(raw).hexdigest()))


DAMAGE = {
    "bit flip in the probabilities": lambda meta, npy: _flip(npy.with_suffix(".proba.npy")),
    "missing probabilities": lambda meta, npy: npy.with_suffix(".proba.npy").unlink(),
    "probabilities not summing to 1": _unnormalised,
    "bit flip in the predictions": lambda meta, npy: _flip(npy),
    "bit flip in the record": lambda meta, npy: _flip(meta, 20),
    "truncated record": lambda meta, npy: meta.write_bytes(meta.read_bytes()[:40]),
    "truncated predictions": lambda meta, npy: npy.write_bytes(npy.read_bytes()[:100]),
    "missing predictions": lambda meta, npy: npy.unlink(),
    "record missing a key": lambda meta, npy: _resealed(meta, lambda e: e.pop("info")),
    "wrong length": _wrong_length,
    "label outside the classes": _foreign_label,
}


@pytest.fixture(scope="module")
def forest_run(tmp_path_factory):
    """A data dir with the synthetic data set registered for this module."""
    from conftest import synthetic_arrays, write_dataset

    from fmstudy.data import registry as datasets

    base = tmp_path_factory.mktemp("cached")
    spec = write_dataset(base / "data" / "synth", synthetic_arrays())
    datasets.REGISTRY["synth"] = spec
    yield base / "data"
    del datasets.REGISTRY["synth"]


FOREST_ONLY = dict(classes=(4, 5, 6, 7), dataset="synth", profile="quick", tasks=("1", "3"))


@pytest.fixture(scope="module")
def filled(forest_run):
    """The forest fitted once into ``forest_run``'s cache: (config, result)."""
    from fmstudy.api import run_study
    from fmstudy.study.config import StudyConfig

    cfg = StudyConfig(**FOREST_ONLY)
    return cfg, run_study(cfg, data_dir=forest_run)


@pytest.mark.parametrize("damage", DAMAGE)
def test_a_damaged_fit_is_refitted_to_the_same_result(filled, forest_run, damage, caplog, tmp_path):
    from fmstudy.api import run_study

    cfg, first = filled
    data = shutil.copytree(forest_run, tmp_path / "data")  # this case's own sound cache
    (meta,) = (data / "work").glob("forest-*.json")
    DAMAGE[damage](meta, meta.with_suffix(".npy"))
    with caplog.at_level("WARNING", logger="fmstudy"):
        again = run_study(cfg, data_dir=data)
    assert again.timings["models"]["forest"]["cached"] is False
    assert again.metrics.models == first.metrics.models
    assert [r.message for r in caplog.records if "damaged" in r.message], "no note"
    if damage == "bit flip in the record":  # once: the refit was kept, and it is sound
        assert run_study(cfg, data_dir=data).timings["models"]["forest"]["cached"] is True


def _one_network(epochs: int):
    """Task 5 alone on the synthetic data: one small network, one seed."""
    from fmstudy.study.config import StudyConfig

    net = {**SMALL.to_dict(), "epochs": epochs}
    return StudyConfig(
        classes=(4, 5, 6, 7), dataset="synth", tasks=("1", "5"), networks=(net,), network_seeds=1
    )


@pytest.fixture(scope="module")
def trained(tmp_path_factory, forest_run):
    """One small network trained once into its own data dir's cache (the synthetic data
    set ``forest_run`` registered): (config, data dir, result)."""
    from fmstudy.api import run_study

    data_dir = tmp_path_factory.mktemp("trained") / "data"
    shutil.copytree(forest_run / "synth", data_dir / "synth")
    cfg = _one_network(epochs=2)
    return cfg, data_dir, run_study(cfg, data_dir=data_dir)


@pytest.mark.parametrize(
    "part", ["model.safetensors", "spec.json", "y_pred.npy", "proba.npy", "run.json"]
)
def test_a_damaged_network_is_retrained_and_never_copied(tmp_path, trained, part, caplog):
    from fmstudy.api import run_study

    cfg, sound, first = trained
    data_dir = shutil.copytree(sound, tmp_path / "data")  # this case's own sound cache
    (folder,) = (data_dir / "work").glob("network-*")
    _flip(folder / part, 30 if part == "run.json" else -3)
    with caplog.at_level("WARNING", logger="fmstudy"):
        again = run_study(cfg, data_dir=data_dir)
    assert again.timings["networks"]["custom"]["0"]["cached"] is False
    assert again.metrics.models == first.metrics.models
    out = again.save(tmp_path / "report")
    weights = (out / "models" / "custom" / "model.safetensors").read_bytes()
    assert weights == (folder / "model.safetensors").read_bytes()


def test_a_network_damaged_before_the_report_is_not_copied(tmp_path, synthetic):
    from fmstudy import FmstudyError
    from fmstudy.api import run_study

    _, data_dir = synthetic
    result = run_study(_one_network(epochs=1), data_dir=data_dir)
    (folder,) = (data_dir / "work").glob("network-*")
    _flip(folder / "model.safetensors")
    with pytest.raises(FmstudyError, match="changed while the report was written"):
        result.save(tmp_path / "report")
    assert not (tmp_path / "report").exists()
