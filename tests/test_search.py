"""Architecture search: the space, exact trial totals, resuming, reproducibility, workers
sharing one study (SQLite here, a real PostgreSQL below), faults and the report."""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import signal
import subprocess
import sys
import time

import optuna
import pytest

from fmstudy import FmstudyError
from fmstudy.config import StudyConfig, parse_tasks
from fmstudy.neural import NetSpec, resolve_arch
from fmstudy.search import (
    Objective,
    SearchSettings,
    best_spec,
    join_study,
    open_storage,
    run_search,
    run_worker,
    suggest_spec,
    trials_frame,
)
from fmstudy.study import run_study
from fmstudy.subsets import select_classes

optuna.logging.set_verbosity(optuna.logging.WARNING)


@pytest.fixture
def sub(synthetic):
    from fmstudy.data import load_dataset

    spec, data_dir = synthetic
    return select_classes(load_dataset("synth", data_dir), (0, 1, 2, 3))


def settings(**kw) -> SearchSettings:
    base = {"classes": (0, 1, 2, 3), "dataset": "synth", "trials": 3, "max_epochs": 2}
    return SearchSettings(**{**base, **kw})


def sqlite(tmp_path, name="search.db") -> str:
    return f"sqlite:///{tmp_path / name}"


def one_worker(url, s, sub, on_epoch=None):
    study, worker = join_study(open_storage(url), url, s)
    run_worker(study, url, Objective(sub, s, threads=1, on_epoch=on_epoch), s, worker)
    return study


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


def test_trials_total_is_exact_and_a_rerun_continues(tmp_path, sub):
    url = sqlite(tmp_path)
    study = one_worker(url, settings(trials=3), sub)
    assert len(study.trials) == 3
    one_worker(url, settings(trials=3), sub)  # already complete: nothing new
    assert len(optuna.load_study(study_name=settings().name, storage=url).trials) == 3
    study = one_worker(url, settings(trials=5), sub)  # continues, does not start over
    numbers = [t.number for t in study.trials]
    assert numbers == [0, 1, 2, 3, 4]
    assert all(t.state.name in ("COMPLETE", "PRUNED") for t in study.trials)
    frame = trials_frame(study)
    assert list(frame["worker"]) == [0, 0, 0, 2, 2]  # worker 1 found nothing left to do
    assert frame["layers"].str.len().min() > 0


def test_same_seed_same_trials_and_workers_differ(tmp_path, sub):
    a = one_worker(sqlite(tmp_path, "a.db"), settings(), sub)
    b = one_worker(sqlite(tmp_path, "b.db"), settings(), sub)
    assert [t.params for t in a.trials] == [t.params for t in b.trials]
    assert [t.value for t in a.trials] == [t.value for t in b.trials]
    url = sqlite(tmp_path, "b.db")
    c = one_worker(url, settings(trials=6), sub)  # a second worker: its own sampler seed
    first, second = c.trials[:3], c.trials[3:]
    assert not {json.dumps(t.params, sort_keys=True) for t in first} & {
        json.dumps(t.params, sort_keys=True) for t in second
    }


def test_interrupt_keeps_finished_trials_and_rerun_resumes(tmp_path, sub):
    url = sqlite(tmp_path)
    calls = []

    def interrupt(number, epoch, hist):
        calls.append(number)
        if number == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        one_worker(url, settings(trials=4), sub, on_epoch=interrupt)
    study = optuna.load_study(study_name=settings().name, storage=url)
    states = [t.state.name for t in study.trials]
    assert states[:2] in (["COMPLETE", "COMPLETE"], ["COMPLETE", "PRUNED"]) and states[2] == "FAIL"
    one_worker(url, settings(trials=4), sub)
    study = optuna.load_study(study_name=settings().name, storage=url)
    counted = [t for t in study.trials if t.state.name in ("COMPLETE", "PRUNED")]
    assert len(counted) == 4 and len(study.trials) == 5  # the failed one is replaced


