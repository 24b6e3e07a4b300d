"""One cache for every fit: classical models, network trainings, the search's final fit.

    cache = FitCache(data_dir / "work", sub.dataset.sha256, sub.classes, n_test=4000)
    key = cache.key("forest", spec.params)
    fit = cache.load_fit(key) or cache.keep_fit(key, fit_model(...))
    run = cache.load_training(key, spec) or cache.keep_training(key, train(...))
    cache.copy_saved(run.folder, report / "models" / name)   # verified bytes only

A key is the SHA-256 of everything that decides a fit's predictions: its kind and
parameters, the seed, the classes, the data's hashes, fmstudy's trainer version
and the versions of the libraries that compute it.  Every entry records the
SHA-256 of each of its files and of its own record, which holds its key, so files
swapped between entries, or a record moved to another key, fail; a load checks
them, the record's fields, and the predictions' length and labels (and that the
probabilities are one row per test image summing to 1), and treats any damage (a file
missing, unreadable, truncated or changed) as a miss: one line on stderr, then the fit is
made again.  Anything else that goes wrong in a read is a bug and is raised, never taken
for damage.  An entry is written under a temporary name and renamed into place, so an
interrupted run leaves none half written.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
from pathlib import Path

import numpy as np

from fmstudy.atomic import building_dir, write_bytes
from fmstudy.errors import FmstudyError
from fmstudy.evaluation.probabilities import check_rows
from fmstudy.models.classical import FitResult
from fmstudy.nets.spec import TRAINER_VERSION
from fmstudy.nets.train_run import RECORD, TrainRun
from fmstudy.versions import library_versions

CACHE_VERSION = 12  # 12: a training keeps its images' polarity and reference (predict); 11: a training records the validation split it made; 10: a training's run.json is TrainRun.to_dict(); 9: records sealed with their key; 8: classical fits keep their model file and its size; 7: trainings keep image shape, class names, border level; 6: probabilities
SAVED_FILES = ("model.safetensors", "spec.json", "y_pred.npy", "proba.npy")
FIT_RECORD = (  # a classical fit's JSON record
    "key",
    "label",
    "fit_seconds",
    "predict_seconds",
    "info",
    "predictions_sha256",
    "probabilities_sha256",
    "model_bytes",
)
TRAINING_RECORD = (*RECORD, "files")  # a training's run.json
log = logging.getLogger("fmstudy")


class Damaged(Exception):
    """A cache entry that fails its checks (a miss, never data)."""


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _sealed(entry: dict, key: str) -> bytes:
    """The entry, bound to its cache key, as JSON with the checksum of its own canonical
    form: the key is inside what the checksum covers."""
    entry = {**entry, "cache_key": key}
    body = json.dumps(entry, sort_keys=True)
    return json.dumps({"entry": entry, "sha256": _sha(body.encode())}).encode()


def _unsealed(raw: bytes, key: str, fields=()) -> dict:
    """The entry sealed in ``raw``, if it is intact, was sealed under ``key`` (another
    entry's record, or one with its files, swapped into this name is damage) and holds
    ``fields``."""
    try:
        outer = json.loads(raw)
    except (ValueError, RecursionError):
        raise Damaged("its record is not valid JSON") from None
    entry = outer.get("entry") if isinstance(outer, dict) else None
    if not isinstance(entry, dict) or not isinstance(outer.get("sha256"), str):
        raise Damaged("its record is not JSON of the expected form")
    if _sha(json.dumps(entry, sort_keys=True).encode()) != outer["sha256"]:
        raise Damaged("its record fails its checksum")
    if entry.get("cache_key") != key:
        raise Damaged("its record belongs to another entry")
    missing = [name for name in fields if name not in entry]
    if missing:
        raise Damaged(f"its record lacks {', '.join(missing)}")
    return entry


def _npy(array: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.save(buf, np.asarray(array), allow_pickle=False)
    return buf.getvalue()


class FitCache:
    """Finished fits under ``folder``, keyed by what decides them."""

    def __init__(self, folder: Path, sha256: dict, classes, *, n_test=None, fresh=False):
        self.folder, self.sha256, self.classes = folder, sha256, list(classes)
        self.n_test, self.fresh = n_test, fresh

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

    def _predictions(self, raw: bytes, want_sha: str) -> np.ndarray:
        """Test predictions from .npy bytes, checked against their hash, length and labels."""
        if _sha(raw) != want_sha:
            raise Damaged("its predictions fail their checksum")
        try:
            y = np.load(io.BytesIO(raw), allow_pickle=False)
        except (ValueError, OSError):
            raise Damaged("its predictions are not a readable array") from None
        if y.ndim != 1 or (self.n_test is not None and len(y) != self.n_test):
            raise Damaged(f"it holds {len(y)} predictions, not {self.n_test}")
        if not np.isin(y, self.classes).all():
            raise Damaged("its predictions hold labels outside the classes")
        return y

    def _probabilities(self, raw: bytes, want_sha: str) -> np.ndarray:
        """Test probabilities from .npy bytes: checked hash, one row per test image, one
        column per class, rows summing to 1."""
        if _sha(raw) != want_sha:
            raise Damaged("its probabilities fail their checksum")
        try:
            p = np.load(io.BytesIO(raw), allow_pickle=False)
            check_rows(p, len(self.classes))
        except (ValueError, OSError):
            raise Damaged("its probabilities are not one row per image summing to 1") from None
        if self.n_test is not None and len(p) != self.n_test:
            raise Damaged(f"it holds {len(p)} rows of probabilities, not {self.n_test}")
        return p

    def _guarded(self, key: str, read):
        """``read()``, or None with one line on stderr when a file of the entry is missing
        or unreadable or the entry is damaged (a miss: the caller fits again); any other
        error is a bug and propagates."""
        try:
            return read()
        except OSError as exc:
            self._miss(key, exc.strerror or "unreadable")
        except Damaged as exc:
            self._miss(key, str(exc))
        return None

    def _miss(self, key: str, why: str) -> None:
        log.warning("fmstudy: note: cached fit %s is damaged (%s); fitting it again", key, why)

    # --- classical models: predictions (.npy) and a sealed JSON that marks the entry complete

    def load_fit(self, key: str) -> FitResult | None:
        meta = self.folder / f"{key}.json"
        if self.fresh or not meta.is_file():
            return None

        def read():
            m = _unsealed(meta.read_bytes(), key, FIT_RECORD)
            raw = (self.folder / f"{key}.npy").read_bytes()
            y_pred = self._predictions(raw, m["predictions_sha256"])
            raw_p = (self.folder / f"{key}.proba.npy").read_bytes()
            proba = self._probabilities(raw_p, m["probabilities_sha256"])
            return FitResult(
                m["key"],
                m["label"],
                y_pred,
                m["fit_seconds"],
                m["predict_seconds"],
                m["info"],
                proba,
                model_bytes=m["model_bytes"],
            )

        return self._guarded(key, read)

    def keep_fit(self, key: str, fit: FitResult, model_data: bytes | None = None) -> FitResult:
        """Predictions, probabilities and (when given) the model's skops file first, then
        the sealed JSON that marks the entry complete; each atomic."""
        self.folder.mkdir(parents=True, exist_ok=True)
        raw = _npy(fit.y_pred)
        raw_p = _npy(fit.proba)
        write_bytes(self.folder / f"{key}.npy", raw)
        write_bytes(self.folder / f"{key}.proba.npy", raw_p)
        meta = {
            "key": fit.key,
            "label": fit.label,
            "fit_seconds": fit.fit_seconds,
            "predict_seconds": fit.predict_seconds,
            "info": fit.info,
            "predictions_sha256": _sha(raw),
            "probabilities_sha256": _sha(raw_p),
            "model_bytes": fit.model_bytes,
        }
        if model_data is not None:
            write_bytes(self.folder / f"{key}.skops", model_data)
            meta["model_sha256"] = _sha(model_data)
        write_bytes(self.folder / f"{key}.json", _sealed(meta, key))
        return fit

    def load_model_data(self, key: str) -> bytes | None:
        """The skops file kept with a fit, checked against its hash; None when the fit was
        kept without it (or it is damaged).  Read also under ``fresh``: the caller asks for
        the file of a fit it has just loaded or made."""
        meta = self.folder / f"{key}.json"

        def read():
            want = _unsealed(meta.read_bytes(), key).get("model_sha256")
            if want is None:
                return None
            data = (self.folder / f"{key}.skops").read_bytes()
            if _sha(data) != want:
                raise Damaged("its model file fails its checksum")
            return data

        return self._guarded(key, read) if meta.is_file() else None  # written by this run too

    # --- resampling results (learning curves, --cv, 5x2cv): one sealed JSON record each

    def load_record(self, key: str) -> dict | None:
        """A kept JSON record (e.g. a learning curve's numbers), or None."""
        path = self.folder / f"{key}.json"
        if self.fresh or not path.is_file():
            return None

        def read():
            return _unsealed(path.read_bytes(), key, ("record",))["record"]

        return self._guarded(key, read)

    def keep_record(self, key: str, record: dict) -> dict:
        """Keep a JSON-able record under ``key`` (sealed, written atomically)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        write_bytes(self.folder / f"{key}.json", _sealed({"record": record}, key))
        return record

    # --- network trainings: a folder with the saved network, its predictions and run.json

    def load_training(self, key: str, spec):
        """The cached :class:`~fmstudy.nets.train_run.TrainRun` of ``spec``, or None."""
        folder = self.folder / key
        if self.fresh or not (folder / "run.json").is_file():
            return None

        def read():
            m = _unsealed((folder / "run.json").read_bytes(), key, TRAINING_RECORD)
            files = verified_files(folder, m["files"])
            y_pred = self._predictions(files["y_pred.npy"], m["files"]["y_pred.npy"])
            proba = self._probabilities(files["proba.npy"], m["files"]["proba.npy"])
            return TrainRun.from_dict(m, spec, y_pred=y_pred, proba=proba, folder=folder)

        return self._guarded(key, read)

    def keep_training(self, key: str, run):
        """Save a finished training (weights, spec, predictions, run.json) into place."""
        from fmstudy.nets.saved import save_run

        folder = self.folder / key
        with building_dir(folder) as tmp:
            save_run(run, tmp)
            (tmp / "y_pred.npy").write_bytes(_npy(run.y_pred))
            (tmp / "proba.npy").write_bytes(_npy(run.proba))
            files = {name: _sha((tmp / name).read_bytes()) for name in SAVED_FILES}
            meta = {**run.to_dict(), "files": files}
            (tmp / "run.json").write_bytes(_sealed(meta, key))
        run.folder = folder
        return run


def verified_files(folder: Path, hashes: dict) -> dict[str, bytes]:
    """The bytes of each of a cached training's :data:`SAVED_FILES` in ``folder``, each
    checked against the SHA-256 that ``hashes`` (its record's ``files``) gives."""
    if not isinstance(hashes, dict) or not set(SAVED_FILES) <= hashes.keys():
        raise Damaged("its record does not list the hash of each of its files")
    out = {}
    for name in SAVED_FILES:
        data = (folder / name).read_bytes()
        if _sha(data) != hashes[name]:
            raise Damaged(f"{name} fails its checksum")
        out[name] = data
    return out


def copy_saved(folder: Path, dest: Path) -> None:
    """Copy a cached network's weights and spec into a report, only if they verify."""
    try:
        record = _unsealed((folder / "run.json").read_bytes(), folder.name, ("files",))
        files = verified_files(folder, record["files"])
    except (OSError, Damaged) as exc:
        raise FmstudyError(
            f"the cached network in {folder} changed while the report was written ({exc}); "
            "run the same command again"
        ) from None
    dest.mkdir(parents=True)
    for name in ("model.safetensors", "spec.json"):
        (dest / name).write_bytes(files[name])
