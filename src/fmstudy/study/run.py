"""Run the whole study (tasks 1-5 and the search) from one config into typed records.

    result = run_study(StudyConfig(classes=(4, 5, 6, 7)))
    result.metrics.models["forest"].accuracy
    result.estimators["forest"]              # the fitted scikit-learn estimator
    result.figures["pca_scatter"]            # matplotlib Figure

The report is written from these records by :mod:`fmstudy.report`; the public facade
:mod:`fmstudy.api` returns them with a ``save`` method.

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
from matplotlib.figure import Figure

from fmstudy import checks
from fmstudy.cache.fits import FitCache
from fmstudy.data.loading import load_dataset, resolve_data_dir, writable_work_dir
from fmstudy.data.subsets import Subset, select_classes
from fmstudy.evaluation.compare import compare_results, model_result
from fmstudy.evaluation.pca import run_pca
from fmstudy.evaluation.probabilities import confident_mistakes
from fmstudy.i18n import N_, language, num
from fmstudy.i18n import gettext as _
from fmstudy.models.saved import SAVE_CHOICES
from fmstudy.plots import evaluation as eval_figures
from fmstudy.plots import figures as figs
from fmstudy.progress import Steps, study_progress
from fmstudy.report.narrative import label_of, seeds_counted
from fmstudy.results import ModelResult, StudyMetrics
from fmstudy.study.config import StudyConfig
from fmstudy.study.feasibility import check_study
from fmstudy.study.fit_classical import run_classical
from fmstudy.study.manifest import manifest


@dataclass
class StudyRecord:
    """One study's typed results; figures are matplotlib Figures."""

    config: StudyConfig
    manifest: dict
    metrics: StudyMetrics
    timings: dict
    predictions: pd.DataFrame
    probabilities: dict[str, np.ndarray] = field(default_factory=dict)  # model key -> rows
    figures: dict[str, Figure] = field(default_factory=dict)
    saved_networks: dict[str, Path] = field(default_factory=dict)  # copied to models/NAME/
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)  # written as NAME.csv
    estimators: dict[str, object] = field(default_factory=dict)  # classical key -> fitted
    saved_models: dict = field(default_factory=dict)  # key -> saved_models.SavedModel


@dataclass
class _Run:
    """What the study's tasks fill in as they go."""

    config: StudyConfig
    sub: Subset
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
    figures: dict[str, Figure] = field(default_factory=dict)
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
) -> StudyRecord:
    """Run the study's tasks as ``config`` says and return the results.

    The architecture search (task ``search``) keeps its trials in ``search_storage``
    (default: an SQLite file ``work/search.db`` in the data folder) and runs
    ``search_jobs`` worker processes on this machine.  Networks train on ``device``
    (``auto``: CUDA when torch sees it, else the CPU).  The classical models' fitted
    estimators are returned (a large one that came from the cache without its file is
    left out); ``save_models`` (none, small, all) says which files the report will write.
    """
    root = resolve_data_dir(data_dir)
    work = writable_work_dir(root)
    checks.device(device)
    checks.choice(save_models, "--save-models", SAVE_CHOICES)
    t_start = time.perf_counter()
    # Figures speak the report's language; the terminal stays English.
    with study_progress(progress) as steps, language(config.lang):
        with steps.step("load", "Task 1: load and verify data"):
            ds = load_dataset(config.dataset, root, options=config.data_options())
            sub = select_classes(ds, config.classes)
            check_study(config, sub)  # too few or odd images: one line, before any work
        cache = FitCache(work, ds.sha256, sub.classes, n_test=len(sub.y_test), fresh=fresh)
        run = _Run(config, sub, cache, steps, jobs or os.cpu_count() or 1, device, save_models)
        run.parts["task1"] = sub.verification()
        run.figures["examples"] = figs.example_grid(
            sub.x_train, sub.y_train, sub.classes, sub.names_in(config.lang)
        )
        if "2" in config.tasks:
            _pca(run)
        _classical(run)
        if "5" in config.tasks and config.networks:
            _networks(run)
        if "search" in config.tasks:
            from fmstudy.search.workers import search_storage_url

            url = search_storage_url(search_storage, root / "work" / "search.db")
            _search(run, url, root, search_jobs)
        if len(run.preds) >= 2:
            _compare(run)
        _probability_figures(run)
        run.parts["similar_pairs"] = mean_image_similarity(sub)
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
        run.figures,
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
        "checks": pca.checks,
    }
    names = dict(zip(sub.classes, sub.names_in(run.config.lang), strict=True))
    ratios = pca.explained_variance_ratio
    run.figures["pca_scatter"] = figs.pca_scatter(pca.coords, pca.labels, names, ratios)
    run.figures["pca_variance"] = figs.pca_variance(ratios)
    shape = sub.x_train.shape[1:]
    run.figures["pca_components"] = figs.pca_components(pca.components, ratios, shape)


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
    run.figures.update(done.figures)
    run.parts.update(done.parts)


