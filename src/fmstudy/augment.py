"""Image changes in pixel space for scaled network inputs: mirrors and shifts.

    xb = mirror_images(xb, mean, std)          # standardized inputs, mirrored correctly
    xb = random_shift(xb, 2, generator, mean, std)

A mirrored or shifted standardized image is not a standardized mirrored or
shifted one (per-pixel means are not mirror-symmetric), so each change undoes the
scaling, changes the 28x28 images and scales again.
"""

from __future__ import annotations

import torch
from torch import nn

from fmstudy.networks import NetSpec


def _in_pixel_space(xb: torch.Tensor, change, mean=None, std=None) -> torch.Tensor:
    """Apply ``change`` to the (N, 28, 28) images behind scaled inputs and scale again:
    a mirrored or shifted standardized image is not a standardized mirrored or shifted one.
    Without ``mean`` the inputs are changed as they are."""
    if mean is None:
        return change(xb.reshape(-1, 28, 28)).reshape(xb.shape)
    img = change((xb.reshape(len(xb), -1) * std + mean).reshape(-1, 28, 28))
    return ((img.reshape(len(xb), -1) - mean) / std).reshape(xb.shape)


def mirror_images(xb: torch.Tensor, mean=None, std=None) -> torch.Tensor:
    """Mirror images left-right, in pixel space for standardized ones (per-pixel ``mean``
    and ``std`` are not mirror-symmetric)."""
    return _in_pixel_space(xb, lambda img: img.flip(-1), mean, std)


def pixel_stats(spec: NetSpec, scaler: dict) -> tuple:
    """What :func:`mirror_images` needs for this spec's inputs: the per-pixel mean and std
    of standardized ones, nothing for pixels / 255."""
    if spec.scaling != "standardize":
        return None, None
    return torch.as_tensor(scaler["mean"]), torch.as_tensor(scaler["std"])


def random_shift(xb, limit: int, gen, mean: torch.Tensor, std: torch.Tensor) -> torch.Tensor:
    """Translate each image by up to ``limit`` pixels in pixel space (background 0 fills in)."""
    dy, dx = torch.randint(0, 2 * limit + 1, (2, len(xb)), generator=gen)
    rows = (dy.view(-1, 1) + torch.arange(28)).view(-1, 28, 1)
    cols = (dx.view(-1, 1) + torch.arange(28)).view(-1, 1, 28)

    def shift(img):
        pad = nn.functional.pad(img, (limit,) * 4, value=0.0)
        return pad[torch.arange(len(img)).view(-1, 1, 1), rows, cols]

    return _in_pixel_space(xb, shift, mean, std)