def test_other_settings_on_the_same_study_are_refused(tmp_path, sub):
    url = sqlite(tmp_path)
    one_worker(url, settings(trials=1), sub)
    with pytest.raises(FmstudyError, match="other settings.*max_epochs"):
        join_study(open_storage(url), url, settings(trials=1, max_epochs=3))


def test_a_study_from_another_trainer_version_is_refused(tmp_path, sub):
    """Trials of an older training (say, before flips moved to pixel space) must not be mixed
    with new ones: a study records the trainer version and a mismatch names it."""
    url = sqlite(tmp_path)
    study, _ = join_study(open_storage(url), url, settings(trials=1))
    old = {k: v for k, v in study.user_attrs["settings"].items() if k != "trainer"}
    study.set_user_attr("settings", old)
    with pytest.raises(FmstudyError, match="another version of fmstudy's training"):
        join_study(open_storage(url), url, settings(trials=1))


@pytest.mark.parametrize(
    "url, message",
    [
        ("nonsense", "bad --storage URL"),
        ("redis://localhost/0", "not a supported database"),
        ("sqlite:///no/such/folder/x.db", "does not exist"),
        ("postgresql://127.0.0.1:1/db", "cannot open the search database"),
    ],
)
def test_bad_storage_is_one_clear_error(url, message):
    with pytest.raises(FmstudyError, match=message):
        open_storage(url)


def test_best_spec_is_retrained_on_all_rows_and_usable_with_nn(tmp_path, sub):
    url = sqlite(tmp_path)
    s = settings(trials=3)
    found = run_search(s, sub, url, threads=1, final_cache=tmp_path / "work")
    spec, number, val = best_spec(optuna.load_study(study_name=s.name, storage=url))
    assert found.summary["best_trial"] == number and found.summary["best_val_accuracy"] == val
    assert found.final.epochs_run == spec.epochs and found.final.history["val_loss"] == []
    assert len(found.final.y_pred) == len(sub.y_test)
    (tmp_path / "best.json").write_text(json.dumps(spec.to_dict()))
    assert resolve_arch(str(tmp_path / "best.json")) == spec
    again = run_search(s, sub, url, threads=1, final_cache=tmp_path / "work")  # cached fit
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
    assert (
        result.metrics["models"]["search-best"]["accuracy"]
        == result.metrics["search"]["test_accuracy"]
    )


# --- the real thing: processes, PostgreSQL, Ctrl-C, on Fashion-MNIST classes 4-7 ---------


