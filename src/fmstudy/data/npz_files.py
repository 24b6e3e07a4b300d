"""A Keras-style ``.npz`` (x_train, y_train, x_test, y_test, and optional class_names)
read safely: the zip's directory and each array's ``.npy`` header are checked before
anything is expanded (no Python objects, declared sizes within a limit, shapes that
agree), then the images are read in blocks, range-checked and resized as they are read.

    layout = npz_layout(path, limit)          # from the headers alone; one line if wrong
    layout.n_images * prod(layout.image_shape(size))   # the bytes it takes as uint8
    arrays = read_npz(path, size, layout)     # x (train then test), y_train, y_test, ...
"""

from __future__ import annotations

import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from fmstudy.data.class_names import MAX_CLASSES
from fmstudy.data.image_files import SIZE_HINT, resize
from fmstudy.errors import FmstudyError

NPZ_KEYS = ("x_train", "y_train", "x_test", "y_test")
_DAMAGE = (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, RuntimeError)
_DAMAGE += (NotImplementedError,)  # an encrypted member, an unknown compression
_BLOCK_BYTES = 2**25  # image rows read, checked and stored together


@dataclass(frozen=True)
class Layout:
    """What an .npz holds, from its headers: each array's shape and dtype, the images'
    shape as read, and whether they are in colour."""

    shapes: dict
    dtypes: dict
    colour: bool

    @property
    def n_images(self) -> int:
        return self.shapes["x_train"][0] + self.shapes["x_test"][0]

    def image_shape(self, size: tuple[int, int] | None) -> tuple:
        """Each image's shape as read: (H, W) or (H, W, 3), resized to ``size``."""
        return tuple(size or self.shapes["x_train"][1:3]) + ((3,) if self.colour else ())


def _zip(path: Path) -> zipfile.ZipFile:
    try:
        with open(path, "rb") as fh:
            magic = fh.read(6)
    except OSError as exc:
        raise FmstudyError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        return zipfile.ZipFile(path)
    except _DAMAGE:
        if magic == b"\x93NUMPY":
            raise FmstudyError(
                f"{path} is one .npy array, not an .npz: save the four arrays with "
                "np.savez(path, x_train=..., y_train=..., x_test=..., y_test=...)"
            ) from None
        raise FmstudyError(
            f"{path} is not an .npz (a zip of .npy arrays) or is damaged: save it again with "
            "np.savez"
        ) from None


def _header(z: zipfile.ZipFile, key: str, path: Path, limit: int):
    """(shape, fortran order, dtype) of ``key``, after its declared size is checked."""
    info = z.getinfo(f"{key}.npy")
    if info.file_size > limit:
        raise FmstudyError(
            f"{path}: {key} unpacks to {info.file_size / 2**30:.1f} GiB, more than the "
            f"{limit / 2**30:.0f} GiB fmstudy reads; save fewer or smaller images (as uint8)"
        )
    with z.open(info) as fh:
        shape, fortran, dtype = _read_header(fh)
        size = fh.tell() + int(np.prod(shape, dtype=object)) * dtype.itemsize
    if dtype.hasobject:
        raise FmstudyError(
            f"cannot read {path}: {key} holds Python objects (dtype object), which fmstudy "
            "does not load "
            "(loading them could run code); save it as numbers"
            + (" or text: np.array(names, dtype=str)" if key == "class_names" else "")
        )
    if size != info.file_size:
        raise ValueError(f"{key} is {info.file_size} bytes, its header says {size}")
    return shape, fortran, dtype


def read_member(z: zipfile.ZipFile, key: str, path: Path, limit: int) -> np.ndarray:
    """The array ``key`` of an open archive, its declared size and header checked first
    (one line naming ``path`` when wrong; the zip's own errors pass through)."""
    _header(z, key, path, limit)
    with z.open(f"{key}.npy") as fh:
        return np.lib.format.read_array(fh, allow_pickle=False)


def _read_header(fh):
    fmt = np.lib.format
    version = fmt.read_magic(fh)
    read = fmt.read_array_header_1_0 if version == (1, 0) else fmt.read_array_header_2_0
    return read(fh)


def _damaged(path: Path, exc: Exception) -> FmstudyError:
    return FmstudyError(f"{path} is damaged ({str(exc) or type(exc).__name__}); save it again")


