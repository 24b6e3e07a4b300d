"""Search workers: the study's storage, the lock between workers, the worker loop.

    url = search_storage_url(None, Path("out/search.db"))  # or postgresql://...
    storage = open_storage(url)
    study, worker = join_study(storage, url, settings)
    run_worker(study, url, objective, settings, worker)    # ask, train, tell until done

Any number of workers on any number of machines share one study through its
storage.  Each worker asks for a trial only while it holds the study's lock, so the
study's count of complete, pruned and running trials never passes ``trials``, and
holds a lease for its whole life, so a worker that died is known at once and its
running trial is failed and replaced (:mod:`fmstudy.search.locks`).
"""

from __future__ import annotations

import contextlib
import math
import os
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from fmstudy.errors import FmstudyError
from fmstudy.nets.spec import TRAINER_VERSION
from fmstudy.search.locks import connect_args, study_lock, worker_alive, worker_lease
from fmstudy.search.settings import SearchSettings

COUNTED = ("COMPLETE", "PRUNED", "RUNNING")  # FAIL (Ctrl-C) is retried; WAITING (enqueued) runs


def search_storage_url(storage: str | None, db_file: Path) -> str:
    """Where a search keeps its trials: ``storage`` if given (checked), else an SQLite
    database at ``db_file``, whose folder is made.  The one place a default is decided:
    callers name the file (``OUT/search.db`` for ``fmstudy search``, ``OUT.search.db``
    beside a ``fmstudy run`` report, ``DATA_DIR/work/search.db`` from Python)."""
    if storage is not None:
        return check_storage_url(storage)
    db_file = Path(db_file).resolve()
    db_file.parent.mkdir(parents=True, exist_ok=True)
    return check_storage_url(f"sqlite:///{db_file}")


def study_identity(settings: SearchSettings) -> dict:
    """The fields a study's trials depend on: every worker and rerun must agree on them."""
    return {
        "classes": list(settings.classes),
        "dataset": settings.dataset,
        "seed": settings.seed,
        "max_epochs": settings.max_epochs,
        "conv": settings.conv,
        "pruner": settings.pruner,
        "trainer": TRAINER_VERSION,
    }


@dataclass(frozen=True)
class Deadline:
    """When a time-bounded search ends, as wall-clock seconds (``time.time()``), shared by
    every local worker process; ``clock`` is injectable so tests need not wait."""

    at: float | None = None
    clock: Callable[[], float] = time.time

    @classmethod
    def after(cls, seconds: float | None, clock: Callable[[], float] = time.time) -> Deadline:
        return cls(None if seconds is None else clock() + seconds, clock)

    def passed(self) -> bool:
        return self.at is not None and self.clock() >= self.at

    def left(self) -> float:
        return math.inf if self.at is None else self.at - self.clock()


NO_DEADLINE = Deadline()


class DeadlineReached(Exception):
    """The search's --timeout came while a trial was training."""


def has_answer(study) -> bool:
    """Whether the study holds a validation accuracy to report: a complete trial, or any
    trial after one epoch (:func:`fmstudy.search.results.best_trial`)."""
    return any(
        t.state.name == "COMPLETE" or t.intermediate_values
        for t in study.get_trials(deepcopy=False)
    )


