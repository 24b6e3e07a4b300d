"""Run the whole study (tasks 1-5 and the search) from one config into typed records.

    result = run_study(StudyConfig(classes=(4, 5, 6, 7)))
    result.metrics.models["forest"].accuracy
    result.estimators["forest"]              # the fitted scikit-learn estimator
    result.figure_data.pca.coords            # what the figures draw, besides the metrics

The report, its figures included, is written from these records by
:mod:`fmstudy.report`, in any of its languages; the public facade :mod:`fmstudy.api`
returns them with a ``save`` method and the figures drawn on demand.

Finished fits are kept in one cache (``<data dir>/work``, :mod:`fmstudy.cache.fits`),
so an interrupted study resumes and a rerun retrains nothing.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from fmstudy import checks
from fmstudy.cache.fits import FitCache
from fmstudy.data.loading import load_dataset, resolve_data_dir, writable_work_dir
from fmstudy.data.subsets import Subset, select_classes
from fmstudy.evaluation.compare import compare_results, model_result
from fmstudy.evaluation.input_forms import pixel_evidence, task4_record
from fmstudy.evaluation.pca import run_pca
from fmstudy.i18n import N_
from fmstudy.models.classical import subsample
from fmstudy.models.saved import SAVE_CHOICES
from fmstudy.progress import Steps, study_progress
from fmstudy.results import ModelResult, StudyMetrics
from fmstudy.study.budget import reductions
from fmstudy.study.config import StudyConfig
from fmstudy.study.estimate import estimate_study
from fmstudy.study.feasibility import check_study
from fmstudy.study.figure_data import FigureData, confident_gallery, example_images
from fmstudy.study.fit_classical import run_classical, study_specs
from fmstudy.study.manifest import manifest


@dataclass
class StudyRecord:
    """One study's typed results; its figures are drawn from them by the report."""

    config: StudyConfig
    manifest: dict
    metrics: StudyMetrics
    timings: dict
    predictions: pd.DataFrame
    probabilities: dict[str, np.ndarray] = field(default_factory=dict)  # model key -> rows
    figure_data: FigureData | None = None  # the images and scores the figures draw
    saved_networks: dict[str, Path] = field(default_factory=dict)  # copied to models/NAME/
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)  # written as NAME.csv
    estimators: dict[str, object] = field(default_factory=dict)  # classical key -> fitted
    saved_models: dict = field(default_factory=dict)  # key -> models.saved.SavedModel


@dataclass
class _Run:
    """What the study's tasks fill in as they go."""

    config: StudyConfig
    sub: Subset
    figure_data: FigureData
    cache: FitCache
    steps: Steps
    jobs: int
    device: str  # as asked: auto, cpu or cuda
    save_models: str  # --save-models: none, small or all
    trained_on: str | None = None  # where the networks trained; None when none did
    models: dict[str, ModelResult] = field(default_factory=dict)
    preds: dict[str, np.ndarray] = field(default_factory=dict)  # the representative fit's
    probas: dict[str, np.ndarray] = field(default_factory=dict)  # and its test probabilities
    seed_preds: dict[str, list] = field(default_factory=dict)  # every fit's, by seed
    timings: dict = field(default_factory=lambda: {"models": {}})
    parts: dict = field(default_factory=dict)  # StudyMetrics fields besides models
    saved: dict[str, Path] = field(default_factory=dict)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    estimators: dict[str, object] = field(default_factory=dict)
    saved_models: dict = field(default_factory=dict)


