"""What a saved model records of its training images, for ``fmstudy predict`` to judge a
new image by: their polarity and how far test images lie from the class means.

    record = reference_record(x_train, y_train, classes, x_test, test_proba)
    record["polarity"]                   # "light-on-dark", "dark-on-light" or "mixed"
    record["reference"]["distance_p99"]  # 99th percentile of test images' distances
    image_polarity(contrast(x)[0])       # one image: "light-on-dark", ... or "unclear"
    nearest_distance(x, record["reference"])

An image's contrast is its centre's mean grey level less its border's (0-255 scale):
Fashion-MNIST's clothes, light on a black ground, have a positive one; a coat
photographed on white a negative one.  Only a contrast beyond :data:`MARGIN` says which
way an image is.  A model's training images have a polarity when at most
:data:`OPPOSITE_SHARE` of them clearly have the other one; photos with all kinds of
grounds are "mixed", and no image is ever inverted for such a model.

Distances are root-mean-square differences in grey levels (0-255) between an image and
the nearest class mean, both averaged down to at most :data:`POOL` pixels a side.
"""

from __future__ import annotations

import math

import numpy as np

MARGIN = 40.0  # grey levels of centre-minus-border contrast that say an image's polarity
OPPOSITE_SHARE = 0.01  # at most this share of training images clearly the other way
POOL = 28  # class means are kept at most POOL x POOL pixels (per channel)
DEFINITE = ("light-on-dark", "dark-on-light")  # a model or image that has one polarity
POLARITIES = (*DEFINITE, "mixed")
CHUNK = 4096  # images pooled at a time
LUMA = np.array([0.299, 0.587, 0.114])


def contrast(x: np.ndarray) -> np.ndarray:
    """Each image's centre mean less its border mean, in grey levels: the centre is the
    middle half each way, the border a ring an eighth of the shorter side wide."""
    h, w = x.shape[1:3]
    r = max(1, min(h, w) // 8)

    def total(rows: slice, cols: slice) -> np.ndarray:
        s = x[:, rows, cols].sum(axis=(1, 2), dtype=np.int64)
        return s @ LUMA if x.ndim == 4 else s.astype(np.float64)

    inner_n = max(0, h - 2 * r) * max(0, w - 2 * r)
    ring_sum = total(slice(None), slice(None)) - total(slice(r, h - r), slice(r, w - r))
    centre_n = (h - 2 * (h // 4)) * (w - 2 * (w // 4))
    centre_sum = total(slice(h // 4, h - h // 4), slice(w // 4, w - w // 4))
    return centre_sum / centre_n - ring_sum / max(1, h * w - inner_n)


def image_polarity(value: float) -> str:
    """One image's polarity from its contrast: "unclear" within :data:`MARGIN` of 0."""
    if value >= MARGIN:
        return "light-on-dark"
    return "dark-on-light" if value <= -MARGIN else "unclear"


def training_polarity(c: np.ndarray) -> tuple[str, float, float]:
    """The training images' polarity from their contrasts, and the shares clearly light
    on dark and clearly dark on light."""
    light, dark = float(np.mean(c >= MARGIN)), float(np.mean(c <= -MARGIN))
    if dark <= OPPOSITE_SHARE and light > dark:
        return "light-on-dark", light, dark
    if light <= OPPOSITE_SHARE and dark > light:
        return "dark-on-light", light, dark
    return "mixed", light, dark


def pooled(x: np.ndarray) -> np.ndarray:
    """Images averaged in blocks down to at most :data:`POOL` pixels a side, flattened
    to float64 rows."""
    out = x.astype(np.float64)
    for axis in (1, 2):
        n = out.shape[axis]
        if n > POOL:
            edges = (np.arange(POOL) * n) // POOL
            counts = np.diff(np.append(edges, n)).astype(np.float64)
            shape = [1] * out.ndim
            shape[axis] = POOL
            out = np.add.reduceat(out, edges, axis=axis) / counts.reshape(shape)
    return out.reshape(len(out), -1)


def pool_shape(image_shape) -> list[int]:
    """The shape :func:`pooled` gives one image of ``image_shape``, less its channels."""
    return [min(int(n), POOL) for n in image_shape[:2]]


def nearest_distance(x: np.ndarray, reference: dict) -> np.ndarray:
    """Each image's distance (RMS, grey levels) to the nearest class mean of ``reference``."""
    means = np.asarray(reference["means"], np.float64)
    out = []
    for start in range(0, len(x), CHUNK):
        rows = pooled(x[start : start + CHUNK])
        d2 = (rows**2).sum(1)[:, None] - 2 * rows @ means.T + (means**2).sum(1)[None, :]
        out.append(np.sqrt(np.maximum(d2.min(axis=1), 0) / rows.shape[1]))
    return np.concatenate(out) if out else np.zeros(0)


def reference_record(x_train, y_train, classes, x_test, test_proba) -> dict:
    """What a saved model records of its images: ``polarity`` and ``reference`` (the
    contrasts' median and shares, the pooled class means, the test images' 99th
    percentile of distance to them and 1st percentile of top probability)."""
    c = contrast(x_train)
    polarity, light, dark = training_polarity(c)
    keys = [int(k) for k in classes]
    width = math.prod([*pool_shape(x_train.shape[1:]), *x_train.shape[3:]])
    sums, counts = np.zeros((len(keys), width)), np.zeros(len(keys))
    for s in range(0, len(x_train), CHUNK):
        rows, labels = pooled(x_train[s : s + CHUNK]), np.asarray(y_train[s : s + CHUNK])
        for i, k in enumerate(keys):
            sums[i] += rows[labels == k].sum(axis=0)
            counts[i] += np.count_nonzero(labels == k)
    means = np.round(sums[counts > 0] / counts[counts > 0, None], 1)
    reference = {
        "contrast_median": round(float(np.median(c)), 1),
        "light_share": round(light, 4),
        "dark_share": round(dark, 4),
        "pool_shape": pool_shape(x_train.shape[1:]),
        "means": means.tolist(),
        "distance_p99": None,
        "top_p01": None,
    }
    if x_test is not None and len(x_test):
        far = nearest_distance(x_test, reference)
        reference["distance_p99"] = round(float(np.percentile(far, 99)), 2)
    if test_proba is not None and len(test_proba):
        top = np.asarray(test_proba).max(axis=1)
        reference["top_p01"] = round(float(np.percentile(top, 1)), 4)
    return {"polarity": polarity, "reference": reference}