def _networks(run: _Run) -> None:
    """Task 5: every network of the config with each seed, then its figures."""
    from fmstudy.nets.devices import resolve_device
    from fmstudy.study.train_networks import run_networks

    run.trained_on = resolve_device(run.device)
    nets = run_networks(run.config, run.sub, run.cache, run.jobs, run.steps, run.trained_on)
    run.parts["networks"] = nets.results
    run.saved.update(nets.saved)
    run.timings["networks"] = nets.timings["networks"]
    run.timings["models"].update(nets.timings["models"])
    for name, n in nets.results.items():
        ev = nets.models[n.key]
        run.models[n.key] = ev
        run.seed_preds[n.key] = nets.predictions[n.key]
        run.preds[n.key] = nets.predictions[n.key][n.seeds.index(n.representative_seed)]
        run.probas[n.key] = nets.probabilities[n.key]
        run.figures[f"curves_{n.key}"] = figs.training_curves(
            n.histories, n.marked_epoch, f"{name} ({n.layers}), {seeds_counted(len(n.seeds))}"
        )
        run.figures[f"confusion_{n.key}"] = figs.confusion_heatmap(
            ev.confusion,
            run.sub.names_in(run.config.lang),
            _("{name}, seed {seed}: accuracy {acc}").format(
                name=name, seed=n.representative_seed, acc=num(ev.accuracy)
            ),
        )


def _search(run: _Run, url: str, root: Path, jobs: int) -> None:
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
    )
    run.steps.timings["search"] = round(found.seconds, 3)
    run.parts["search"] = found.outcome
    run.figures.update(found.figures)
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
    run.figures["confusion_search-best"] = figs.confusion_heatmap(
        ev.confusion,
        sub.names_in(run.config.lang),
        _("{model}: test confusion matrix").format(model=label_of(ev)),
    )
    if final.folder is not None:
        run.saved["search-best"] = final.folder


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
    diffs = compared.from_best
    run.parts.update(pairs=compared.pairs, groups=compared.groups, from_best=diffs)
    order = sorted(run.models, key=lambda k: -run.models[k].accuracy)
    ranked = [k for k in order if k != order[0]]
    run.figures["comparison"] = figs.difference_from_best(
        label_of(run.models[order[0]]),
        [label_of(run.models[k]) for k in ranked],
        [diffs[k] for k in ranked],
    )


def _probability_figures(run: _Run) -> None:
    """Each model's ROC, precision-recall and reliability panels; the study's most
    confident mistakes, of the best model (by test accuracy, as the summary ranks them)."""
    sub = run.sub
    shown = sub.names_in(run.config.lang)
    for key, proba in run.probas.items():
        ev = run.models[key]
        run.figures[f"proba_{key}"] = eval_figures.probability_panels(
            sub.y_test, proba, sub.classes, shown, ev, label_of(ev)
        )
    if not run.probas:
        return
    best = max(run.probas, key=lambda k: (run.models[k].accuracy, -list(run.models).index(k)))
    proba = run.probas[best]
    wrong = confident_mistakes(sub.y_test, proba, sub.classes)
    run.figures["confident_mistakes"] = eval_figures.mistakes_gallery(
        sub.x_test[wrong],
        sub.y_test[wrong],
        np.asarray(sub.classes)[proba[wrong].argmax(axis=1)],
        proba[wrong].max(axis=1),
        dict(zip(sub.classes, shown, strict=True)),
        _("{model}: its most confident mistakes (true → predicted, probability)").format(
            model=label_of(run.models[best])
        ),
    )


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
