"""Reading image files with Pillow into uint8 arrays, one at a time, with one clear
error naming the file.

    shape, colour = image_layout(paths, size)    # from the headers alone: nothing decoded
    images = read_images(paths, size, budget)    # (n, H, W) grey or (n, H, W, 3) colour

Grey images stay one channel; when any image is in colour, all become RGB.  Each
image is turned upright by its EXIF orientation; 16-bit images are scaled to 0-255
(not clipped); transparent pixels (an alpha channel, a palette's or a PNG's
transparency) are shown on white.  With ``size`` (height, width) each image is
resized as it is read (a JPEG decoded at a reduced scale first), so no full-size
decoded image is kept; without one, images of different sizes are an error.
"""

from __future__ import annotations

import contextlib
import re
import struct
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np

from fmstudy.errors import FmstudyError

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp")
# The formats Pillow may read a file as, whatever its name: an EPS named .png would run
# Ghostscript, and a GIF, TIFF or WebP named .png would be read as something else.
IMAGE_FORMATS = ("PNG", "JPEG", "BMP")  # a multi-picture JPEG (MPO) opens as JPEG
SIZE_HINT = "pass --image-size HxW (e.g. --image-size 28x28) to resize every image"
_ALPHA_MODES = ("RGBA", "LA", "PA", "RGBa", "La")
_PILLOW_ERRORS = (OSError, ValueError, EOFError, SyntaxError, struct.error, IndexError)


@contextlib.contextmanager
def _opened(path: Path):
    """The image at ``path``, open, with Pillow's failures as one line naming it.

    Only :data:`IMAGE_FORMATS` are opened, by content, never by name.  Pillow's
    decompression-bomb error becomes that line too; its warning (an image between about
    89 and 179 megapixels) is silenced here only, as such an image is decoded alone and
    the data set's pixel budget is checked before.
    """
    from PIL import Image, UnidentifiedImageError

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            with Image.open(path, formats=IMAGE_FORMATS) as img:
                yield img
        except UnidentifiedImageError:
            raise FmstudyError(
                f"cannot read the image {path}: it is not a PNG, JPEG or BMP file (empty, "
                "damaged, or another format under that name); convert it or move it out"
            ) from None
        except Image.DecompressionBombError as exc:
            count = re.search(r"\((\d+) pixels\)", str(exc))
            many = f"{int(count[1]):,} pixels" if count else "more pixels than Pillow decodes"
            raise FmstudyError(
                f"the image {path} declares {many}, too many to decode safely (a "
                "decompression bomb?); shrink it or move it out of the data set"
            ) from None
        except _PILLOW_ERRORS as exc:
            why = str(exc).split(" (")[0] or type(exc).__name__
            raise FmstudyError(
                f"cannot read the image {path}: {why}; open it in an image viewer, and "
                "replace it or move it out of the folder"
            ) from None


def _is_colour(img) -> bool:
    """Whether an open image has colour: RGB-like modes, or a palette with any
    non-grey entry."""
    if img.mode in ("1", "L", "LA", "La", "F") or img.mode.startswith("I"):
        return False
    if img.mode not in ("P", "PA") or img.palette is None:
        return True
    data, step = bytes(img.palette.palette), len(img.palette.mode)
    return not (data[0::step] == data[1::step] == data[2::step])


def _upright_size(img) -> tuple[int, int]:
    """(width, height) of an open image once turned by its EXIF orientation."""
    width, height = img.size
    if "exif" in img.info and img.getexif().get(0x0112) in (5, 6, 7, 8):  # turned 90 degrees
        return height, width
    return width, height


def image_layout(paths: list[Path], size: tuple[int, int] | None) -> tuple[tuple, bool]:
    """The shape images will have as read, (H, W) or (H, W, 3) (the first one's size
    without ``size``), and whether any is in colour; from the files' headers alone."""
    colour, first = False, None
    for path in paths:
        with _opened(path) as img:
            colour = colour or _is_colour(img)
            first = first or _upright_size(img)
    height, width = size if size is not None else (first[1], first[0])
    return ((height, width, 3) if colour else (height, width)), colour


def _differ(first: Path, first_size, path: Path, size) -> FmstudyError:
    return FmstudyError(
        f"the images differ in size: {first} is {first_size[0]}x{first_size[1]} (width x "
        f"height), {path} is {size[0]}x{size[1]}; {SIZE_HINT}"
    )


def _eight_bit(img):
    """A 16- or 32-bit grey image scaled from 0-65535 to 0-255 (Pillow's own conversion
    clips everything above 255 to white)."""
    from PIL import Image

    if not img.mode.startswith("I"):
        return img
    wide = np.clip(np.asarray(img), 0, 65535).astype(np.uint32)
    return Image.fromarray(((wide * 255 + 32767) // 65535).astype(np.uint8))


def _on_white(img):
    """An image with transparency composited on white (RGBA)."""
    from PIL import Image

    if img.mode not in _ALPHA_MODES and "transparency" not in img.info:
        return img
    rgba = img.convert("RGBA")
    return Image.alpha_composite(Image.new("RGBA", rgba.size, (255, 255, 255, 255)), rgba)


def _decode(path: Path, size: tuple[int, int] | None) -> np.ndarray:
    """One image as uint8, upright, grey (H, W) or colour (H, W, 3), resized to ``size``."""
    from PIL import Image, ImageOps

    with _opened(path) as img:  # Pillow's failures while decoding are named there too
        colour = _is_colour(img)
        if size is not None and img.format == "JPEG":
            img.draft(None, (max(size), max(size)))  # decode at 1/2, 1/4, 1/8 scale
        img.load()
        if "exif" in img.info or "Raw profile type exif" in img.info:  # it may be turned
            ImageOps.exif_transpose(img, in_place=True)
        img = _on_white(_eight_bit(img)).convert("RGB" if colour else "L")
        if size is not None and img.size != (size[1], size[0]):
            img = img.resize((size[1], size[0]), Image.Resampling.BILINEAR, reducing_gap=3.0)
        return np.asarray(img, dtype=np.uint8)


def read_images(
    paths: list[Path], size: tuple[int, int] | None, budget: Callable[[int], None] | None = None
) -> np.ndarray:
    """Every image as uint8, in order: (n, H, W) when all are grey, else (n, H, W, 3),
    decoded one at a time into one array.  ``budget`` is called with the bytes the
    array will take before it is made, and again if a colour image makes it RGB."""
    out = None
    for i, path in enumerate(paths):
        arr = _decode(path, size)
        if out is None:
            if budget is not None:
                budget(len(paths) * arr.size)
            out = np.empty((len(paths), *arr.shape), np.uint8)
        elif arr.shape[:2] != out.shape[1:3]:
            raise _differ(paths[0], out.shape[2:0:-1], path, arr.shape[1::-1])
        if arr.ndim > out.ndim - 1:  # the first colour image: all become RGB
            if budget is not None:
                budget(out.size * 3)
            out = np.repeat(out[..., None], 3, axis=-1)
        elif arr.ndim < out.ndim - 1:
            arr = np.repeat(arr[..., None], 3, axis=-1)
        out[i] = arr
    return out


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
