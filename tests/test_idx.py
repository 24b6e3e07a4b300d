"""idx.py: the IDX format's checks (magic number, count, dimensions, truncation)."""

import numpy as np
import pytest
from conftest import corrupt, idx_bytes, synthetic_arrays

from fmstudy import FmstudyError, load_dataset
from fmstudy.data.idx import IMAGE_MAGIC, LABEL_MAGIC, parse_idx


def test_wrong_magic(synthetic):
    _, data_dir = synthetic
    raw = idx_bytes(synthetic_arrays()["train-labels"], 2051)  # image magic on a label file
    corrupt(data_dir, "train-labels-idx1-ubyte.gz", raw)
    with pytest.raises(FmstudyError, match="SHA-256|magic"):
        load_dataset("synth", data_dir)
    with pytest.raises(FmstudyError, match="magic"):
        parse_idx(raw, what="x", magic=LABEL_MAGIC, count=200)


def test_truncated_gzip(synthetic):
    _, data_dir = synthetic
    path = data_dir / "synth" / "train-images-idx3-ubyte.gz"
    path.write_bytes(path.read_bytes()[:5000])
    with pytest.raises(FmstudyError, match="gzip"):
        load_dataset("synth", data_dir, use_cache=False)


def test_wrong_count():
    arr = np.zeros((199, 28, 28), np.uint8)
    with pytest.raises(FmstudyError, match="199 items, expected 200"):
        parse_idx(
            idx_bytes(arr, IMAGE_MAGIC), what="x", magic=IMAGE_MAGIC, count=200, dims=(28, 28)
        )


def test_truncated_payload():
    raw = idx_bytes(np.zeros((10, 28, 28), np.uint8), IMAGE_MAGIC)[:-7]
    with pytest.raises(FmstudyError, match="truncated"):
        parse_idx(raw, what="x", magic=IMAGE_MAGIC, count=10, dims=(28, 28))
