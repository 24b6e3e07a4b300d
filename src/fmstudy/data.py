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

import contextlib
import gzip
import hashlib
import io
import os
import struct
import tempfile
import urllib.error
import urllib.request
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from fmstudy.atomic import write_bytes
from fmstudy.datasets import ROLES, DatasetSpec, FileSpec, get_dataset_spec
from fmstudy.errors import FmstudyError

SHIPPED_DIR = Path(__file__).parent / "datasets"
IMAGE_MAGIC, LABEL_MAGIC = 2051, 2049
RAW_SUMS = "SHA256SUMS.raw"


def default_data_dir() -> Path:
    """Where downloads and the decoded cache live: FMSTUDY_DATA_DIR, else the user cache."""
    env = os.environ.get("FMSTUDY_DATA_DIR")
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "fmstudy"


def resolve_data_dir(data_dir: str | Path | None) -> Path:
    return Path(data_dir).expanduser() if data_dir else default_data_dir()


# --- IDX parsing and hashing -------------------------------------------------


def idx_header(magic: int, shape: tuple[int, ...]) -> bytes:
    return struct.pack(f">{1 + len(shape)}i", magic, *shape)


def parse_idx(raw: bytes, *, what: str, magic: int, count: int, dims: tuple[int, ...] = ()):
    """Decode IDX bytes to a uint8 array after checking magic, dimensions and count."""
    if len(raw) < 8:
        raise FmstudyError(f"{what}: file too short to be IDX; replace it with the original")
    (got_magic,) = struct.unpack(">i", raw[:4])
    if got_magic != magic:
        raise FmstudyError(
            f"{what}: wrong IDX magic number {got_magic} (expected {magic}); "
            "replace the file with the original"
        )
    ndim = magic & 0xFF
    header_len = 4 + 4 * ndim
    shape = struct.unpack(f">{ndim}i", raw[4:header_len])
    if shape[0] != count:
        raise FmstudyError(
            f"{what}: holds {shape[0]} items, expected {count}; replace it with the original"
        )
    if tuple(shape[1:]) != tuple(dims):
        raise FmstudyError(f"{what}: item shape {shape[1:]}, expected {dims}")
    payload = raw[header_len:]
    if len(payload) != int(np.prod(shape)):
        raise FmstudyError(
            f"{what}: payload is {len(payload)} bytes, the header says {int(np.prod(shape))}; "
            "the file is truncated or padded, replace it"
        )
    return np.frombuffer(payload, dtype=np.uint8).reshape(shape)


def gunzip(data: bytes, what: str) -> bytes:
    try:
        return gzip.decompress(data)
    except (OSError, EOFError, zlib.error) as exc:
        raise FmstudyError(f"{what}: not a readable gzip file ({exc}); replace it") from None


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


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

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def class_names(self) -> tuple[str, ...]:
        return self.spec.classes

    def flat(self) -> tuple[np.ndarray, np.ndarray]:
        """Train and test images flattened to (n, 784) features."""
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
) -> Dataset:
    """Load and verify a registered data set, downloading it if needed and allowed."""
    spec = get_dataset_spec(name)
    root = resolve_data_dir(data_dir)
    loaded = {f.role: _load_file(spec, f, root, use_cache) for f in spec.files}
    missing = [f for f in spec.files if loaded[f.role] is None]
    if missing:
        if not download:
            raise FmstudyError(_missing_message(spec, missing, root))
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


def _expected(spec: DatasetSpec, f: FileSpec) -> tuple[int, int, tuple[int, ...]]:
    count = spec.n_train if f.role.startswith("train") else spec.n_test
    if f.role.endswith("images"):
        return IMAGE_MAGIC, count, spec.image_shape
    return LABEL_MAGIC, count, ()


def expected_raw_sha(spec: DatasetSpec, f: FileSpec, root: Path) -> str | None:
    """The published decompressed hash, else the one recorded at first download."""
    if f.sha256_raw:
        return f.sha256_raw
    return read_recorded_sums(root / spec.name).get(f.name.removesuffix(".gz"))


def read_recorded_sums(folder: Path) -> dict[str, str]:
    path = folder / RAW_SUMS
    if not path.is_file():
        return {}
    sums = {}
    for line in path.read_text().splitlines():
        parts = line.split()
        if len(parts) == 2:
            sums[parts[1]] = parts[0]
    return sums


def _cache_path(root: Path, spec: DatasetSpec, f: FileSpec, sha: str) -> Path:
    return root / "decoded" / spec.name / f"{f.role}-{sha[:16]}.npy"


def _load_file(spec: DatasetSpec, f: FileSpec, root: Path, use_cache: bool):
    """(array, raw SHA-256) from the verified cache or the archive; None if neither exists."""
    what = f"{spec.name}/{f.name}"
    magic, count, dims = _expected(spec, f)
    want = expected_raw_sha(spec, f, root)
    if want and use_cache:
        cached = _read_cache(_cache_path(root, spec, f, want), magic, want)
        if cached is not None:
            return cached, want
    path = locate(spec, f, root)
    if path is None:
        return None
    archive = path.read_bytes()
    raw = gunzip(archive, what)
    got = sha256(raw)
    if want is None:
        if not _archive_ok(f, archive):
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


