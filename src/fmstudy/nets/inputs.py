"""What a network is fed: the validation split, the scaler, and the scaled inputs.

    tr_idx, val_idx = split_validation(y_train, spec, seed)
    split = validation_split(y_train, spec, seed)     # the same, with the split used and why
    scaler = fit_scaler(x_train[tr_idx].reshape(len(tr_idx), -1), spec.scaling)
    inputs = prepare_inputs(x_test, scaler, spec)     # inputs[i:j]: a float32 batch

The notebook validates on the first 20 % of the rows (``val_split`` "first"), which
stands for the data only when its rows come shuffled, as Fashion-MNIST's files do.  With
two classes or more and a first part of one row or more, a "first" split becomes the
stratified one (the same share of each class, seeded) when :func:`first_split_fault` finds

- "ordered": the labels come in one contiguous run per class (an image folder read class
  by class, an .npz sorted by label), or
- "missing": the first part, or the rest, holds no row of a class that the rows hold,

so that validation accuracy, the best epoch, the seed shown and the overfitting verdict
never rest on some of the classes only.  The split made and why are in
:class:`ValidationSplit` (and a training's record).

The pixels stay uint8 until a batch is taken, so a data set needs its uint8 bytes in
memory, not four times that.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from fmstudy.nets.spec import NetSpec


@dataclass(frozen=True)
class ValidationSplit:
    """Indices of the training and validation parts, the split made (``used``: "first" or
    "stratified") and, when that is not the spec's, why (``reason``: a
    :data:`fmstudy.nets.train_run.FIRST_FAULTS`)."""

    train: np.ndarray
    val: np.ndarray
    used: str
    reason: str = ""


def first_split_fault(y: np.ndarray, fraction: float) -> str:
    """Why the first ``fraction`` of the rows labelled ``y`` cannot validate for them
    ("ordered" or "missing", see the module's rule), or "" when it can."""
    y = np.asarray(y)
    classes = np.unique(y)
    n_val = int(round(len(y) * fraction))
    if len(classes) < 2 or n_val == 0:
        return ""
    if np.count_nonzero(y[1:] != y[:-1]) == len(classes) - 1:
        return "ordered"
    if min(len(np.unique(y[:n_val])), len(np.unique(y[n_val:]))) < len(classes):
        return "missing"
    return ""


def split_used(y: np.ndarray, spec: NetSpec) -> tuple[str, str]:
    """The split ``spec`` makes of the rows labelled ``y`` and why, when that is not its
    own ``val_split``: ("first", ""), ("stratified", "") or ("stratified", fault)."""
    fault = first_split_fault(y, spec.val_fraction) if spec.val_split == "first" else ""
    return ("stratified", fault) if fault else (spec.val_split, "")


def validation_split(y: np.ndarray, spec: NetSpec, seed: int) -> ValidationSplit:
    """The training and validation parts of the rows labelled ``y``: the first
    ``spec.val_fraction`` of them, or that share of each class drawn with ``seed``."""
    n = len(y)
    used, reason = split_used(y, spec)
    if used == "first":  # the notebook: the first 20 % of the rows
        idx = np.arange(n)
        n_val = int(round(n * spec.val_fraction))
        return ValidationSplit(idx[n_val:], idx[:n_val], used)
    rng = np.random.default_rng(seed)
    val = []
    for c in np.unique(y):
        members = np.flatnonzero(y == c)
        rng.shuffle(members)
        val.append(members[: int(round(len(members) * spec.val_fraction))])
    val_idx = np.sort(np.concatenate(val))
    return ValidationSplit(np.setdiff1d(np.arange(n), val_idx), val_idx, used, reason)


def split_validation(y: np.ndarray, spec: NetSpec, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices of the training and validation parts (:func:`validation_split`)."""
    split = validation_split(y, spec, seed)
    return split.train, split.val


def fit_scaler(x: np.ndarray, scaling: str) -> dict:
    """Per-pixel mean and std of the training part (or 0 and 255 for ``unit``)."""
    if scaling == "unit":
        return {
            "mean": np.zeros(x.shape[1], np.float32),
            "std": np.full(x.shape[1], 255.0, np.float32),
        }
    mean = x.mean(axis=0, dtype=np.float64)
    std = x.std(axis=0, dtype=np.float64)
    std[std == 0] = 1.0  # constant pixels (the corners) stay 0, as StandardScaler does
    return {"mean": mean.astype(np.float32), "std": std.astype(np.float32)}


class ScaledImages:
    """uint8 images (N, H, W) or (N, H, W, C), scaled to float32 a batch at a time as
    they are indexed: (x - mean) / std per pixel, as flat rows for MLPs or (n, C, H, W)
    for conv networks.  Only the uint8 pixels are held, never a float copy of them all;
    each value equals what scaling the whole array at once would give."""

    def __init__(self, x: np.ndarray, scaler: dict, spec: NetSpec, device="cpu"):
        self.shape, self.conv = x.shape[1:], spec.is_conv
        self.x = torch.from_numpy(np.ascontiguousarray(x)).to(device)
        self.mean = torch.from_numpy(np.asarray(scaler["mean"], np.float32)).to(device)
        self.std = torch.from_numpy(np.asarray(scaler["std"], np.float32)).to(device)

    def __len__(self) -> int:
        return len(self.x)

    @property
    def device(self):
        return self.x.device

    def to(self, device) -> ScaledImages:
        out = object.__new__(ScaledImages)
        out.shape, out.conv = self.shape, self.conv
        out.x, out.mean, out.std = self.x.to(device), self.mean.to(device), self.std.to(device)
        return out

    def __getitem__(self, idx) -> torch.Tensor:
        rows = self.x[idx]
        n = len(rows)
        t = (rows.reshape(n, -1).to(torch.float32) - self.mean) / self.std
        if not self.conv:
            return t
        if len(self.shape) == 2:
            return t.view(n, 1, *self.shape)
        return t.view(n, *self.shape).permute(0, 3, 1, 2)  # channels last, as the convolutions


def prepare_inputs(x: np.ndarray, scaler: dict, spec: NetSpec) -> ScaledImages:
    """The network inputs of uint8 images: scaled per batch (see :class:`ScaledImages`)."""
    return ScaledImages(x, scaler, spec)
