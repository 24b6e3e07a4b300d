"""Architecture search with Optuna (study task 5's grid search, in minutes).

    settings = SearchSettings(classes=(4, 5, 6, 7), trials=40, timeout=600)
    found = run_search(settings, sub, "sqlite:///out/search.db")  # or postgresql://...
    found.summary["best_val_accuracy"], found.summary["test_accuracy"]
    found.trials                       # one row per trial (DataFrame)

``run_search`` runs this machine's workers (``jobs``), then retrains the best spec
on all training rows for its best epoch count and tests it once.

Any number of workers on any number of machines share one study through its
storage.  Each worker asks for a trial only while it holds the study's lock (a
file lock beside an SQLite database, an advisory lock in PostgreSQL), so the
study's count of complete, pruned and running trials never passes ``trials``.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import math
import os
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np

from fmstudy.errors import FmstudyError
from fmstudy.neural import TRAINER_VERSION, Layer, NetSpec, TrainRun, train
from fmstudy.subsets import Subset

PRUNERS = ("median", "hyperband", "none")
BATCH_SIZES = (32, 64, 128, 256, 512)
COUNTED = ("COMPLETE", "PRUNED", "RUNNING")  # FAIL (Ctrl-C) is retried; WAITING (enqueued) runs


@dataclass(frozen=True)
class SearchSettings:
    """What a search explores and for how long; saved in the study so reruns match."""

    classes: tuple[int, ...]
    dataset: str = "fashion-mnist"
    seed: int = 0
    trials: int = 40
    timeout: float | None = None  # seconds this worker starts trials for
    max_epochs: int = 12  # per trial; the pruner stops poor trials earlier
    conv: bool = True  # the space may put up to two conv blocks before the dense layers
    pruner: str = "median"
    study_name: str | None = None

    def __post_init__(self) -> None:
        if self.trials < 1:
            raise FmstudyError(f"--trials must be at least 1, got {self.trials}")
        if self.timeout is not None and self.timeout <= 0:
            raise FmstudyError(f"--timeout must be positive seconds, got {self.timeout:g}")
        if self.max_epochs < 1:
            raise FmstudyError(f"--max-epochs must be at least 1, got {self.max_epochs}")
        if self.pruner not in PRUNERS:
            raise FmstudyError(
                f"unknown pruner {self.pruner!r}: choose one of {', '.join(PRUNERS)}"
            )

    @property
    def name(self) -> str:
        return self.study_name or f"{self.dataset}-{'-'.join(map(str, self.classes))}"

    def identity(self) -> dict:
        """The fields a study's trials depend on: a rerun must agree on them."""
        return {
            "classes": list(self.classes),
            "dataset": self.dataset,
            "seed": self.seed,
            "max_epochs": self.max_epochs,
            "conv": self.conv,
            "pruner": self.pruner,
            "trainer": TRAINER_VERSION,
        }


# --- the search space ------------------------------------------------------------


def suggest_spec(trial, settings: SearchSettings) -> NetSpec:
    """One network spec from the space: conv blocks (optional), 1-5 dense layers, training."""
    layers: list[Layer] = []
    blocks = trial.suggest_int("conv_blocks", 0, 2) if settings.conv else 0
    for i in range(blocks):
        layers += [
            Layer("conv", trial.suggest_categorical(f"conv{i}", (16, 32, 64))),
            Layer("pool"),
        ]
    depth = trial.suggest_int("depth", 1, 5)
    for i in range(depth):
        width = trial.suggest_int(f"width{i}", 32, 2048, log=True)
        dropout = round(trial.suggest_float(f"dropout{i}", 0.0, 0.5), 3)
        layers.append(Layer("dense", width, dropout))
    optimizer = trial.suggest_categorical("optimizer", ("sgd", "adam", "adamw"))
    return NetSpec(
        tuple(layers),
        name=f"trial-{trial.number}",
        optimizer=optimizer,
        lr=trial.suggest_float("lr", 1e-4, 3e-2, log=True),
        momentum=0.9 if optimizer == "sgd" else 0.0,
        weight_decay=trial.suggest_float("weight_decay", 1e-6, 1e-2, log=True),
        batch_size=trial.suggest_categorical("batch_size", BATCH_SIZES),
        epochs=settings.max_epochs,
        scaling=trial.suggest_categorical("scaling", ("standardize", "unit")),
        hflip=trial.suggest_categorical("hflip", (False, True)),
        val_split="stratified",
        init="default",
    )


