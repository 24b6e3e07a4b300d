"""search_workers.py: exact trial totals under the lock, resuming, sampler seeds per
worker, refusals, storage errors, dead workers, and several workers sharing one study
(SQLite here, a real PostgreSQL below), Ctrl-C."""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import signal
import time

import optuna
import pytest
from searchkit import one_worker, search_cli, settings, sqlite

from fmstudy import FmstudyError
from fmstudy.cli.main import main
from fmstudy.search.results import trials_frame
from fmstudy.search.workers import (
    STALE_AFTER,
    counted_trials,
    join_study,
    open_storage,
    search_storage_url,
)

optuna.logging.set_verbosity(optuna.logging.WARNING)


def _default_sigint():
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _best_seen(url, name, queue):
    queue.put(optuna.load_study(study_name=name, storage=url).best_trial.number)


def test_storage_url_defaults_to_the_named_sqlite_file(tmp_path):
    db = tmp_path / "deep" / "search.db"
    assert search_storage_url(None, db) == f"sqlite:///{db.resolve()}"
    assert db.parent.is_dir()  # made, so SQLite can create the file
    given = sqlite(tmp_path, "other.db")
    assert search_storage_url(given, db) == given
    with pytest.raises(FmstudyError, match="bad --storage URL"):
        search_storage_url("nonsense", db)


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


def test_a_schema_created_at_the_same_moment_elsewhere_is_tried_again(tmp_path, monkeypatch):
    from sqlalchemy.exc import IntegrityError

    real, calls = optuna.storages.RDBStorage, []

    def racing(url, **kwargs):  # another process inserts the schema's version row first
        calls.append(url)
        if len(calls) == 1:
            raise IntegrityError("INSERT", {}, Exception("UNIQUE constraint failed"))
        return real(url, **kwargs)

    monkeypatch.setattr(optuna.storages, "RDBStorage", racing)
    assert open_storage(f"sqlite:///{tmp_path / 'a.db'}") is not None and len(calls) == 2

    def always(url, **kwargs):
        calls.append(url)
        raise IntegrityError("INSERT", {}, Exception("UNIQUE constraint failed"))

    calls.clear()
    monkeypatch.setattr(optuna.storages, "RDBStorage", always)
    with pytest.raises(FmstudyError, match="cannot open the search database .* UNIQUE"):
        open_storage(f"sqlite:///{tmp_path / 'b.db'}", attempts=2)
    assert len(calls) == 2


@pytest.mark.slow
def test_several_workers_share_one_postgres_study(postgres_url, tmp_path):
    name = "ci-workers"
    p = search_cli(
        *("--storage", postgres_url, "--study-name", name, "--trials", "9", "--workers", "3"),
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
    p = search_cli(
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
    p = search_cli(*args, start_new_session=True, preexec_fn=_default_sigint)
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
    p = search_cli(*args)
    out, err = p.communicate(timeout=600)
    assert p.returncode == 0, err
    after = optuna.load_study(study_name=name, storage=url).get_trials(deepcopy=False)
    assert sum(t.state.name in ("COMPLETE", "PRUNED") for t in after) == 6
    assert [t.number for t in after if t.number in finished] == finished  # kept, not redone
    assert (tmp_path / "s" / "report" / "index.html").is_file()


def test_cli_bad_storage_is_one_line_exit_2(tmp_path, synthetic, capsys):
    data = ["--dataset", "synth", "--classes", "0-3", "--data-dir", str(synthetic[1])]
    for url in ("nonsense://", "postgresql://127.0.0.1:1/db"):
        argv = ["search", *data, "--storage", url, "--out", str(tmp_path / "x")]
        assert main([*argv, "--trials", "1"]) == 2
        err = capsys.readouterr().err
        assert len(err.strip().splitlines()) == 1 and err.startswith("fmstudy: error:")
    assert not (tmp_path / "x" / "report").exists()


def test_a_silent_trial_without_a_lease_stops_counting_after_a_while(tmp_path, sub):
    url = sqlite(tmp_path)
    study, _ = join_study(open_storage(url), url, settings())
    alive, dead = study.ask(), study.ask()
    alive.set_user_attr("alive_at", time.time())
    dead.set_user_attr("alive_at", time.time() - STALE_AFTER - 1)  # killed: no epoch since
    assert counted_trials(study, url) == 1
    states = {t.number: t.state.name for t in study.get_trials(deepcopy=False)}
    assert states == {alive.number: "RUNNING", dead.number: "FAIL"}


LEASED_WORKER = """
import sys, time
from fmstudy.search.settings import SearchSettings
from fmstudy.search.locks import study_lock, worker_lease
from fmstudy.search.workers import join_study, open_storage
url = sys.argv[1]
s = SearchSettings(classes=(0, 1, 2, 3), dataset="synth", trials=3, max_epochs=2)
study, worker = join_study(open_storage(url), url, s)
with worker_lease(url, s.name, worker):
    with study_lock(url, s.name):
        trial = study.ask()
        trial.set_user_attr("worker", worker)
        trial.set_user_attr("alive_at", time.time())
    print("training", flush=True)
    time.sleep(120)
"""


def _leased_trial(url):
    import subprocess
    import sys

    p = subprocess.Popen(
        [sys.executable, "-c", LEASED_WORKER, url], stdout=subprocess.PIPE, text=True
    )
    assert p.stdout.readline().strip() == "training"
    return p


def _study(url):
    return optuna.load_study(study_name=settings().name, storage=url)


def test_a_killed_workers_trial_is_replaced_at_once(tmp_path):
    """kill -9 mid-trial: the worker's lease is free, so its trial stops counting now,
    not after STALE_AFTER seconds."""
    url = sqlite(tmp_path)
    p = _leased_trial(url)
    try:
        assert counted_trials(_study(url), url) == 1  # alive: it counts, and stays running
        assert [t.state.name for t in _study(url).trials] == ["RUNNING"]
    finally:
        p.kill()
        p.wait()
    assert counted_trials(_study(url), url) == 0
    assert [t.state.name for t in _study(url).trials] == ["FAIL"]


@pytest.mark.slow
def test_a_killed_workers_trial_is_replaced_at_once_in_postgres(postgres_url):
    p = _leased_trial(postgres_url)
    try:
        assert counted_trials(_study(postgres_url), postgres_url) == 1
    finally:
        p.kill()
        p.wait()
    assert counted_trials(_study(postgres_url), postgres_url) == 0
    assert [t.state.name for t in _study(postgres_url).trials] == ["FAIL"]


def test_a_database_of_another_optuna_schema_is_one_line(tmp_path):
    import sqlite3

    url = sqlite(tmp_path)
    open_storage(url)  # creates the tables
    with sqlite3.connect(tmp_path / "search.db") as db:
        db.execute("UPDATE alembic_version SET version_num = 'v1.3.0.a'")  # an older schema
    with pytest.raises(FmstudyError, match="cannot use the search database"):
        open_storage(url)