def default_threads(jobs: int) -> int:
    """PyTorch threads per worker when ``jobs`` workers split this machine's cores."""
    return max(1, (os.cpu_count() or 1) // jobs)


def check_storage_url(url: str) -> str:
    """One clear line for a URL that is not a database URL optuna can use."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except ArgumentError:
        raise FmstudyError(
            f"bad --storage URL {url!r}: write e.g. sqlite:///DIR/search.db or "
            "postgresql://USER:PASSWORD@HOST:5432/DB"
        ) from None
    backend = parsed.get_backend_name()
    if backend not in ("sqlite", "postgresql", "mysql"):
        raise FmstudyError(
            f"bad --storage URL {url!r}: {backend!r} is not a supported database "
            "(sqlite, postgresql, mysql)"
        )
    if backend == "sqlite":
        if not parsed.database or parsed.database == ":memory:":
            raise FmstudyError(f"bad --storage URL {url!r}: name a database file, sqlite:///PATH")
        folder = Path(parsed.database).resolve().parent
        if not folder.is_dir():
            raise FmstudyError(f"--storage {url}: folder {folder} does not exist")
    if backend == "postgresql" and not parsed.database:
        raise FmstudyError(f"bad --storage URL {url!r}: name the database, postgresql://HOST/DB")
    try:  # the driver, before anything is written (no connection is made here)
        parsed.get_dialect().import_dbapi()
    except ImportError as exc:
        raise FmstudyError(
            f"the database driver for {describe_storage(url)} is missing ({exc}); for "
            "PostgreSQL: pip install 'fmstudy[postgres]'"
        ) from None
    return url


def describe_storage(url: str) -> str:
    """The URL with its password hidden, for messages and the report."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def open_storage(url: str, attempts: int = 3):
    """Optuna's RDB storage for ``url``; an unreachable database is one clear line.  A new
    database whose tables another process (a worker, a reader) is creating at the same
    moment fails its schema's unique version row: that is tried again, ``attempts`` in all."""
    import optuna
    from sqlalchemy.exc import IntegrityError, SQLAlchemyError

    check_storage_url(url)
    kwargs = {"engine_kwargs": {"connect_args": connect_args(url), "pool_pre_ping": True}}
    try:
        for attempt in range(1, attempts + 1):
            try:
                return optuna.storages.RDBStorage(url, **kwargs)
            except IntegrityError:
                if attempt == attempts:
                    raise
                time.sleep(0.2 * attempt)  # the other process's schema is then complete
    except SQLAlchemyError as exc:
        first = str(getattr(exc, "orig", exc) or exc).strip().splitlines()[0]
        raise FmstudyError(
            f"cannot open the search database {describe_storage(url)}: {first}"
        ) from None
    except ImportError as exc:  # Optuna re-raises a missing driver as a plain ImportError
        raise FmstudyError(
            f"the database driver for {describe_storage(url)} is missing ({exc}); for "
            "PostgreSQL: pip install 'fmstudy[postgres]'"
        ) from None
    except RuntimeError as exc:  # a table schema from another Optuna version
        first = str(exc).strip().splitlines()[0]
        raise FmstudyError(
            f"cannot use the search database {describe_storage(url)}: {first}"
        ) from None


def _pruner(name: str, max_epochs: int):
    import optuna

    if name == "median":
        return optuna.pruners.MedianPruner(n_startup_trials=5, n_warmup_steps=2)
    if name == "hyperband":
        return optuna.pruners.HyperbandPruner(
            min_resource=1, max_resource=max_epochs, reduction_factor=3
        )
    return optuna.pruners.NopPruner()


STALE_AFTER = 20 * 60  # seconds without an epoch: the worker died (killed, machine lost)


def counted_trials(study, url: str) -> int:
    """Trials that count towards ``--trials``: complete, pruned and still running.

    A running trial whose worker's lease is free (the worker died: killed, machine
    lost) is failed here at once, through Optuna's public ``tell``, so a rerun starts a
    trial in its place.  Where a lease cannot be checked, a trial whose worker has not
    reported an epoch for ``STALE_AFTER`` seconds counts as dead.
    """
    from optuna.trial import TrialState

    states = tuple(TrialState[s] for s in COUNTED)
    trials = study.get_trials(deepcopy=False, states=states)
    now = time.time()

    def dead(t) -> bool:
        if t.state != TrialState.RUNNING:
            return False
        worker = t.user_attrs.get("worker")
        alive = None if worker is None else worker_alive(url, study.study_name, worker)
        if alive is not None:
            return not alive
        beat = t.user_attrs.get("alive_at") or t.datetime_start.timestamp()
        return now - beat > STALE_AFTER

    gone = [t for t in trials if dead(t)]
    for t in gone:
        study.tell(t.number, state=TrialState.FAIL)
    return len(trials) - len(gone)


def join_study(storage, url: str, settings: SearchSettings):
    """Create or load the study and give this worker a sampler seed no other worker has.

    Worker ``k`` of a study (counted in the study itself) samples with
    ``seed * 1000 + k``: a first run is reproducible, and reruns and extra workers
    explore new points instead of repeating the first worker's.
    """
    import optuna

    with study_lock(url, settings.name):
        study = optuna.create_study(
            storage=storage,
            study_name=settings.name,
            direction="maximize",
            pruner=_pruner(settings.pruner, settings.max_epochs),
            load_if_exists=True,
        )
        made_for = study.user_attrs.get("settings")
        wanted = study_identity(settings)
        if made_for is None:
            study.set_user_attr("settings", wanted)
        elif made_for.get("trainer") != TRAINER_VERSION:
            raise FmstudyError(
                f"study {settings.name!r} in {describe_storage(url)} was trained by another version "
                "of fmstudy's training, so its trials would not compare with new ones; "
                "give another --study-name or delete the study"
            )
        elif made_for != wanted:
            diff = sorted(k for k in wanted if made_for.get(k) != wanted[k])
            raise FmstudyError(
                f"study {settings.name!r} in {describe_storage(url)} was made with other settings "
                f"({', '.join(diff)}); give another --study-name or the same options"
            )
        worker = int(study.user_attrs.get("workers", 0))
        study.set_user_attr("workers", worker + 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # multivariate TPE is marked experimental
        study.sampler = optuna.samplers.TPESampler(
            seed=settings.seed * 1000 + worker,
            n_startup_trials=8,
            multivariate=True,
            group=True,
            constant_liar=True,
        )
    return study, worker


def run_worker(
    study,
    url: str,
    objective: Callable[[object], float],
    settings: SearchSettings,
    worker: int,
    on_trial: Callable[[object], None] | None = None,
    deadline: Deadline = NO_DEADLINE,
) -> int:
    """Ask, train, tell until the study holds ``trials`` counted trials or time runs out.

    An interrupted trial (Ctrl-C) is told as failed before the interrupt goes on: the
    finished trials stay, and a rerun starts a new trial in its place.  The worker holds
    its lease all the while, so its running trial is known to be alive.  At ``deadline``
    it starts no trial, and the objective stops the running one (told as failed, so a
    rerun trains it again, its epochs' validation accuracies kept) -- once the study holds
    one epoch's validation accuracy: until then it goes on, so the search has an answer.
    """
    with worker_lease(url, settings.name, worker):
        return _work(study, url, objective, settings, worker, on_trial, deadline)


def _work(study, url, objective, settings, worker: int, on_trial, deadline: Deadline) -> int:
    import optuna
    from optuna.trial import TrialState

    ran = 0
    while not deadline.passed() or not has_answer(study):  # past it: until one epoch is in
        with deferred_interrupt() as hit:
            with study_lock(url, settings.name):
                if counted_trials(study, url) >= settings.trials:
                    break
                trial = study.ask()
                trial.set_user_attr("worker", worker)  # before the lock goes: never orphaned
                trial.set_user_attr("alive_at", time.time())
            if hit:
                study.tell(trial, state=TrialState.FAIL)
        if hit:
            raise KeyboardInterrupt
        value, state = None, TrialState.COMPLETE
        try:
            value = objective(trial)
        except optuna.TrialPruned:
            state = TrialState.PRUNED
        except DeadlineReached:
            with deferred_interrupt():
                trial.set_user_attr("stopped", "deadline")
                study.tell(trial, state=TrialState.FAIL)
            break
        except BaseException:
            with deferred_interrupt():
                study.tell(trial, state=TrialState.FAIL)
            raise
        with deferred_interrupt() as hit:
            frozen = study.tell(trial, value, state=state)
            ran += 1
            if on_trial:
                on_trial(frozen)
        if hit:
            raise KeyboardInterrupt
    else:
        return ran
    if hit:  # Ctrl-C while finding the study complete
        raise KeyboardInterrupt
    return ran


@contextlib.contextmanager
def deferred_interrupt() -> Iterator[list]:
    """Hold Ctrl-C back while the study's database is written (an interrupted commit
    would lose or corrupt a trial); the list it yields says whether one came."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield []
        return
    hit: list = []
    old = signal.signal(signal.SIGINT, lambda *_: hit.append(True))
    try:
        yield hit
    finally:
        signal.signal(signal.SIGINT, old)


def run_processes(target, storage, url: str, settings: SearchSettings, jobs: int, args, bar):
    """Start ``jobs`` worker processes running ``target(url, settings, *args)`` on the
    study and wait for them, updating ``bar``; Ctrl-C lets each tell its trial as failed."""
    import multiprocessing as mp
    from multiprocessing.connection import wait

    study, _ = join_study(storage, url, settings)  # once, before the workers race
    bar.follow(study)
    ctx = mp.get_context("spawn")
    procs = [ctx.Process(target=target, args=(url, settings, *args)) for _ in range(jobs)]
    for p in procs:
        p.start()
    try:
        while any(p.is_alive() for p in procs):
            with deferred_interrupt() as hit:
                bar.update()
            if hit:
                raise KeyboardInterrupt
            wait([p.sentinel for p in procs if p.is_alive()], timeout=1.0)  # back at an exit
    except KeyboardInterrupt:
        for p in procs:
            p.join(timeout=30)  # each worker tells its trial as failed, then stops
        raise
    bad = [p.exitcode for p in procs if p.exitcode]
    if bad:
        raise FmstudyError(f"{len(bad)} of {jobs} search workers failed (exit codes {bad})")
    bar.update()
    return study