class Objective:
    """Holds the loaded training data (loaded once per worker, not per trial) and trains
    one suggested spec per call, reporting validation accuracy each epoch to the pruner."""

    def __init__(
        self,
        sub: Subset,
        settings: SearchSettings,
        threads: int | None = None,
        on_epoch: Callable[[int, int, dict], None] | None = None,
    ):
        self.x, self.y = sub.x_train, sub.y_train
        self.classes = sub.classes
        self.settings = settings
        self.threads = threads
        self.on_epoch = on_epoch

    def __call__(self, trial) -> float:
        import optuna

        spec = suggest_spec(trial, self.settings)
        trial.set_user_attr("spec", spec.to_dict())
        t0 = time.perf_counter()

        def report(epoch: int, hist: dict) -> None:
            with deferred_interrupt() as hit:
                trial.report(hist["val_acc"][-1], epoch)
                trial.set_user_attr("epochs_run", epoch)
                trial.set_user_attr("seconds", round(time.perf_counter() - t0, 2))
                trial.set_user_attr("alive_at", time.time())
                prune = trial.should_prune()
            if hit:
                raise KeyboardInterrupt
            if self.on_epoch:
                self.on_epoch(trial.number, epoch, hist)
            if prune:
                raise optuna.TrialPruned(f"validation accuracy {hist['val_acc'][-1]:.4f}")

        run = train(
            spec,
            self.x,
            self.y,
            None,
            None,
            self.classes,
            seed=self.settings.seed,  # the same validation rows for every trial
            threads=self.threads,
            on_epoch=report,
        )
        val = run.history["val_acc"]
        best = int(np.argmax(val))
        trial.set_user_attr("best_epoch", best + 1)
        trial.set_user_attr("val_loss", run.history["val_loss"][best])
        trial.set_user_attr("n_params", run.n_params)
        return float(val[best])


# --- storage, lock and workers ------------------------------------------------------


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
    return url


def _connect_args(url: str) -> dict:
    from sqlalchemy.engine import make_url

    backend = make_url(url).get_backend_name()
    if backend == "postgresql":
        return {"connect_timeout": 10}
    if backend == "sqlite":
        return {"timeout": 60}  # several local workers wait for each other's writes
    return {}


def _describe(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def open_storage(url: str):
    """Optuna's RDB storage for ``url``; an unreachable database is one clear line."""
    import optuna
    from sqlalchemy.exc import SQLAlchemyError

    check_storage_url(url)
    kwargs = {"engine_kwargs": {"connect_args": _connect_args(url), "pool_pre_ping": True}}
    try:
        return optuna.storages.RDBStorage(url, **kwargs)
    except SQLAlchemyError as exc:
        first = str(getattr(exc, "orig", exc) or exc).strip().splitlines()[0]
        raise FmstudyError(f"cannot open the search database {_describe(url)}: {first}") from None
    except ModuleNotFoundError as exc:
        raise FmstudyError(
            f"the database driver {exc.name!r} is missing: pip install 'fmstudy[postgres]'"
        ) from None


@contextlib.contextmanager
def study_lock(url: str, study_name: str) -> Iterator[None]:
    """Mutual exclusion between workers of one study, wherever they run."""
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        with open(f"{parsed.database}.lock", "a") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)
        return
    if parsed.get_backend_name() != "postgresql":
        yield  # other databases: counts may overshoot by one per extra worker
        return
    key = int.from_bytes(hashlib.sha256(study_name.encode()).digest()[:8], "big", signed=True)
    engine = _lock_engine(url)
    with engine.connect() as conn:
        conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": key})
        try:
            yield
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
            conn.commit()


_ENGINES: dict = {}


def _lock_engine(url: str):
    from sqlalchemy import create_engine

    if url not in _ENGINES:
        _ENGINES[url] = create_engine(url, connect_args=_connect_args(url))
    return _ENGINES[url]


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


