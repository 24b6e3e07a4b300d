"""Study task 1a: load a registered data set, verified, as arrays and DataFrames.

    ds = load_dataset("fashion-mnist")          # shipped, works offline
    train, test = ds.frames()                   # 784 pixel columns + target
    both = ds.common_frame()                    # 70,000 rows, with a split column

Every IDX file is checked (magic number, dimensions, item count, SHA-256 of the
decompressed bytes) before anything is used.  Decoded arrays are cached as
``.npy`` under the data directory; a cached array is re-hashed into its IDX
bytes on every load, so the cache is as trustworthy as the archive.  Files of
data sets that are not shipped are downloaded into the data directory, written
under a temporary name and renamed only once verified.
"""

from __future__ import annotations

import hashlib
import io
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from fmstudy.atomic import write_bytes
from fmstudy.data.download import fetch, missing_message
from fmstudy.data.idx import (
    archive_ok,
    expected_layout,
    gunzip,
    idx_header,
    parse_idx,
    read_recorded_sums,
    record_raw_sum,
    sha256,
)
from fmstudy.data.own import DataOptions, is_path, load_arrays, renamed
from fmstudy.data.registry import REGISTRY, DatasetSpec, FileSpec, get_dataset_spec
from fmstudy.errors import FmstudyError

SHIPPED_DIR = Path(__file__).parent / "datasets"


def default_data_dir() -> Path:
    """Where downloads and the decoded cache live: FMSTUDY_DATA_DIR, else the user cache."""
    env = os.environ.get("FMSTUDY_DATA_DIR")
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "fmstudy"


def resolve_data_dir(data_dir: str | Path | None) -> Path:
    return Path(data_dir).expanduser() if data_dir else default_data_dir()


def writable_work_dir(root: Path) -> Path:
    """``root/work``, where fits are cached, made and checked writable before any work."""
    work = root / "work"
    if root.exists() and not root.is_dir():
        raise FmstudyError(f"--data-dir {root} is not a folder; name a folder")
    try:
        work.mkdir(parents=True, exist_ok=True)
        probe = work / f".probe-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise FmstudyError(
            f"cannot write to --data-dir {root}: {exc.strerror}; choose another --data-dir "
            "(or FMSTUDY_DATA_DIR)"
        ) from None
    return work


# --- the data set ------------------------------------------------------------


