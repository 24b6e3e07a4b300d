"""``fmstudy notebook``: built from a config, run end to end on the real data, its numbers
the same as ``fmstudy run``'s; the exercise variant gives no answer away."""

import json
import re

import nbformat
import pytest
from conftest import run_cli

from fmstudy import FmstudyError
from fmstudy.course import notebook as nbmod
from fmstudy.study.config import study_config

QUICK = study_config(surname="Lind", profile="quick", seed=0)


def _code(nb):
    return [c.source for c in nb.cells if c.cell_type == "code"]


def _markdown(nb):
    return "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")


def test_the_config_is_written_out_in_the_code():
    nb = nbmod.build_notebook(QUICK)
    code = "\n".join(_code(nb))
    assert "CLASSES = (4, 5, 6, 7)" in code and "SEED = 0" in code
    assert "n_estimators=30" in code and "sample(X_train, y_train, 6000, seed)" in code
    assert "def make_notebook_1():" in code and "'epochs': 4" in code
    assert "NETWORK_SEEDS = [0, 1]" in code
    assert nb.metadata["fmstudy"]["config"] == json.loads(QUICK.to_json())
    assert "fmstudy notebook --surname Lind --dataset fashion-mnist --profile quick" in _markdown(
        nb
    )
    for source in _code(nb):
        compile(source, "cell", "exec")  # valid Python


def test_the_standard_profile_grows_its_forests_by_out_of_bag_accuracy():
    code = "\n".join(_code(nbmod.build_notebook(study_config(classes="4-7"))))
    assert "FOREST_SEEDS = [0, 1, 2]" in code
    assert "for trees in [50, 100, 200, 400]:" in code and "< 0.006" in code


def test_markdown_explains_in_the_chosen_language():
    sv = _markdown(nbmod.build_notebook(study_config(surname="Lind", profile="quick", lang="sv")))
    assert "## Uppgift 1: data" in sv and "Kappa, Sandal, Skjorta, Sneaker" in sv
    assert "The official split" not in sv and "Logistisk regression" in sv


def test_the_exercise_asks_and_prints_no_sentence():
    full, exercise = nbmod.build_notebook(QUICK), nbmod.build_notebook(QUICK, exercise=True)
    asked = _markdown(exercise)
    assert "is the difference real?" in asked and "how many epochs would you choose?" in asked
    code = _code(exercise)
    assert not any("say(" in c or "comparison_summary" in c for c in code[1:])
    given = [c for c in code if c != "# your code here"]
    assert set(given) <= set(_code(full)) | {code[0]}  # the study's cells, less its answers
    assert "filterwarnings" not in code[0]  # a convergence warning is the exercise's only hint
    assert "This notebook carries out the study" not in asked


def test_a_failing_cell_is_one_line_and_nothing_is_written(tmp_path, monkeypatch, notebook_kernel):
    broken = nbformat.v4.new_notebook()
    broken.cells = [nbformat.v4.new_code_cell("x = 1"), nbformat.v4.new_code_cell("1 / 0")]
    broken.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    monkeypatch.setattr(nbmod, "build_notebook", lambda cfg, exercise=False, solution=False: broken)
    out = tmp_path / "study.ipynb"
    with pytest.raises(FmstudyError, match=r"stopped in cell 2: ZeroDivisionError"):
        nbmod.write_notebook(QUICK, out)
    assert list(tmp_path.iterdir()) == []


def test_an_exercise_is_written_without_running(tmp_path):
    out = tmp_path / "tasks.ipynb"
    proc = run_cli(
        "notebook", "--surname", "Lind", "--profile", "quick", "--exercise", "--out", out
    )
    assert proc.returncode == 0, proc.stderr
    nb = nbformat.read(out, as_version=4)
    nbformat.validate(nb)
    assert all(
        not c.outputs and c.execution_count is None for c in nb.cells if c.cell_type == "code"
    )
    assert not re.search(r"0\.9\d{2}", out.read_text())  # no accuracy anywhere in the file


@pytest.mark.slow
def test_the_quick_notebook_runs_and_equals_the_quick_report(tmp_path, real_data_dir, quick_report):
    out = tmp_path / "study.ipynb"
    proc = run_cli(
        *("notebook", "--surname", "Lind", "--profile", "quick", "--seed", "0"),
        *("--out", out, "--data-dir", real_data_dir),
    )
    assert proc.returncode == 0, proc.stderr
    nb = nbformat.read(out, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.execution_count for c in code)
    assert not [o for c in code for o in c.outputs if o.output_type == "error"]
    printed = "".join(o.get("text", "") for c in code for o in c.outputs)
    images = sum("image/png" in o.get("data", {}) for c in code for o in c.outputs)
    # examples, PCA scatter, variance and components; per model its confusion matrix and
    # probabilities, per classical model its mistakes; learning curves, network curves and
    # the comparison
    assert images >= 20
    # The summary table's right answers per classical model are the report's, exactly: the
    # notebook makes the same fits (same rows, settings and seeds) with plain scikit-learn
    # code.  Its networks train in its own plain PyTorch loop (not fmstudy's trainer, whose
    # random streams differ), so they are listed but not equal to the report's.
    table = next(o for o in code[-2].outputs if o.output_type == "execute_result")
    right = dict(
        re.findall(r"^(\S+)\s.*?\s(\d{4})\s+4000\s", table["data"]["text/plain"], flags=re.M)
    )
    metrics = json.loads((quick_report[0] / "metrics.json").read_text())["models"]
    assert set(right) == set(metrics)
    for key, m in metrics.items():
        if not key.startswith("nn-"):
            assert int(right[key]) == round(m["accuracy"] * 4000), key
            assert f"{m['accuracy']:.4f}" in printed
    # No number the cells computed is baked into the markdown.
    numbers = set(re.findall(r"\d\.\d{4}", printed))
    assert numbers and not any(n in _markdown(nb) for n in numbers)
    assert "Kept 24,000 of 60,000 training rows (40.0 %)" in printed
