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


def _pg_bin() -> Path | None:
    roots = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))
    return roots[-1] if roots else None


@pytest.fixture(scope="session")
def postgres_url():
    """A throwaway PostgreSQL server on localhost (Debian's packages, installed by .ci/run),
    with one empty database; stopped when the session ends."""
    import os
    import pwd
    import shutil
    import socket
    import subprocess
    import tempfile

    bindir = _pg_bin()
    assert bindir is not None, (
        "PostgreSQL is not installed: run .ci/run (apt-get install postgresql)"
    )
    root = Path(tempfile.mkdtemp(prefix="fmstudy-pg-"))  # pytest's own tmp is root-only
    data = root / "data"
    as_pg: list[str] = []
    if os.geteuid() == 0:  # the server refuses to run as root: Debian's postgres user runs it
        pw = pwd.getpwnam("postgres")
        os.chown(root, pw.pw_uid, pw.pw_gid)
        as_pg = ["runuser", "-u", "postgres", "--"]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]

    def pg(*args):
        subprocess.run([*as_pg, *args], check=True, capture_output=True, cwd=root)

    pg(str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres")
    opts = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c max_connections=100"
    pg(str(bindir / "pg_ctl"), "-D", str(data), "-o", opts, "-l", str(root / "log"), "-w", "start")
    try:
        pg(
            str(bindir / "createdb"),
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
            "-U",
            "postgres",
            "fmstudy",
        )
        yield f"postgresql://postgres@127.0.0.1:{port}/fmstudy"
    finally:
        pg(str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop")
        shutil.rmtree(root, ignore_errors=True)