def run_study(
    config: StudyConfig,
    *,
    data_dir: str | Path | None = None,
    jobs: int | None = None,
    fresh: bool = False,
    progress: bool = False,
    search_storage: str | None = None,
    search_jobs: int = 1,
    device: str = "auto",
    save_models: str = "small",
    search_deadline=None,
) -> StudyRecord:
    """Run the study's tasks as ``config`` says and return the results.

    The architecture search (task ``search``) keeps its trials in ``search_storage``
    (default: an SQLite file ``work/search.db`` in the data folder) and runs
    ``search_jobs`` worker processes on this machine, until ``search_deadline`` (a
    :class:`~fmstudy.search.workers.Deadline`; default: its --timeout from its start).
    Networks train on ``device`` (``auto``: CUDA when torch sees it, else the CPU).  The
    classical models' fitted estimators are returned (a large one that came from the
    cache without its file is left out); ``save_models`` (none, small, all) says which
    files the report will write.
    """
    root = resolve_data_dir(data_dir)
    work = writable_work_dir(root)
    checks.device(device)
    checks.choice(save_models, "--save-models", SAVE_CHOICES)
    t_start = time.perf_counter()
    with study_progress(progress) as steps:
        with steps.step("load", "Task 1: load and verify data"):
            options = config.data_options()
            ds = load_dataset(config.dataset, root, options=options, class_names=config.class_names)
            sub = select_classes(ds, config.classes)
            check_study(config, sub)  # too few or odd images: one line, before any work
        plan = None
        if steps.shown:  # what the run will do and about how long, before the wait
            plan = estimate_study(
                config,
                n_train=len(sub.y_train),
                n_test=len(sub.y_test),
                image_shape=sub.x_train.shape[1:],
                classical=study_specs(config),
            )
            steps.note(plan.describe())
        cache = FitCache(work, ds.sha256, sub.classes, n_test=len(sub.y_test), fresh=fresh)
        jobs = jobs or os.cpu_count() or 1
        data = FigureData(*example_images(sub))
        run = _Run(config, sub, data, cache, steps, jobs, device, save_models)
        if plan is not None:  # kept beside the step times, to compare with them
            run.timings["estimate"] = plan.to_dict()
        run.parts["task1"] = sub.verification()
        if "2" in config.tasks:
            _pca(run)
        _classical(run)
        if "5" in config.tasks and config.networks:
            _networks(run)
        if "search" in config.tasks:
            from fmstudy.search.workers import search_storage_url

            url = search_storage_url(search_storage, root / "work" / "search.db")
            _search(run, url, root, search_jobs, search_deadline)
        if len(run.preds) >= 2:
            _compare(run)
        if "4" in config.tasks:
            _task4(run)
        if run.probas:
            _confident_mistakes(run)
        run.parts["similar_pairs"] = mean_image_similarity(sub)
        nets = run.parts.get("networks", {})
        run.parts["budget"] = reductions(config, run.models, nets, len(sub.y_train))
    run.timings["steps"] = steps.timings
    run.timings["total_seconds"] = round(time.perf_counter() - t_start, 3)
    metrics = StudyMetrics(tasks=tuple(config.tasks), models=run.models, **run.parts)
    predictions = pd.DataFrame(
        {
            "test_index": np.flatnonzero(np.isin(ds.y_test, config.classes)),
            "true": sub.y_test.astype(int),
            "true_name": [sub.class_names[sub.classes.index(int(v))] for v in sub.y_test],
            **{k: p.astype(int) for k, p in run.preds.items()},
        }
    )
    return StudyRecord(
        config,
        manifest(config, ds.sha256, run.trained_on),
        metrics,
        run.timings,
        predictions,
        run.probas,
        run.figure_data,
        run.saved,
        run.tables,
        run.estimators,
        run.saved_models,
    )


def _pca(run: _Run) -> None:
    sub = run.sub
    with run.steps.step("pca", "Task 2: PCA"):
        x_train = sub.x_train.reshape(len(sub.x_train), -1)
        pca = run_pca(
            x_train, sub.y_train, seed=run.config.seed, n_random=run.config.pca_random_directions
        )
    run.parts["pca"] = {
        "explained_variance_ratio": [float(v) for v in pca.explained_variance_ratio],
        # each component's share up to the 90 % count, as the variance figure draws them
        "spectrum": [float(v) for v in pca.spectrum],
        "checks": pca.checks,
        "reading": pca.reading,
        "route": pca.route,  # how the components were computed: covariance, svd or randomized
    }
    run.figure_data.pca = pca


def _classical(run: _Run) -> None:
    """Tasks 3 and 4 and the other models of ``--models``, and their resampling."""
    done = run_classical(run.config, run.sub, run.cache, run.jobs, run.steps, run.save_models)
    run.estimators.update(done.estimators)
    run.saved_models.update(done.saved)
    run.models.update(done.models)
    run.preds.update(done.predictions)
    run.probas.update(done.probabilities)
    run.seed_preds.update(done.seed_predictions)
    run.timings["models"].update(done.timings)
    run.figure_data.pair_mistakes.update(done.pair_mistakes)
    run.parts.update(done.parts)


def _networks(run: _Run) -> None:
    """Task 5: every network of the config with each seed."""
    from joblib.externals.loky import get_reusable_executor

    from fmstudy.nets.devices import resolve_device
    from fmstudy.study.train_networks import run_networks

    # joblib's idle workers (the classical fits' and learning curves') would hold about
    # 0.4 GiB each for their five idle minutes, beside the trainings' own memory
    get_reusable_executor().shutdown(wait=True)
    run.trained_on = resolve_device(run.device)
    nets = run_networks(run.config, run.sub, run.cache, run.jobs, run.steps, run.trained_on)
    run.parts["networks"] = nets.results
    run.saved.update(nets.saved)
    run.timings["networks"] = nets.timings["networks"]
    run.timings["models"].update(nets.timings["models"])
    for n in nets.results.values():
        run.models[n.key] = nets.models[n.key]
        run.seed_preds[n.key] = nets.predictions[n.key]
        run.preds[n.key] = nets.predictions[n.key][n.seeds.index(n.representative_seed)]
        run.probas[n.key] = nets.probabilities[n.key]


