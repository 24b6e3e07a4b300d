"""Study task 5 inside ``fmstudy run``: each preset of the profile, several seeds.

    nets = run_networks(config, subset, data_dir, jobs, fresh, progress, timings, figures)
    nets.metrics["notebook-1"]["test_acc_mean"]

Every training is cached in ``<data dir>/work/nn-<key>/`` (weights as
safetensors beside the spec JSON), keyed by spec, seed, classes and data hashes,
so an interrupted study resumes.  The seed whose test accuracy is the median
stands for the architecture in the model comparison.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from fmstudy import figures as figs
from fmstudy.atomic import building_dir
from fmstudy.compare import evaluate
from fmstudy.config import StudyConfig
from fmstudy.neural import (
    TRAINER_VERSION,
    NetSpec,
    TrainRun,
    get_preset,
    save_run,
    train,
    with_overrides,
)
from fmstudy.subsets import Subset


@dataclass
class NetworkResults:
    metrics: dict  # per architecture: seeds, accuracies, histories, table row
    models: dict  # key -> evaluate() of the median seed, as classical models have
    predictions: dict  # key -> test predictions of the median seed
    saved: dict  # architecture name -> folder of the median seed's saved network


def study_specs(config: StudyConfig) -> list[NetSpec]:
    """The networks a study trains: the config's own specs, else the profile's presets."""
    settings = config.settings
    if config.networks is not None:
        return [NetSpec.from_dict(d) for d in config.networks]
    specs = [get_preset(name) for name in settings.networks]
    if settings.network_epochs:
        specs = [with_overrides(s, epochs=min(s.epochs, settings.network_epochs)) for s in specs]
    return specs


def training_key(spec: NetSpec, seed: int, classes, sha256: dict) -> str:
    blob = json.dumps(
        {
            "v": TRAINER_VERSION,
            "spec": spec.to_dict(),
            "seed": seed,
            "classes": list(classes),
            "data": sha256,
        },
        sort_keys=True,
    )
    return hashlib.sha256(blob.encode()).hexdigest()[:24]


def _load_cached(folder: Path) -> dict | None:
    try:
        meta = json.loads((folder / "run.json").read_text())
        meta["y_pred"] = np.load(folder / "y_pred.npy", allow_pickle=False)
    except (OSError, ValueError):
        return None
    return meta


def _keep(run: TrainRun, folder: Path) -> dict:
    """Write a finished training under a temporary name, then rename it into place."""
    with building_dir(folder) as tmp:
        save_run(run, tmp)
        np.save(tmp / "y_pred.npy", run.y_pred, allow_pickle=False)
        meta = {
            "seed": run.seed,
            "history": run.history,
            "best_epoch": run.best_epoch,
            "epochs_run": run.epochs_run,
            "test_accuracy": run.test_accuracy,
            "n_params": run.n_params,
            "epoch_seconds": run.epoch_seconds,
            "predict_seconds": run.predict_seconds,
            "refit_seconds": run.refit_seconds,
        }
        (tmp / "run.json").write_text(json.dumps(meta))
    meta["y_pred"] = run.y_pred
    return meta


def run_networks(
    config: StudyConfig,
    sub: Subset,
    root: Path,
    jobs: int,
    fresh: bool,
    progress,
    timings: dict,
    results: dict,
) -> NetworkResults:
    settings = config.settings
    n_seeds = config.network_seeds or settings.network_seeds
    seeds = [config.seed + i for i in range(n_seeds)]
    out = NetworkResults({}, {}, {}, {})
    timings.setdefault("networks", {})
    for spec in study_specs(config):
        name = spec.name
        runs = []
        for seed in seeds:
            folder = (
                root / "work" / f"nn-{training_key(spec, seed, sub.classes, sub.dataset.sha256)}"
            )
            run = None if fresh else _load_cached(folder)
            cached = run is not None
            if run is None:
                task = (
                    progress.add_task(f"Task 5: {name} seed {seed}", total=spec.total_epochs)
                    if progress
                    else None
                )

                def on_epoch(epoch, hist, task=task, name=name, seed=seed):
                    if progress:
                        refitting = epoch > len(hist["train_loss"])
                        progress.update(
                            task,
                            completed=epoch,
                            description=f"Task 5: {name} seed {seed} "
                            + (
                                "refit on all rows"
                                if refitting
                                else f"val acc {hist['val_acc'][-1]:.4f}"
                            ),
                        )

                trained = train(
                    spec,
                    sub.x_train,
                    sub.y_train,
                    sub.x_test,
                    sub.y_test,
                    sub.classes,
                    seed=seed,
                    threads=jobs,
                    on_epoch=on_epoch,
                )
                if progress:
                    progress.update(task, completed=spec.total_epochs)
                trained.dataset = sub.dataset.name
                run = _keep(trained, folder)
            run["folder"] = folder
            runs.append(run)
            timings["networks"].setdefault(name, {})[str(seed)] = {
                "epoch_seconds": [round(s, 3) for s in run["epoch_seconds"]],
                "cached": cached,
            }
        out_key = f"nn-{name}"
        accs = np.array([r["test_accuracy"] for r in runs])
        median = runs[int(np.argsort(accs)[len(accs) // 2])] if len(runs) > 1 else runs[0]
        best_val = np.array([r["history"]["val_acc"][r["best_epoch"] - 1] for r in runs])
        ev = evaluate(sub.y_test, median["y_pred"], sub.classes, sub.class_names)
        ev["label"] = f"Network {name} ({spec.layer_string})"
        ev["task"] = "5"
        ev["info"] = {"seed": median["seed"], "seeds": seeds}
        out.models[out_key] = ev
        out.predictions[out_key] = median["y_pred"]
        out.saved[name] = median["folder"]
        timings["models"][out_key] = {
            "fit_seconds": round(
                float(np.sum(median["epoch_seconds"])) + median["refit_seconds"], 3
            ),
            "predict_seconds": round(median["predict_seconds"], 3),
            "seconds_per_epoch": round(float(np.mean(median["epoch_seconds"])), 3),
            "refit_seconds": round(median["refit_seconds"], 3),
            "cached": all(t["cached"] for t in timings["networks"][name].values()),
        }
        out.metrics[name] = {
            "key": out_key,
            "label": ev["label"],
            "spec": spec.to_dict(),
            "layers": spec.layer_string,
            "params": int(runs[0]["n_params"]),
            "extras": spec.extras(),
            "seeds": seeds,
            "median_seed": median["seed"],
            "test_acc": accs.tolist(),
            "test_acc_mean": float(accs.mean()),
            "test_acc_sd": float(accs.std(ddof=1)) if len(accs) > 1 else 0.0,
            "val_acc_at_best": best_val.tolist(),
            "val_acc_mean": float(best_val.mean()),
            "val_acc_sd": float(best_val.std(ddof=1)) if len(best_val) > 1 else 0.0,
            "epochs_run": [int(r["epochs_run"]) for r in runs],
            "best_epoch": [int(r["best_epoch"]) for r in runs],
            "histories": [r["history"] for r in runs],
            "early_stopping": spec.patience is not None,
        }
        results[f"curves_nn-{name}"] = figs.training_curves(
            [r["history"] for r in runs],
            [r["best_epoch"] for r in runs],
            f"{name} ({spec.layer_string}), {counted(len(runs), 'seed')}",
        )
        results[f"confusion_nn-{name}"] = figs.confusion_heatmap(
            ev["confusion"],
            sub.class_names,
            f"{name}, seed {median['seed']}: accuracy {ev['accuracy']:.4f}",
        )
    return out


def counted(n: int, word: str) -> str:
    """``1 seed``, ``3 seeds``: a count with its noun in the right number."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def networks_intro(config: StudyConfig, nets: dict) -> str:
    """What task 5 trained and how it is read: the profile (or the run's own specs) decides,
    and the report says which."""
    first = next(iter(nets.values()))
    seeds = first["seeds"]
    split = (
        "the first 20 % of the training rows, as in the notebook"
        if first["spec"]["val_split"] == "first"
        else "a stratified 20 % of the training rows"
    )
    many = len(nets) > 1
    who = "This run" if config.networks is not None else f"Profile {config.profile}"
    spread = (
        "accuracies are mean ± sd over the seeds"
        if len(seeds) > 1
        else "one seed gives no spread, so every sd reads 0"
    )
    return (
        f"{who} trains {counted(len(nets), 'architecture')} with "
        f"{counted(len(seeds), 'seed')}{' each' if many else ''} "
        f"({', '.join(map(str, seeds))}); {spread}. Validation"
        f"{' for the first architecture' if many else ''} is {split}"
        f"{'; each spec below says its own' if many else ''}. "
        "The test set is touched only for the final numbers."
    )


