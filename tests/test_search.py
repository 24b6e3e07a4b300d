"""search.py: the space, the objective, the best spec retrained and tested, the report
section, and the search inside ``fmstudy run``."""

from __future__ import annotations

import json

import optuna
import pytest
from conftest import Ticks, run_cli
from searchkit import settings, sqlite

from fmstudy import FmstudyError
from fmstudy.api import run_study
from fmstudy.cache.fits import FitCache
from fmstudy.nets.presets import resolve_arch
from fmstudy.nets.spec import NetSpec
from fmstudy.report import narrative
from fmstudy.search.results import best_spec
from fmstudy.search.run import run_search, suggest_spec
from fmstudy.study.config import StudyConfig, parse_tasks

optuna.logging.set_verbosity(optuna.logging.WARNING)


def test_space_gives_valid_specs_in_range():
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=1))
    s = settings()
    for _ in range(200):
        spec = suggest_spec(study.ask(), s)
        dense = [layer for layer in spec.layers if layer.kind == "dense"]
        assert 1 <= len(dense) <= 5
        assert all(32 <= d.width <= 2048 and 0 <= d.dropout <= 0.5 for d in dense)
        assert sum(layer.kind == "conv" for layer in spec.layers) <= 2
        assert spec.optimizer in ("sgd", "adam", "adamw")
        assert (spec.momentum == 0.9) == (spec.optimizer == "sgd")
        assert 32 <= spec.batch_size <= 512 and spec.scaling in ("standardize", "unit")
        assert NetSpec.from_dict(spec.to_dict()) == spec  # a spec JSON round-trips
    mlp = settings(conv=False)
    assert not any(suggest_spec(study.ask(), mlp).is_conv for _ in range(30))


def test_best_spec_is_retrained_on_all_rows_and_usable_with_nn(tmp_path, sub):
    url = sqlite(tmp_path)
    s = settings(trials=3)
    cache = FitCache(tmp_path / "work", sub.dataset.sha256, sub.classes)
    found = run_search(s, sub, url, threads=1, cache=cache)
    spec, number, val = best_spec(optuna.load_study(study_name=s.name, storage=url))
    assert found.outcome.best_trial == number and found.outcome.best_val_accuracy == val
    assert found.final.epochs_run == spec.epochs and found.final.history["val_loss"] == []
    assert len(found.final.y_pred) == len(sub.y_test)
    (tmp_path / "best.json").write_text(json.dumps(spec.to_dict()))
    assert resolve_arch(str(tmp_path / "best.json")) == spec
    again = run_search(s, sub, url, threads=1, cache=cache)  # cached fit
    assert (again.final.y_pred == found.final.y_pred).all() and again.final.folder is not None


def test_tasks_accept_search():
    assert parse_tasks("1-5,search") == ("1", "2", "3", "4", "5", "search")
    assert "search" not in StudyConfig(classes=(4, 5)).tasks  # only when asked for
    with pytest.raises(FmstudyError, match="search"):
        parse_tasks("1,serach")


def test_study_report_has_the_search_section(tmp_path, synthetic):
    _, data_dir = synthetic
    cfg = StudyConfig(classes=(0, 1, 2, 3), dataset="synth", profile="quick", tasks=("1", "search"))
    result = run_study(cfg, data_dir=data_dir, search_storage=sqlite(tmp_path))
    out = result.save(tmp_path / "report")
    html = (out / "index.html").read_text()
    assert "Architecture search (Optuna)" in html and "search best" in html
    for name in ("search_history", "search_curves"):
        assert (out / "figures" / f"{name}.png").stat().st_size > 1000
    trials = (out / "search_trials.csv").read_text().splitlines()
    assert len(trials) == 1 + 4  # the quick profile's 4 trials
    assert NetSpec.from_dict(json.loads((out / "best-spec.json").read_text())).epochs >= 1
    assert (out / "models" / "search-best" / "model.safetensors").is_file()
    assert result.metrics.models["search-best"].accuracy == result.metrics.search.test_accuracy


