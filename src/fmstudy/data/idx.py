"""The IDX file format and its checksums: parse, hash, and the recorded sums of downloads.

    arr = parse_idx(gunzip(archive, "train-images"), what="train-images",
                    magic=IMAGE_MAGIC, count=60000, dims=(28, 28))
    sha256(raw)                          # of the decompressed bytes, as the registry lists

Used by :mod:`fmstudy.data.loading` (loading) and :mod:`fmstudy.data.download` (fetching).
"""

from __future__ import annotations

import gzip
import hashlib
import struct
import zlib
from pathlib import Path

import numpy as np

from fmstudy.atomic import write_bytes
from fmstudy.data.registry import DatasetSpec, FileSpec
from fmstudy.errors import FmstudyError

IMAGE_MAGIC, LABEL_MAGIC = 2051, 2049
RAW_SUMS = "SHA256SUMS.raw"


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


def expected_layout(spec: DatasetSpec, f: FileSpec) -> tuple[int, int, tuple[int, ...]]:
    """(magic number, item count, item dimensions) a file of ``spec`` must have."""
    count = spec.n_train if f.role.startswith("train") else spec.n_test
    if f.role.endswith("images"):
        return IMAGE_MAGIC, count, spec.image_shape
    return LABEL_MAGIC, count, ()


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


def record_raw_sum(folder: Path, raw_name: str, sha: str) -> None:
    sums = read_recorded_sums(folder)
    sums[raw_name] = sha
    folder.mkdir(parents=True, exist_ok=True)
    text = "".join(f"{v}  {k}\n" for k, v in sorted(sums.items()))
    write_bytes(folder / RAW_SUMS, text.encode())


def archive_ok(f: FileSpec, archive: bytes) -> bool:
    """Whether an archive matches the MD5 / SHA-256 its registry entry lists."""
    if f.md5 and hashlib.md5(archive).hexdigest() != f.md5:
        return False
    return not (f.sha256_archive and sha256(archive) != f.sha256_archive)
