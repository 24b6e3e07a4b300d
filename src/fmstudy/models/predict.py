"""``fmstudy predict``: a saved network or classical model classifies image files.

    for p in predict_images(Path("report/models/cnn-small"), [Path("coat.jpg")]):
        p.class_name, p.probability, p.top3, p.inverted, p.padded_to, p.warning
    predict_images(Path("report/models/svc"), [Path("photos/")], invert="never")
    prediction_rows(predictions)      # flat records for CSV; prediction_record(p): JSON

Each image is made what the model takes (:mod:`fmstudy.models.predict_inputs`: its
channels, padded to the model's aspect ratio, resized).  Polarity is the model's, as its
training images were (:mod:`fmstudy.nets.image_reference`): under ``invert="auto"`` an
image is inverted only when the model's training images have one polarity and the image
clearly has the other; ``"never"`` and ``"always"`` decide for every image.  An image far
from the training images (farther from the nearest class mean than 99 % of the test
images, or a top probability below 99 % of theirs) carries a warning; it is not a
verdict on the image.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from fmstudy import checks
from fmstudy.errors import FmstudyError
from fmstudy.i18n import N_
from fmstudy.models import saved as saved_models
from fmstudy.models.predict_inputs import image_paths, prepared, shown_name
from fmstudy.nets.image_reference import (
    DEFINITE,
    contrast,
    image_polarity,
    nearest_distance,
    pool_shape,
)
from fmstudy.nets.saved import load_model, predict, read_meta

INVERT_CHOICES = ("auto", "never", "always")
BATCH = 256  # images classified at a time
WARNING = N_("unlike the images the model was trained on: treat this prediction with care")
FAR = N_("{distance} grey levels from the nearest class mean; 99 % of test images within {limit}")
UNSURE = N_("top probability {probability}; 99 % of test images at or above {limit}")
INVERTED = {  # by the image's polarity under --invert auto; --invert always
    "dark-on-light": N_(
        "inverted: the image is dark on light, the model's training images light on dark"
    ),
    "light-on-dark": N_(
        "inverted: the image is light on dark, the model's training images dark on light"
    ),
    "always": N_("inverted (--invert always)"),
}
PADDED = N_("padded {h}×{w} to {ph}×{pw} (height×width) to keep its aspect ratio")
RESIZED = N_("resized from {h}×{w} to {th}×{tw}")


@dataclass(frozen=True)
class Prediction:
    """One image's class, its probabilities and what was done to the image."""

    file: str  # as the user named it, relative to the current folder
    label: int  # the class number, as the data set numbers it
    class_name: str
    probability: float  # of the predicted class
    probabilities: dict  # class name -> probability
    top3: list  # [class name, probability], the three likeliest first
    inverted: bool  # the image was inverted before it was classified
    image_polarity: str  # "light-on-dark", "dark-on-light" or "unclear"
    model_polarity: str  # the model's: "light-on-dark", "dark-on-light" or "mixed"
    size: list  # [height, width] as read
    padded_to: list | None  # [height, width] after padding to the model's aspect ratio
    resized_from: list | None  # [height, width] as read, when it was resized
    distance: float | None  # to the nearest class mean (grey levels); None: not recorded
    warnings: list = field(default_factory=list)  # why it is unlike the training images
    notes: list = field(default_factory=list)  # [message, arguments]: what was done


def model_polarity(meta: dict) -> str:
    """The model's polarity as saved; a model saved before it was recorded: from its
    training images' border level (none recorded: Fashion-MNIST's, light on dark)."""
    if meta.get("polarity"):
        return meta["polarity"]
    background = meta.get("background")
    if background is None or background <= 64:
        return "light-on-dark"
    return "dark-on-light" if background >= 191 else "mixed"


def inverts(invert: str, model: str, image: str) -> bool:
    """Whether an image of polarity ``image`` is inverted for a ``model`` polarity."""
    if invert != "auto":
        return invert == "always"
    return model in DEFINITE and image in DEFINITE and image != model


def predict_images(model: Path, images: list[Path], invert: str = "auto") -> list[Prediction]:
    """Classify ``images`` (files, or folders searched recursively) with the saved model
    in ``model`` (its folder or a file in it)."""
    checks.choice(invert, "--invert", INVERT_CHOICES)
    classical = saved_models.is_classical(model)
    meta = saved_models.read_meta(model) if classical else read_meta(model)
    paths = image_paths(images)
    probabilities, classes = _classifier(model, classical)
    shape = list(meta["image_shape"])
    names = meta.get("class_names") or [str(c) for c in classes]
    polarity, reference = model_polarity(meta), meta.get("reference")
    if reference is not None:
        _check_reference(reference, shape, len(classes), model)
    out = []
    for start in range(0, len(paths), BATCH):
        batch = [_one(p, shape, invert, polarity) for p in paths[start : start + BATCH]]
        x = np.stack([b["x"] for b in batch])
        proba = probabilities(x)
        far = nearest_distance(x, reference) if reference else [None] * len(x)
        for b, row, d in zip(batch, proba, far, strict=True):
            out.append(_prediction(b, row, d, classes, names, reference))
    return out


