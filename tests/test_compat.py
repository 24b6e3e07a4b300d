"""What fmstudy 0.1 wrote keeps working: its saved classical models (skops files that name
``fmstudy.classical`` functions), saved networks, config.json files and a notebook that
imports its internal modules.  The files are in tests/data/compat, written by 0.1 itself
(``make_fixtures.py`` there); the expected numbers are what 0.1 read back from them."""

from __future__ import annotations

import json
import shutil
import zipfile
from dataclasses import fields
from pathlib import Path

import nbformat
import numpy as np
import pytest

from fmstudy.cli.main import main
from fmstudy.models.predict import predict_images
from fmstudy.nets.spec import NetSpec
from fmstudy.report.write import read_config
from fmstudy.study.config import StudyConfig

COMPAT = Path(__file__).parent / "data" / "compat"
EXPECTED = json.loads((COMPAT / "expected.json").read_text())
MODELS = sorted(k for k in EXPECTED["models"] if k.startswith("models/"))
IMAGES = sorted((COMPAT / "images").glob("*.png"))


def test_the_fixtures_are_what_0_1_wrote():
    """Guards the test itself: 0.1's skops files name its flat module, which no longer
    exists as a file, and the notebook imports 0.1's internal modules."""
    with zipfile.ZipFile(COMPAT / "models" / "logreg_raw" / "model.skops") as z:
        schema = z.read("schema.json")
    assert b"fmstudy.classical" in schema and b"fmstudy.models" not in schema
    assert not (Path(__file__).parents[1] / "src" / "fmstudy" / "classical.py").exists()
    nb = nbformat.read(COMPAT / "notebook" / "lind-quick.ipynb", as_version=4)
    assert nb.metadata["fmstudy"]["version"] == "0.1.0"


@pytest.mark.parametrize("model", MODELS)
def test_a_saved_model_predicts_as_0_1_did(model):
    want = EXPECTED["models"][model]["predict"]
    got = predict_images(COMPAT / model, IMAGES)
    assert [p.label for p in got] == [w["label"] for w in want]
    assert [p.class_name for p in got] == [w["class_name"] for w in want]
    np.testing.assert_allclose(
        [p.probability for p in got], [w["probability"] for w in want], rtol=1e-5
    )


def test_a_model_on_ones_own_data_evaluates_as_0_1_did(tmp_path, capsys):
    own = shutil.copytree(COMPAT / "own", tmp_path / "own")
    args = ["evaluate", str(own / "logreg_raw"), "--dataset", str(own / "digits-0-2.csv")]
    assert main([*args, "--json", "--data-dir", str(tmp_path / "data")]) == 0
    got = json.loads(capsys.readouterr().out)
    assert got["accuracy"] == 1.0
    assert got["confusion"] == [[8, 0, 0], [0, 8, 0], [0, 0, 8]]


@pytest.mark.parametrize("name", sorted(EXPECTED["configs"]))
def test_a_config_json_reads_back_to_the_same_settings(name, tmp_path):
    saved = json.loads((COMPAT / name).read_text())
    data = saved["config"]
    if name.endswith("own-csv-quick.json"):  # its data set is a path: here, not where made
        data = {**data, "dataset": str(COMPAT / "own" / "digits-0-2.csv")}
    file = tmp_path / "config.json"
    file.write_text(json.dumps({**saved, "config": data}))
    cfg = read_config(file)
    now = json.loads(json.dumps(cfg.to_dict()))
    if data.get("networks"):  # spec fields added since read back as their defaults
        added = {f.name: f.default for f in fields(NetSpec)}
        for spec, old in zip(now["networks"], data["networks"], strict=True):
            assert {k: v for k, v in spec.items() if k not in old} == {
                k: added[k] for k in spec if k not in old
            }
        now["networks"] = [
            {k: v for k, v in spec.items() if k in old}
            for spec, old in zip(now["networks"], data["networks"], strict=True)
        ]
    assert {k: v for k, v in now.items() if k in data} == data
    # fields added since the file was written read back as their defaults
    defaults = {f.name: f.default for f in fields(StudyConfig)}
    assert {k: v for k, v in now.items() if k not in data} == {
        k: defaults[k] for k in now if k not in data
    }
    want = EXPECTED["configs"][name]
    assert list(cfg.classes) == want["classes"] and cfg.profile == want["profile"]
    assert [n["name"] for n in cfg.networks] == want["networks"]


@pytest.mark.parametrize("model", MODELS)
def test_a_saved_model_evaluates_as_0_1_did(model, real_data_dir, capsys):
    want = EXPECTED["models"][model]
    assert main(["evaluate", str(COMPAT / model), "--json", "--data-dir", str(real_data_dir)]) == 0
    got = json.loads(capsys.readouterr().out)
    assert got["accuracy"] == want["accuracy"]
    assert got["confusion"] == want["confusion"]


def test_a_notebook_0_1_wrote_still_runs(tmp_path, real_data_dir, notebook_kernel):
    """Its cells import 0.1's module names and call the study's functions; it runs to the
    end and finds the quick study's numbers (the golden quick-4-7 report's)."""
    from fmstudy.course.notebook import execute

    nb = nbformat.read(COMPAT / "notebook" / "lind-quick.ipynb", as_version=4)
    execute(nb, tmp_path, data_dir=real_data_dir)
    text = json.dumps([c.get("outputs", []) for c in nb.cells if c.cell_type == "code"])
    assert "Error" not in text and "Traceback" not in text
    for accuracy in ("0.9180", "0.9015"):  # the forest, the raw logistic regression
        assert accuracy in text


def test_a_new_notebook_imports_only_the_public_facade():
    """From now on generated notebooks import ``fmstudy.api`` only, so a later layout
    change cannot break them; every name they import is there."""
    import ast

    import fmstudy.api
    from fmstudy.course.notebook import build_notebook
    from fmstudy.study.config import study_config

    nb = build_notebook(study_config(surname="Lind", profile="quick"))
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    imports = [n for n in ast.walk(ast.parse(code)) if isinstance(n, (ast.Import, ast.ImportFrom))]
    ours = [n for n in imports if "fmstudy" in ast.unparse(n)]
    assert ours and all(isinstance(n, ast.ImportFrom) and n.module == "fmstudy.api" for n in ours)
    for name in (a.name for n in ours for a in n.names):
        assert getattr(fmstudy.api, name) is not None