def _search(run: _Run, url: str, root: Path, jobs: int, deadline) -> None:
    """The architecture search; its best spec joins the comparison as "search-best"."""
    from fmstudy.nets.devices import resolve_device
    from fmstudy.search.run import run_search

    run.trained_on = resolve_device(run.device)
    sub = run.sub
    found = run_search(
        run.config.search_settings(),
        sub,
        url,
        jobs=jobs,
        data_dir=root,
        progress=run.steps,
        cache=run.cache,
        networks=run.parts.get("networks"),
        device=run.trained_on,
        deadline=deadline,
    )
    run.steps.timings["search"] = round(found.seconds, 3)
    run.parts["search"] = found.outcome
    run.figure_data.search_trials = search_trials(url, found)
    run.tables["search_trials"] = found.trials
    final = found.final
    if final is None:  # --timeout left no time to retrain the best spec
        return
    ev = model_result(
        "search-best",
        (N_("search best (trial {trial})"), {"trial": found.outcome.best_trial}),
        "search",
        sub.y_test,
        final.y_pred,
        sub.classes,
        sub.class_names,
        {"train_rows": len(sub.y_train)},  # retrained on every training row
        proba=final.proba,
    )
    run.models["search-best"] = ev
    run.preds["search-best"] = final.y_pred
    run.probas["search-best"] = final.proba
    run.timings["models"]["search-best"] = {
        "fit_seconds": round(sum(final.epoch_seconds), 3),
        "predict_seconds": round(final.predict_seconds, 3),
        "cached": False,
    }
    if final.folder is not None:
        run.saved["search-best"] = final.folder


def search_trials(url: str, found) -> list:
    """The search's trials as optuna FrozenTrials (those its outcome counts, not those
    another machine added since), for the report to draw its figures from."""
    import optuna

    from fmstudy.search.workers import open_storage

    study = optuna.load_study(study_name=found.outcome.study_name, storage=open_storage(url))
    counted = set(found.trials["number"])
    return [t for t in study.trials if t.number in counted]


def _compare(run: _Run) -> None:
    """Bootstrap intervals per model, McNemar verdicts per pair (over seed pairs), the
    groups of indistinguishable models and each model's difference from the best."""
    cfg = run.config
    with run.steps.step("compare", "Comparing models (bootstrap, McNemar)"):
        compared = compare_results(
            run.models,
            run.preds,
            run.sub.y_test,
            n_boot=cfg.bootstrap,
            seed=cfg.seed,
            seed_predictions={k: run.seed_preds.get(k, [p]) for k, p in run.preds.items()},
        )
    run.models = compared.models
    run.parts.update(pairs=compared.pairs, groups=compared.groups, from_best=compared.from_best)


def _task4(run: _Run) -> None:
    """Task 4's answer: the two input forms compared, with the evidence for why."""
    lr, sub = run.config.logreg, run.sub
    pixels = None
    if "logreg_std" in run.models:  # the rows the standardized fit learnt from
        x = sub.x_train.reshape(len(sub.x_train), -1)
        x_fit, _ = subsample(x, sub.y_train, lr.max_train_rows, lr.random_state)
        pixels = pixel_evidence(x_fit, sub.x_test)
    record = task4_record(
        run.models,
        run.preds,
        sub.y_test,
        run.parts.get("pairs"),
        pixels=pixels,
        max_iter=lr.max_iter,
        scale=lr.raw_scale,
        n_boot=run.config.bootstrap,
        seed=run.config.seed,
    )
    if record is not None:
        run.parts["task4"] = record


def _confident_mistakes(run: _Run) -> None:
    """The study's most confident mistakes, of the best model (by test accuracy, as the
    summary ranks them)."""
    models = list(run.models)
    best = max(run.probas, key=lambda k: (run.models[k].accuracy, -models.index(k)))
    run.figure_data.confident_mistakes = confident_gallery(run.sub, best, run.probas[best])


def mean_image_similarity(sub: Subset) -> list[dict]:
    """Correlation of class mean images: why some pairs are hard to tell apart.  A class
    whose mean image is one flat grey has no correlation with anything: its pairs are
    left out (the discussion then says nothing of their similarity)."""
    flat = sub.x_train.reshape(len(sub.x_train), -1)
    means = {c: flat[sub.y_train == c].mean(axis=0) for c in sub.classes}
    out = []
    for i, a in enumerate(sub.classes):
        for b in sub.classes[i + 1 :]:
            if means[a].std() == 0 or means[b].std() == 0:
                continue
            r = float(np.corrcoef(means[a], means[b])[0, 1])
            out.append({"a": int(a), "b": int(b), "correlation": r})
    out.sort(key=lambda d: -d["correlation"])
    return out