@pytest.mark.slow
def test_run_with_search_task_keeps_the_study_beside_the_report(tmp_path):
    out = tmp_path / "study"
    p = run_cli(
        *("run", "--classes", "4-7", "--profile", "quick", "--tasks", "1,3,search"),
        *("--out", out),
    )
    assert p.returncode == 0, p.stderr
    assert (tmp_path / "study.search.db").is_file()  # outside the replaced folder
    html = (out / "index.html").read_text()
    assert "Architecture search (Optuna)" in html
    metrics = json.loads((out / "metrics.json").read_text())
    assert (
        metrics["search"]["trials"].get("complete", 0)
        + metrics["search"]["trials"].get("pruned", 0)
        == 4
    )
    pair = {(p["a"], p["b"]) for p in metrics["comparison"]["pairs"]}
    assert any("search-best" in ab for ab in pair)  # joins the model comparison


def test_the_deadline_stops_the_running_trial_and_skips_the_refit(tmp_path, sub):
    """--timeout bounds the whole search: read 1 (start), 2-3 (trial 0's epochs), 4 (start
    trial 1), 5 (trial 1's first epoch: past the deadline at 4.5)."""
    from fmstudy.search.workers import Deadline

    s = settings(trials=5, timeout=4.5)
    found = run_search(
        s, sub, sqlite(tmp_path), threads=1, deadline=Deadline(at=4.5, clock=Ticks())
    )
    o = found.outcome
    assert o.trials == {"complete": 1, "fail": 1} and o.stopped_at_deadline == 1
    assert found.final is None and o.test_accuracy is None  # no time left to retrain
    text = narrative.search_conclusion(o)
    assert "retraining on all training rows was skipped" in text
    assert "not repeatable trial for trial: it holds 1 finished trial" in text
    assert "--trials 1 without --timeout repeats it" in text


def test_a_search_with_time_left_retrains_and_says_how_to_repeat_it(tmp_path, sub):
    from fmstudy.search.workers import Deadline

    s = settings(trials=2, timeout=1000.0)
    found = run_search(s, sub, sqlite(tmp_path), threads=1, deadline=Deadline.after(1000.0))
    assert found.final is not None and found.outcome.test_accuracy is not None
    assert "--trials 2 without --timeout" in narrative.search_conclusion(found.outcome)
    assert "search_importances" not in found.figures  # 2 trials say nothing about importance


def test_the_importance_figure_is_the_fanova_its_title_names(monkeypatch):
    """optuna 5 ranks parameters by PED-ANOVA unless told; the figure says fANOVA, so it
    asks for fANOVA (seeded: the same figure on a rerun)."""
    import matplotlib.pyplot as plt
    import optuna
    from optuna.importance import FanovaImportanceEvaluator
    from optuna.visualization import matplotlib as ovm

    from fmstudy.search.results import MIN_IMPORTANCE_TRIALS, figures

    dist = {
        "lr": optuna.distributions.FloatDistribution(1e-4, 1e-1, log=True),
        "width": optuna.distributions.IntDistribution(8, 64),
    }
    study = optuna.create_study(direction="maximize")
    for i in range(MIN_IMPORTANCE_TRIALS):
        params = {"lr": 10.0 ** -(1 + i % 3), "width": 8 + 5 * i}
        study.add_trial(
            optuna.trial.create_trial(
                params=params,
                distributions=dist,
                value=0.5 + 0.04 * (i % 3) + 0.001 * i,
                intermediate_values={0: 0.4},
            )
        )
    used, real = [], ovm.plot_param_importances
    monkeypatch.setattr(
        ovm, "plot_param_importances", lambda s, **kw: used.append(kw["evaluator"]) or real(s, **kw)
    )
    out = figures(study)
    assert [type(e) for e in used] == [FanovaImportanceEvaluator]
    assert "fANOVA" in out["search_importances"].axes[0].get_title()
    for fig in out.values():
        plt.close(fig)
