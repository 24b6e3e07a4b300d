"""Saved classical models: the fitted scikit-learn estimator as a skops file (never
pickle) beside ``model.json``, reloaded only when every type in it is one fmstudy trusts.

    data = dump(estimator)                          # skops bytes (a deflated zip)
    wanted("small", len(data))                      # --save-models: under SMALL_MODEL_BYTES
    write_model(folder, data, meta)                 # folder/model.skops + model.json
    estimator, meta = load_model(folder)            # refuses a type it does not trust
    evaluate_saved_model(folder)                    # a network or a classical model

skops rebuilds an object from its file without running code from it, but a file can
still name any importable type; :func:`load_model` refuses every type outside
scikit-learn's own safe set and :data:`TRUSTED`, naming it.
"""

from __future__ import annotations

import json
import math
import zipfile
import zlib
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from fmstudy import checks
from fmstudy.data.subsets import Subset, saved_subset
from fmstudy.errors import FmstudyError
from fmstudy.evaluation.compare import model_result
from fmstudy.models import registry
from fmstudy.nets import model_files, saved_meta
from fmstudy.nets.image_reference import reference_record
from fmstudy.results import SavedEvaluation

SAVE_CHOICES = ("none", "small", "all")  # --save-models
SMALL_MODEL_BYTES = 10_000_000  # --save-models small: larger model files are not written
# The pixel transforms' names in models saved before they had a module of their own:
# 0.1's (fmstudy.classical) and the first layout by stage's (fmstudy.models.classical).
EARLIER_NAMES = tuple(
    f"{module}.{name}"
    for module in ("fmstudy.classical", "fmstudy.models.classical")
    for name in ("as_float64", "as_float32", "times")
)
TRUSTED = (*registry.trusted(), *EARLIER_NAMES)  # beyond skops' defaults: each kind's types
MODEL_FILE, META_FILE = "model.skops", "model.json"
DAMAGED = (  # what skops raises on a damaged file (a member, schema.json or an array)
    zipfile.BadZipFile,
    zlib.error,
    EOFError,  # a member's deflated data cut short
    KeyError,
    ValueError,
    TypeError,
    AttributeError,
    RecursionError,
    MemoryError,  # an array header that declares more than can be allocated
)


@dataclass(frozen=True)
class SavedModel:
    """What a study saves of one classical model: its file (None when not saved), the
    file's size and model.json's contents."""

    key: str
    size: int | None  # bytes of its skops file; None when it is not known
    data: bytes | None  # the file, when --save-models writes it
    meta: dict
    policy: str  # the --save-models it was saved under

    @property
    def saved(self) -> bool:
        return self.data is not None


def dump(estimator) -> bytes:
    """The estimator as skops bytes, deflated (a forest's trees shrink about sixfold)."""
    import skops.io as sio

    return sio.dumps(estimator, compression=zipfile.ZIP_DEFLATED)


def wanted(policy: str, size: int | None) -> bool:
    """Whether ``--save-models policy`` writes a model file of ``size`` bytes."""
    checks.choice(policy, "--save-models", SAVE_CHOICES)
    if policy == "none" or size is None:
        return False
    return policy == "all" or size <= SMALL_MODEL_BYTES


def loads(data: bytes, where: str):
    """The estimator in skops bytes, if every type it names is trusted; else one line."""
    import skops.io as sio

    try:
        untrusted = sio.get_untrusted_types(data=data)
        bad = [t for t in untrusted if t not in TRUSTED]
        if bad:
            raise FmstudyError(
                f"{where} names types fmstudy does not trust ({', '.join(bad)}); refusing to "
                "load it (fmstudy saves only scikit-learn estimators)"
            )
        return sio.loads(data, trusted=untrusted)
    except DAMAGED as exc:
        raise FmstudyError(f"cannot read the saved model {where}: {exc!s:.200}") from None


def model_meta(spec, fit, sub: Subset) -> dict:
    """What model.json records: the model, its classes, the data to test it on again
    (own data and digits: the split and size they were loaded with, as for networks) and
    what ``fmstudy predict`` judges an image by (its polarity, the test images' spread)."""
    from fmstudy.data.image_files import border_level
    from fmstudy.data.own import options_of

    info = sub.dataset.info
    data_options = asdict(options_of(info)) if info.get("source") != "idx" else {}
    return {
        "key": spec.model_key,
        "kind": spec.kind,
        "label": spec.label,
        "params": spec.params,
        "classes": [int(c) for c in sub.classes],
        "class_names": list(sub.class_names),
        "dataset": sub.dataset.name,
        "image_shape": list(sub.x_train.shape[1:]),
        "data_options": data_options,
        "background": border_level(sub.x_train),
        **reference_record(sub.x_train, sub.y_train, sub.classes, sub.x_test, fit.proba),
        "train_rows": fit.info.get("train_rows"),
        "test_accuracy": float(np.mean(fit.y_pred == sub.y_test)),
        **sub.test_record(),  # n_test, test_sha256: evaluate tests on the same images again
    }


