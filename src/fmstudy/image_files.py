"""Reading one's own images: image files with Pillow, a Kaggle-style CSV, a Keras-style
``.npz``, each into uint8 arrays, with one clear error naming the file (and row).

    images = read_images(paths, size=None)        # (n, H, W) grey or (n, H, W, 3) colour
    x, y = read_csv(Path("train.csv"), size=None)   # label,pixel1..pixelN rows
    arrays = read_npz(Path("data.npz"))             # x_train, y_train, x_test, y_test

Grey images stay one channel; when any image is in colour, all become RGB (an alpha
channel is dropped).  Images of different sizes are an error unless ``size`` (height,
width) resizes them all.
"""

from __future__ import annotations

import math
import zipfile
from pathlib import Path

import numpy as np

from fmstudy.errors import FmstudyError

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp")
GREY_MODES = ("1", "L", "LA", "I", "I;16", "F")
SIZE_HINT = "pass --image-size HxW (e.g. --image-size 28x28) to resize every image"


def _open(path: Path):
    from PIL import Image, UnidentifiedImageError

    try:
        img = Image.open(path)
        img.load()
        return img
    except (OSError, UnidentifiedImageError, ValueError) as exc:
        why = str(exc).split(" (")[0] or type(exc).__name__
        raise FmstudyError(f"cannot read the image {path}: {why}") from None


def read_images(paths: list[Path], size: tuple[int, int] | None) -> np.ndarray:
    """Every image as uint8, in order: (n, H, W) when all are grey, else (n, H, W, 3)."""
    from PIL import Image

    images = [_open(p) for p in paths]
    colour = any(img.mode not in GREY_MODES for img in images)
    mode = "RGB" if colour else "L"
    first = images[0].size
    out = None
    for i, (img, path) in enumerate(zip(images, paths, strict=True)):
        if size is None and img.size != first:
            raise FmstudyError(
                f"the images differ in size: {paths[0]} is {first[0]}x{first[1]} (width x "
                f"height), {path} is {img.size[0]}x{img.size[1]}; {SIZE_HINT}"
            )
        img = img.convert(mode)
        if size is not None and img.size != (size[1], size[0]):
            img = img.resize((size[1], size[0]), Image.Resampling.BILINEAR)
        arr = np.asarray(img, dtype=np.uint8)
        if out is None:
            out = np.empty((len(images), *arr.shape), np.uint8)
        out[i] = arr
    return out


def first_image_bytes(path: Path, count: int) -> int:
    """Bytes ``count`` images the size of the one at ``path`` take as uint8 (a memory
    estimate before anything is decoded)."""
    img = _open(path)
    channels = 1 if img.mode in GREY_MODES else 3
    return img.size[0] * img.size[1] * channels * count


def resize(x: np.ndarray, size: tuple[int, int] | None) -> np.ndarray:
    """Images (n, H, W[, C]) resized to ``size`` (height, width); as they are without one."""
    if size is None or x.shape[1:3] == tuple(size):
        return x
    from PIL import Image

    out = np.empty((len(x), *size, *x.shape[3:]), np.uint8)
    for i, img in enumerate(x):
        pic = Image.fromarray(img).resize((size[1], size[0]), Image.Resampling.BILINEAR)
        out[i] = np.asarray(pic, dtype=np.uint8)
    return out


def csv_bytes(path: Path) -> int:
    """About the bytes of uint8 pixels a CSV of images holds (rows x pixels)."""
    with open(path, "rb") as fh:
        header = fh.readline()
        rows = sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b""))
    return rows * max(header.count(b","), 1)


def read_csv(path: Path, size: tuple[int, int] | None) -> tuple[np.ndarray, np.ndarray]:
    """Images and labels from ``label,pixel1,...,pixelN`` rows (square grey images)."""
    import pandas as pd

    try:
        frame = pd.read_csv(path, header=0, dtype=np.float64, engine="c")
    except pd.errors.ParserError as exc:
        raise FmstudyError(f"{path}: {_parser_message(str(exc))}") from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise FmstudyError(f"cannot read {path} as a CSV of numbers: {exc}") from None
    if frame.shape[1] < 2 or str(frame.columns[0]).strip().lower() != "label":
        raise FmstudyError(
            f"{path}: the first column must be 'label', then one column per pixel "
            "(Kaggle's Fashion-MNIST form: label,pixel1,...,pixel784)"
        )
    values = frame.to_numpy()
    bad = np.flatnonzero(np.isnan(values).any(axis=1))
    if len(bad):
        raise FmstudyError(
            f"{path} row {bad[0] + 2} has fewer than {values.shape[1]} values (or an empty one), "
            f"expected {values.shape[1]}: the label and {values.shape[1] - 1} pixels"
        )
    pixels, labels = values[:, 1:], values[:, 0]
    wrong = np.flatnonzero(((pixels < 0) | (pixels > 255) | (pixels % 1 != 0)).any(axis=1))
    if len(wrong):
        raise FmstudyError(f"{path} row {wrong[0] + 2}: pixels must be whole numbers 0-255")
    odd = np.flatnonzero((labels < 0) | (labels % 1 != 0))
    if len(odd):
        raise FmstudyError(f"{path} row {odd[0] + 2}: the label must be a whole number >= 0")
    side = math.isqrt(pixels.shape[1])
    if side * side != pixels.shape[1]:
        raise FmstudyError(
            f"{path}: {pixels.shape[1]} pixels per row is not a square image; a CSV holds "
            "square grey images, label first"
        )
    x = pixels.astype(np.uint8).reshape(len(pixels), side, side)
    return resize(x, size), labels.astype(np.int64)


