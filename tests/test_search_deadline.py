"""search --timeout always gives an answer, in time: the best epoch of an unfinished trial
when none is complete, a trial stopped inside its epoch, the whole run within T + 10 %."""

from __future__ import annotations

import io
import json
import time
from contextlib import redirect_stdout

import optuna
import pytest
import torch
from conftest import Ticks
from searchkit import settings, sqlite

from fmstudy import FmstudyError
from fmstudy.api import run_study
from fmstudy.cli.console import print_search
from fmstudy.report import narrative
from fmstudy.search import stopping
from fmstudy.search.results import best_spec, best_trial
from fmstudy.search.run import run_search, search_deadline, trials_budget
from fmstudy.search.stopping import DeadlineStop
from fmstudy.search.workers import Deadline, DeadlineReached, has_answer
from fmstudy.study.config import StudyConfig

optuna.logging.set_verbosity(optuna.logging.WARNING)

SPEC = {"layers": [{"kind": "dense", "width": 8, "dropout": 0.0}], "epochs": 5}


def _trial(study, values: list[float], state: str):
    t = study.ask()
    t.set_user_attr("spec", SPEC)
    for epoch, v in enumerate(values, 1):
        t.report(v, epoch)
    study.tell(t, state=optuna.trial.TrialState[state])
    return t.number


def test_without_a_complete_trial_the_best_epoch_of_any_trial_is_the_answer():
    study = optuna.create_study(direction="maximize")
    assert not has_answer(study)
    with pytest.raises(FmstudyError, match="no trial with a finished epoch yet"):
        best_trial(study)
    _trial(study, [], "FAIL")  # stopped before its first epoch: nothing to report
    assert not has_answer(study)
    _trial(study, [0.5, 0.7], "PRUNED")
    n = _trial(study, [0.6, 0.8, 0.8, 0.75], "FAIL")  # stopped at the deadline
    assert has_answer(study)
    trial, epoch, value, state = best_trial(study)
    assert (trial.number, epoch, value, state) == (n, 2, 0.8, "unfinished")  # first best epoch
    spec, number, val = best_spec(study)
    assert (spec.epochs, number, val) == (2, n, 0.8)
    done = study.ask()  # one complete trial, even a worse one, is the answer from then on
    done.set_user_attr("spec", SPEC)
    done.set_user_attr("best_epoch", 1)
    study.tell(done, 0.55)
    assert best_trial(study)[1:] == (1, 0.55, "complete")


def test_a_pruned_trial_is_labelled_pruned():
    study = optuna.create_study(direction="maximize")
    _trial(study, [0.5, 0.9], "PRUNED")
    _trial(study, [0.6], "FAIL")
    assert best_trial(study)[1:] == (2, 0.9, "pruned")


def test_a_deadline_shorter_than_one_trial_still_gives_a_labelled_answer(tmp_path, sub):
    """Read 1: start trial 0; 2: its epoch 1; 3: its epoch 2, past the deadline at 2.5."""
    s = settings(trials=3, max_epochs=6, pruner="none", timeout=2.5)
    found = run_search(s, sub, sqlite(tmp_path), threads=1, deadline=Deadline(2.5, Ticks()))
    o = found.outcome
    assert o.trials == {"fail": 1} and o.stopped_at_deadline == 1
    assert o.best_trial_state == "unfinished" and o.best_trial == 0
    assert 1 <= o.best_spec["epochs"] <= 2 and 0 <= o.best_val_accuracy <= 1
    assert found.final is None and o.test_accuracy is None  # no time left to retrain
    text = narrative.search_conclusion(o)
    assert f"unfinished trial, best epoch {o.best_spec['epochs']}" in text
    assert "no trial finished" in text and "--trials 0" not in text


def test_the_deadline_stops_a_trial_inside_its_epoch_once_there_is_an_answer(monkeypatch):
    monkeypatch.setattr(stopping, "CHECK_EVERY", 0.0)
    model, x = torch.nn.Linear(3, 2), torch.zeros(1, 3)
    stop = DeadlineStop(Deadline(at=0.0), optuna.create_study())
    with stop.inside_epochs():
        model(x)  # past the deadline, but no epoch anywhere yet: the first one goes on
        stop.answered = True
        with pytest.raises(DeadlineReached):
            model(x)
    model(x)  # the hook is gone with the block
    with DeadlineStop(Deadline(at=None), None).inside_epochs():
        model(x)  # no deadline, no hook


def test_the_trials_leave_a_reserve_for_the_report():
    assert trials_budget(None) is None
    assert trials_budget(3.0) == 1.5 and trials_budget(60.0) == 54.0
    assert trials_budget(200.0) == 185.0 and trials_budget(1000.0) == 985.0


def test_a_tiny_search_with_a_tiny_timeout_ends_in_time_with_an_answer(tmp_path, sub):
    """T = 3 s, trials far longer than that: once the imports are warm (a first search:
    the process start), the search ends within T + 10 % and 1 s (the storage's creation)."""
    timeout = 3.0
    s = settings(trials=50, timeout=timeout, max_epochs=10_000, pruner="none")

    def search(name: str):
        started = time.time()
        found = run_search(
            s, sub, sqlite(tmp_path, name), threads=1, deadline=search_deadline(timeout, started)
        )
        return found.outcome, time.time() - started

    cold, _ = search("cold.db")
    assert cold.best_trial_state == "unfinished" and cold.trials.get("complete", 0) == 0
    warm, wall = search("warm.db")
    assert warm.best_trial_state == "unfinished" and warm.test_accuracy is None
    assert wall <= timeout * 1.1 + 1.0, wall


def test_the_report_labels_the_unfinished_trial(tmp_path, synthetic):
    """``fmstudy search``'s study (tasks 1 and search) with its deadline due at once: the
    first epoch is the answer, labelled in metrics.json and on the page."""
    _, data_dir = synthetic
    budget = {"trials": 5, "timeout": 1.0, "max_epochs": 10_000, "pruner": "none"}
    cfg = StudyConfig(classes=(0, 1, 2, 3), dataset="synth", tasks=("1", "search"), search=budget)
    result = run_study(
        cfg,
        data_dir=data_dir,
        search_storage=sqlite(tmp_path),
        search_deadline=Deadline(at=time.time()),
    )
    out = result.save(tmp_path / "report")
    search = json.loads((out / "metrics.json").read_text())["search"]
    assert search["best_trial_state"] == "unfinished" and search["test_accuracy"] is None
    assert search["best_spec"]["epochs"] == 1 and search["trials"] == {"fail": 1}
    assert "search-best" not in result.metrics.models  # not retrained, not tested
    html = (out / "index.html").read_text()
    assert "unfinished trial, best epoch 1" in html and "no trial finished" in html
    console = io.StringIO()
    with redirect_stdout(console):
        print_search(result, tmp_path, "sqlite:///x.db")
    printed = " ".join(console.getvalue().split())  # Rich wraps at its width
    assert "; unfinished trial, best epoch 1): validation" in printed
