"""Run the whole study (tasks 1-4) from one config; the CLI and notebooks call this.

    result = run_study(StudyConfig(classes=(4, 5, 6, 7)))
    result.metrics["models"]["forest"]["accuracy"]
    result.figures["pca_scatter"]            # matplotlib Figure
    result.save("study-out")                  # the report folder

Finished model fits are cached in ``<data dir>/work`` keyed by their spec and
the data's hashes, so an interrupted study resumes and a rerun retrains nothing.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import platform
import shutil
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from matplotlib.figure import Figure
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from fmstudy import __version__
from fmstudy import figures as figs
from fmstudy.atomic import write_bytes
from fmstudy.classical import FitResult, ModelSpec, classical_specs, fit_model
from fmstudy.compare import compare_models, conclusion, evaluate
from fmstudy.config import StudyConfig
from fmstudy.data import load_dataset, resolve_data_dir
from fmstudy.errors import FmstudyError
from fmstudy.pca import run_pca
from fmstudy.subsets import Subset, select_classes

MARKER = "fmstudy-report.json"
CACHE_VERSION = 1


@dataclass
class StudyResult:
    """Plain results of one study; figures are matplotlib Figures."""

    config: StudyConfig
    manifest: dict
    metrics: dict
    timings: dict
    predictions: pd.DataFrame
    figures: dict[str, Figure] = field(default_factory=dict)
    saved_networks: dict[str, Path] = field(default_factory=dict)  # copied to models/NAME/
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)  # written as NAME.csv

    def save(self, out: str | Path, *, force: bool = False) -> Path:
        """Write the report folder (via a temporary folder renamed into place)."""
        from fmstudy.report import write_report

        return write_report(self, Path(out), force=force)


def manifest(config: StudyConfig, sha256: dict) -> dict:
    pkgs = {}
    for name in (
        "numpy",
        "pandas",
        "scikit-learn",
        "scipy",
        "statsmodels",
        "matplotlib",
        "seaborn",
        "torch",
        "optuna",
        "jinja2",
    ):
        with contextlib.suppress(PackageNotFoundError):
            pkgs[name] = version(name)
    return {
        "fmstudy": __version__,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "packages": pkgs,
        "seed": config.seed,
        "dataset": config.dataset,
        "data_sha256": sha256,
    }


def fit_key(spec: ModelSpec, config: StudyConfig, sha256: dict) -> str:
    """Cache key of a fit: everything that decides its predictions."""
    blob = json.dumps(
        {
            "v": CACHE_VERSION,
            "kind": spec.kind,
            "params": spec.params,
            "classes": list(config.classes),
            "data": sha256,
        },
        sort_keys=True,
    )
    return hashlib.sha256(blob.encode()).hexdigest()[:24]


def load_fit(path: Path) -> FitResult | None:
    meta, preds = path.with_suffix(".json"), path.with_suffix(".npy")
    if not (meta.is_file() and preds.is_file()):
        return None
    try:
        m = json.loads(meta.read_text())
        y_pred = np.load(preds, allow_pickle=False)
    except (OSError, ValueError):
        return None
    return FitResult(
        m["key"], m["label"], y_pred, m["fit_seconds"], m["predict_seconds"], m["info"]
    )


def save_fit(path: Path, fit: FitResult) -> None:
    """Predictions first, then the JSON that marks the entry complete; both atomic."""
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()
    np.save(buf, fit.y_pred, allow_pickle=False)
    write_bytes(path.with_suffix(".npy"), buf.getvalue())
    meta = {
        "key": fit.key,
        "label": fit.label,
        "fit_seconds": fit.fit_seconds,
        "predict_seconds": fit.predict_seconds,
        "info": fit.info,
    }
    write_bytes(path.with_suffix(".json"), json.dumps(meta).encode())


def _fit_and_keep(spec, x_train, y_train, x_test, n_jobs, path) -> FitResult:
    fit = fit_model(spec, x_train, y_train, x_test, n_jobs=n_jobs)
    save_fit(path, fit)
    return fit


@contextlib.contextmanager
def _progress(enabled: bool) -> Iterator[Progress | None]:
    if not enabled:
        yield None
        return
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        transient=False,
    ) as p:
        yield p


class _Steps:
    """Times each step into ``timings`` and shows it as a progress bar."""

    def __init__(self, progress: Progress | None, timings: dict):
        self.progress, self.timings = progress, timings

    @contextlib.contextmanager
    def step(self, name: str, description: str, total: int = 1):
        task = self.progress.add_task(description, total=total) if self.progress else None
        t0 = time.perf_counter()
        yield lambda n=1: self.progress.advance(task, n) if self.progress else None
        self.timings[name] = round(time.perf_counter() - t0, 3)
        if self.progress:
            self.progress.update(task, completed=total)


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
    (default: an SQLite file in the data folder's ``work``) and runs ``search_jobs``
    worker processes on this machine.
    """
    jobs = jobs or os.cpu_count() or 1
    root = resolve_data_dir(data_dir)
    settings = config.settings
    timings: dict = {"steps": {}, "models": {}}
    metrics: dict = {"config": config.to_dict(), "tasks": list(config.tasks)}
    results: dict[str, Figure] = {}
    saved: dict[str, Path] = {}
    tables: dict[str, pd.DataFrame] = {}
    t_start = time.perf_counter()
    with _progress(progress) as bar:
        steps = _Steps(bar, timings["steps"])
        with steps.step("load", "Task 1: load and verify data"):
            ds = load_dataset(config.dataset, root)
            sub = select_classes(ds, config.classes)
            metrics["task1"] = sub.verification()
        names_by_label = dict(zip(sub.classes, sub.class_names, strict=True))
        results["examples"] = figs.example_grid(
            sub.x_train, sub.y_train, sub.classes, sub.class_names
        )
        x_train = sub.x_train.reshape(len(sub.x_train), -1)
        x_test = sub.x_test.reshape(len(sub.x_test), -1)

        if "2" in config.tasks:
            with steps.step("pca", "Task 2: PCA"):
                pca = run_pca(
                    x_train, sub.y_train, seed=config.seed, n_random=settings.pca_random_directions
                )
            metrics["pca"] = {
                "explained_variance_ratio": [float(v) for v in pca.explained_variance_ratio],
                "checks": pca.checks,
            }
            results["pca_scatter"] = figs.pca_scatter(
                pca.coords, pca.labels, names_by_label, pca.explained_variance_ratio
            )
            results["pca_variance"] = figs.pca_variance(pca.explained_variance_ratio)
            results["pca_components"] = figs.pca_components(
                pca.components, pca.explained_variance_ratio
            )

        specs = [
            s
            for s in classical_specs(settings)
            if ("3" in config.tasks and s.kind == "forest")
            or ("4" in config.tasks and s.kind == "logreg")
        ]
        fits, cached_keys = _fit_all(
            specs,
            sub,
            x_train,
            x_test,
            config,
            root,
            jobs,
            fresh,
            steps,
            parallel=settings.parallel_fits,
        )
        metrics["models"] = {}
        preds: dict[str, np.ndarray] = {}
        for spec in specs:
            fit = fits[spec.key]
            ev = evaluate(sub.y_test, fit.y_pred, sub.classes, sub.class_names)
            ev["label"] = fit.label
            ev["task"] = "3" if spec.kind == "forest" else "4"
            metrics["models"][spec.key] = ev
            preds[spec.key] = fit.y_pred
            timings["models"][spec.key] = {
                "fit_seconds": round(fit.fit_seconds, 3),
                "predict_seconds": round(fit.predict_seconds, 3),
                "cached": spec.key in cached_keys,
            }
            ev["info"] = fit.info
            _model_figures(results, spec.key, ev, fit, sub, names_by_label)
        if "5" in config.tasks and settings.networks:
            from fmstudy.neural_task import network_conclusion, run_networks

            nets = run_networks(config, sub, root, jobs, fresh, bar, timings, results)
            metrics["networks"] = nets.metrics
            metrics["networks_conclusion"] = network_conclusion(nets.metrics)
            saved = nets.saved
            for key, ev in nets.models.items():
                metrics["models"][key] = ev
                preds[key] = nets.predictions[key]
        if "search" in config.tasks:
            from fmstudy.search import against_notebook, search_task

            url = search_storage or f"sqlite:///{root / 'work' / 'search.db'}"
            (root / "work").mkdir(parents=True, exist_ok=True)
            t0 = time.perf_counter()
            found = search_task(config, sub, root, url, search_jobs, bar)
            timings["steps"]["search"] = round(time.perf_counter() - t0, 3)
            ev = evaluate(sub.y_test, found.final.y_pred, sub.classes, sub.class_names)
            ev["label"] = f"search best (trial {found.summary['best_trial']})"
            ev["task"] = "search"
            metrics["models"]["search-best"] = ev
            preds["search-best"] = found.final.y_pred
            timings["models"]["search-best"] = {
                "fit_seconds": round(sum(found.final.epoch_seconds), 3),
                "predict_seconds": round(found.final.predict_seconds, 3),
                "cached": False,
            }
            metrics["search"] = {
                **found.summary,
                "storage": found.storage,
                "against_notebook": against_notebook(found.summary, metrics.get("networks")),
            }
            results.update(found.figures)
            results["confusion_search-best"] = figs.confusion_heatmap(
                ev["confusion"], sub.class_names, f"{ev['label']}: test confusion matrix"
            )
            tables["search_trials"] = found.trials
            if found.final.folder is not None:
                saved["search-best"] = found.final.folder
        if len(preds) >= 2:
            with steps.step("compare", "Comparing models (bootstrap, McNemar)"):
                labels = {k: metrics["models"][k]["label"] for k in metrics["models"]}
                comp = compare_models(
                    sub.y_test, preds, labels, n_boot=settings.bootstrap, seed=config.seed
                )
                accs = {k: metrics["models"][k]["accuracy"] for k in metrics["models"]}
                comp["conclusion"] = conclusion(accs, labels, comp)
                metrics["comparison"] = comp
            keys = list(metrics["models"])
            results["comparison"] = figs.model_comparison(
                [labels[k] for k in keys],
                [accs[k] for k in keys],
                [comp["ci95"][k] for k in keys],
            )
        metrics["similar_pairs"] = _mean_image_similarity(sub)
    timings["total_seconds"] = round(time.perf_counter() - t_start, 3)
    predictions = pd.DataFrame(
        {
            "test_index": np.flatnonzero(np.isin(ds.y_test, config.classes)),
            "true": sub.y_test.astype(int),
            "true_name": [names_by_label[int(v)] for v in sub.y_test],
            **{k: p.astype(int) for k, p in preds.items()},
        }
    )
    return StudyResult(
        config, manifest(config, ds.sha256), metrics, timings, predictions, results, saved, tables
    )