def counted_trials(study) -> int:
    """Trials that count towards ``--trials``: complete, pruned and still running.

    A running trial whose worker has not reported an epoch for ``STALE_AFTER``
    seconds is failed here, so a worker killed outright does not hold a place forever
    (Optuna's own heartbeat runs only inside ``Study.optimize``).
    """
    from optuna.trial import TrialState

    states = tuple(TrialState[s] for s in COUNTED)
    trials = study.get_trials(deepcopy=False, states=states)
    now = time.time()

    def stale(t) -> bool:
        beat = t.user_attrs.get("alive_at") or t.datetime_start.timestamp()
        return t.state == TrialState.RUNNING and now - beat > STALE_AFTER

    for t in filter(stale, trials):
        study._storage.set_trial_state_values(t._trial_id, state=TrialState.FAIL)
    return sum(not stale(t) for t in trials)


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
        wanted = settings.identity()
        if made_for is None:
            study.set_user_attr("settings", wanted)
        elif made_for.get("trainer") != TRAINER_VERSION:
            raise FmstudyError(
                f"study {settings.name!r} in {_describe(url)} was trained by another version "
                "of fmstudy's training, so its trials would not compare with new ones; "
                "give another --study-name or delete the study"
            )
        elif made_for != wanted:
            diff = sorted(k for k in wanted if made_for.get(k) != wanted[k])
            raise FmstudyError(
                f"study {settings.name!r} in {_describe(url)} was made with other settings "
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


@dataclass
class WorkerOutcome:
    worker: int
    trials_run: int
    seconds: float


def run_worker(
    study,
    url: str,
    objective: Objective,
    settings: SearchSettings,
    worker: int,
    on_trial: Callable[[object], None] | None = None,
) -> WorkerOutcome:
    """Ask, train, tell until the study holds ``trials`` counted trials or time runs out.

    An interrupted trial (Ctrl-C) is told as failed before the interrupt goes on: the
    finished trials stay, and a rerun starts a new trial in its place.
    """
    import optuna
    from optuna.trial import TrialState

    t0, ran = time.monotonic(), 0
    while settings.timeout is None or time.monotonic() - t0 < settings.timeout:
        with deferred_interrupt() as hit:
            with study_lock(url, settings.name):
                if counted_trials(study) >= settings.trials:
                    break
                trial = study.ask()
            trial.set_user_attr("worker", worker)
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
        return WorkerOutcome(worker, ran, time.monotonic() - t0)
    if hit:  # Ctrl-C while finding the study complete
        raise KeyboardInterrupt
    return WorkerOutcome(worker, ran, time.monotonic() - t0)


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


def worker_process(url: str, settings: SearchSettings, threads: int, data_dir) -> int:
    """Entry point of one local worker process (``--jobs``): quiet, own data, own threads."""
    import signal

    import optuna

    from fmstudy.data import load_dataset
    from fmstudy.subsets import select_classes

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    sub = select_classes(load_dataset(settings.dataset, data_dir), settings.classes)
    storage = open_storage(url)
    study, worker = join_study(storage, url, settings)
    try:
        return run_worker(
            study, url, Objective(sub, settings, threads), settings, worker
        ).trials_run
    except KeyboardInterrupt:
        return -1


# --- results -----------------------------------------------------------------------


def trials_frame(study):
    """One row per trial: number, state, value, epochs, seconds, worker and the spec."""
    import pandas as pd

    rows = []
    for t in study.get_trials(deepcopy=False):
        spec = t.user_attrs.get("spec")
        layers = NetSpec.from_dict(spec).layer_string if spec else ""
        rows.append(
            {
                "number": t.number,
                "state": t.state.name.lower(),
                "val_accuracy": t.value if t.value is not None else _last(t),
                "best_epoch": t.user_attrs.get("best_epoch"),
                "epochs_run": t.user_attrs.get("epochs_run"),
                "seconds": t.user_attrs.get("seconds"),
                "worker": t.user_attrs.get("worker"),
                "layers": layers,
                **{f"param_{k}": v for k, v in t.params.items()},
            }
        )
    return pd.DataFrame(rows)


def _last(t) -> float:
    return t.intermediate_values[max(t.intermediate_values)] if t.intermediate_values else math.nan


def best_spec(study) -> tuple[NetSpec, int, float]:
    """The best complete trial's spec with its epochs set to the best epoch count."""
    import optuna

    try:
        best = study.best_trial
    except ValueError:
        raise FmstudyError(
            f"study {study.study_name!r} has no complete trial yet: run more --trials"
        ) from None
    except optuna.exceptions.OptunaError as exc:
        raise FmstudyError(str(exc)) from None
    epochs = int(best.user_attrs["best_epoch"])
    spec = NetSpec.from_dict({**best.user_attrs["spec"], "name": f"search-best-{best.number}"})
    return replace(spec, epochs=epochs, patience=None), best.number, float(best.value)


def fit_best(
    study, sub: Subset, settings: SearchSettings, threads: int | None = None, on_epoch=None
) -> TrainRun:
    """Retrain the best spec on every training row for its best epoch count; test it."""
    spec, _, _ = best_spec(study)
    return train(
        spec,
        sub.x_train,
        sub.y_train,
        sub.x_test,
        sub.y_test,
        sub.classes,
        seed=settings.seed,
        threads=threads,
        on_epoch=on_epoch,
        holdout=False,
    )


def summary(study, frame, final: TrainRun, settings: SearchSettings, seconds: float) -> dict:
    """The search's plain-data results: counts, best trial, final test accuracy."""
    spec, number, val = best_spec(study)
    states = frame["state"].value_counts().to_dict()
    return {
        "study_name": study.study_name,
        "settings": asdict(settings),
        "trials": {k: int(v) for k, v in states.items()},
        "best_trial": number,
        "best_val_accuracy": val,
        "best_spec": spec.to_dict(),
        "best_layers": spec.layer_string,
        "test_accuracy": final.test_accuracy,
        "final_epochs": final.epochs_run,
        "final_seconds": round(sum(final.epoch_seconds), 2),
        "n_params": final.n_params,
        "seconds": round(seconds, 2),
    }


def figures(study) -> dict:
    """Optimization history, parameter importances and the pruned curves (matplotlib)."""
    import matplotlib.pyplot as plt
    import optuna.visualization.matplotlib as ovm
    from matplotlib.ticker import MaxNLocator
    from optuna.trial import TrialState

    out = {}
    complete = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # optuna marks its matplotlib backend experimental
        ax = ovm.plot_optimization_history(study, target_name="validation accuracy")
        ax.figure.set_size_inches(8, 4.5)
        out["search_history"] = ax.figure
        if len(complete) >= 2:
            try:
                ax = ovm.plot_param_importances(study)
                ax.figure.set_size_inches(8, 4.5)
                out["search_importances"] = ax.figure
            except (RuntimeError, ValueError):
                pass  # all complete trials share one value: nothing to attribute
        ax = ovm.plot_intermediate_values(study)
        ax.figure.set_size_inches(8, 4.5)
        ax.set_ylabel("validation accuracy")
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        if ax.get_legend():
            ax.get_legend().remove()  # one entry per trial says nothing
        out["search_curves"] = ax.figure
    for fig in out.values():
        fig.tight_layout()
    plt.close("all")
    return out


def default_threads(jobs: int) -> int:
    return max(1, (os.cpu_count() or 1) // jobs)


# --- one search, start to finish ---------------------------------------------------


@dataclass
class SearchResult:
    """Everything the report reads: plain data, the trials, figures and the final fit."""

    summary: dict
    trials: object  # DataFrame
    figures: dict
    final: TrainRun
    storage: str


def run_search(
    settings: SearchSettings,
    sub: Subset,
    url: str,
    *,
    jobs: int = 1,
    threads: int | None = None,
    data_dir=None,
    progress=False,
    final_cache: Path | None = None,
) -> SearchResult:
    """Run this machine's workers on the study in ``url``, then fit and test the best spec.

    ``jobs`` worker processes split the cores (``threads`` each, default cores/jobs);
    other machines may work on the same study at the same time.
    """
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    t0 = time.perf_counter()
    storage = open_storage(url)
    threads = threads or default_threads(jobs)
    with _progress(progress, settings.trials) as bar:
        if jobs == 1:
            study, worker = join_study(storage, url, settings)
            bar.follow(study)

            def on_epoch(number: int, epoch: int, hist: dict) -> None:
                bar.epoch(number, epoch, settings.max_epochs, hist["val_acc"][-1])

            objective = Objective(sub, settings, threads, on_epoch=on_epoch)
            run_worker(study, url, objective, settings, worker, on_trial=lambda _t: bar.update())
        else:
            study = _run_processes(storage, url, settings, jobs, threads, data_dir, bar)
        bar.finish("fitting the best spec on all training rows")
        final = _final_fit(study, sub, settings, final_cache)
    frame = trials_frame(study)
    return SearchResult(
        summary(study, frame, final, settings, time.perf_counter() - t0),
        frame,
        figures(study),
        final,
        _describe(url),
    )


def _run_processes(storage, url, settings, jobs, threads, data_dir, bar):
    import multiprocessing as mp

    study, _ = join_study(storage, url, settings)  # once, before the workers race
    bar.follow(study)
    ctx = mp.get_context("spawn")
    procs = [
        ctx.Process(target=worker_process, args=(url, settings, threads, data_dir))
        for _ in range(jobs)
    ]
    for p in procs:
        p.start()
    try:
        while any(p.is_alive() for p in procs):
            with deferred_interrupt() as hit:
                bar.update()
            if hit:
                raise KeyboardInterrupt
            time.sleep(1.0)
    except KeyboardInterrupt:
        for p in procs:
            p.join(timeout=30)  # each worker tells its trial as failed, then stops
        raise
    bad = [p.exitcode for p in procs if p.exitcode]
    if bad:
        raise FmstudyError(f"{len(bad)} of {jobs} search workers failed (exit codes {bad})")
    bar.update()
    return study


class _Bar:
    """Rich progress of the study's finished trials (all workers), with the current epoch."""

    def __init__(self, progress, total: int):
        self.progress, self.total, self.study = progress, total, None
        self.task = progress.add_task("search", total=total) if progress else None

    def follow(self, study) -> None:
        self.study = study
        self.update()

    def update(self) -> None:
        if not (self.progress and self.study):
            return
        from optuna.trial import TrialState

        done = self.study.get_trials(
            deepcopy=False, states=(TrialState.COMPLETE, TrialState.PRUNED)
        )
        values = [t.value for t in done if t.state == TrialState.COMPLETE]
        best = f"best val {max(values):.4f}" if values else "no complete trial yet"
        self.progress.update(
            self.task,
            completed=min(len(done), self.total),
            description=f"search: {len(done)} trials, {best}",
        )

    def epoch(self, number: int, epoch: int, epochs: int, val: float) -> None:
        if self.progress:
            self.progress.update(
                self.task,
                description=f"search: trial {number} epoch {epoch}/{epochs} val {val:.4f}",
            )

    def finish(self, what: str) -> None:
        if self.progress:
            self.update()
            self.progress.update(self.task, description=f"search: {what}")


@contextlib.contextmanager
def _progress(enabled, total: int) -> Iterator[_Bar]:
    """A bar of its own (``True``), one inside a running Rich Progress, or none."""
    if not enabled:
        yield _Bar(None, total)
        return
    if not isinstance(enabled, bool):
        bar = _Bar(enabled, total)
        yield bar
        enabled.remove_task(bar.task)
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()
    ) as progress:
        yield _Bar(progress, total)


def _final_fit(study, sub: Subset, settings: SearchSettings, cache: Path | None) -> TrainRun:
    """``fit_best``, kept in ``cache/search-<key>`` (spec, seed, data) so a rerun reuses it."""
    from fmstudy.neural_task import _keep, _load_cached, training_key

    spec, _, _ = best_spec(study)
    folder = None
    if cache is not None:
        key = training_key(spec, settings.seed, sub.classes, sub.dataset.sha256)
        folder = cache / f"search-{key}"
        meta = _load_cached(folder)
        if meta is not None:
            return TrainRun(
                spec=spec,
                seed=meta["seed"],
                classes=tuple(sub.classes),
                history=meta["history"],
                best_epoch=meta["best_epoch"],
                epochs_run=meta["epochs_run"],
                y_pred=meta["y_pred"],
                test_accuracy=meta["test_accuracy"],
                n_params=meta["n_params"],
                epoch_seconds=meta["epoch_seconds"],
                predict_seconds=meta["predict_seconds"],
                folder=folder,
            )
    run = fit_best(study, sub, settings, threads=os.cpu_count())
    run.dataset = sub.dataset.name
    if folder is not None:
        _keep(run, folder)
        run.folder = folder
    return run


def search_task(config, sub: Subset, root: Path, url: str, jobs: int, progress) -> SearchResult:
    """The search inside ``fmstudy run --tasks ...,search`` (and ``fmstudy search``)."""
    return run_search(
        config.search_settings(),
        sub,
        url,
        jobs=jobs,
        data_dir=root,
        progress=progress,
        final_cache=root / "work",
    )


NOTEBOOK_REFERENCE = {"notebook-1": 0.935, "notebook-2": 0.9415, "notebook-3": 0.95}


def against_notebook(summary: dict, networks: dict | None) -> list[dict]:
    """The best spec's test accuracy beside the notebook's networks (as the notebook
    reported them, and as this study trained them when task 5 ran)."""
    rows = []
    for name, ref in NOTEBOOK_REFERENCE.items():
        ours = (networks or {}).get(name, {}).get("test_acc_mean")
        rows.append(
            {
                "name": name,
                "notebook": ref,
                "trained_here": ours,
                "best_minus_notebook": summary["test_accuracy"] - ref,
            }
        )
    return rows
