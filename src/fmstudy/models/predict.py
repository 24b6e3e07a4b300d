"""``fmstudy predict``: a saved network or classical model classifies image files.

    for p in predict_images(Path("report/models/cnn-small"), [Path("coat.jpg")]):
        p.class_name, p.probabilities, p.inverted
    predict_images(Path("report/models/svc"), [Path("coat.jpg")])   # a skops model

Each image is converted to what the model was trained on: its size (resized), its
channels (grey or RGB) and its polarity.  Fashion-MNIST's clothes are light on a dark
ground; a photo of a coat on white is the other way round.  An image whose border is
nearer the inverse of the training images' border level is inverted first, and says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from fmstudy.data.image_files import IMAGE_SUFFIXES, border_level, image_layout, read_images
from fmstudy.errors import FmstudyError
from fmstudy.models import saved as saved_models
from fmstudy.nets.saved import load_model, predict, read_meta


@dataclass(frozen=True)
class Prediction:
    """One image's class, and every class's probability."""

    file: str
    label: int  # the class number, as the data set numbers it
    class_name: str
    probability: float  # of the predicted class
    probabilities: dict  # class name -> probability
    inverted: bool  # the image was inverted to the training images' polarity
    resized_from: list | None  # [height, width] before resizing; None when it fitted


def predict_images(model: Path, images: list[Path]) -> list[Prediction]:
    """Classify ``images`` with the saved model in ``model`` (its folder or a file in it)."""
    classical = saved_models.is_classical(model)
    meta = saved_models.read_meta(model) if classical else read_meta(model)
    if not images:
        raise FmstudyError("give at least one image file to classify")
    for path in images:
        if not path.is_file():
            raise FmstudyError(f"{path} is not a file; give PNG, JPEG or BMP images")
        if path.suffix.lower() not in IMAGE_SUFFIXES:
            raise FmstudyError(f"{path} is not a PNG, JPEG or BMP image")
    probabilities, classes = _classifier(model, classical)
    shape = tuple(meta["image_shape"])
    names = meta.get("class_names") or [str(c) for c in classes]
    out = []
    for path in images:
        read_as = image_layout([path], None)[0][:2]  # from its header alone
        x = read_images([path], shape[:2])  # resized as it is read
        if len(shape) == 2 and x.ndim == 4:  # a colour photo for a grey network
            x = np.rint(x @ np.array([0.299, 0.587, 0.114])).astype(np.uint8)
        elif len(shape) == 3 and x.ndim == 3:  # a grey image for a colour network
            x = np.repeat(x[..., None], 3, axis=-1)
        inverted = looks_inverted(x, meta.get("background"))
        if inverted:
            x = 255 - x
        proba = probabilities(x)
        k = int(np.argmax(proba[0]))
        out.append(
            Prediction(
                file=str(path),
                label=int(classes[k]),
                class_name=names[k],
                probability=float(proba[0, k]),
                probabilities={n: float(p) for n, p in zip(names, proba[0], strict=True)},
                inverted=inverted,
                resized_from=None if read_as == shape[:2] else list(read_as),
            )
        )
    return out


def _classifier(model: Path, classical: bool):
    """The saved model as a function of uint8 images to class probabilities (one column
    per class, in the order of the returned classes)."""
    if classical:
        estimator, meta = saved_models.load_model(model)
        return (lambda x: saved_models.predict_proba(estimator, meta, x)), list(meta["classes"])
    spec, classes, net, scaler = load_model(model)
    return (lambda x: predict(net, spec, scaler, x, classes, probabilities=True)[1]), list(classes)


def looks_inverted(x: np.ndarray, background: float | None) -> bool:
    """Whether an image's border is nearer the inverse of the training border level."""
    if background is None:
        return False
    level = border_level(x)
    return abs((255 - level) - background) < abs(level - background)
