"""Architecture search with Optuna (study task 5's grid search, in minutes).

    settings = SearchSettings(classes=(4, 5, 6, 7), trials=40, timeout=600)
    found = run_search(settings, sub, "sqlite:///out/search.db")  # or postgresql://...
    found.outcome.best_val_accuracy, found.outcome.test_accuracy
    found.trials                       # one row per trial (DataFrame)

``run_search`` runs this machine's workers (``jobs``, see :mod:`fmstudy.search.workers`
for the storage, the lock and the worker loop), then retrains the best spec on all
training rows for its best epoch count and tests it once.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from fmstudy.cache.fits import FitCache
from fmstudy.data.own import options_of
from fmstudy.data.subsets import Subset
from fmstudy.errors import FmstudyError
from fmstudy.nets.devices import device_params
from fmstudy.nets.spec import Layer, NetSpec, check_size
from fmstudy.nets.training import TrainRun, train, train_subset
from fmstudy.progress import search_progress
from fmstudy.results import SearchOutcome
from fmstudy.search.results import best_spec, best_trial, figures, summary, trials_frame
from fmstudy.search.settings import SearchSettings
from fmstudy.search.stopping import DeadlineStop
from fmstudy.search.workers import (
    NO_DEADLINE,
    Deadline,
    DeadlineReached,
    default_threads,
    deferred_interrupt,
    describe_storage,
    join_study,
    open_storage,
    run_processes,
    run_worker,
)

BATCH_SIZES = (32, 64, 128, 256, 512)

# --- the search space ------------------------------------------------------------

# Each parameter's range (low, high; log: sampled log-uniform) or choices.  The trials
# draw from it and the report words it (SearchOutcome.space), so the two cannot drift.
SPACE = {
    "conv_blocks": {"low": 0, "high": 2},  # only when the settings allow conv
    "conv_filters": {"choices": (16, 32, 64)},
    "depth": {"low": 1, "high": 5},  # dense layers
    "width": {"low": 32, "high": 2048, "log": True},  # units of each dense layer
    "dropout": {"low": 0.0, "high": 0.5},  # after each dense layer
    "optimizer": {"choices": ("sgd", "adam", "adamw")},  # SGD with momentum 0.9
    "lr": {"low": 1e-4, "high": 3e-2, "log": True},
    "weight_decay": {"low": 1e-6, "high": 1e-2, "log": True},
    "batch_size": {"choices": BATCH_SIZES},
    "scaling": {"choices": ("standardize", "unit")},
    "hflip": {"choices": (False, True)},
}


def search_space(settings: SearchSettings) -> dict:
    """The space these settings search, as data (JSON-ready): :data:`SPACE` without the
    conv blocks when ``settings.conv`` is off."""
    return {
        name: {k: list(v) if isinstance(v, tuple) else v for k, v in rng.items()}
        for name, rng in SPACE.items()
        if settings.conv or name not in ("conv_blocks", "conv_filters")
    }


def _int(trial, name: str, key: str) -> int:
    r = SPACE[key]
    return trial.suggest_int(name, r["low"], r["high"], log=r.get("log", False))


def _float(trial, name: str, key: str) -> float:
    r = SPACE[key]
    return trial.suggest_float(name, r["low"], r["high"], log=r.get("log", False))


def _choice(trial, name: str, key: str):
    return trial.suggest_categorical(name, SPACE[key]["choices"])


def suggest_spec(trial, settings: SearchSettings) -> NetSpec:
    """One network spec from :data:`SPACE`: conv blocks (optional), dense layers,
    training."""
    layers: list[Layer] = []
    blocks = _int(trial, "conv_blocks", "conv_blocks") if settings.conv else 0
    for i in range(blocks):
        layers += [Layer("conv", _choice(trial, f"conv{i}", "conv_filters")), Layer("pool")]
    depth = _int(trial, "depth", "depth")
    for i in range(depth):
        width = _int(trial, f"width{i}", "width")
        dropout = round(_float(trial, f"dropout{i}", "dropout"), 3)
        layers.append(Layer("dense", width, dropout))
    optimizer = _choice(trial, "optimizer", "optimizer")
    return NetSpec(
        tuple(layers),
        name=f"trial-{trial.number}",
        optimizer=optimizer,
        lr=_float(trial, "lr", "lr"),
        momentum=0.9 if optimizer == "sgd" else 0.0,
        weight_decay=_float(trial, "weight_decay", "weight_decay"),
        batch_size=_choice(trial, "batch_size", "batch_size"),
        epochs=settings.max_epochs,
        scaling=_choice(trial, "scaling", "scaling"),
        hflip=_choice(trial, "hflip", "hflip"),
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
        deadline: Deadline = NO_DEADLINE,
        device: str = "cpu",
    ):
        self.x, self.y = sub.x_train, sub.y_train
        self.device = device
        self.classes = sub.classes
        self.settings = settings
        self.threads = threads
        self.on_epoch = on_epoch
        self.deadline = deadline

    def __call__(self, trial) -> float:
        import optuna

        spec = suggest_spec(trial, self.settings)
        trial.set_user_attr("spec", spec.to_dict())
        try:  # large own images can make a point of the space too big to train
            check_size(spec, len(self.classes), tuple(self.x.shape[1:]))
        except FmstudyError as exc:
            raise optuna.TrialPruned(str(exc)) from None
        t0 = time.perf_counter()
        stop = DeadlineStop(self.deadline, trial.study)

        def report(epoch: int, hist: dict) -> None:
            with deferred_interrupt() as hit:
                trial.report(hist["val_acc"][-1], epoch)
                stop.answered = True
                trial.set_user_attr("epochs_run", epoch)
                trial.set_user_attr("seconds", round(time.perf_counter() - t0, 2))
                trial.set_user_attr("alive_at", time.time())
                prune = trial.should_prune()
            if hit:
                raise KeyboardInterrupt
            if self.on_epoch:
                self.on_epoch(trial.number, epoch, hist)
            if self.deadline.passed():
                raise DeadlineReached
            if prune:
                raise optuna.TrialPruned(f"validation accuracy {hist['val_acc'][-1]:.4f}")

        with stop.inside_epochs():  # a long epoch stops at the deadline too
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
                device=self.device,
            )
        val = run.history["val_acc"]
        best = int(np.argmax(val))
        trial.set_user_attr("best_epoch", best + 1)
        trial.set_user_attr("val_loss", run.history["val_loss"][best])
        trial.set_user_attr("n_params", run.n_params)
        return float(val[best])


def worker_process(
    url: str,
    settings: SearchSettings,
    threads: int,
    data_dir,
    deadline: Deadline,
    device: str,
    options=None,
) -> int:
    """Entry point of one local worker process (``--workers``): quiet, own data, own threads."""
    import signal

    import optuna

    from fmstudy.data.loading import load_dataset
    from fmstudy.data.subsets import select_classes

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    ds = load_dataset(settings.dataset, data_dir, options=options)
    sub = select_classes(ds, settings.classes)
    storage = open_storage(url)
    study, worker = join_study(storage, url, settings)
    try:
        objective = Objective(sub, settings, threads, deadline=deadline, device=device)
        return run_worker(study, url, objective, settings, worker, deadline=deadline)
    except KeyboardInterrupt:
        return -1


# --- one search, start to finish ---------------------------------------------------


@dataclass
class SearchResult:
    """Everything the report reads: the outcome, the trials, figures and the final fit."""

    outcome: SearchOutcome
    trials: object  # DataFrame
    figures: dict
    final: TrainRun
    seconds: float  # the whole search, final fit included (timings.json)


def run_search(
    settings: SearchSettings,
    sub: Subset,
    url: str,
    *,
    jobs: int = 1,
    threads: int | None = None,
    data_dir=None,
    progress=False,
    cache: FitCache | None = None,
    networks: dict | None = None,
    deadline: Deadline | None = None,
    device: str = "cpu",
) -> SearchResult:
    """Run this machine's workers on the study in ``url``, then fit and test the best spec.

    ``jobs`` worker processes split the cores (``threads`` each, default cores/jobs);
    other machines may work on the same study at the same time.  ``settings.timeout``
    bounds the whole search and its report from its start (``deadline``, default: now +
    timeout less :func:`trials_budget`): no trial starts after it, the running one stops
    at it (inside an epoch once the study holds an answer), and the final retraining is
    skipped when it would not fit in the time left.  When no trial is complete by then,
    the outcome is the best epoch any trial reached (``best_trial_state``).  The final fit is kept in ``cache``
    when one is given; ``networks`` (task 5's results) go beside the best spec in the
    comparison with the notebook.
    """
    import optuna

    verbosity = optuna.logging.get_verbosity()  # the caller's, given back
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    try:
        t0 = time.perf_counter()
        deadline = deadline or Deadline.after(trials_budget(settings.timeout))
        storage = open_storage(url)
        threads = threads or default_threads(jobs)
        with search_progress(progress, settings.trials) as bar:
            if jobs == 1:
                study, worker = join_study(storage, url, settings)
                bar.follow(study)

                def on_epoch(number: int, epoch: int, hist: dict) -> None:
                    bar.epoch(number, epoch, settings.max_epochs, hist["val_acc"][-1])

                objective = Objective(
                    sub, settings, threads, on_epoch=on_epoch, deadline=deadline, device=device
                )
                run_worker(
                    study, url, objective, settings, worker, lambda _t: bar.update(), deadline
                )
            else:
                args = (threads, data_dir, deadline, device, options_of(sub.dataset.info))
                study = run_processes(worker_process, storage, url, settings, jobs, args, bar)
            final = _final_fit(study, sub, settings, cache, deadline, bar, device)
        frame = trials_frame(study)
        outcome = summary(study, frame, final, settings, describe_storage(url), networks)
        outcome = replace(outcome, space=search_space(settings))
        return SearchResult(outcome, frame, figures(study), final, time.perf_counter() - t0)
    finally:
        optuna.logging.set_verbosity(verbosity)


def trials_budget(timeout: float | None) -> float | None:
    """The trials' share of ``--timeout``: it less a reserve for the figures and the report
    (a tenth of it, 2 to 15 s, at most half), so the command ends near ``timeout``."""
    if timeout is None:
        return None
    return timeout - min(max(2.0, 0.1 * timeout), 15.0, timeout / 2)


def search_deadline(timeout: float | None, started: float) -> Deadline:
    """The trials' deadline of a command bounded by ``timeout`` seconds from ``started``
    (``time.time()``), its data loading and report included: :func:`trials_budget`."""
    return Deadline(None if timeout is None else started + trials_budget(timeout))


def refit_seconds(trial, epochs: int) -> float:
    """About how long a trial's spec takes to retrain on every row for ``epochs``: its
    seconds per epoch, times ``epochs``, times 1.25 (all rows instead of 80 %)."""
    per_epoch = trial.user_attrs.get("seconds", 0.0) / max(1, trial.user_attrs.get("epochs_run", 1))
    return per_epoch * epochs * 1.25


def _final_fit(study, sub: Subset, settings, cache, deadline, bar, device) -> TrainRun | None:
    """The best spec retrained on every training row for its best epoch count, tested once;
    kept in ``cache`` (spec, seed, data) so a rerun reuses it.  None when the deadline
    leaves too little time for it."""
    found = best_trial(study)
    spec = best_spec(study, found)[0]
    trial, epochs, _val, _state = found
    key = cache.key("search-final", device_params(spec, device), settings.seed) if cache else None
    run = cache.load_training(key, spec) if cache else None
    if run is not None:
        return run
    if deadline.left() < refit_seconds(trial, epochs):
        bar.finish("no time left under --timeout to retrain the best spec; skipped")
        return None
    bar.finish("fitting the best spec on all training rows")
    run = train_subset(
        spec, sub, seed=settings.seed, threads=default_threads(1), holdout=False, device=device
    )
    return cache.keep_training(key, run) if cache else run
