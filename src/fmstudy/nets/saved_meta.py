"""The JSON beside a saved model (a network's spec.json, a classical model's model.json),
read and checked field by field before anything uses it.

    meta = read_meta(folder / "spec.json", "network")    # meta["spec"] is a NetSpec
    meta = read_meta(folder / "model.json", "model")
    meta["classes"], meta["class_names"], meta["image_shape"], meta["background"]
    meta["polarity"], meta["reference"]   # None in a model saved before they were kept

Every field has a type and bounds; an unknown field, a wrong type, a number out of range
or out of reason (a 5,000-digit integer, JSON nested a thousand deep), class names that
do not match the classes, a data_options image size that is not the image shape: each
is refused in one line naming the file.  Whether the JSON fits the weights themselves is
checked where they are read (:mod:`fmstudy.nets.saved`, :mod:`fmstudy.models.saved`).
"""

from __future__ import annotations

import re
from pathlib import Path

from fmstudy import checks
from fmstudy.data.class_names import checked_names
from fmstudy.errors import FmstudyError
from fmstudy.nets.image_reference import POLARITIES, POOL
from fmstudy.nets.spec import SPLITS, NetSpec
from fmstudy.nets.train_run import FIRST_FAULTS

MAX_CLASS = 1000  # class numbers 0-1000
MAX_EPOCHS_RUN = 10**6  # best_epoch, epochs_run and each history curve's length
MAX_TEST_ROWS = 10**9
MAX_PARAMS = 100  # a classical model's parameters, and each list among them
MAX_PATH = 4096  # a data set may be a path to one's own images
MAX_MEAN_VALUES = POOL * POOL * 3  # one pooled class mean


def _optional(check):
    return lambda v, what: None if v is None else check(v, what)


def _list(value, what: str, *, low: int = 0, high: int) -> list:
    if not isinstance(value, list):
        raise FmstudyError(f"{what} must be a list, got {value!r:.60}")
    if not low <= len(value) <= high:
        raise FmstudyError(f"{what} must hold {low} to {high} entries, got {len(value)}")
    return value


def _classes(value, what: str) -> list:
    _list(value, what, high=MAX_CLASS + 1)
    for c in value:
        checks.integer(c, f"{what} entry", low=0, high=MAX_CLASS)
    if len(set(value)) < 2:
        raise FmstudyError(f"{what} names fewer than two classes")
    if len(set(value)) < len(value):
        raise FmstudyError(f"{what} names a class twice")
    return value


def _names(value, what: str) -> list:
    """Class names as a data set's are checked: text, NFC, none empty or twice."""
    for name in _list(value, what, high=MAX_CLASS + 1):
        checks.text(name, f"{what} entry")
    return checked_names(value, f"fix {what}")


def _shape(value, what: str) -> list:
    if not isinstance(value, list) or len(value) not in (2, 3):
        raise FmstudyError(f"{what} must be [H, W] or [H, W, 3], got {value!r:.60}")
    for n in value:
        checks.integer(n, what, low=1, high=4096)
    if len(value) == 3 and value[2] != 3:
        raise FmstudyError(f"{what} must be [H, W] or [H, W, 3] (RGB), got {value}")
    return value


def _options(value, what: str) -> dict:
    if not isinstance(value, dict):
        raise FmstudyError(f"{what} must be an object, got {value!r:.60}")
    extra = sorted(set(value) - {"test_share", "seed", "image_size"})
    if extra:
        raise FmstudyError(f"{what} has unknown fields {extra}")
    checks.number(
        value.get("test_share", 0.2), f"{what} test_share", low=0, high=0.9, low_open=True
    )
    checks.seed(value.get("seed", 0), f"{what} seed")
    size = value.get("image_size")
    if size is not None:
        _shape(size, f"{what} image_size")
        if len(size) != 2:
            raise FmstudyError(f"{what} image_size must be [H, W], got {size}")
    return value


def _sha256(value, what: str) -> str:
    if not isinstance(value, str) or not re.fullmatch(r"[0-9a-f]{64}", value):
        raise FmstudyError(f"{what} must be 64 hexadecimal digits, got {value!r:.80}")
    return value


def _history(value, what: str) -> dict:
    if not isinstance(value, dict) or len(value) > MAX_PARAMS:
        raise FmstudyError(f"{what} must be an object of curves, got {value!r:.60}")
    for key, curve in value.items():
        for v in _list(curve, f"{what} {key}", high=MAX_EPOCHS_RUN):
            if v is not None and (isinstance(v, bool) or not isinstance(v, int | float)):
                raise FmstudyError(f"{what} {key} must hold numbers, got {v!r:.60}")
    return value


def _scalar(value, what: str):
    if isinstance(value, str):
        return checks.text(value, what)
    if isinstance(value, float):
        return checks.number(value, what)
    if value is None or isinstance(value, bool | int):
        return value
    raise FmstudyError(f"{what} must be a number, text, true/false or null, got {value!r:.60}")


