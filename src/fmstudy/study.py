"""Run the whole study (tasks 1-5 and the search) from one config; the CLI and notebooks
call this.

    result = run_study(StudyConfig(classes=(4, 5, 6, 7)))
    result.metrics.models["forest"].accuracy
    result.figures["pca_scatter"]            # matplotlib Figure
    result.save("study-out")                  # the report folder

    run_report(config, Path("study-out"))     # what 'fmstudy run' does: run, then save

Finished fits are kept in one cache (``<data dir>/work``, :mod:`fmstudy.cache`),
so an interrupted study resumes and a rerun retrains nothing.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from matplotlib.figure import Figure

from fmstudy import figures as figs
from fmstudy.cache import FitCache
from fmstudy.classical import FitResult, classical_specs, fit_model, representative_fit
from fmstudy.compare import compare_models, difference_from_best, letter_groups, model_result
from fmstudy.config import StudyConfig
from fmstudy.data import load_dataset, resolve_data_dir, writable_work_dir
from fmstudy.manifest import manifest
from fmstudy.pca import run_pca
from fmstudy.progress import Steps, study_progress
from fmstudy.report import check_out_dir, write_report
from fmstudy.results import ModelResult, StudyMetrics
from fmstudy.subsets import Subset, select_classes


@dataclass
class StudyResult:
    """One study's typed results; figures are matplotlib Figures."""

    config: StudyConfig
    manifest: dict
    metrics: StudyMetrics
    timings: dict
    predictions: pd.DataFrame
    figures: dict[str, Figure] = field(default_factory=dict)
    saved_networks: dict[str, Path] = field(default_factory=dict)  # copied to models/NAME/
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)  # written as NAME.csv

    def save(self, out: str | Path, *, force: bool = False) -> Path:
        """Write the report folder (via a temporary folder renamed into place)."""
        return write_report(self, Path(out), force=force)


@dataclass
class _Run:
    """What the study's tasks fill in as they go."""

    config: StudyConfig
    sub: Subset
    cache: FitCache
    steps: Steps
    jobs: int
    models: dict[str, ModelResult] = field(default_factory=dict)
    preds: dict[str, np.ndarray] = field(default_factory=dict)  # the representative fit's
    seed_preds: dict[str, list] = field(default_factory=dict)  # every fit's, by seed
    timings: dict = field(default_factory=lambda: {"models": {}})
    figures: dict[str, Figure] = field(default_factory=dict)
    parts: dict = field(default_factory=dict)  # StudyMetrics fields besides models
    saved: dict[str, Path] = field(default_factory=dict)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)


def run_study(
    config: StudyConfig,
    *,
    data_dir: str | Path | None = None,
    jobs: int | None = None,
    fresh: bool = False,
    progress: bool = False,
    search_storage: str | None = None,
    search_jobs: int = 1,
) -> StudyResult:
    """Run the study's tasks as ``config`` says and return the results.

    The architecture search (task ``search``) keeps its trials in ``search_storage``
    (default: an SQLite file ``work/search.db`` in the data folder) and runs
    ``search_jobs`` worker processes on this machine.
    """
    root = resolve_data_dir(data_dir)
    work = writable_work_dir(root)
    t_start = time.perf_counter()
    with study_progress(progress) as steps:
        with steps.step("load", "Task 1: load and verify data"):
            ds = load_dataset(config.dataset, root)
            sub = select_classes(ds, config.classes)
        cache = FitCache(work, ds.sha256, sub.classes, n_test=len(sub.y_test), fresh=fresh)
        run = _Run(config, sub, cache, steps, jobs or os.cpu_count() or 1)
        run.parts["task1"] = sub.verification()
        run.figures["examples"] = figs.example_grid(
            sub.x_train, sub.y_train, sub.classes, sub.class_names
        )
        if "2" in config.tasks:
            _pca(run)
        _classical(run)
        if "5" in config.tasks and config.networks:
            _networks(run)
        if "search" in config.tasks:
            from fmstudy.search_workers import search_storage_url

            url = search_storage_url(search_storage, root / "work" / "search.db")
            _search(run, url, root, search_jobs)
        if len(run.preds) >= 2:
            _compare(run)
        run.parts["similar_pairs"] = _mean_image_similarity(sub)
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
    return StudyResult(
        config,
        manifest(config, ds.sha256),
        metrics,
        run.timings,
        predictions,
        run.figures,
        run.saved,
        run.tables,
    )