@dataclass(frozen=True)
class Dataset:
    """Train/test images and labels of one verified data set."""

    spec: DatasetSpec
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    sha256: dict[str, str] = field(default_factory=dict)
    info: dict = field(default_factory=lambda: {"source": "idx", "split": {"kind": "official"}})
    files: tuple[tuple[str, ...], tuple[str, ...]] | None = None  # image folders: train, test

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def class_names(self) -> tuple[str, ...]:
        return self.spec.classes

    def flat(self) -> tuple[np.ndarray, np.ndarray]:
        """Train and test images flattened to (n, pixels) features."""
        return flatten(self.x_train), flatten(self.x_test)

    def frames(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The train and the test DataFrame: pixel columns plus ``target``."""
        return to_frame(self.x_train, self.y_train), to_frame(self.x_test, self.y_test)

    def common_frame(self) -> pd.DataFrame:
        """Train and test concatenated row-wise, with a ``split`` column."""
        return common_frame(*self.frames())


def flatten(images: np.ndarray) -> np.ndarray:
    return images.reshape(len(images), -1)


def pixel_columns(n_features: int = 784) -> list[str]:
    """Stable pixel column names, 1-based as in the Kaggle CSV: pixel1 .. pixel784."""
    return [f"pixel{i}" for i in range(1, n_features + 1)]


def to_frame(images: np.ndarray, labels: np.ndarray) -> pd.DataFrame:
    flat = flatten(images)
    df = pd.DataFrame(flat, columns=pixel_columns(flat.shape[1]))
    df["target"] = labels.astype(np.int64)
    return df


def common_frame(train: pd.DataFrame, test: pd.DataFrame) -> pd.DataFrame:
    """Row-wise concat (``pd.concat(axis=0)``) that remembers each row's split."""
    both = pd.concat(
        [train.assign(split="train"), test.assign(split="test")], axis=0, ignore_index=True
    )
    both["split"] = pd.Categorical(both["split"], categories=["train", "test"])
    return both


def load_dataset(
    name: str = "fashion-mnist",
    data_dir: str | Path | None = None,
    *,
    download: bool = True,
    use_cache: bool = True,
    options: DataOptions | None = None,
    class_names: tuple[str, ...] | None = None,
) -> Dataset:
    """Load and verify a data set: a registered one (downloaded if needed and allowed),
    or one's own images at a path (see :mod:`fmstudy.data.own`; ``options`` say how a
    data set without an official split is split, and resized; ``class_names`` name its
    classes, ``--class-names``)."""
    root = resolve_data_dir(data_dir)
    if is_path(name) or get_dataset_spec(name).source != "idx":
        got = load_arrays(name, root, options or DataOptions(), class_names)
        return Dataset(
            got.spec,
            got.x_train,
            got.y_train,
            got.x_test,
            got.y_test,
            got.sha256,
            got.info,
            got.files,
        )
    spec = get_dataset_spec(name)
    if class_names is not None:
        renamed(spec, class_names)  # refused: a registry data set names its classes
    loaded = {f.role: _load_file(spec, f, root, use_cache) for f in spec.files}
    missing = [f for f in spec.files if loaded[f.role] is None]
    if missing:
        if not download:
            raise FmstudyError(missing_message(spec, missing, root))
        fetch(spec, root, missing)
        loaded.update({f.role: _load_file(spec, f, root, use_cache) for f in missing})
    arrays = {role: arr for role, (arr, _) in loaded.items()}
    hashes = {role: sha for role, (_, sha) in loaded.items()}
    return Dataset(
        spec,
        arrays["train-images"],
        arrays["train-labels"],
        arrays["test-images"],
        arrays["test-labels"],
        hashes,
    )


def locate(spec: DatasetSpec, f: FileSpec, root: Path) -> Path | None:
    """The archive of a file: shipped in the package, else in the data directory."""
    for candidate in (SHIPPED_DIR / spec.name / f.name, root / spec.name / f.name):
        if candidate.is_file():
            return candidate
    return None


def availability(spec: DatasetSpec, root: Path) -> str:
    """'shipped', 'cached' or 'download' for ``fmstudy data --list``."""
    where = [locate(spec, f, root) for f in spec.files]
    if all(p is not None and SHIPPED_DIR in p.parents for p in where):
        return "shipped"
    if all(p is not None for p in where):
        return "cached"
    return "download"


def datasets_overview(root: Path) -> list[dict]:
    """Every registered data set with its classes, licence and where it would load from."""
    return [
        {
            "name": s.name,
            "title": s.title,
            "classes": list(s.classes),
            "available": availability(s, root),
            "license": s.license,
        }
        for s in REGISTRY.values()
    ]


def expected_raw_sha(spec: DatasetSpec, f: FileSpec, root: Path) -> str | None:
    """The published decompressed hash, else the one recorded at first download."""
    if f.sha256_raw:
        return f.sha256_raw
    return read_recorded_sums(root / spec.name).get(f.name.removesuffix(".gz"))


def _cache_path(root: Path, spec: DatasetSpec, f: FileSpec, sha: str) -> Path:
    return root / "decoded" / spec.name / f"{f.role}-{sha[:16]}.npy"


def _load_file(spec: DatasetSpec, f: FileSpec, root: Path, use_cache: bool):
    """(array, raw SHA-256) from the verified cache or the archive; None if neither exists."""
    what = f"{spec.name}/{f.name}"
    magic, count, dims = expected_layout(spec, f)
    want = expected_raw_sha(spec, f, root)
    if want and use_cache:
        cached = _read_cache(_cache_path(root, spec, f, want), magic, want, (count, *dims))
        if cached is not None:
            return cached, want
    path = locate(spec, f, root)
    if path is None:
        return None
    archive = path.read_bytes()
    raw = gunzip(archive, what)
    got = sha256(raw)
    if want is None:
        if not archive_ok(f, archive):
            raise FmstudyError(f"{what}: archive checksum mismatch; delete {path} and retry")
        record_raw_sum(root / spec.name, f.name.removesuffix(".gz"), got)
    elif got != want:
        raise FmstudyError(
            f"{what}: SHA-256 of the decompressed data is {got[:12]}..., expected "
            f"{want[:12]}...; the file is corrupted, replace {path}"
        )
    arr = parse_idx(raw, what=what, magic=magic, count=count, dims=dims)
    if f.role.endswith("labels") and arr.size and int(arr.max()) >= len(spec.classes):
        raise FmstudyError(f"{what}: label {int(arr.max())} outside 0..{len(spec.classes) - 1}")
    if use_cache:
        _write_cache(_cache_path(root, spec, f, got), arr)
    return arr, got


def _read_cache(path: Path, magic: int, want: str, shape: tuple) -> np.ndarray | None:
    """A cached array, only if it is a uint8 .npy of ``shape`` whose IDX bytes still hash
    to the expected SHA-256; any damage (not an .npy, another dtype or shape, truncated)
    is a miss."""
    fmt = np.lib.format
    if not path.is_file():  # never open a FIFO or device left in its place
        return None
    try:
        with open(path, "rb") as fh:
            version = fmt.read_magic(fh)
            read = fmt.read_array_header_1_0 if version == (1, 0) else fmt.read_array_header_2_0
            got_shape, fortran, dtype = read(fh)
            if dtype != np.uint8 or fortran or tuple(got_shape) != shape:
                return None
            arr = np.empty(shape, np.uint8)
            if fh.readinto(memoryview(arr).cast("B")) != arr.size or fh.read(1):
                return None
    except (OSError, ValueError, EOFError):
        return None
    h = hashlib.sha256(idx_header(magic, arr.shape))
    h.update(memoryview(arr).cast("B"))
    return arr if h.hexdigest() == want else None


def _write_cache(path: Path, arr: np.ndarray) -> None:
    """Best effort: a read-only data directory only costs speed."""
    buf = io.BytesIO()
    np.save(buf, arr, allow_pickle=False)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_bytes(path, buf.getvalue())
    except OSError:
        pass