def write_model(folder: Path, data: bytes, meta: dict) -> Path:
    """``folder/model.skops`` and ``folder/model.json``."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / MODEL_FILE).write_bytes(data)
    (folder / META_FILE).write_text(json.dumps(meta, indent=2))
    return folder


def is_classical(path: Path) -> bool:
    """Whether ``path`` (a folder, or a file in it) holds a saved classical model; a
    file's name says which model it belongs to, and a folder holding both kinds is
    refused rather than one of them picked."""
    path = Path(path)
    if path.is_file() and path.name in (META_FILE, MODEL_FILE, "spec.json", "model.safetensors"):
        return path.name in (META_FILE, MODEL_FILE)
    folder = path.parent if path.is_file() else path
    classical = (folder / META_FILE).exists()
    if classical and (folder / "spec.json").exists():
        raise FmstudyError(
            f"{folder} holds a saved network (spec.json) and a classical model ({META_FILE}): "
            "give the one you mean, e.g. its spec.json or model.json"
        )
    return classical


def read_meta(path: Path) -> dict:
    """A saved classical model's model.json, checked (see :mod:`fmstudy.nets.saved_meta`)."""
    path = Path(path)
    folder = path.parent if path.is_file() else path
    meta = saved_meta.read_meta(folder / META_FILE, "model")
    meta["folder"] = str(folder)
    return meta


def load_model(path: Path) -> tuple[object, dict]:
    """A saved classical model (its folder, model.json or model.skops) and its meta, the
    file's size checked before skops unzips it, the estimator checked against model.json."""
    meta = read_meta(path)
    file = Path(meta["folder"]) / MODEL_FILE
    if not file.exists():
        raise FmstudyError(f"{file} is missing: the model was not saved (see its report)")
    estimator = loads(model_files.skops_bytes(file), str(file))
    check_estimator(estimator, meta, file)
    return estimator, meta


def check_estimator(estimator, meta: dict, file: Path) -> None:
    """The estimator in ``file`` is a fitted classifier of model.json's classes that takes
    its image shape's pixels; else one line naming the mismatch."""
    have = getattr(estimator, "classes_", None)
    if have is None or not hasattr(estimator, "predict_proba"):
        raise FmstudyError(f"{file} does not hold a fitted classifier with probabilities")
    have = [c.item() if isinstance(c, np.generic) else c for c in have]
    where = Path(meta["folder"]) / META_FILE
    foreign = [c for c in meta["classes"] if c not in have]
    if foreign or len(have) != len(meta["classes"]):
        raise FmstudyError(
            f"{where} names classes {meta['classes']}, the estimator in {MODEL_FILE} has "
            f"{have[:20]}" + (f" (not {foreign})" if foreign else "")
        )
    shape, n_in = meta["image_shape"], getattr(estimator, "n_features_in_", None)
    if n_in is not None and n_in != math.prod(shape):
        raise FmstudyError(
            f"{where}: image_shape {' x '.join(map(str, shape))} ({math.prod(shape)} values) "
            f"does not fit the estimator in {MODEL_FILE}, which takes {n_in} values per image"
        )


def predict_proba(estimator, meta: dict, x: np.ndarray) -> np.ndarray:
    """Class probabilities (one column per class of model.json) for uint8 images."""
    flat = x.reshape(len(x), -1)
    want = int(np.prod(meta["image_shape"]))
    if flat.shape[1] != want:
        raise FmstudyError(
            f"the model takes images of {meta['image_shape']} ({want} values), got {x.shape[1:]}"
        )
    proba = estimator.predict_proba(flat)
    order = [list(estimator.classes_).index(c) for c in meta["classes"]]
    return proba[:, order]


def evaluate_saved_model(path: Path, dataset: str | None = None, data_dir=None) -> SavedEvaluation:
    """Reload a saved network or classical model and test it on the classes it learnt,
    from the data set it records unless ``dataset`` says another."""
    if not is_classical(path):
        from fmstudy.nets.saved import evaluate_network  # torch only for a network

        return evaluate_network(path, dataset, data_dir)
    estimator, meta = load_model(path)
    sub = saved_subset(meta, dataset, data_dir)
    proba = predict_proba(estimator, meta, sub.x_test)
    y_pred = np.asarray(meta["classes"])[proba.argmax(axis=1)]
    record = registry.get(meta.get("kind"), f"{Path(meta['folder']) / META_FILE}: ")
    result = model_result(
        meta["key"],
        meta.get("label", meta["key"]),
        record.task,
        sub.y_test,
        y_pred,
        sub.classes,
        sub.class_names,
        proba=proba,
        source=record.source.name,
    )
    return SavedEvaluation(
        meta["key"],
        meta.get("label", meta["key"]),
        meta.get("params", {}),
        tuple(meta["classes"]),
        sub.dataset.name,
        list(sub.class_names),
        result,
    )
