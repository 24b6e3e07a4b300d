"""The fit cache tells damage from bugs: a damaged entry is a miss (one line, then the fit
is made again), an error in fmstudy's own reading code is raised, never taken for damage.
And a training's record has one serialiser, TrainRun.to_dict/from_dict, that the cache's
run.json and a saved network's spec.json both use."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace

import numpy as np
import pytest
from conftest import SMALL

from fmstudy.cache import fits
from fmstudy.cache.fits import FitCache
from fmstudy.models.classical import FitResult
from fmstudy.nets.saved import read_meta
from fmstudy.nets.train_run import MEASURED, RECORD, TrainRun
from fmstudy.nets.training import train

SHA = {"train-images": "a" * 64}
CLASSES = (4, 5, 6, 7)


@pytest.fixture(scope="module")
def run(data):
    """One tiny training, as a study's subset marks it."""
    made = train(replace(SMALL, epochs=1), *data, CLASSES, seed=1, threads=1)
    made.class_names = ["coat", "sandal", "shirt", "sneaker"]
    made.tested_on = {"n_test": len(data[3]), "test_sha256": "b" * 64}
    return made


@pytest.fixture
def kept(tmp_path, run, data):
    """``run`` kept in a fresh cache: (cache, key)."""
    cache = FitCache(tmp_path, SHA, CLASSES, n_test=len(data[3]))
    key = cache.key("network", SMALL.to_dict(), 1)
    cache.keep_training(key, replace(run))
    return cache, key


@pytest.fixture
def kept_fit(tmp_path):
    cache = FitCache(tmp_path, SHA, (4, 5), n_test=3)
    proba = np.array([[0.9, 0.1], [0.2, 0.8], [0.4, 0.6]])
    fit = FitResult("forest", "Random forest", np.array([4, 5, 5]), 1.5, 0.1, {"n": 3}, proba)
    key = cache.key("forest", {})
    cache.keep_fit(key, fit)
    return cache, key


def _reseal(path, change) -> None:
    """Rewrite a sealed record after ``change(entry)``, with a valid seal."""
    entry = json.loads(path.read_text())["entry"]
    change(entry)
    body = json.dumps(entry, sort_keys=True).encode()
    seal = {"entry": entry, "sha256": hashlib.sha256(body).hexdigest()}
    path.write_text(json.dumps(seal))


# --- a bug is raised -----------------------------------------------------------------------


def test_a_bug_while_reading_a_training_is_raised_not_refitted(kept, monkeypatch):
    cache, key = kept

    def buggy(*args, **kwargs):
        raise TypeError("from_dict() got an unexpected keyword argument")

    monkeypatch.setattr(TrainRun, "from_dict", buggy)
    with pytest.raises(TypeError, match="unexpected keyword"):
        cache.load_training(key, SMALL)


@pytest.mark.parametrize("error", [KeyError("label"), TypeError("bad operand")])
def test_a_bug_while_reading_a_classical_fit_is_raised_not_refitted(kept_fit, monkeypatch, error):
    cache, key = kept_fit

    def buggy(*args, **kwargs):
        raise error

    monkeypatch.setattr(fits, "FitResult", buggy)
    with pytest.raises(type(error)):
        cache.load_fit(key)


def test_a_bug_in_a_check_is_raised_from_every_reader(kept, kept_fit, monkeypatch):
    def buggy(*args, **kwargs):
        raise KeyError("a bug")

    monkeypatch.setattr(fits, "check_rows", buggy)
    for cache, key, load in ((*kept, "load_training"), (*kept_fit, "load_fit")):
        args = (key, SMALL) if load == "load_training" else (key,)
        with pytest.raises(KeyError, match="a bug"):
            getattr(cache, load)(*args)


def test_a_bug_while_reading_a_record_is_raised(tmp_path, monkeypatch):
    cache = FitCache(tmp_path, SHA, (4, 5))
    key = cache.key("curve", {})
    cache.keep_record(key, {"accuracy": 0.9})
    monkeypatch.setattr(fits, "_sha", lambda data: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        cache.load_record(key)


# --- damage is a miss ----------------------------------------------------------------------

TRAINING_DAMAGE = {
    "a field missing": lambda entry: entry.pop("history"),
    "the file hashes missing": lambda entry: entry.pop("files"),
    "a file's hash missing": lambda entry: entry["files"].pop("proba.npy"),
    "the file hashes not an object": lambda entry: entry.update(files=["x"]),
}


@pytest.mark.parametrize("damage", TRAINING_DAMAGE)
def test_a_sealed_training_record_of_the_wrong_form_is_a_miss(kept, damage, caplog):
    cache, key = kept
    _reseal(cache.folder / key / "run.json", TRAINING_DAMAGE[damage])
    with caplog.at_level("WARNING", logger="fmstudy"):
        assert cache.load_training(key, SMALL) is None
    assert "is damaged" in caplog.text


RECORD_DAMAGE = {
    "not JSON": b"{not json",
    "a list": b"[1, 2]",
    "no entry": b'{"sha256": "00"}',
    "entry not an object": b'{"entry": 3, "sha256": "00"}',
    "checksum not text": b'{"entry": {}, "sha256": 5}',
    "nested too deep": b"[" * 100_000,
}


@pytest.mark.parametrize("raw", RECORD_DAMAGE.values(), ids=list(RECORD_DAMAGE))
def test_a_record_that_is_not_a_sealed_object_is_a_miss(kept, kept_fit, raw, caplog):
    cache, key = kept
    (cache.folder / key / "run.json").write_bytes(raw)
    fit_cache, fit_key = kept_fit
    (fit_cache.folder / f"{fit_key}.json").write_bytes(raw)
    with caplog.at_level("WARNING", logger="fmstudy"):
        assert cache.load_training(key, SMALL) is None
        assert fit_cache.load_fit(fit_key) is None
    assert caplog.text.count("is damaged") == 2


def test_a_classical_record_missing_a_field_is_a_miss(kept_fit, caplog):
    cache, key = kept_fit
    _reseal(cache.folder / f"{key}.json", lambda entry: entry.pop("model_bytes"))
    with caplog.at_level("WARNING", logger="fmstudy"):
        assert cache.load_fit(key) is None
    assert "lacks model_bytes" in caplog.text


# --- one serialiser ------------------------------------------------------------------------


def test_a_training_record_round_trips(run):
    data = json.loads(json.dumps(run.to_dict()))
    assert list(data) == list(RECORD)
    back = TrainRun.from_dict(data, run.spec, y_pred=run.y_pred, proba=run.proba)
    for name in RECORD:
        assert getattr(back, name) == getattr(run, name), name
    assert isinstance(back.classes, tuple) and isinstance(back.image_shape, tuple)


def test_run_json_and_spec_json_both_hold_the_record(kept, run):
    cache, key = kept
    folder = cache.folder / key
    entry = json.loads((folder / "run.json").read_text())["entry"]
    assert {k: entry[k] for k in RECORD} == json.loads(json.dumps(run.to_dict()))
    spec_json = json.loads((folder / "spec.json").read_text())
    assert not set(MEASURED) & set(spec_json)
    assert (spec_json["n_test"], spec_json["test_sha256"]) == (len(run.y_pred), "b" * 64)
    for name in set(RECORD) - set(MEASURED) - {"tested_on"}:
        assert spec_json[name] == entry[name], name
    meta = read_meta(folder)  # what a saved network's reader accepts
    assert meta["spec"] == run.spec and meta["class_names"] == run.class_names
    back = cache.load_training(key, SMALL)
    assert back.tested_on == run.tested_on and back.class_names == run.class_names