def run_report(
    config: StudyConfig,
    out: Path,
    *,
    force: bool = False,
    storage: str | None = None,
    search_db: Path | None = None,
    **options,
) -> StudyResult:
    """Check ``out``, run the study, write its report into ``out``; the CLI's one call.

    The search's trials go to ``storage``, else to SQLite at ``search_db`` (default
    ``OUT.search.db`` beside the report folder, which a rerun replaces)."""
    from fmstudy.search_workers import check_storage_url, search_storage_url

    if "search" in config.tasks and storage is not None:
        check_storage_url(storage)  # before anything is made on disk
    check_out_dir(out, force=force)
    url = None
    if "search" in config.tasks:
        url = search_storage_url(storage, search_db or Path(f"{out.resolve()}.search.db"))
    result = run_study(config, progress=True, search_storage=url, **options)
    result.save(out, force=force)
    return result


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
    names = dict(zip(sub.classes, sub.class_names, strict=True))
    ratios = pca.explained_variance_ratio
    run.figures["pca_scatter"] = figs.pca_scatter(pca.coords, pca.labels, names, ratios)
    run.figures["pca_variance"] = figs.pca_variance(ratios)
    run.figures["pca_components"] = figs.pca_components(pca.components, ratios)


def _classical(run: _Run) -> None:
    """Tasks 3 and 4: each fit from the cache or made, the representative of each model
    evaluated and drawn."""
    cfg, sub = run.config, run.sub
    specs = [
        s
        for s in classical_specs(cfg.forest, cfg.logreg)
        if ("3" in cfg.tasks and s.kind == "forest") or ("4" in cfg.tasks and s.kind == "logreg")
    ]
    fits, cached = _fit_all(run, specs)
    for key in dict.fromkeys(s.model_key for s in specs):
        group = [fits[s.key] for s in specs if s.model_key == key]
        seeds = [s.params["random_state"] for s in specs if s.model_key == key]
        rep, details = representative_fit(group, seeds, sub.y_test)
        task = "3" if key == "forest" else "4"
        ev = model_result(
            key, rep.label, task, sub.y_test, rep.y_pred, sub.classes, sub.class_names, details
        )
        run.models[key] = ev
        run.preds[key] = rep.y_pred
        run.seed_preds[key] = [f.y_pred for f in group]
        run.timings["models"][key] = {
            "fit_seconds": round(rep.fit_seconds, 3),  # the shown run's, as for networks
            "all_seeds_fit_seconds": round(sum(f.fit_seconds for f in group), 3),
            "predict_seconds": round(rep.predict_seconds, 3),
            "cached": all(s.key in cached for s in specs if s.model_key == key),
        }
        _model_figures(run, ev, rep.y_pred)


def _fit_and_keep(spec, x_train, y_train, x_test, n_jobs, cache: FitCache, key: str) -> FitResult:
    return cache.keep_fit(key, fit_model(spec, x_train, y_train, x_test, n_jobs=n_jobs))


def _fit_all(run: _Run, specs) -> tuple[dict[str, FitResult], set[str]]:
    """Each fit from the cache if it is there, else fitted (in parallel where the config
    asks for it: independent single-threaded fits, longest first) and kept.  Returns the
    fits and the keys of those that came from the cache."""
    sub, cache, jobs = run.sub, run.cache, run.jobs
    x_train = sub.x_train.reshape(len(sub.x_train), -1)
    x_test = sub.x_test.reshape(len(sub.x_test), -1)
    keys = {s.key: cache.key(s.kind, s.params) for s in specs}  # seeds differ in params
    fits = {s.key: f for s in specs if (f := cache.load_fit(keys[s.key])) is not None}
    cached = set(fits)
    todo = sorted((s for s in specs if s.key not in cached), key=lambda s: -s.expected_cost)
    if not specs:
        return fits, cached
    label = ", ".join(s.key for s in todo) or "all cached"
    with run.steps.step("fit", f"Tasks 3-4: fitting models ({label})", total=len(specs)) as advance:
        advance(len(specs) - len(todo))
        if run.config.parallel_fits and jobs > 1 and len(todo) > 1:
            runner = Parallel(n_jobs=min(jobs, len(todo)), return_as="generator_unordered")
            for fit in runner(
                delayed(_fit_and_keep)(s, x_train, sub.y_train, x_test, 1, cache, keys[s.key])
                for s in todo
            ):
                fits[fit.key] = fit
                advance()
        else:
            for s in todo:
                fits[s.key] = _fit_and_keep(
                    s, x_train, sub.y_train, x_test, jobs, cache, keys[s.key]
                )
                advance()
    return fits, cached


