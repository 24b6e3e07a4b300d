"""Shared fixtures: tiny synthetic IDX data sets, written as real gzip'd IDX files."""

from __future__ import annotations

import gzip
import hashlib
import random
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from fmstudy import datasets
from fmstudy.data import IMAGE_MAGIC, LABEL_MAGIC, idx_header
from fmstudy.datasets import FASHION_MNIST, DatasetSpec, FileSpec

N_TRAIN, N_TEST = 200, 60


@pytest.fixture(autouse=True)
def _seeds():
    random.seed(0)
    np.random.seed(0)


def idx_bytes(arr: np.ndarray, magic: int) -> bytes:
    return idx_header(magic, arr.shape) + arr.astype(np.uint8).tobytes()


def synthetic_arrays(seed: int = 0):
    """Images whose mean brightness in a class-specific band gives the label away."""
    rng = np.random.default_rng(seed)
    out = {}
    for split, n in (("train", N_TRAIN), ("test", N_TEST)):
        y = np.arange(n) % 10
        rng.shuffle(y)
        x = rng.integers(0, 60, size=(n, 28, 28), dtype=np.uint8)
        for i, label in enumerate(y):
            x[i, 2 * label : 2 * label + 3, :] += 150
        out[f"{split}-images"] = x
        out[f"{split}-labels"] = y.astype(np.uint8)
    return out


def write_dataset(folder: Path, arrays: dict, *, archive_hash: bool = False) -> DatasetSpec:
    """Write arrays as gzip'd IDX files and return a spec that checks them."""
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for f in FASHION_MNIST.files:
        arr = arrays[f.role]
        raw = idx_bytes(arr, IMAGE_MAGIC if f.role.endswith("images") else LABEL_MAGIC)
        archive = gzip.compress(raw, mtime=0)
        (folder / f.name).write_bytes(archive)
        files.append(
            FileSpec(
                f.role,
                f.name,
                md5=hashlib.md5(archive).hexdigest(),
                sha256_raw=None if archive_hash else hashlib.sha256(raw).hexdigest(),
                sha256_archive=hashlib.sha256(archive).hexdigest() if archive_hash else None,
            )
        )
    return replace(
        FASHION_MNIST,
        name=folder.name,
        title="synthetic",
        files=tuple(files),
        mirrors=(),
        shipped=False,
        n_train=len(arrays["train-labels"]),
        n_test=len(arrays["test-labels"]),
    )


@pytest.fixture
def synthetic(tmp_path, monkeypatch):
    """A registered synthetic data set 'synth' inside a fresh data dir: (spec, data_dir)."""
    data_dir = tmp_path / "data"
    spec = write_dataset(data_dir / "synth", synthetic_arrays())
    monkeypatch.setitem(datasets.REGISTRY, "synth", spec)
    return spec, data_dir


@pytest.fixture(scope="session")
def postgres_url():
    """A throwaway PostgreSQL server on localhost (Debian's packages, installed by .ci/run),
    with one empty database; stopped when the session ends."""
    from pgserver import throwaway_postgres

    with throwaway_postgres() as url:
        yield url
