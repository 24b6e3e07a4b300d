"""What a network needs of its training rows, said in words.

    validation_problem(y, tr_idx, val_idx, spec, names)   # None, or why this split fails
    batch_problem(spec, n_rows, image_shape)              # None, or why the last batch fails

The validation part (the split :func:`fmstudy.nets.inputs.split_used` makes of
``spec.val_split``, ``spec.val_fraction``) must hold a row, and of two classes or more,
not one class alone; the training part a row of every class.  A batch normalisation layer that sees 1 x 1 feature
maps (a conv network on images a few pixels wide, after pooling) cannot train on a batch
of one image, which the last batch is when the rows leave one over (or every batch, of
size 1).
"""

from __future__ import annotations

import math

import numpy as np

from fmstudy.nets.inputs import split_used
from fmstudy.nets.spec import NetSpec, build_model


def validation_problem(y, tr_idx, val_idx, spec: NetSpec, names=None) -> str | None:
    """Why ``spec`` cannot train on this split of the training rows labelled ``y`` (None
    when it can): an empty validation part, a class with no row left to train on, or a
    validation part of one class while the rows hold several.  ``names`` maps class
    numbers to names for the line."""
    y = np.asarray(y)
    share = f"{100 * spec.val_fraction:g} %"
    first = split_used(y, spec)[0] == "first"
    part = f"the first {share} of the" if first else f"{share} of each class's"
    need = math.floor(0.5 / spec.val_fraction) + 1  # round(need * share) >= 1
    if len(val_idx) == 0:
        who = "it takes" if first else "a class needs"
        return (
            f"network {spec.name!r} validates on {part} training images, which is none of "
            f"these {len(y)} ({who} {need} to give one); add images"
        )
    classes = np.unique(y)
    missing = np.setdiff1d(classes, y[tr_idx])
    if len(missing):
        name = (names or {}).get(int(missing[0]), int(missing[0]))
        return (
            f"network {spec.name!r} validates on {part} training images, which leaves none "
            f"of class {name!r} to train on; add images to it"
        )
    held = np.unique(y[val_idx])
    if len(held) == 1 < len(classes):
        name = (names or {}).get(int(held[0]), int(held[0]))
        return (
            f"network {spec.name!r} validates on {part} training images, which is class "
            f"{name!r} alone (a class needs {need} images to give one), so validation could "
            "not compare the classes; add images to the others"
        )
    return None


def batch_problem(spec: NetSpec, n_rows: int, image_shape: tuple) -> str | None:
    """Why ``spec`` cannot train on ``n_rows`` rows of images of ``image_shape`` in its
    batches (None when it can): a last batch of one image through batch normalisation of
    1 x 1 feature maps."""
    last = n_rows % spec.batch_size or spec.batch_size
    if last != 1 or not spec.is_conv:
        return None
    import torch
    from torch import nn

    model = build_model(spec, 2, tuple(image_shape)).eval()
    pixels = []
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.register_forward_pre_hook(lambda _m, args: pixels.append(args[0][0, 0].numel()))
    channels = image_shape[2] if len(image_shape) == 3 else 1
    with torch.inference_mode():
        model(torch.zeros(1, channels, *image_shape[:2]))
    if min(pixels, default=2) > 1:
        return None
    return (
        f"network {spec.name!r} would train on a batch of 1 image ({n_rows} in batches of "
        f"{spec.batch_size}), and its batch normalisation of 1 x 1 feature maps needs 2: add "
        "or remove an image, change --batch-size, or use larger images (--image-size)"
    )
