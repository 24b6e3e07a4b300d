"""data.py: loading a verified data set, its frames and the decoded-array cache."""

import gzip

import numpy as np
import pytest
from conftest import corrupt, idx_bytes, synthetic_arrays

from fmstudy import FmstudyError, load_dataset
from fmstudy.data.idx import IMAGE_MAGIC
from fmstudy.data.loading import common_frame, to_frame


def test_valid_synthetic_loads(synthetic):
    spec, data_dir = synthetic
    ds = load_dataset("synth", data_dir)
    want = synthetic_arrays()
    assert ds.x_train.shape == (200, 28, 28) and ds.y_test.shape == (60,)
    assert np.array_equal(ds.x_train, want["train-images"])
    assert np.array_equal(ds.y_test, want["test-labels"])
    assert ds.sha256["train-images"] == spec.file("train-images").sha256_raw


def test_frames_and_common_frame(synthetic):
    _, data_dir = synthetic
    ds = load_dataset("synth", data_dir)
    train, test = ds.frames()
    assert train.shape == (200, 785) and list(train.columns[:2]) == ["pixel1", "pixel2"]
    assert train.columns[-1] == "target" and train["target"].tolist() == ds.y_train.tolist()
    both = ds.common_frame()
    assert both.shape == (260, 786)
    assert (both["split"] == "train").sum() == 200 and (both["split"] == "test").sum() == 60
    assert np.array_equal(both.loc[both.split == "test", "pixel1"], ds.x_test[:, 0, 0])
    assert common_frame(to_frame(ds.x_train, ds.y_train), test).equals(both)


def test_payload_failing_its_hash(synthetic):
    _, data_dir = synthetic
    arrays = synthetic_arrays()
    x = arrays["test-images"].copy()
    x[0, 0, 0] ^= 1  # one bit: still valid IDX, wrong data
    corrupt(data_dir, "t10k-images-idx3-ubyte.gz", idx_bytes(x, IMAGE_MAGIC))
    with pytest.raises(FmstudyError, match="SHA-256 of the decompressed data"):
        load_dataset("synth", data_dir, use_cache=False)


def test_cache_is_used_and_rechecked(synthetic):
    _, data_dir = synthetic
    first = load_dataset("synth", data_dir)
    cached = sorted((data_dir / "decoded" / "synth").glob("*.npy"))
    assert len(cached) == 4
    # The archive may now vanish: the verified cache serves the data.
    (data_dir / "synth" / "train-images-idx3-ubyte.gz").unlink()
    assert np.array_equal(load_dataset("synth", data_dir).x_train, first.x_train)
    # A tampered cache entry is not trusted: it falls back to the archive.
    (data_dir / "synth" / "train-images-idx3-ubyte.gz").write_bytes(
        gzip.compress(idx_bytes(first.x_train, IMAGE_MAGIC))
    )
    victim = next(p for p in cached if p.name.startswith("train-images"))
    bad = np.load(victim)
    bad[0, 0, 0] ^= 1
    np.save(victim, bad)
    assert np.array_equal(load_dataset("synth", data_dir).x_train, first.x_train)


def test_unknown_dataset():
    with pytest.raises(FmstudyError, match="unknown data set 'cifar'.*fashion-mnist"):
        load_dataset("cifar")
