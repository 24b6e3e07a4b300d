"""Image changes in pixel space for scaled network inputs: mirrors and shifts.

    xb = mirror_images(xb, (mean, std, shape))         # standardized inputs, mirrored correctly
    xb = random_shift(xb, 2, generator, (mean, std, shape))

A mirrored or shifted standardized image is not a standardized mirrored or
shifted one (per-pixel means are not mirror-symmetric), so each change undoes the
scaling, changes the images and scales again.  ``shape`` is one image's (height,
width, channels); the inputs are flat rows (MLPs) or (N, channels, height, width)
(conv networks), and ``mean`` and ``std`` run over the flattened (height, width,
channels) pixels, as the scaler saw them.
"""

from __future__ import annotations

import torch
from torch import nn

from fmstudy.nets.spec import NetSpec


def _in_pixel_space(xb: torch.Tensor, change, pixel: tuple) -> torch.Tensor:
    """Apply ``change`` to the (N, C, H, W) images behind scaled inputs and scale again.
    Without a mean the inputs are changed as they are."""
    mean, std, (h, w, c) = pixel
    n = len(xb)
    hwc = xb.reshape(n, h, w, c) if xb.dim() == 2 else xb.permute(0, 2, 3, 1)
    if mean is not None:
        hwc = (hwc.reshape(n, -1) * std + mean).reshape(n, h, w, c)
    img = change(hwc.permute(0, 3, 1, 2))
    hwc = img.permute(0, 2, 3, 1).reshape(n, -1)
    if mean is not None:
        hwc = (hwc - mean) / std
    return hwc.reshape(xb.shape) if xb.dim() == 2 else hwc.reshape(n, h, w, c).permute(0, 3, 1, 2)


def mirror_images(xb: torch.Tensor, pixel: tuple) -> torch.Tensor:
    """Mirror images left-right, in pixel space for standardized ones (per-pixel means
    and sds are not mirror-symmetric); ``pixel`` is :func:`pixel_stats`'."""
    return _in_pixel_space(xb, lambda img: img.flip(-1), pixel)


def pixel_stats(spec: NetSpec, scaler: dict, shape: tuple) -> tuple:
    """What the changes need for this spec's inputs: the per-pixel mean and std of
    standardized ones (nothing for pixels / 255) and one image's (height, width, channels)
    from its array shape, (H, W) or (H, W, C)."""
    hwc = tuple(shape) if len(shape) == 3 else (*shape, 1)
    if spec.scaling != "standardize":
        return None, None, hwc
    return torch.as_tensor(scaler["mean"]), torch.as_tensor(scaler["std"]), hwc


def random_shift(xb, limit: int, gen, pixel: tuple) -> torch.Tensor:
    """Translate each image by up to ``limit`` pixels in pixel space (background 0 fills in)."""
    h, w, _c = pixel[2]
    dy, dx = torch.randint(0, 2 * limit + 1, (2, len(xb)), generator=gen).to(xb.device)
    rows = (dy.view(-1, 1) + torch.arange(h, device=xb.device)).view(-1, 1, h, 1)
    cols = (dx.view(-1, 1) + torch.arange(w, device=xb.device)).view(-1, 1, 1, w)

    def shift(img):
        pad = nn.functional.pad(img, (limit,) * 4, value=0.0)
        n, c = img.shape[:2]
        batch = torch.arange(n, device=img.device).view(-1, 1, 1, 1)
        chans = torch.arange(c, device=img.device).view(1, -1, 1, 1)
        return pad[batch, chans, rows, cols]

    return _in_pixel_space(xb, shift, pixel)
