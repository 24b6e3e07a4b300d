"""One cache for every fit: classical models, network trainings, the search's final fit.

    cache = FitCache(data_dir / "work", sub.dataset.sha256, sub.classes)
    key = cache.key("forest", spec.params)
    fit = cache.load_fit(key) or cache.keep_fit(key, fit_model(...))
    run = cache.load_training(key) or cache.keep_training(key, train(...))

A key is the SHA-256 of everything that decides a fit's predictions: its kind and
parameters, the seed, the classes, the data's hashes, fmstudy's trainer version
and the versions of the libraries that compute it.  An entry is written under a
temporary name and renamed into place, so an interrupted run leaves none half
written; a rerun reads it instead of fitting again.
"""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import numpy as np

from fmstudy.atomic import building_dir, write_bytes
from fmstudy.classical import FitResult
from fmstudy.manifest import library_versions
from fmstudy.networks import TRAINER_VERSION

CACHE_VERSION = 4  # 4: one key function for every fit, library versions included


class FitCache:
    """Finished fits under ``folder``, keyed by what decides them."""

    def __init__(self, folder: Path, sha256: dict, classes, *, fresh: bool = False):
        self.folder, self.sha256, self.classes, self.fresh = folder, sha256, list(classes), fresh

    def key(self, kind: str, params: dict, seed: int | None = None) -> str:
        """The cache key of one fit: kind, parameters, seed, classes, data and versions."""
        blob = json.dumps(
            {
                "v": CACHE_VERSION,
                "kind": kind,
                "params": params,
                "seed": seed,
                "classes": self.classes,
                "data": self.sha256,
                "trainer": TRAINER_VERSION,
                "libraries": library_versions(),
            },
            sort_keys=True,
        )
        return f"{kind}-{hashlib.sha256(blob.encode()).hexdigest()[:24]}"

    # --- classical models: predictions (.npy) and a JSON that marks the entry complete

    def load_fit(self, key: str) -> FitResult | None:
        if self.fresh:
            return None
        meta, preds = self.folder / f"{key}.json", self.folder / f"{key}.npy"
        try:
            m = json.loads(meta.read_text())
            y_pred = np.load(preds, allow_pickle=False)
        except (OSError, ValueError):
            return None
        return FitResult(
            m["key"], m["label"], y_pred, m["fit_seconds"], m["predict_seconds"], m["info"]
        )

    def keep_fit(self, key: str, fit: FitResult) -> FitResult:
        """Predictions first, then the JSON that marks the entry complete; both atomic."""
        self.folder.mkdir(parents=True, exist_ok=True)
        buf = io.BytesIO()
        np.save(buf, fit.y_pred, allow_pickle=False)
        write_bytes(self.folder / f"{key}.npy", buf.getvalue())
        meta = {
            "key": fit.key,
            "label": fit.label,
            "fit_seconds": fit.fit_seconds,
            "predict_seconds": fit.predict_seconds,
            "info": fit.info,
        }
        write_bytes(self.folder / f"{key}.json", json.dumps(meta).encode())
        return fit

    # --- network trainings: a folder with the saved network, its predictions and run.json

    def load_training(self, key: str, spec):
        """The cached :class:`~fmstudy.training.TrainRun` of ``spec``, or None."""
        from fmstudy.training import TrainRun

        if self.fresh:
            return None
        folder = self.folder / key
        try:
            meta = json.loads((folder / "run.json").read_text())
            y_pred = np.load(folder / "y_pred.npy", allow_pickle=False)
        except (OSError, ValueError):
            return None
        return TrainRun(
            spec=spec,
            seed=meta["seed"],
            classes=tuple(self.classes),
            history=meta["history"],
            best_epoch=meta["best_epoch"],
            epochs_run=meta["epochs_run"],
            y_pred=y_pred,
            test_accuracy=meta["test_accuracy"],
            n_params=meta["n_params"],
            epoch_seconds=meta["epoch_seconds"],
            predict_seconds=meta["predict_seconds"],
            refit_seconds=meta["refit_seconds"],
            dataset=meta["dataset"],
            folder=folder,
        )

    def keep_training(self, key: str, run):
        """Save a finished training (weights, spec, predictions, run.json) into place."""
        from fmstudy.saved_networks import save_run

        folder = self.folder / key
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
                "dataset": run.dataset,
            }
            (tmp / "run.json").write_text(json.dumps(meta))
        run.folder = folder
        return run
