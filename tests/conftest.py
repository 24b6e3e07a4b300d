"""Shared fixtures: tiny synthetic IDX data sets, written as real gzip'd IDX files."""

from __future__ import annotations

import gzip
import hashlib
import random
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from fmstudy.data import registry as datasets
from fmstudy.data.idx import IMAGE_MAGIC, LABEL_MAGIC, idx_header
from fmstudy.data.registry import FASHION_MNIST, DatasetSpec, FileSpec
from fmstudy.nets.spec import NetSpec, parse_layers

N_TRAIN, N_TEST = 200, 60


# A test that asks for one of these is slow (the real data, a browser, a database, a
# Jupyter kernel): it is marked ``slow`` here, so it runs in ``pytest -m slow`` and never in
# the default fast suite, whoever writes it.
SLOW_FIXTURES = {
    "real_data",
    "digits_study",
    "real_data_dir",
    "quick_report",
    "swedish_report",
    "postgres_url",
    "browser",
    "notebook_kernel",
    "chromium",
}


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config):
    """The fast suite runs on two workers (pyproject's ``-n 2``); a run that selects the
    slow tests runs in one process, so their session fixtures (the real-data reports, a
    database, a browser) are made once, not once per worker."""
    expr = config.option.markexpr or ""
    if "slow" in expr.replace("not slow", "") and getattr(config.option, "numprocesses", None):
        config.option.numprocesses = 0
        config.option.dist = "no"


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Mark every test that uses a slow fixture (before ``-m`` selects)."""
    for item in items:
        if SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(autouse=True)
def _isolated(request, tmp_path_factory, monkeypatch):
    """Every test: seeded, its data dir (downloads, decoded cache, fits) in a temporary
    folder, never the developer's ``~/.cache/fmstudy``; a fast test cannot reach the real
    Fashion-MNIST or a Jupyter kernel, so it fails with the fixture to ask for instead."""
    random.seed(0)
    np.random.seed(0)
    monkeypatch.setenv("FMSTUDY_DATA_DIR", str(tmp_path_factory.mktemp("default-data")))
    if request.node.get_closest_marker("slow"):
        return
    from nbclient import NotebookClient

    from fmstudy.data import loading

    real_gunzip = loading.gunzip

    def no_real_data(data: bytes, what: str) -> bytes:
        if what.startswith("fashion-mnist/"):
            raise AssertionError("this test reads the real data: ask for real_data_dir")
        return real_gunzip(data, what)

    monkeypatch.setattr(loading, "gunzip", no_real_data)

    def no_kernel(*args, **kwargs):
        raise AssertionError("this test runs a notebook: ask for the notebook_kernel fixture")

    monkeypatch.setattr(NotebookClient, "execute", no_kernel)


def run_cli(*args: str, wait: bool = True, timeout: float = 600, **popen):
    """``python -m fmstudy ARGS`` in a subprocess, as a user runs it: the finished
    ``CompletedProcess`` (text output captured), or with ``wait=False`` the running
    ``Popen`` (stdout and stderr piped)."""
    cmd = [sys.executable, "-m", "fmstudy", *map(str, args)]
    if wait:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, **popen)
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **popen)


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
        n_train=len(arrays["train-labels"]),
        n_test=len(arrays["test-labels"]),
    )


def corrupt(data_dir: Path, name: str, raw: bytes) -> None:
    """Replace a file of the synthetic data set with other (gzip'd) bytes."""
    (data_dir / "synth" / name).write_bytes(gzip.compress(raw))


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


@pytest.fixture(scope="module")
def data():
    """Synthetic classes 4-7 as (x_train, y_train, x_test, y_test) for network tests."""
    a = synthetic_arrays()
    keep_tr = np.isin(a["train-labels"], (4, 5, 6, 7))
    keep_te = np.isin(a["test-labels"], (4, 5, 6, 7))
    return (
        a["train-images"][keep_tr],
        a["train-labels"][keep_tr],
        a["test-images"][keep_te],
        a["test-labels"][keep_te],
    )


SMALL = NetSpec(parse_layers("32:d0.1-16"), optimizer="adam", lr=3e-3, batch_size=16, epochs=6)


@pytest.fixture
def sub(synthetic):
    """Classes 0-3 of the synthetic data set, loaded and verified."""
    from fmstudy.data.loading import load_dataset
    from fmstudy.data.subsets import select_classes

    _, data_dir = synthetic
    return select_classes(load_dataset("synth", data_dir), (0, 1, 2, 3))


@pytest.fixture
def real_data():
    """Marks a test that reads the real Fashion-MNIST (slow) in its own data dir."""


@pytest.fixture
def notebook_kernel():
    """Marks a test that executes a notebook in a Jupyter kernel (slow)."""


@pytest.fixture
def chromium():
    """Marks a test that runs the installed headless Chromium itself (slow)."""


@pytest.fixture(scope="session")
def real_data_dir(tmp_path_factory):
    """One data dir (decoded arrays, fit cache) for the tests on the real data."""
    return tmp_path_factory.mktemp("data")


@pytest.fixture(scope="session")
def quick_report(tmp_path_factory, real_data_dir):
    """The one real-data quick report the tests read: ``fmstudy run --surname Lind
    --profile quick --seed 0`` (classes 4-7), as a user runs it.  The same command's
    golden numbers are in tests/data/golden/quick-4-7.  Returns (folder, process)."""
    out = tmp_path_factory.mktemp("runs") / "report"
    proc = run_cli(
        *("run", "--surname", "Lind", "--profile", "quick", "--seed", "0"),
        *("--out", out, "--data-dir", real_data_dir),
    )
    assert proc.returncode == 0, proc.stderr
    return out, proc


@pytest.fixture(scope="session")
def swedish_report(tmp_path_factory, real_data_dir, quick_report):
    """The shared quick report again with ``--lang sv`` (every fit from the cache the
    English one filled), with ``--cv 2 --compare 5x2cv`` so every section is there."""
    out = tmp_path_factory.mktemp("runs-sv") / "rapport"
    proc = run_cli(
        *("run", "--surname", "Lind", "--profile", "quick", "--seed", "0", "--lang", "sv"),
        *("--cv", "2", "--cv-repeats", "1", "--compare", "5x2cv"),
        *("--out", out, "--data-dir", real_data_dir),
    )
    assert proc.returncode == 0, proc.stderr
    return out


class Ticks:
    """A clock that moves one second each time it is read: deadlines without waiting."""

    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        self.now += 1.0
        return self.now
