"""Study task 5 inside ``fmstudy run``: each network of the config, several seeds.

    nets = run_networks(config, subset, cache, jobs, steps)
    nets.results["notebook-1"].test_acc_mean

Every training is kept in the fit cache (weights as safetensors beside the spec
JSON), so an interrupted study resumes.  An architecture's headline is its mean
± sd over the seeds; the one run that stands for it in the comparison (and is
saved) is chosen without the test set: the seed with the median validation
accuracy, the lower median for an even count.  With several architectures, the one
with the highest mean validation accuracy is marked chosen (``NetworkResult.chosen``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from fmstudy.cache.fits import FitCache
from fmstudy.data.subsets import Subset
from fmstudy.evaluation.compare import model_result, representative
from fmstudy.nets.devices import device_params
from fmstudy.nets.saved import network_label
from fmstudy.nets.spec import NetSpec
from fmstudy.nets.training import TrainRun, train_subset
from fmstudy.progress import Steps
from fmstudy.results import ModelResult, NetworkResult, choose_on_validation, network_key
from fmstudy.study.config import StudyConfig


@dataclass
class NetworkRuns:
    """Task 5's results: per architecture, and the representative seed's model."""

    results: dict[str, NetworkResult] = field(default_factory=dict)
    models: dict[str, ModelResult] = field(default_factory=dict)  # nn-NAME -> representative
    predictions: dict[str, list] = field(default_factory=dict)  # nn-NAME -> each seed's, by seed
    probabilities: dict = field(default_factory=dict)  # nn-NAME -> the representative's
    runs: dict[str, list[TrainRun]] = field(default_factory=dict)  # name -> every seed's run
    saved: dict[str, Path] = field(default_factory=dict)  # name -> the representative's folder
    timings: dict = field(default_factory=dict)  # timings.json's "networks" and "models" parts


def train_seeds(
    spec: NetSpec,
    seeds: list[int],
    sub: Subset,
    cache: FitCache,
    jobs: int,
    steps: Steps,
    device: str = "cpu",
) -> tuple[list[TrainRun], list[bool]]:
    """One spec trained with each seed, each from the cache where it is there."""
    runs, cached = [], []
    for seed in seeds:
        key = cache.key("network", device_params(spec, device), seed)
        run = cache.load_training(key, spec)
        cached.append(run is not None)
        if run is None:
            on_epoch, done = steps.network(spec.name, seed, spec.total_epochs)
            run = train_subset(spec, sub, seed=seed, threads=jobs, on_epoch=on_epoch, device=device)
            done()
            run = cache.keep_training(key, run)
        runs.append(run)
    return runs, cached


def train_rows(spec: NetSpec, sub: Subset) -> int:
    """Training rows the tested network learnt from: all of them after a refit, else the
    part the validation split leaves."""
    n = len(sub.y_train)
    return n if spec.refit else n - int(round(n * spec.val_fraction))


def network_summary(spec: NetSpec, runs: list[TrainRun], sub) -> tuple[ModelResult, NetworkResult]:
    """One architecture's seeds as records: the run chosen on validation accuracy (the
    median, the lower for an even count) on the test set, and the summary over the seeds.
    ``sub`` is the study's subsets.Subset (or anything with its classes, names and rows)."""
    key = network_key(spec.name)
    vals = [r.history["val_acc"][r.best_epoch - 1] for r in runs]
    rep = runs[representative(vals)]
    label = network_label(spec)
    seeds = [r.seed for r in runs]
    details = {"seed": rep.seed, "seeds": seeds, "train_rows": train_rows(spec, sub)}
    result = model_result(
        key,
        label,
        "5",
        sub.y_test,
        rep.y_pred,
        sub.classes,
        sub.class_names,
        details,
        proba=rep.proba,
    )
    summary = NetworkResult.summarised(
        name=spec.name,
        key=key,
        label=label[0].format(**label[1]),
        spec=spec.to_dict(),
        layers=spec.layer_string,
        params=int(runs[0].n_params),
        extras=spec.extras(),
        seeds=seeds,
        representative_seed=rep.seed,
        test_acc=[float(r.test_accuracy) for r in runs],
        val_acc_at_best=vals,
        epochs_run=[int(r.epochs_run) for r in runs],
        best_epoch=[int(r.best_epoch) for r in runs],
        histories=[r.history for r in runs],
        early_stopping=spec.patience is not None,
        val_split_used=runs[0].val_split_used,
        val_split_reason=runs[0].val_split_reason,
        precision=runs[0].precision,
    )
    return result, summary


def run_networks(
    config: StudyConfig, sub: Subset, cache: FitCache, jobs: int, steps: Steps, device="cpu"
) -> NetworkRuns:
    """Train every network of ``config`` with each of its seeds; summarise each, and mark
    the one validation chooses."""
    seeds = [config.seed + i for i in range(config.network_seeds)]
    out = NetworkRuns(timings={"networks": {}, "models": {}})
    for spec in config.network_specs():
        runs, cached = train_seeds(spec, seeds, sub, cache, jobs, steps, device)
        key = network_key(spec.name)
        out.models[key], summary = network_summary(spec, runs, sub)
        out.results[spec.name] = summary
        rep = runs[summary.seeds.index(summary.representative_seed)]
        out.predictions[key] = [r.y_pred for r in runs]
        out.probabilities[key] = rep.proba
        out.saved[spec.name] = rep.folder
        out.runs[spec.name] = runs
        out.timings["networks"][spec.name] = {
            str(r.seed): {"epoch_seconds": [round(s, 3) for s in r.epoch_seconds], "cached": c}
            for r, c in zip(runs, cached, strict=True)
        }
        out.timings["models"][key] = {
            "fit_seconds": round(float(np.sum(rep.epoch_seconds)) + rep.refit_seconds, 3),
            "predict_seconds": round(rep.predict_seconds, 3),
            "seconds_per_epoch": round(float(np.mean(rep.epoch_seconds)), 3),
            "refit_seconds": round(rep.refit_seconds, 3),
            "cached": all(cached),
        }
    out.results = choose_on_validation(out.results)
    return out