def _cli(*args, **kw):
    return subprocess.Popen(
        [sys.executable, "-m", "fmstudy", "search", "--classes", "4-7", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kw,
    )


def _default_sigint():
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _best_seen(url, name, queue):
    queue.put(optuna.load_study(study_name=name, storage=url).best_trial.number)


@pytest.mark.slow
def test_several_workers_share_one_postgres_study(postgres_url, tmp_path):
    name = "ci-workers"
    p = _cli(
        *("--storage", postgres_url, "--study-name", name, "--trials", "9", "--jobs", "3"),
        *("--max-epochs", "1", "--mlp-only", "--out", str(tmp_path / "a")),
    )
    out, err = p.communicate(timeout=600)
    assert p.returncode == 0, err
    study = optuna.load_study(study_name=name, storage=postgres_url)
    trials = study.get_trials(deepcopy=False)
    assert sorted(t.number for t in trials) == list(range(9))  # none lost, none twice
    assert all(t.state.name in ("COMPLETE", "PRUNED") for t in trials)
    assert {t.user_attrs["worker"] for t in trials} == {1, 2, 3}  # three workers took part
    assert len({json.dumps(t.params, sort_keys=True) for t in trials}) == 9
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    procs = [ctx.Process(target=_best_seen, args=(postgres_url, name, queue)) for _ in range(3)]
    for proc in procs:
        proc.start()
    seen = {queue.get(timeout=60) for _ in procs}
    assert seen == {study.best_trial.number}
    assert f"Best trial {study.best_trial.number} " in out.replace("\n", " ")
    # a second command on the same study adds nothing: the total is the study's
    p = _cli(
        *("--storage", postgres_url, "--study-name", name, "--trials", "9"),
        *("--max-epochs", "1", "--mlp-only", "--out", str(tmp_path / "b")),
    )
    p.communicate(timeout=300)
    assert len(optuna.load_study(study_name=name, storage=postgres_url).trials) == 9


@pytest.mark.slow
def test_ctrl_c_exits_130_keeps_trials_and_the_rerun_resumes(tmp_path):
    args = ("--trials", "6", "--max-epochs", "3", "--mlp-only", "--out", str(tmp_path / "s"))
    url = f"sqlite:///{tmp_path / 's' / 'search.db'}"
    name = "fashion-mnist-4-5-6-7"
    # a shell's background job inherits SIGINT ignored, and Python keeps it so: restore it
    p = _cli(*args, start_new_session=True, preexec_fn=_default_sigint)
    deadline = time.time() + 300
    while time.time() < deadline:
        time.sleep(0.2)
        try:
            done = optuna.load_study(study_name=name, storage=url).get_trials(deepcopy=False)
        except Exception:  # the study is not created yet
            continue
        if sum(t.state.name in ("COMPLETE", "PRUNED") for t in done) >= 1:
            break
    os.killpg(p.pid, signal.SIGINT)
    _, err = p.communicate(timeout=120)
    assert p.returncode == 130, f"finished before Ctrl-C? {err}"
    assert err.strip().splitlines()[-1] == "fmstudy: error: interrupted"
    assert not (tmp_path / "s" / "report").exists()  # no half-written report
    kept = optuna.load_study(study_name=name, storage=url).get_trials(deepcopy=False)
    finished = [t.number for t in kept if t.state.name in ("COMPLETE", "PRUNED")]
    assert finished
    p = _cli(*args)
    out, err = p.communicate(timeout=600)
    assert p.returncode == 0, err
    after = optuna.load_study(study_name=name, storage=url).get_trials(deepcopy=False)
    assert sum(t.state.name in ("COMPLETE", "PRUNED") for t in after) == 6
    assert [t.number for t in after if t.number in finished] == finished  # kept, not redone
    assert (tmp_path / "s" / "report" / "index.html").is_file()


def test_cli_bad_storage_is_one_line_exit_2(tmp_path):
    for url in ("nonsense://", "postgresql://127.0.0.1:1/db"):
        p = _cli("--storage", url, "--out", str(tmp_path / "x"), "--trials", "1")
        _, err = p.communicate(timeout=120)
        assert p.returncode == 2
        assert len(err.strip().splitlines()) == 1 and err.startswith("fmstudy: error:")
    assert not (tmp_path / "x" / "report").exists()


def test_a_dead_workers_trial_stops_counting(tmp_path, sub):
    from fmstudy.search import STALE_AFTER, counted_trials

    url = sqlite(tmp_path)
    study, _ = join_study(open_storage(url), url, settings())
    alive, dead = study.ask(), study.ask()
    alive.set_user_attr("alive_at", time.time())
    dead.set_user_attr("alive_at", time.time() - STALE_AFTER - 1)  # killed: no epoch since
    assert counted_trials(study) == 1
    states = {t.number: t.state.name for t in study.get_trials(deepcopy=False)}
    assert states == {alive.number: "RUNNING", dead.number: "FAIL"}


@pytest.mark.slow
def test_run_with_search_task_keeps_the_study_beside_the_report(tmp_path):
    out = tmp_path / "study"
    p = subprocess.run(
        [sys.executable, "-m", "fmstudy", "run", "--classes", "4-7", "--profile", "quick"]
        + ["--tasks", "1,3,search", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=600,
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