def _check_reference(reference: dict, shape: list, n_classes: int, model: Path) -> None:
    """The reference's class means fit the model (checked once its weights have been)."""
    width = math.prod(pool_shape(shape)) * (shape[2] if len(shape) == 3 else 1)
    means = reference["means"]
    if (
        len(means) != n_classes
        or len(means[0]) != width
        or reference["pool_shape"] != pool_shape(shape)
    ):
        raise FmstudyError(
            f"the saved model in {model}: its reference means must be {n_classes} rows of "
            f"{width} values (its classes, its image shape pooled); it was changed"
        )


def _one(path: Path, shape: list, invert: str, polarity: str) -> dict:
    """One image prepared, its polarity judged, inverted if it should be."""
    image = prepared(path, shape)
    own = image_polarity(float(contrast(image.x[None])[0]))
    turn = inverts(invert, polarity, own)
    notes = []
    if turn:
        notes.append([INVERTED[own if invert == "auto" else "always"], {}])
    h, w = image.size
    if image.padded_to:
        ph, pw = image.padded_to
        notes.append([PADDED, {"h": h, "w": w, "ph": ph, "pw": pw}])
    if image.resized:
        notes.append([RESIZED, {"h": h, "w": w, "th": shape[0], "tw": shape[1]}])
    return {
        "file": shown_name(path),
        "x": 255 - image.x if turn else image.x,
        "inverted": turn,
        "image_polarity": own,
        "model_polarity": polarity,
        "size": [h, w],
        "padded_to": list(image.padded_to) if image.padded_to else None,
        "resized_from": [h, w] if image.resized else None,
        "notes": notes,
    }


def _prediction(b: dict, row, distance, classes, names, reference) -> Prediction:
    order = np.argsort(-row, kind="stable")
    k = int(order[0])
    warnings = []
    ref = reference or {}
    if distance is not None and ref.get("distance_p99") is not None:
        if distance > ref["distance_p99"]:
            limit = ref["distance_p99"]
            warnings.append([FAR, {"distance": round(float(distance), 1), "limit": limit}])
    if ref.get("top_p01") is not None and row[k] < ref["top_p01"]:
        limit = ref["top_p01"]
        warnings.append([UNSURE, {"probability": round(float(row[k]), 3), "limit": limit}])
    return Prediction(
        file=b["file"],
        label=int(classes[k]),
        class_name=names[k],
        probability=float(row[k]),
        probabilities={n: float(p) for n, p in zip(names, row, strict=True)},
        top3=[[names[int(i)], float(row[i])] for i in order[:3]],
        inverted=b["inverted"],
        image_polarity=b["image_polarity"],
        model_polarity=b["model_polarity"],
        size=b["size"],
        padded_to=b["padded_to"],
        resized_from=b["resized_from"],
        distance=None if distance is None else round(float(distance), 2),
        warnings=warnings,
        notes=b["notes"],
    )


def _classifier(model: Path, classical: bool):
    """The saved model as a function of uint8 images to class probabilities (one column
    per class, in the order of the returned classes)."""
    if classical:
        estimator, meta = saved_models.load_model(model)
        return (lambda x: saved_models.predict_proba(estimator, meta, x)), list(meta["classes"])
    spec, classes, net, scaler = load_model(model)
    return (lambda x: predict(net, spec, scaler, x, classes, probabilities=True)[1]), list(classes)


def said(message: list, translate=lambda m: m) -> str:
    """A note or warning ([message, arguments]) as text, translated by ``translate``."""
    return translate(message[0]).format(**message[1])


def warning_text(p: Prediction, translate=lambda m: m) -> str:
    """The warning and its reasons as one sentence; "" when there is none."""
    if not p.warnings:
        return ""
    return f"{translate(WARNING)} ({'; '.join(said(w, translate) for w in p.warnings)})"


def prediction_record(p: Prediction) -> dict:
    """One image's prediction as JSON: every field, notes and warning as English text."""
    record = asdict(p)
    return record | {
        "notes": [said(n) for n in p.notes],
        "warning": warning_text(p),
        "warnings": [said(w) for w in p.warnings],
    }


def prediction_rows(predictions: list[Prediction]) -> list[dict]:
    """One flat record per image, in English, for CSV: file, class, top
    probability, the top three, whether it was inverted or padded, and any warning."""
    rows = []
    for p in predictions:
        top = {}
        for i, (name, prob) in enumerate(p.top3, 1):
            top |= {f"top{i}_class": name, f"top{i}_probability": round(prob, 6)}
        rows.append(
            {
                "file": p.file,
                "class": p.class_name,
                "label": p.label,
                "probability": round(p.probability, 6),
                **top,
                "inverted": p.inverted,
                "padded": p.padded_to is not None,
                "notes": "; ".join(said(n) for n in p.notes),
                "warning": warning_text(p),
            }
        )
    return rows


def predictions_csv(predictions: list[Prediction]) -> str:
    """:func:`prediction_rows` as CSV text with a header row."""
    rows = prediction_rows(predictions)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()