def network_conclusion(nets: dict, notebook_best: float = 0.95) -> list[str]:
    """Task 5's conclusion, from the numbers: the pick by validation, overfitting."""
    if not nets:
        return []
    pick = max(nets, key=lambda n: nets[n]["val_acc_mean"])
    p = nets[pick]
    lines = [
        f"Chosen on validation accuracy alone: {pick} ({p['layers']}), validation "
        f"{p['val_acc_mean']:.4f} ± {p['val_acc_sd']:.4f}, test {p['test_acc_mean']:.4f} ± "
        f"{p['test_acc_sd']:.4f} over {counted(len(p['seeds']), 'seed')}; the notebook's best network "
        f"reached {notebook_best:.2f}, so this is "
        f"{'better' if p['test_acc_mean'] > notebook_best else 'not better'} "
        f"({(p['test_acc_mean'] - notebook_best) * 100:+.2f} points).",
    ]
    for name, n in nets.items():
        if n["early_stopping"]:
            continue
        best, ran = int(np.median(n["best_epoch"])), int(max(n["epochs_run"]))
        if best < ran:
            lines.append(
                f"{name}: validation loss was lowest at epoch {best} (median over seeds) of "
                f"{ran}; after it the validation loss rose while the training loss kept "
                f"falling, which is overfitting: about {best} epochs would have done."
            )
        else:
            lines.append(
                f"{name}: validation loss was still falling at the last epoch ({ran}); "
                "more epochs could help."
            )
    return lines
