"""What a network is fed: the validation split, the scaler, and the scaled inputs.

    tr_idx, val_idx = split_validation(y_train, spec, seed)
    scaler = fit_scaler(x_train[tr_idx].reshape(len(tr_idx), -1), spec.scaling)
    inputs = prepare_inputs(x_test, scaler, spec)     # inputs[i:j]: a float32 batch

The pixels stay uint8 until a batch is taken, so a data set needs its uint8 bytes in
memory, not four times that.
"""

from __future__ import annotations

import numpy as np
import torch

from fmstudy.nets.spec import NetSpec


def split_validation(y: np.ndarray, spec: NetSpec, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices of the training and validation parts."""
    n = len(y)
    n_val = int(round(n * spec.val_fraction))
    if spec.val_split == "first":  # the notebook: the first 20 % of the rows
        idx = np.arange(n)
        return idx[n_val:], idx[:n_val]
    rng = np.random.default_rng(seed)
    val = []
    for c in np.unique(y):
        members = np.flatnonzero(y == c)
        rng.shuffle(members)
        val.append(members[: int(round(len(members) * spec.val_fraction))])
    val_idx = np.sort(np.concatenate(val))
    return np.setdiff1d(np.arange(n), val_idx), val_idx


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
        return t.view(n, *self.shape).permute(0, 3, 1, 2).contiguous()


def prepare_inputs(x: np.ndarray, scaler: dict, spec: NetSpec) -> ScaledImages:
    """The network inputs of uint8 images: scaled per batch (see :class:`ScaledImages`)."""
    return ScaledImages(x, scaler, spec)