def _fit_all(
    specs, sub: Subset, x_train, x_test, config, root: Path, jobs, fresh, steps, *, parallel: bool
) -> tuple[dict[str, FitResult], set[str]]:
    """Each fit from the cache if it is there, else fitted (in parallel where the profile
    asks for it: independent single-threaded fits, longest first) and kept.  Returns the
    fits and the keys of those that came from the cache."""
    work = root / "work"
    paths = {s.key: work / fit_key(s, config, sub.dataset.sha256) for s in specs}
    fits: dict[str, FitResult] = {}
    todo = []
    for s in specs:
        cached = None if fresh else load_fit(paths[s.key])
        if cached is not None:
            fits[s.key] = cached
        else:
            todo.append(s)
    cached_keys = set(fits)
    if not specs:
        return fits, cached_keys
    label = ", ".join(s.key for s in todo) or "all cached"
    with steps.step("fit", f"Tasks 3-4: fitting models ({label})", total=len(specs)) as advance:
        advance(len(specs) - len(todo))
        todo.sort(key=lambda s: -s.expected_cost)
        if parallel and jobs > 1 and len(todo) > 1:
            runner = Parallel(n_jobs=min(jobs, len(todo)), return_as="generator_unordered")
            for fit in runner(
                delayed(_fit_and_keep)(s, x_train, sub.y_train, x_test, 1, paths[s.key])
                for s in todo
            ):
                fits[fit.key] = fit
                advance()
        else:
            for s in todo:
                fits[s.key] = _fit_and_keep(s, x_train, sub.y_train, x_test, jobs, paths[s.key])
                advance()
    return fits, cached_keys