def _model_figures(run: _Run, ev: ModelResult, y_pred: np.ndarray) -> None:
    sub, key = run.sub, ev.key
    names = dict(zip(sub.classes, sub.class_names, strict=True))
    run.figures[f"confusion_{key}"] = figs.confusion_heatmap(
        ev.confusion, sub.class_names, f"{ev.label}: accuracy {ev.accuracy:.4f}"
    )
    if ev.confused_pairs:
        worst = ev.confused_pairs[0]
        pair = (worst["a"], worst["b"])
        wrong = np.flatnonzero(
            np.isin(sub.y_test, pair) & np.isin(y_pred, pair) & (sub.y_test != y_pred)
        )[:16]
        run.figures[f"errors_{key}"] = figs.misclassified_gallery(
            sub.x_test[wrong],
            sub.y_test[wrong],
            y_pred[wrong],
            names,
            f"{ev.label}: misclassified {worst['a_name']} / {worst['b_name']} (true → predicted)",
        )
    if ev.details.get("oob_curve"):
        run.figures[f"oob_{key}"] = figs.oob_curve(ev.details["oob_curve"])


def _networks(run: _Run) -> None:
    """Task 5: every network of the config with each seed, then its figures."""
    from fmstudy.narrative import counted
    from fmstudy.neural_task import run_networks

    nets = run_networks(run.config, run.sub, run.cache, run.jobs, run.steps)
    run.parts["networks"] = nets.results
    run.saved.update(nets.saved)
    run.timings["networks"] = nets.timings["networks"]
    run.timings["models"].update(nets.timings["models"])
    for name, n in nets.results.items():
        ev = nets.models[n.key]
        run.models[n.key] = ev
        run.seed_preds[n.key] = nets.predictions[n.key]
        run.preds[n.key] = nets.predictions[n.key][n.seeds.index(n.representative_seed)]
        run.figures[f"curves_{n.key}"] = figs.training_curves(
            n.histories, n.marked_epoch, f"{name} ({n.layers}), {counted(len(n.seeds), 'seed')}"
        )
        run.figures[f"confusion_{n.key}"] = figs.confusion_heatmap(
            ev.confusion,
            run.sub.class_names,
            f"{name}, seed {n.representative_seed}: accuracy {ev.accuracy:.4f}",
        )


def _search(run: _Run, url: str, root: Path, jobs: int) -> None:
    """The architecture search; its best spec joins the comparison as "search-best"."""
    from fmstudy.search import run_search

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
        f"search best (trial {found.outcome.best_trial})",
        "search",
        sub.y_test,
        final.y_pred,
        sub.classes,
        sub.class_names,
        {"train_rows": len(sub.y_train)},  # retrained on every training row
    )
    run.models["search-best"] = ev
    run.preds["search-best"] = final.y_pred
    run.timings["models"]["search-best"] = {
        "fit_seconds": round(sum(final.epoch_seconds), 3),
        "predict_seconds": round(final.predict_seconds, 3),
        "cached": False,
    }
    run.figures["confusion_search-best"] = figs.confusion_heatmap(
        ev.confusion, sub.class_names, f"{ev.label}: test confusion matrix"
    )
    if final.folder is not None:
        run.saved["search-best"] = final.folder


def _compare(run: _Run) -> None:
    """Bootstrap intervals per model, McNemar verdicts per pair (over seed pairs), the
    groups of indistinguishable models and each model's difference from the best."""
    cfg = run.config
    with run.steps.step("compare", "Comparing models (bootstrap, McNemar)"):
        labels = {k: m.label for k, m in run.models.items()}
        ci95, pairs = compare_models(
            run.sub.y_test,
            run.preds,
            labels,
            n_boot=cfg.bootstrap,
            seed=cfg.seed,
            seed_predictions={k: run.seed_preds.get(k, [p]) for k, p in run.preds.items()},
        )
        run.models = {k: replace(m, ci95=ci95[k]) for k, m in run.models.items()}
        order = sorted(run.models, key=lambda k: -run.models[k].accuracy)
        diffs = difference_from_best(
            run.sub.y_test, run.preds, order[0], n_boot=cfg.bootstrap, seed=cfg.seed
        )
        run.parts.update(pairs=pairs, groups=letter_groups(order, pairs), from_best=diffs)
    ranked = [k for k in order if k != order[0]]
    run.figures["comparison"] = figs.difference_from_best(
        run.models[order[0]].label,
        [run.models[k].label for k in ranked],
        [diffs[k] for k in ranked],
    )


def _mean_image_similarity(sub: Subset) -> list[dict]:
    """Correlation of class mean images: why some pairs are hard to tell apart."""
    means = {c: sub.x_train[sub.y_train == c].reshape(-1, 784).mean(axis=0) for c in sub.classes}
    out = []
    for i, a in enumerate(sub.classes):
        for b in sub.classes[i + 1 :]:
            r = float(np.corrcoef(means[a], means[b])[0, 1])
            out.append({"a": int(a), "b": int(b), "correlation": r})
    out.sort(key=lambda d: -d["correlation"])
    return out
