"""Near-duplicate test images: a test image that some training image contains, shifted by
up to about a fifth of its side, and which stands out from the other training images: a
re-saved, re-lit or slightly noisy copy, or an overlapping crop of the same photo.
Flipped, rotated or rescaled copies, crops shifted further, and a test image with
several near-copies among the training images (none stands out) are not found.

    found = near_duplicates(x_train, x_test)
    found["count"], found["examples"]   # test images with one; a few (test, train) pairs

Each image is shrunk to 32 x 32 grey (blurred by 0.7 pixel, so a fraction of a pixel
does not count).  A test image and a training image are compared over the part they
share at each shift of up to 7 pixels each way (22 %), by correlation (brightness and
contrast removed); a test image is a near-duplicate when its best correlation reaches
MIN_CORRELATION and its distance from a perfect match (1 - r) is at most STANDS_OUT times
that of the next closest training image.  Comparing every pair at every shift would be
slow, so each test image is compared so with the CANDIDATES training images of closest
shift-free description (the magnitudes of their low spatial frequencies).  Calibrated
on overlapping crops of smooth random photos (found, 28 x 28 to 64 x 64) and distinct
ones (not found); on Fashion-MNIST's classes 4-7 it flags 53 of 4,000 test images
(16 s for their 24,000 x 4,000 on two shared cores).
"""

from __future__ import annotations

import numpy as np

SIDE = 32  # images are compared at SIDE x SIDE grey
SHIFT = 7  # pixels each way at SIDE (22 % of the side)
MIN_CORRELATION = 0.9
STANDS_OUT = 0.3  # (1 - r) at most this share of the next closest image's
CANDIDATES = 24  # training images per test image compared at every shift
EXAMPLES = 5  # pairs kept, closest first
_BLOCK = 64  # test images per step
_LOW = 6  # spatial frequencies of the shift-free description, each way
_PAD = SIDE + SHIFT + 1  # zero-padded size of the transforms: shifts do not wrap round


def _box(n: int) -> np.ndarray:
    """The ``SIDE x n`` matrix that resamples ``n`` pixels to SIDE by area."""
    edges = np.linspace(0, n, SIDE + 1)
    lo, hi = edges[:-1, None], edges[1:, None]
    pixel = np.arange(n)[None, :]
    overlap = np.clip(np.minimum(hi, pixel + 1) - np.maximum(lo, pixel), 0, None)
    return overlap / overlap.sum(axis=1, keepdims=True)