def _parser_message(text: str) -> str:
    """pandas' 'Expected 785 fields in line 12, saw 786' in our words."""
    import re

    m = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", text)
    if not m:
        return f"not a CSV of numbers ({text.strip()})"
    return f"row {m[2]} has {m[3]} values, expected {m[1]}: the label and {int(m[1]) - 1} pixels"


NPZ_KEYS = ("x_train", "y_train", "x_test", "y_test")


def npz_bytes(path: Path) -> int:
    """The bytes of uint8 pixels an .npz's x_train and x_test would take."""
    try:
        with zipfile.ZipFile(path) as z:
            total = 0
            for key in ("x_train", "x_test"):
                with z.open(f"{key}.npy") as fh:
                    fmt = np.lib.format
                    header = (
                        fmt.read_array_header_1_0
                        if fmt.read_magic(fh) == (1, 0)
                        else fmt.read_array_header_2_0
                    )
                    shape = header(fh)[0]
                    total += int(np.prod(shape))
            return total
    except (OSError, KeyError, ValueError, zipfile.BadZipFile):
        return 0  # read_npz says what is wrong


def read_npz(path: Path, size: tuple[int, int] | None) -> dict[str, np.ndarray]:
    """x_train, y_train, x_test, y_test (and optional class_names) from a Keras-style
    .npz, loaded with allow_pickle=False; images (n, H, W) or (n, H, W, 1|3), 0-255."""
    try:
        with np.load(path, allow_pickle=False) as data:
            missing = [k for k in NPZ_KEYS if k not in data.files]
            if missing:
                raise FmstudyError(
                    f"{path} lacks {', '.join(missing)}: an .npz holds x_train, y_train, "
                    "x_test and y_test (Keras's form)"
                )
            out = {k: data[k] for k in (*NPZ_KEYS, "class_names") if k in data.files}
    except (OSError, ValueError, zipfile.BadZipFile) as exc:
        raise FmstudyError(f"cannot read {path} as an .npz of arrays: {exc}") from None
    for split in ("train", "test"):
        x, y = out[f"x_{split}"], out[f"y_{split}"]
        if x.ndim == 4 and x.shape[-1] == 1:
            x = x[..., 0]
        if x.ndim not in (3, 4) or (x.ndim == 4 and x.shape[-1] != 3):
            raise FmstudyError(
                f"{path}: x_{split} has shape {x.shape}; expected (n, H, W) or (n, H, W, 3)"
            )
        if not np.issubdtype(x.dtype, np.integer) or x.min(initial=0) < 0 or x.max(initial=0) > 255:
            raise FmstudyError(f"{path}: x_{split} must hold whole numbers 0-255 (uint8 pixels)")
        y = y.reshape(-1)
        if len(y) != len(x) or not np.issubdtype(y.dtype, np.integer) or (y < 0).any():
            raise FmstudyError(
                f"{path}: y_{split} must be one whole number >= 0 per image of x_{split}"
            )
        out[f"x_{split}"], out[f"y_{split}"] = resize(x.astype(np.uint8), size), y.astype(np.int64)
    return out


def border_level(images: np.ndarray) -> float:
    """The median over images of each one's mean border pixel (0-255): about 0 for light
    things on a dark ground (Fashion-MNIST), about 255 for photos on white."""
    rim = np.concatenate(
        [
            images[:, 0].reshape(len(images), -1),
            images[:, -1].reshape(len(images), -1),
            images[:, :, 0].reshape(len(images), -1),
            images[:, :, -1].reshape(len(images), -1),
        ],
        axis=1,
    )
    return float(np.median(rim.mean(axis=1)))