def _model_figures(results, key, ev, fit: FitResult, sub: Subset, names_by_label) -> None:
    results[f"confusion_{key}"] = figs.confusion_heatmap(
        ev["confusion"], sub.class_names, f"{fit.label}: accuracy {ev['accuracy']:.4f}"
    )
    if ev["confused_pairs"]:
        worst = ev["confused_pairs"][0]
        pair = (worst["a"], worst["b"])
        wrong = np.flatnonzero(
            np.isin(sub.y_test, pair) & np.isin(fit.y_pred, pair) & (sub.y_test != fit.y_pred)
        )[:16]
        results[f"errors_{key}"] = figs.misclassified_gallery(
            sub.x_test[wrong],
            sub.y_test[wrong],
            fit.y_pred[wrong],
            names_by_label,
            f"{fit.label}: misclassified {worst['a_name']} / {worst['b_name']} (true → predicted)",
        )
    if fit.info.get("oob_curve"):
        results[f"oob_{key}"] = figs.oob_curve(fit.info["oob_curve"])


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


def check_out_dir(out: Path, *, force: bool) -> None:
    """Refuse a folder we may not replace: unwritable, or holding something else."""
    if out.exists() and not out.is_dir():
        raise FmstudyError(f"--out {out} is a file; name a folder")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).is_file() and not force:
        raise FmstudyError(
            f"--out {out} is not empty and is not an fmstudy report; choose another folder "
            "or pass --force to replace it"
        )
    parent = out.parent if out.parent != Path("") else Path(".")
    try:
        parent.mkdir(parents=True, exist_ok=True)
        # A real write probe: permission bits say nothing for root or for /proc-like folders.
        shutil.rmtree(tempfile.mkdtemp(prefix=f".{out.name}.probe-", dir=parent))
    except OSError as exc:
        raise FmstudyError(
            f"cannot write the report beside {out}: {exc.strerror}; choose another --out"
        ) from None