def shrunk(x: np.ndarray) -> np.ndarray:
    """Images (``n x h x w``, or ``n x h x w x c`` averaged over channels) as ``n x SIDE x
    SIDE`` grey (area-resampled, blurred by 0.7 pixel, centred and scaled to unit spread;
    a flat image is all zeros)."""
    from scipy.ndimage import gaussian_filter

    rows, cols = _box(x.shape[1]), _box(x.shape[2])
    out = np.empty((len(x), SIDE, SIDE))
    step = max(1, 2**23 // int(np.prod(x.shape[1:])))  # about 64 MiB of float64 at a time
    for at in range(0, len(x), step):
        grey = x[at : at + step].astype(np.float64)
        if grey.ndim == 4:
            grey = grey.mean(axis=3)
        out[at : at + len(grey)] = rows @ grey @ cols.T
    g = gaussian_filter(out, (0, 0.7, 0.7), mode="nearest")
    g -= g.mean(axis=(1, 2), keepdims=True)
    spread = g.std(axis=(1, 2), keepdims=True)
    return np.divide(g, spread, out=np.zeros_like(g), where=spread > 1e-6)


def _unit(v: np.ndarray) -> np.ndarray:
    """Rows centred and scaled to unit length (a flat row stays zeros)."""
    v = v - v.mean(axis=-1, keepdims=True)
    norm = np.linalg.norm(v, axis=-1, keepdims=True)
    return np.divide(v, norm, out=np.zeros_like(v), where=norm > 1e-6)


def describe(g: np.ndarray) -> np.ndarray:
    """The shift-free description of shrunk images: the square roots of the magnitudes of
    their low spatial frequencies (Hann-windowed), as unit rows (float32)."""
    hann = np.hanning(SIDE + 2)[1:-1]
    k = np.arange(SIDE)
    rows = np.exp(-2j * np.pi * np.outer(np.arange(-_LOW, _LOW + 1), k) / SIDE) * hann
    cols = np.exp(-2j * np.pi * np.outer(np.arange(_LOW + 1), k) / SIDE) * hann
    f = np.abs(rows @ g @ cols.T)
    return _unit(np.sqrt(f.reshape(len(g), -1))).astype(np.float32)


def _overlap_sums(g: np.ndarray, moved: bool) -> tuple[np.ndarray, np.ndarray]:
    """Each image's sum and sum of squares over its part of the shared area at every
    shift (``n x (2 SHIFT + 1)^2``): a test image's part, or (``moved``) a training
    image's."""
    s = np.arange(-SHIFT, SHIFT + 1)
    lo = np.maximum(0, s) if moved else np.maximum(0, -s)
    hi = SIDE - (np.maximum(0, -s) if moved else np.maximum(0, s))
    out = []
    for v in (g, g**2):
        total = np.zeros((len(g), SIDE + 1, SIDE + 1))
        total[:, 1:, 1:] = v.cumsum(1).cumsum(2)
        box = total[:, hi][:, :, hi] - total[:, lo][:, :, hi]
        box = box - total[:, hi][:, :, lo] + total[:, lo][:, :, lo]
        out.append(box.reshape(len(g), -1))
    return out[0], out[1]


class _Shrunk:
    """Shrunk images with what every comparison needs of them: transforms and sums."""

    def __init__(self, x: np.ndarray, moved: bool):
        self.g = shrunk(x)
        self.described = describe(self.g)
        self.sums = _overlap_sums(self.g, moved)
        spectra = np.fft.rfft2(self.g, (_PAD, _PAD))
        self.spectra = np.conj(spectra) if not moved else spectra


def best_shift(test: _Shrunk, i: np.ndarray, train: _Shrunk, j: np.ndarray) -> np.ndarray:
    """The best correlation of test images ``i`` and training images ``j`` (pairs) over
    the part they share at a shift of up to SHIFT pixels each way."""
    products = np.fft.irfft2(test.spectra[i] * train.spectra[j], (_PAD, _PAD))
    at = np.arange(-SHIFT, SHIFT + 1) % _PAD
    dot = products[:, at][:, :, at].reshape(len(i), -1)
    side = SIDE - np.abs(np.arange(-SHIFT, SHIFT + 1))
    count = np.outer(side, side).ravel()
    (sa, qa), (sb, qb) = (test.sums[0][i], test.sums[1][i]), (train.sums[0][j], train.sums[1][j])
    cov = dot - sa * sb / count
    var = np.clip(qa - sa**2 / count, 0, None) * np.clip(qb - sb**2 / count, 0, None)
    r = np.divide(cov, np.sqrt(var), out=np.zeros_like(cov), where=var > 1e-9)
    return r.max(axis=1)


def nearest(x_train: np.ndarray, x_test: np.ndarray) -> tuple[np.ndarray, ...]:
    """Each test image's closest training image (its index), their best correlation, and
    the best correlation with any other candidate (-1 with a single training image)."""
    train, test = _Shrunk(x_train, True), _Shrunk(x_test, False)
    k = min(CANDIDATES, len(x_train))
    index = np.zeros(len(x_test), np.int64)
    best = np.zeros(len(x_test))
    second = np.full(len(x_test), -1.0)
    for at in range(0, len(x_test), _BLOCK):
        sims = test.described[at : at + _BLOCK] @ train.described.T
        cand = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        r = best_shift(test, np.repeat(np.arange(at, at + len(cand)), k), train, cand.ravel())
        r = r.reshape(len(cand), k)
        order, rows = np.argsort(-r, axis=1), np.arange(len(cand))
        index[at : at + len(cand)] = cand[rows, order[:, 0]]
        best[at : at + len(cand)] = r[rows, order[:, 0]]
        if k > 1:
            second[at : at + len(cand)] = r[rows, order[:, 1]]
    return index, best, second


def near_duplicates(
    x_train: np.ndarray, x_test: np.ndarray, files: tuple[list, list] | None = None
) -> dict:
    """The test images with a near-duplicate among the training images (identical ones
    included): the rule, their count and up to :data:`EXAMPLES` pairs, closest first, as
    positions in the arrays given, or as ``files`` (train names, test names) where given."""
    rule = {
        "method": f"best shift up to {SHIFT} of {SIDE} pixels, {SIDE}x{SIDE} grey",
        "max_shift": round(SHIFT / SIDE, 3),
        "min_correlation": MIN_CORRELATION,
        "stands_out": STANDS_OUT,
    }
    if not len(x_train) or not len(x_test):
        return {**rule, "count": 0, "examples": []}
    index, r, second = nearest(x_train, x_test)
    near = np.flatnonzero((r >= MIN_CORRELATION) & (1 - r <= STANDS_OUT * (1 - second)))
    shown = near[np.argsort(-r[near], kind="stable")[:EXAMPLES]]

    def name(i: int, part: int) -> int | str:
        return str(files[part][i]) if files is not None else int(i)

    return {
        **rule,
        "count": int(len(near)),
        "examples": [
            {"test": name(i, 1), "train": name(index[i], 0), "correlation": round(float(r[i]), 4)}
            for i in shown
        ],
    }
