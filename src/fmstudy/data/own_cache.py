"""The decoded-array cache of one's own data: ``<data dir>/decoded/own/SOURCE-KEY.npz``.

    read = cached_read(path, kind, image_size, root, lambda: decode(...))

KEY is the SHA-256 of what the arrays depend on (every file's name, size and time,
the layout, the image size, the loader's version); SOURCE names the data set's path,
and only the latest file of each source is kept.  A file is bound to its key and
re-hashed on every load; any damage (not a zip, a member missing, of another dtype or
shape, a checksum that differs) is a miss: one warning, and the files are read again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

import numpy as np

from fmstudy.atomic import write_with
from fmstudy.data.npz_files import read_member
from fmstudy.errors import FmstudyError

LOADER_VERSION = 2  # 2: EXIF orientation, 16-bit scaled, transparency on white, CSV text labels
_MAX_FILE = 16 * 2**30  # a member: 2 GiB of pixels, or one int64 label per 1-pixel image
log = logging.getLogger("fmstudy")


class _Miss(Exception):
    """A cache file that fails a check (a miss, never data)."""


_DAMAGE = (_Miss, FmstudyError, KeyError, TypeError, ValueError, OSError, EOFError)
_DAMAGE += (zipfile.BadZipFile, zlib.error, RuntimeError, NotImplementedError)


def fingerprint(path: Path, kind: str, image_size) -> str:
    """What the decoded arrays depend on: every file's name, size and time, the size."""
    h = hashlib.sha256(json.dumps([LOADER_VERSION, kind, image_size]).encode())
    try:
        files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
        for p in files:
            st = p.stat()
            name = p.relative_to(path) if path.is_dir() else p.name
            h.update(f"{name}\0{st.st_size}\0{st.st_mtime_ns}\n".encode(errors="surrogateescape"))
    except OSError as exc:
        raise FmstudyError(f"cannot read {exc.filename or path}: {exc.strerror}") from None
    return h.hexdigest()


def array_sha(arrays: list[np.ndarray], names: list[str]) -> str:
    """SHA-256 of arrays' shapes and bytes and the class names."""
    h = hashlib.sha256(json.dumps([list(a.shape) for a in arrays] + [names]).encode())
    for a in arrays:
        h.update(memoryview(np.ascontiguousarray(a)).cast("B"))
    return h.hexdigest()


def _seal(read: dict, key: str) -> str:
    arrays = [read["x"], read["y"]] + ([read["test"]] if read["test"] is not None else [])
    dtypes = [str(a.dtype) for a in arrays]
    return hashlib.sha256(
        f"{key}\0{dtypes}\0{array_sha(arrays, read['names'])}".encode()
    ).hexdigest()


def _load(file: Path, key: str) -> dict:
    """The arrays of a cache file, only if every check holds; else :class:`_Miss`."""
    with zipfile.ZipFile(file) as z:
        members = set(z.namelist())
        if (
            not {"x.npy", "y.npy", "meta.npy"}
            <= members
            <= {"x.npy", "y.npy", "meta.npy", "test.npy"}
        ):
            raise _Miss(f"members {sorted(members)}")
        got = {m[:-4]: read_member(z, m[:-4], file, _MAX_FILE) for m in members}
    meta = json.loads(str(got["meta"]))
    read = {"x": got["x"], "y": got["y"], "names": meta["names"], "test": got.get("test")}
    x, y, test, names = read["x"], read["y"], read["test"], read["names"]
    if x.dtype != np.uint8 or x.ndim not in (3, 4) or y.dtype != np.int64 or y.shape != x.shape[:1]:
        raise _Miss("arrays of another type or shape")
    if test is not None and (test.dtype != np.bool_ or test.shape != y.shape):
        raise _Miss("a split of another type or shape")
    if not (isinstance(names, list) and all(isinstance(n, str) for n in names)):
        raise _Miss("class names that are not text")
    if len(y) and (y.min() < 0 or y.max() >= len(names)):
        raise _Miss("labels outside the classes")
    if meta["key"] != key or meta["sha256"] != _seal(read, key):
        raise _Miss("a checksum that differs")
    return read


def _keep(file: Path, key: str, read: dict) -> None:
    """Write the cache file under a temporary name, rename it into place, and remove
    the older files of the same source; a read-only data folder only costs speed."""
    meta = json.dumps({"key": key, "names": read["names"], "sha256": _seal(read, key)})
    arrays = {"x": read["x"], "y": read["y"], "meta": np.array(meta)}
    if read["test"] is not None:
        arrays["test"] = read["test"]
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        write_with(file, lambda fh: np.savez(fh, **arrays))  # streamed, not held twice
    except OSError:
        return  # a read-only data folder only costs speed
    source = file.name.split("-")[0]
    for old in file.parent.glob(f"{source}-*.npz"):
        if old != file:
            with contextlib.suppress(OSError):
                old.unlink()


def cached_read(path: Path, kind: str, image_size, root: Path, read: Callable[[], dict]) -> dict:
    """``read()`` (x, y, names, test) through the verified cache of ``path``'s arrays."""
    key = fingerprint(path, kind, image_size)
    source = hashlib.sha256(os.fsencode(path.resolve())).hexdigest()[:16]
    file = root / "decoded" / "own" / f"{source}-{key[:24]}.npz"
    if file.is_file():
        try:
            return _load(file, key)
        except _DAMAGE as exc:
            why = str(exc) or type(exc).__name__
            log.warning("fmstudy: warning: %s is damaged (%s); reading %s again", file, why, path)
    out = read()
    _keep(file, key, out)
    return out
