"""Near-duplicate test images: a test image whose nearest training image, both shrunk to
16 x 16 grey and compared by pattern (brightness and contrast removed), is closer than
pictures of different things are: a re-saved, re-lit, slightly noisy or rescaled copy.
Copies shifted by more than about a pixel at 28 x 28, and overlapping crops, change the
grid too much to be found (a 1-pixel shift of a Fashion-MNIST image lies at 0.3 here).
The threshold leaves 25 of Fashion-MNIST's 10,000 test images near a training image.

    found = near_duplicates(x_train, x_test)
    found["count"], found["examples"]   # test images with one; a few (test, train) pairs

Each image becomes 256 numbers (area means of a 16 x 16 grid, centred, unit length), so
the distance of two images is sqrt(2 - 2r), r their correlation; a test image's nearest
training image comes from a matrix product over blocks of test images, never the whole
distance matrix at once (Fashion-MNIST's 60,000 x 10,000 images: 12 s on two shared
cores; a study checks its chosen classes only, and only on its own data and the digits).
"""

from __future__ import annotations

import numpy as np

SIDE = 16  # the grid images are compared on
MAX_DISTANCE = 0.08  # sqrt(2 - 2r): correlation r >= 0.9968 on the 16 x 16 grid
EXAMPLES = 5  # pairs kept, closest first
_BLOCK = 512  # test images per matrix product


def signature(x: np.ndarray, side: int = SIDE) -> np.ndarray:
    """Each image (``n x h x w``, or ``n x h x w x c`` averaged over its channels) as its
    ``side x side`` grid of area means, centred and scaled to unit length (a flat image
    is all zeros), float32."""
    out = np.empty((len(x), side * side), np.float32)
    h, w = x.shape[1:3]
    rows = _edges(h, side)
    cols = _edges(w, side)
    step = max(1, 2**24 // int(np.prod(x.shape[1:])))  # about 64 MiB of float32 at a time
    for at in range(0, len(x), step):
        grey = x[at : at + step].astype(np.float32)
        if grey.ndim == 4:
            grey = grey.mean(axis=3)
        total = np.zeros((len(grey), h + 1, w + 1), np.float64)
        total[:, 1:, 1:] = grey.cumsum(1).cumsum(2)
        (r0, r1), (c0, c1) = rows, cols
        top, bottom = total[:, r0], total[:, r1]
        cells = bottom[:, :, c1] - top[:, :, c1] - bottom[:, :, c0] + top[:, :, c0]
        area = np.outer(r1 - r0, c1 - c0)
        flat = (cells / area).reshape(len(grey), -1)
        flat -= flat.mean(axis=1, keepdims=True)
        norm = np.linalg.norm(flat, axis=1, keepdims=True)
        out[at : at + len(grey)] = np.divide(flat, norm, out=np.zeros_like(flat), where=norm > 1e-9)
    return out


def _edges(n: int, side: int) -> tuple[np.ndarray, np.ndarray]:
    """Start and end pixel of each of ``side`` cells along ``n`` pixels (a cell holds at
    least one pixel, so images smaller than the grid are spread over it)."""
    start = (np.arange(side) * n) // side
    end = np.maximum(((np.arange(side) + 1) * n) // side, start + 1)
    return start, end


def nearest(x_train: np.ndarray, x_test: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each test image's nearest training image (its index) and their distance."""
    train, test = signature(x_train), signature(x_test)
    index = np.zeros(len(test), np.int64)
    best = np.full(len(test), -np.inf, np.float32)
    for at in range(0, len(test), _BLOCK):
        sims = test[at : at + _BLOCK] @ train.T
        index[at : at + _BLOCK] = sims.argmax(axis=1)
        best[at : at + _BLOCK] = sims.max(axis=1)
    return index, np.sqrt(np.clip(2 - 2 * best, 0, None))


def near_duplicates(x_train: np.ndarray, x_test: np.ndarray) -> dict:
    """The test images within :data:`MAX_DISTANCE` of a training image (identical ones
    included): the rule, their count and up to :data:`EXAMPLES` pairs, closest first, as
    positions in the test and training arrays given."""
    rule = {
        "method": f"nearest neighbour, {SIDE}x{SIDE} grey",
        "max_distance": MAX_DISTANCE,
        "min_correlation": round(1 - MAX_DISTANCE**2 / 2, 4),
    }
    if not len(x_train) or not len(x_test):
        return {**rule, "count": 0, "examples": []}
    index, distance = nearest(x_train, x_test)
    near = np.flatnonzero(distance <= MAX_DISTANCE)
    shown = near[np.argsort(distance[near], kind="stable")[:EXAMPLES]]
    return {
        **rule,
        "count": int(len(near)),
        "examples": [
            {"test": int(i), "train": int(index[i]), "distance": round(float(distance[i]), 4)}
            for i in shown
        ],
    }
