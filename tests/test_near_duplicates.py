"""The near-duplicate check of task 1: re-lit, noisy and re-saved copies are found, other
images are not, and the search is blockwise (never the whole distance matrix)."""

import numpy as np

from fmstudy.data import near_duplicates as nd
from fmstudy.report.narrative.data import near_duplicates_note


def _smooth(n, side=32, seed=0):
    """Distinct smooth images (sums of a few random waves), 0-255."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:side, 0:side] / side
    out = np.zeros((n, side, side))
    for _ in range(4):
        fy, fx, ph = rng.uniform(0.5, 3, (3, n, 1, 1))
        out += np.sin(2 * np.pi * (fy * yy + fx * xx) + 6 * ph)
    out -= out.min(axis=(1, 2), keepdims=True)
    return (255 * out / out.max(axis=(1, 2), keepdims=True)).astype(np.uint8)


def test_copies_are_found_and_distinct_images_are_not():
    train = _smooth(40)
    rng = np.random.default_rng(1)
    relit = np.clip(train[:3] * 0.7 + 40, 0, 255).astype(np.uint8)  # darker, lifted
    noisy = np.clip(train[3:5] + rng.normal(0, 3, (2, 32, 32)), 0, 255).astype(np.uint8)
    test = np.concatenate([relit, noisy, train[5:6], _smooth(10, seed=9)])
    found = nd.near_duplicates(train, test)
    assert found["count"] == 6
    assert {(e["test"], e["train"]) for e in found["examples"]} <= {(i, i) for i in range(6)}
    assert (
        len(found["examples"]) == nd.EXAMPLES and found["examples"][0]["test"] == 5
    )  # the identical one
    assert found["examples"][0]["distance"] < 0.001
    assert nd.near_duplicates(train, _smooth(10, seed=9))["count"] == 0


def test_colour_and_small_images_and_blocks(monkeypatch):
    monkeypatch.setattr(nd, "_BLOCK", 3)  # many blocks of test images
    train = np.stack([_smooth(12)] * 3, axis=-1)
    index, _ = nd.nearest(train, train[[4, 7, 2, 9]])
    assert index.tolist() == [4, 7, 2, 9]
    tiny = _smooth(6, side=8)  # smaller than the 16 x 16 grid: spread over it
    assert nd.near_duplicates(tiny, tiny)["count"] == 6
    assert nd.near_duplicates(tiny[:0], tiny)["count"] == 0


def test_the_note_words_the_record():
    found = {"min_correlation": 0.9968, "count": 2, "examples": [{"test": 3, "train": 17}]}
    text = near_duplicates_note({"near_duplicates": found})
    assert text.startswith("2 test images of the chosen classes are near-copies")
    assert "test 3 ~ train 17" in text and "0.997" in text
    assert "No test image" in near_duplicates_note({"near_duplicates": {**found, "count": 0}})
    assert near_duplicates_note({}) == ""