def _reference(value, what: str) -> dict:
    """The training images' statistics (:mod:`fmstudy.nets.image_reference`)."""
    if not isinstance(value, dict):
        raise FmstudyError(f"{what} must be an object, got {value!r:.60}")
    extra = sorted(set(value) - set(REFERENCE))
    missing = sorted(set(REFERENCE) - set(value))
    if extra or missing:
        raise FmstudyError(f"{what} must have the fields {list(REFERENCE)}")
    for key, check in REFERENCE.items():
        check(value[key], f"{what} {key}")
    shape = value["pool_shape"]
    for n in _list(shape, f"{what} pool_shape", low=2, high=2):
        checks.integer(n, f"{what} pool_shape", low=1, high=POOL)
    for row in _list(value["means"], f"{what} means", low=2, high=MAX_CLASS + 1):
        for v in _list(row, f"{what} means row", low=1, high=MAX_MEAN_VALUES):
            if isinstance(v, bool) or not isinstance(v, int | float) or not 0 <= v <= 255:
                raise FmstudyError(f"{what} means must hold grey levels 0-255, got {v!r:.60}")
    if len({len(row) for row in value["means"]}) > 1:
        raise FmstudyError(f"{what} means rows differ in length")
    return value


def _level(low: float, high: float):
    return _optional(lambda v, what: checks.number(v, what, low=low, high=high))


REFERENCE = {
    "contrast_median": _level(-255, 255),
    "light_share": _level(0, 1),
    "dark_share": _level(0, 1),
    "pool_shape": lambda v, what: v,  # checked with the means
    "means": lambda v, what: v,
    "distance_p99": _level(0, 255),
    "top_p01": _level(0, 1),
}


def _params(value, what: str) -> dict:
    if not isinstance(value, dict) or len(value) > MAX_PARAMS:
        raise FmstudyError(f"{what} must be an object of at most {MAX_PARAMS} settings")
    for key, v in value.items():
        checks.text(key, f"{what} name")
        for item in _list(v, f"{what} {key}", high=MAX_PARAMS) if isinstance(v, list) else [v]:
            _scalar(item, f"{what} {key}")
    return value


COMMON = {
    "classes": _classes,
    "class_names": _names,
    "dataset": lambda v, what: checks.text(v, what, max_len=MAX_PATH),
    "image_shape": _shape,
    "data_options": _options,
    "background": _optional(lambda v, what: checks.number(v, what, low=0, high=255)),
    "polarity": _optional(lambda v, what: checks.choice(v, what, POLARITIES)),
    "reference": _optional(_reference),
    "test_accuracy": _optional(lambda v, what: checks.number(v, what, low=0, high=1)),
    "n_test": lambda v, what: checks.integer(v, what, low=1, high=MAX_TEST_ROWS),
    "test_sha256": _sha256,
}
FIELDS = {
    "network": {
        **COMMON,
        "spec": lambda v, what: NetSpec.from_dict(v),
        "seed": lambda v, what: checks.seed(v, what),
        "best_epoch": lambda v, what: checks.integer(v, what, low=0, high=MAX_EPOCHS_RUN),
        "epochs_run": lambda v, what: checks.integer(v, what, low=0, high=MAX_EPOCHS_RUN),
        "history": _history,
        "val_split_used": lambda v, what: checks.choice(v, what, ("", *SPLITS)),
        "val_split_reason": lambda v, what: checks.choice(v, what, ("", *FIRST_FAULTS)),
        "precision": lambda v, what: checks.choice(v, what, ("float32", "bfloat16")),
    },
    "model": {
        **COMMON,
        "key": lambda v, what: checks.file_name(v, what),
        "kind": lambda v, what: checks.text(v, what),
        "label": lambda v, what: checks.text(v, what),
        "params": _params,
        "train_rows": _optional(lambda v, what: checks.integer(v, what, low=0, high=MAX_TEST_ROWS)),
    },
}
REQUIRED = {"network": ("spec", "classes"), "model": ("key", "classes", "image_shape")}
DEFAULTS = {
    "dataset": "fashion-mnist",
    "class_names": [],
    "data_options": {},
    "background": None,
    "polarity": None,  # saved before it was kept: see models.predict.model_polarity
    "reference": None,
}


def read_meta(file: Path, kind: str) -> dict:
    """``file`` (spec.json for ``kind`` "network", model.json for "model"), checked; the
    defaults an older file leaves out filled in (a network's image shape: 28 x 28)."""
    what = "network" if kind == "network" else "model"
    try:
        meta = checks.read_json(file, file.name)
    except FmstudyError as exc:
        raise FmstudyError(f"cannot read the saved {what} in {file.parent}: {exc}") from None
    if not isinstance(meta, dict) or "classes" not in meta:
        raise FmstudyError(f"{file} does not describe a saved {what}")
    try:
        return _checked(meta, kind)
    except FmstudyError as exc:
        raise FmstudyError(f"{file}: {exc}") from None


def _checked(meta: dict, kind: str) -> dict:
    fields = FIELDS[kind]
    unknown = sorted(set(meta) - set(fields))
    if unknown:
        raise FmstudyError(f"unknown fields {[f'{k:.40}' for k in unknown[:5]]}")
    missing = [k for k in REQUIRED[kind] if k not in meta]
    if missing:
        raise FmstudyError(f"{', '.join(missing)} missing")
    meta = {**DEFAULTS, "image_shape": [28, 28], **meta}
    out = {key: fields[key](value, key) for key, value in meta.items()}
    n, names = len(out["classes"]), out["class_names"]
    if names and len(names) != n:
        raise FmstudyError(f"class_names has {len(names)} names for {n} classes")
    size = out["data_options"].get("image_size")
    if size is not None and list(size) != out["image_shape"][:2]:
        raise FmstudyError(
            f"data_options image_size {size} disagrees with image_shape {out['image_shape']}"
        )
    if ("n_test" in out) != ("test_sha256" in out):
        raise FmstudyError("n_test and test_sha256 go together")
    return out
