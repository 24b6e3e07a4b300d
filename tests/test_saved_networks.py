"""saved_networks.py: safetensors beside spec.json, reloaded to the same predictions."""

import json

import numpy as np
import pytest
from conftest import SMALL

from fmstudy import FmstudyError
from fmstudy.nets.saved import load_model, predict, save_run
from fmstudy.nets.training import train


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
    with pytest.raises(FmstudyError, match="not a saved fmstudy model"):
        load_model(tmp_path)
    (tmp_path / "spec.json").write_text("{}")
    (tmp_path / "model.safetensors").write_bytes(b"\x80\x04 not safetensors")
    with pytest.raises(FmstudyError, match="does not describe a saved network"):
        load_model(tmp_path)
    meta = {"spec": SMALL.to_dict(), "classes": [4, 5, 6, 7], "dataset": "fashion-mnist"}
    (tmp_path / "spec.json").write_text(json.dumps(meta))
    with pytest.raises(FmstudyError, match="cannot read"):
        load_model(tmp_path / "spec.json")
    meta["classes"] = [4, -1]
    (tmp_path / "spec.json").write_text(json.dumps(meta))
    with pytest.raises(FmstudyError, match="class"):
        load_model(tmp_path)
