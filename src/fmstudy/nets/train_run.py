"""One finished training as a record, and its one serialiser.

    run.to_dict()                                      # JSON-able: all but spec, weights, arrays
    TrainRun.from_dict(data, spec, y_pred=y, proba=p)  # and back

The fit cache keeps ``to_dict()`` as a training's run.json; a saved network's spec.json
(:mod:`fmstudy.nets.saved`) holds the same fields less what the training
:data:`MEASURED` about itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from fmstudy.nets.spec import NetSpec

# The fields to_dict writes, in spec.json's order; the spec has its own serialiser.
RECORD = (
    "classes",
    "dataset",
    "image_shape",
    "data_options",
    "class_names",
    "background",
    "seed",
    "val_split_used",
    "val_split_reason",
    "precision",
    "test_accuracy",
    "tested_on",
    "best_epoch",
    "epochs_run",
    "history",
    "n_params",
    "epoch_seconds",
    "predict_seconds",
    "refit_seconds",
)
MEASURED = ("n_params", "epoch_seconds", "predict_seconds", "refit_seconds")
FIRST_FAULTS = ("ordered", "missing")  # why a "first" split became stratified (nets.inputs)


@dataclass
class TrainRun:
    """One training of one spec with one seed: history, predictions, weights.

    The one form of a finished training, fresh or from the cache (then ``state`` and
    ``scaler`` are None and ``folder`` holds the saved weights)."""

    spec: NetSpec
    seed: int
    classes: tuple[int, ...]
    history: dict  # train_loss, train_acc, val_loss, val_acc: one value per epoch
    best_epoch: int  # 1-based epoch with the lowest validation loss
    epochs_run: int
    y_pred: np.ndarray  # test predictions, original labels
    test_accuracy: float
    n_params: int
    epoch_seconds: list[float] = field(default_factory=list)
    predict_seconds: float = 0.0  # scaling and predicting the test set
    refit_seconds: float = 0.0  # training on every row after the validated run (spec.refit)
    state: dict | None = None  # weights, for saving
    scaler: dict | None = None  # mean/std (or 1/255) the inputs were scaled with
    dataset: str = "fashion-mnist"
    folder: Path | None = None  # where it was saved (a cache), if it was
    proba: np.ndarray | None = None  # test probabilities (softmax), one column per class
    image_shape: tuple = (28, 28)  # one input image: (H, W), or (H, W, C) in colour
    data_options: dict = field(default_factory=dict)  # how own data was split and resized
    class_names: list = field(default_factory=list)  # the classes' names, in class order
    background: float | None = None  # training images' median border pixel (polarity)
    tested_on: dict = field(default_factory=dict)  # n_test, test_sha256 (Subset.test_record)
    val_split_used: str = ""  # "first" or "stratified" as made; "": no validation part
    val_split_reason: str = ""  # why "first" became stratified: FIRST_FAULTS, or ""
    precision: str = "float32"  # the forward pass's in training (nets.devices.precision_used)
    # polarity and reference (nets.image_reference): saved in spec.json, not run.json
    reference: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        """The :data:`RECORD` fields as JSON-able values (tuples as lists)."""
        out = {name: getattr(self, name) for name in RECORD}
        return out | {"classes": list(self.classes), "image_shape": list(self.image_shape)}

    @classmethod
    def from_dict(
        cls, data: dict, spec: NetSpec, *, y_pred, proba, folder: Path | None = None
    ) -> TrainRun:
        """The run :meth:`to_dict` wrote, with its spec, predictions and saved folder."""
        record = {name: data[name] for name in RECORD if name != "precision"}
        record["precision"] = data.get("precision", "float32")  # saved before it was recorded
        record |= {"classes": tuple(data["classes"]), "image_shape": tuple(data["image_shape"])}
        return cls(spec=spec, y_pred=y_pred, proba=proba, folder=folder, **record)