def npz_layout(path: Path, limit: int) -> Layout:
    """The arrays an .npz holds, checked from its headers: no member unpacks to more
    than ``limit`` bytes, images are (n, H, W[, 1|3]) whole numbers with one label
    each, class_names (if any) a list of text or numbers."""
    with _zip(path) as z:
        names = {n[:-4] for n in z.namelist() if n.endswith(".npy")}
        missing = [k for k in NPZ_KEYS if k not in names]
        if missing:
            raise FmstudyError(
                f"{path} lacks {', '.join(missing)}: an .npz holds x_train, y_train, "
                "x_test and y_test (Keras's form)"
            )
        keys = [*NPZ_KEYS, *(["class_names"] if "class_names" in names else [])]
        try:
            found = {k: _header(z, k, path, limit) for k in keys}
        except _DAMAGE as exc:
            raise _damaged(path, exc) from None
    shapes = {k: tuple(v[0]) for k, v in found.items()}
    dtypes = {k: v[2] for k, v in found.items()}
    for part in ("train", "test"):
        x, y = shapes[f"x_{part}"], shapes[f"y_{part}"]
        if len(x) not in (3, 4) or (len(x) == 4 and x[-1] not in (1, 3)) or 0 in x[1:3]:
            raise FmstudyError(
                f"{path}: x_{part} has shape {x}; expected (n, H, W) or (n, H, W, 3)"
            )
        if dtypes[f"x_{part}"].kind not in "iu":
            raise FmstudyError(f"{path}: x_{part} must hold whole numbers 0-255 (uint8 pixels)")
        if dtypes[f"y_{part}"].kind not in "iu" or int(np.prod(y, dtype=object)) != x[0]:
            raise FmstudyError(
                f"{path}: y_{part} must be one whole number >= 0 per image of x_{part}"
            )
    named = shapes.get("class_names")
    if named is not None and (dtypes["class_names"].kind not in "USiu" or len(named) != 1):
        raise FmstudyError(f"{path}: class_names must be a list of text, one name per class")
    if named is not None and named[0] > MAX_CLASSES:
        raise FmstudyError(f"{path}: class_names has more than {MAX_CLASSES} names")
    colour = any(len(shapes[k]) == 4 and shapes[k][-1] == 3 for k in ("x_train", "x_test"))
    return Layout(shapes, dtypes, colour)


def _exact(fh, n: int) -> bytes:
    data = fh.read(n)
    if len(data) != n:
        raise EOFError("the archive ends early")
    return data


def _images(fh, key, layout: Layout, out: np.ndarray, size, path: Path) -> None:
    """``key``'s images into ``out``, a block at a time: checked 0-255, as uint8, in
    colour where the set is, resized."""
    shape, fortran, dtype = _read_header(fh)
    row = int(np.prod(shape[1:], dtype=np.int64)) * dtype.itemsize
    step = max(1, shape[0]) if fortran else max(1, _BLOCK_BYTES // max(row, 1))
    for start in range(0, shape[0], step):
        k = min(step, shape[0] - start)
        block = np.frombuffer(_exact(fh, k * row), dtype)
        block = block.reshape(shape, order="F") if fortran else block.reshape(k, *shape[1:])
        if block.size and (block.min() < 0 or block.max() > 255):
            raise FmstudyError(f"{path}: {key} must hold whole numbers 0-255 (uint8 pixels)")
        x = block.astype(np.uint8)
        if x.ndim == 4 and x.shape[-1] == 1:
            x = x[..., 0]
        if layout.colour and x.ndim == 3:
            x = np.repeat(x[..., None], 3, axis=-1)
        out[start : start + k] = resize(x, size)


def _labels(fh, key: str, path: Path) -> np.ndarray:
    y = np.lib.format.read_array(fh, allow_pickle=False).reshape(-1)
    if len(y) and (y.min() < 0 or int(y.max()) > np.iinfo(np.int64).max):
        raise FmstudyError(f"{path}: {key} must be whole numbers from 0 to 2**63 - 1")
    return y.astype(np.int64)


def _names(fh, path: Path) -> list[str]:
    names = np.lib.format.read_array(fh, allow_pickle=False)
    if names.dtype.kind in "iu":
        return [str(int(n)) for n in names]
    try:
        return [n.decode() if isinstance(n, bytes) else str(n) for n in names.tolist()]
    except UnicodeDecodeError:
        raise FmstudyError(f"{path}: class_names holds bytes that are not UTF-8 text") from None


def npz_names(path: Path) -> list[str]:
    """The class_names of an .npz whose :func:`npz_layout` holds them, as given."""
    try:
        with _zip(path) as z, z.open("class_names.npy") as fh:
            return _names(fh, path)
    except _DAMAGE as exc:
        raise _damaged(path, exc) from None


def npz_train_labels(path: Path) -> np.ndarray:
    """The distinct labels of y_train, sorted."""
    try:
        with _zip(path) as z, z.open("y_train.npy") as fh:
            return np.unique(_labels(fh, "y_train", path))
    except _DAMAGE as exc:
        raise _damaged(path, exc) from None


def read_npz(path: Path, size: tuple[int, int] | None, layout: Layout) -> dict:
    """``x`` (train images, then test, uint8), ``y_train``, ``y_test`` (int64) and
    ``class_names`` when given, of an .npz whose :func:`npz_layout` is ``layout``;
    without ``size``, train and test images must share one size."""
    train, test = layout.shapes["x_train"][1:3], layout.shapes["x_test"][1:3]
    if size is None and train != test:
        raise FmstudyError(
            f"{path}: x_train holds {train[0]}x{train[1]} images, x_test {test[0]}x{test[1]} "
            f"(height x width); {SIZE_HINT}"
        )
    n_train = layout.shapes["x_train"][0]
    out = {"x": np.empty((layout.n_images, *layout.image_shape(size)), np.uint8)}
    try:
        with _zip(path) as z:
            for key, part in (("x_train", slice(0, n_train)), ("x_test", slice(n_train, None))):
                with z.open(f"{key}.npy") as fh:
                    _images(fh, key, layout, out["x"][part], size, path)
            for key in ("y_train", "y_test"):
                with z.open(f"{key}.npy") as fh:
                    out[key] = _labels(fh, key, path)
            if "class_names" in layout.shapes:
                with z.open("class_names.npy") as fh:
                    out["class_names"] = _names(fh, path)
    except _DAMAGE as exc:
        raise _damaged(path, exc) from None
    return out
