"""The library leaves the caller's global state alone: pyplot's open figures, torch's and
the BLAS libraries' thread counts, and the ``random``, numpy and torch generators are as
they were after a training, a fit, the search's figures and a whole study."""

from __future__ import annotations

import io
import random
from dataclasses import replace

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from conftest import SMALL
from threadpoolctl import threadpool_info

from fmstudy.nets.devices import torch_threads
from fmstudy.nets.training import train

CLASSES = (4, 5, 6, 7)


def _generators():
    """The caller's generators as comparable values."""
    return random.getstate(), np.random.get_state(), torch.get_rng_state()


def _same_generators(before, after) -> None:
    assert after[0] == before[0], "random's generator changed"
    assert all(np.array_equal(a, b) for a, b in zip(before[1], after[1], strict=True)), (
        "numpy's global generator changed"
    )
    assert torch.equal(after[2], before[2]), "torch's generator changed"


def _scrambled(seed: int) -> None:
    """Put the caller's generators somewhere of its own, unlike fmstudy's seeds."""
    random.seed(1000 + seed)
    np.random.seed(1000 + seed)
    torch.manual_seed(1000 + seed)


def _blas_threads() -> dict:
    """Each loaded BLAS/OpenMP library's thread count, by its file."""
    return {i["filepath"]: i["num_threads"] for i in threadpool_info()}


def _same_blas_threads(before: dict) -> None:
    """The libraries loaded before have the counts they had (a call may load more)."""
    after = _blas_threads()
    assert {path: after.get(path) for path in before} == before


@pytest.fixture
def one_thread():
    """torch on one thread for the test, the session's count again after."""
    with torch_threads(1):
        yield


# --- random generators -------------------------------------------------------------------


def test_a_training_leaves_the_callers_generators_as_they_were(data):
    spec = replace(SMALL, epochs=2, hflip=True, shift=1, mixup=0.2)  # dropout too
    _scrambled(0)
    before = _generators()
    train(spec, *data, CLASSES, seed=3, threads=1)
    _same_generators(before, _generators())


def test_a_training_is_the_same_whatever_the_callers_generators(data):
    """The seeded generators alone decide the weights, dropout and batches."""
    runs = []
    for caller in (0, 1):
        _scrambled(caller)
        runs.append(train(replace(SMALL, epochs=2), *data, CLASSES, seed=3, threads=1))
    a, b = runs
    assert np.array_equal(a.y_pred, b.y_pred) and np.array_equal(a.proba, b.proba)
    assert all(torch.equal(a.state[k], b.state[k]) for k in a.state)


def test_classical_fits_leave_the_callers_generators_and_blas_threads(data):
    from fmstudy.models.classical import classical_specs, fit_model
    from fmstudy.study.config import StudyConfig

    x_train, y_train, x_test, _ = data
    cfg = StudyConfig(classes=CLASSES, profile="quick")
    _scrambled(2)
    before, threads = _generators(), _blas_threads()
    for spec in classical_specs(cfg.forest, cfg.logreg):  # forest, logistic regressions
        fit_model(
            spec,
            x_train.reshape(len(x_train), -1),
            y_train,
            x_test.reshape(len(x_test), -1),
            n_jobs=2,
        )
    _same_generators(before, _generators())
    _same_blas_threads(threads)


# --- thread counts -----------------------------------------------------------------------


def test_a_training_sets_its_threads_while_it_runs_and_gives_them_back(data, one_thread):
    """``threads`` holds for every epoch, the refit's included; after it, the caller's."""
    seen = []
    spec = replace(SMALL, epochs=2, refit=True)
    blas = _blas_threads()
    train(
        spec,
        *data,
        CLASSES,
        seed=0,
        threads=2,
        on_epoch=lambda *_: seen.append(torch.get_num_threads()),
    )
    assert seen == [2, 2, 2, 2]  # two validated epochs, two refit epochs
    assert torch.get_num_threads() == 1
    _same_blas_threads(blas)


def test_the_thread_context_restores_after_an_error(one_thread):
    with pytest.raises(RuntimeError), torch_threads(2):
        assert torch.get_num_threads() == 2
        raise RuntimeError("boom")
    assert torch.get_num_threads() == 1
    with torch_threads(None):  # no count: the caller's, untouched
        assert torch.get_num_threads() == 1


# --- figures -----------------------------------------------------------------------------


def _optuna_study():
    import optuna

    study = optuna.create_study(direction="maximize", sampler=optuna.samplers.RandomSampler(0))

    def objective(trial):
        x = trial.suggest_float("lr", 1e-4, 1e-1, log=True)
        for step in range(3):
            trial.report(x * step, step)
        return x

    study.optimize(objective, n_trials=4)
    return study


def test_the_search_figures_leave_the_callers_figures_open():
    from fmstudy.search.results import figures

    mine = plt.figure()
    try:
        out = figures(_optuna_study())
        assert plt.get_fignums() == [mine.number], "closed the caller's, or left its own"
        assert {"search_history", "search_curves"} <= set(out)
        out["search_curves"].savefig(io.BytesIO())  # still drawable
    finally:
        plt.close(mine)


def test_a_failed_search_figure_is_closed_and_the_callers_stay(monkeypatch):
    import optuna.visualization.matplotlib as ovm

    from fmstudy.search.results import figures

    def broken(study):
        plt.figure()  # made, then the drawing fails
        raise RuntimeError("boom")

    monkeypatch.setattr(ovm, "plot_intermediate_values", broken)
    mine = plt.figure()
    try:
        with pytest.raises(RuntimeError):
            figures(_optuna_study())
        assert plt.get_fignums() == [mine.number]
    finally:
        plt.close(mine)


# --- a whole study ----------------------------------------------------------------------


def test_a_study_leaves_the_callers_state_as_it_was(tmp_path, synthetic, one_thread):
    """Classical models, a network and a search on synthetic data: the caller's figure,
    thread counts and generators are as they were."""
    from fmstudy.api import run_study
    from fmstudy.study.config import StudyConfig

    _, data_dir = synthetic
    net = {**SMALL.to_dict(), "epochs": 1}
    cfg = StudyConfig(
        classes=(4, 5),
        dataset="synth",
        profile="quick",
        tasks=("1", "3", "5", "search"),
        networks=(net,),
        network_seeds=1,
        learning_curves=False,
        search={"trials": 2, "max_epochs": 1},
    )
    import optuna

    mine = plt.figure()
    _scrambled(3)
    before, blas = _generators(), _blas_threads()
    optuna.logging.set_verbosity(optuna.logging.DEBUG)  # the caller's, not the search's
    try:
        run_study(cfg, data_dir=data_dir, jobs=2, search_storage=f"sqlite:///{tmp_path / 's.db'}")
        assert optuna.logging.get_verbosity() == optuna.logging.DEBUG
        _same_generators(before, _generators())
        assert torch.get_num_threads() == 1
        _same_blas_threads(blas)
        assert plt.get_fignums() == [mine.number]
    finally:
        plt.close(mine)
        optuna.logging.set_verbosity(optuna.logging.INFO)  # optuna's default