def _read_cache(path: Path, magic: int, want: str) -> np.ndarray | None:
    """A cached array, only if its IDX bytes still hash to the expected SHA-256."""
    if not path.is_file():
        return None
    try:
        arr = np.load(path, allow_pickle=False)
    except (OSError, ValueError):
        return None
    h = hashlib.sha256(idx_header(magic, arr.shape))
    h.update(memoryview(np.ascontiguousarray(arr)).cast("B"))
    return arr if arr.dtype == np.uint8 and h.hexdigest() == want else None


def _write_cache(path: Path, arr: np.ndarray) -> None:
    """Best effort: a read-only data directory only costs speed."""
    buf = io.BytesIO()
    np.save(buf, arr, allow_pickle=False)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_bytes(path, buf.getvalue())
    except OSError:
        pass


def record_raw_sum(folder: Path, raw_name: str, sha: str) -> None:
    sums = read_recorded_sums(folder)
    sums[raw_name] = sha
    folder.mkdir(parents=True, exist_ok=True)
    text = "".join(f"{v}  {k}\n" for k, v in sorted(sums.items()))
    write_bytes(folder / RAW_SUMS, text.encode())


def _archive_ok(f: FileSpec, archive: bytes) -> bool:
    if f.md5 and hashlib.md5(archive).hexdigest() != f.md5:
        return False
    return not (f.sha256_archive and sha256(archive) != f.sha256_archive)


def _missing_message(spec: DatasetSpec, missing: list[FileSpec], root: Path) -> str:
    names = ", ".join(f.name for f in missing)
    return (
        f"{spec.name}: missing {names}; download them from {spec.mirrors[0] if spec.mirrors else '?'} "
        f"and put them in {root / spec.name}/ (or set --data-dir / FMSTUDY_DATA_DIR)"
    )


# --- downloading -------------------------------------------------------------


def fetch(
    spec: DatasetSpec,
    root: Path,
    files: list[FileSpec] | None = None,
    *,
    mirrors: tuple[str, ...] | None = None,
    timeout: float = 30.0,
    progress: Callable[[str, int, int], None] | None = None,
) -> list[Path]:
    """Download and verify files of a data set into ``root/<name>/``.

    Each file is tried on every mirror in turn; only a file that passes its
    checksums is renamed into place, so nothing unverified is ever left behind.
    """
    files = list(spec.files if files is None else files)
    folder = root / spec.name
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise FmstudyError(f"cannot create data directory {folder}: {exc.strerror}") from None
    done, failures = [], []
    for f in files:
        errors = []
        for mirror in mirrors or spec.mirrors:
            url = mirror.rstrip("/") + "/" + f.name
            try:
                done.append(_download_one(spec, f, url, folder, timeout, progress))
                break
            except (OSError, urllib.error.URLError, FmstudyError, ValueError) as exc:
                errors.append(f"{url}: {getattr(exc, 'reason', exc)}")
        else:
            failures.append((f, errors[-1] if errors else "no mirror"))
    if failures:
        missing = [f for f, _ in failures]
        raise FmstudyError(
            _missing_message(spec, missing, root).replace(
                "; download", f" (download failed: {failures[0][1]}); download", 1
            )
        )
    if done and spec.license:
        write_bytes(folder / "LICENSE.txt", f"{spec.title}: {spec.license}\n".encode())
    return done


def _download_one(spec, f: FileSpec, url: str, folder: Path, timeout, progress) -> Path:
    what = f"{spec.name}/{f.name}"
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{f.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=timeout) as resp:
            total = int(resp.headers.get("Content-Length") or 0)
            got = 0
            while chunk := resp.read(1 << 16):
                out.write(chunk)
                got += len(chunk)
                if progress:
                    progress(f.name, got, total)
            if total and got != total:
                raise FmstudyError(f"{what}: transfer ended after {got} of {total} bytes")
        archive = Path(tmp).read_bytes()
        if not _archive_ok(f, archive):
            raise FmstudyError(f"{what}: archive checksum mismatch")
        raw = gunzip(archive, what)
        magic, count, dims = _expected(spec, f)
        parse_idx(raw, what=what, magic=magic, count=count, dims=dims)
        sha = sha256(raw)
        if f.sha256_raw and sha != f.sha256_raw:
            raise FmstudyError(f"{what}: decompressed SHA-256 mismatch")
        final = folder / f.name
        os.replace(tmp, final)
        if not f.sha256_raw:
            record_raw_sum(folder, f.name.removesuffix(".gz"), sha)
        return final
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


__all__ = [
    "ROLES",
    "Dataset",
    "availability",
    "common_frame",
    "default_data_dir",
    "fetch",
    "flatten",
    "load_dataset",
    "parse_idx",
    "pixel_columns",
    "to_frame",
]
