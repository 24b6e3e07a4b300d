"""The near-duplicate check of task 1: overlapping crops of one photo are found at each
shift up to a fifth of the side, as are re-lit and noisy copies; distinct photos are
not, nor a test image two training images match about equally; image folders name the
pairs by file, and the report words the rule."""

import numpy as np
import pytest
from PIL import Image
from scipy.ndimage import gaussian_filter

from fmstudy.data import near_duplicates as nd
from fmstudy.data.loading import load_dataset
from fmstudy.data.own import DataOptions
from fmstudy.data.subsets import select_classes
from fmstudy.report.narrative.data import near_duplicates_note

SHIFTS = [(8, 0), (0, 16), (24, 0), (0, -32), (32, 0), (16, 16), (-24, 24), (-32, -32)]


def _photos(n, seed=0):
    """Smooth random colour 'photos', 200 x 200."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        img = np.stack([gaussian_filter(rng.normal(size=(200, 200)), 8) for _ in range(3)], -1)
        img = (img - img.min()) / (img.max() - img.min())
        out.append((255 * img).astype(np.uint8))
    return out


def _crop(photo, dy, dx, size):
    """The 160 x 160 crop at (20 + dy, 20 + dx) of a photo, resized to ``size``."""
    y, x = 20 + dy, 20 + dx
    pic = Image.fromarray(photo[y : y + 160, x : x + 160])
    return np.asarray(pic.resize((size, size), Image.Resampling.BILINEAR))


def _base(dy, dx):
    """Where the training crop starts so the test crop, ``(dy, dx)`` away, fits in 200."""
    return (-20 if dy > 0 else 20 if dy < 0 else 0), (-20 if dx > 0 else 20 if dx < 0 else 0)


@pytest.mark.parametrize("size", [28, 64])
def test_overlapping_crops_are_found_at_each_shift_and_distinct_photos_are_not(size):
    photos = _photos(40)
    train, test = [], []
    for i, photo in enumerate(photos):
        dy, dx = SHIFTS[i % len(SHIFTS)]
        by, bx = _base(dy, dx)
        train.append(_crop(photo, by, bx, size))
        test.append(_crop(photo, by + dy, bx + dx, size))  # 5 % to 20 % of 160 away
    index, r, _ = nd.nearest(np.stack(train), np.stack(test[: len(SHIFTS)]))
    assert index.tolist() == list(range(len(SHIFTS)))
    found = nd.near_duplicates(np.stack(train), np.stack(test[: len(SHIFTS)]))
    assert found["count"] == len(SHIFTS), r
    others = np.stack([_crop(p, 0, 0, size) for p in _photos(20, seed=5)])
    assert nd.near_duplicates(np.stack(train), others)["count"] == 0


def test_copies_are_found_and_a_match_that_does_not_stand_out_is_not():
    photos = _photos(12, seed=2)
    train = np.stack([_crop(p, 0, 0, 32)[..., 0] for p in photos])  # grey
    rng = np.random.default_rng(1)
    relit = np.clip(train[:2] * 0.7 + 40, 0, 255).astype(np.uint8)
    noisy = np.clip(train[2:4] + rng.normal(0, 3, (2, 32, 32)), 0, 255).astype(np.uint8)
    test = np.concatenate([relit, noisy, train[4:5]])
    found = nd.near_duplicates(train, test)
    assert found["count"] == 5
    assert found["examples"][0] == {"test": 4, "train": 4, "correlation": 1.0}
    assert {(e["test"], e["train"]) for e in found["examples"]} == {(i, i) for i in range(5)}
    # two training crops of the test image's photo, equally close: neither stands out
    twice = np.stack([_crop(photos[0], 0, 8, 32)[..., 0], _crop(photos[0], 0, -8, 32)[..., 0]])
    index, r, second = nd.nearest(np.concatenate([train[1:], twice]), train[:1])
    assert r[0] >= nd.MIN_CORRELATION and second[0] >= nd.MIN_CORRELATION
    assert nd.near_duplicates(np.concatenate([train[1:], twice]), train[:1])["count"] == 0


def test_blocks_flat_images_and_empty_parts(monkeypatch):
    monkeypatch.setattr(nd, "_BLOCK", 3)  # many blocks of test images
    train = np.stack([_crop(p, 0, 0, 20) for p in _photos(10, seed=3)])
    index, r, _ = nd.nearest(train, train[[4, 7, 2, 9]])
    assert index.tolist() == [4, 7, 2, 9] and np.allclose(r, 1)
    flat = np.full((2, 20, 20, 3), 128, np.uint8)
    assert nd.near_duplicates(train, flat)["count"] == 0
    assert nd.near_duplicates(train[:0], train)["count"] == 0


def test_an_image_folder_names_its_pairs_by_file(tmp_path):
    photos = _photos(8, seed=4)
    root = tmp_path / "pics"
    for part, names in (("train", range(6)), ("test", range(6, 8))):
        for i in names:
            d = root / part / ("a" if i % 2 else "b")
            d.mkdir(parents=True, exist_ok=True)
            Image.fromarray(_crop(photos[i], 0, 0, 32)).save(d / f"p{i}.png")
    Image.fromarray(_crop(photos[3], 12, 0, 32)).save(root / "test" / "a" / "crop3.png")
    ds = load_dataset(str(root), tmp_path / "data", options=DataOptions())
    found = select_classes(ds, (0, 1)).verification()["near_duplicates"]
    assert found["count"] == 1
    assert found["examples"][0]["test"] == "test/a/crop3.png"
    assert found["examples"][0]["train"] == "train/a/p3.png"
    again = load_dataset(str(root), tmp_path / "data", options=DataOptions())  # from the cache
    assert again.files == ds.files and len(ds.files[1]) == len(ds.y_test) == 3


def test_the_note_words_the_rule_and_the_pairs():
    found = {**nd.near_duplicates(np.zeros((0, 4, 4)), np.zeros((0, 4, 4))), "count": 2}  # the rule
    named = {**found, "examples": [{"test": "test/a/x.png", "train": "train/a/y.png"}]}
    text = near_duplicates_note({"near_duplicates": named})
    assert text.startswith("2 test images of the chosen classes are near-copies")
    assert "shifted by up to 22" in text and "0.90 or more" in text and "0.3 times" in text
    assert "Flipped, rotated or rescaled copies" in text
    assert "files relative to the data folder" in text
    assert "test test/a/x.png ~ train train/a/y.png" in text
    numbered = {**found, "examples": [{"test": 3, "train": 17}]}
    assert "image numbers within" in near_duplicates_note({"near_duplicates": numbered})
    none = near_duplicates_note({"near_duplicates": {**found, "count": 0}})
    assert none.startswith("No test image") and "crops shifted further" in none
    assert near_duplicates_note({}) == ""
