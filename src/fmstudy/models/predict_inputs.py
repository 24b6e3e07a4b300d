"""The images ``fmstudy predict`` classifies: found, named, and each made the shape a
saved model takes, its aspect ratio kept.

    paths = image_paths([Path("coat.jpg"), Path("photos/")])   # folders recursively
    shown_name(path)                                           # relative to the cwd
    image = prepared(path, [28, 28])   # image.x, image.size, image.padded_to, image.resized

A folder is searched recursively for PNG, JPEG and BMP files (by their names' endings;
hidden files and folders skipped), in sorted order.  An image whose aspect ratio is not
the model's is padded with its own border colour (the median of its outermost pixels) to
that ratio, then resized: nothing is squashed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from fmstudy.data.image_files import IMAGE_SUFFIXES, read_images, resize
from fmstudy.errors import FmstudyError
from fmstudy.nets.image_reference import LUMA

KINDS = "PNG, JPEG or BMP"
PAD_LIMIT = 4096  # the longest side of a padded canvas, in pixels


def image_paths(paths: list[Path]) -> list[Path]:
    """The image files among ``paths``: a file as given, a folder's image files
    recursively in sorted order; one line for a missing path or a named non-image."""
    if not paths:
        raise FmstudyError(f"give at least one image file ({KINDS}) or a folder of them")
    out = []
    for path in map(Path, paths):
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if _image_in_folder(p, path))
            if not found:
                raise FmstudyError(f"{path} holds no {KINDS} images (searched recursively)")
            out += found
        elif not path.is_file():
            raise FmstudyError(
                f"{path} is not a file or a folder; give {KINDS} images or folders of them"
            )
        elif path.suffix.lower() not in IMAGE_SUFFIXES:
            raise FmstudyError(f"{path} is not a {KINDS} image")
        else:
            out.append(path)
    return out


def _image_in_folder(path: Path, root: Path) -> bool:
    """A file under ``root`` named as an image, neither it nor a folder above it hidden."""
    hidden = any(part.startswith(".") for part in path.relative_to(root).parts)
    return not hidden and path.suffix.lower() in IMAGE_SUFFIXES and path.is_file()


def shown_name(path: Path) -> str:
    """``path`` relative to the current folder (``..`` where it lies outside it), in full;
    absolute where no relative path exists (another drive)."""
    try:
        return os.path.relpath(Path(path).absolute(), Path.cwd())
    except ValueError:
        return str(Path(path).absolute())


@dataclass(frozen=True)
class Prepared:
    """One image as the model takes it, and what was done to it."""

    x: np.ndarray  # uint8, the model's image shape
    size: tuple[int, int]  # (height, width) as read
    padded_to: tuple[int, int] | None  # (height, width) after padding; None: not padded
    resized: bool  # whether it was resized to the model's size


def prepared(path: Path, shape: list[int]) -> Prepared:
    """The image at ``path`` in the model's ``shape`` ([H, W] grey or [H, W, 3] RGB):
    its channels converted, padded to the model's aspect ratio, then resized.  An image
    whose padded canvas would be longer than :data:`PAD_LIMIT` pixels is shrunk first,
    so a thin strip (1x60000) does not build a canvas of gigabytes."""
    x = read_images([path], None)[0]
    if len(shape) == 2 and x.ndim == 3:  # a colour photo for a grey model
        x = np.rint(x @ LUMA).astype(np.uint8)
    elif len(shape) == 3 and x.ndim == 2:  # a grey image for a colour model
        x = np.repeat(x[..., None], 3, axis=-1)
    size = (int(x.shape[0]), int(x.shape[1]))
    target = (shape[0], shape[1])
    canvas = padded_size(size, target)
    if max(canvas) > PAD_LIMIT:
        scale = PAD_LIMIT / max(canvas)
        x = resize(x[None], (max(1, round(size[0] * scale)), max(1, round(size[1] * scale))))[0]
    out = resize(pad_to_aspect(x, target)[None], target)[0]
    return Prepared(out, size, None if canvas == size else canvas, out.shape[:2] != size)


def padded_size(size: tuple[int, int], target: tuple[int, int]) -> tuple[int, int]:
    """(height, width) of an image of ``size`` padded to ``target``'s aspect ratio."""
    h, w = size
    th, tw = target
    if h * tw == w * th:
        return (h, w)
    if h * tw > w * th:  # too tall: widen
        return (h, max(w, round(h * tw / th)))
    return (max(h, round(w * th / tw)), w)


def pad_to_aspect(x: np.ndarray, target: tuple[int, int]) -> np.ndarray:
    """``x`` (H, W[, 3]) padded evenly on two sides to ``target``'s height : width ratio
    with its border colour; as it is when the ratio is already the target's."""
    h, w = x.shape[:2]
    new_h, new_w = padded_size((h, w), target)
    if (new_h, new_w) == (h, w):
        return x
    out = np.empty((new_h, new_w, *x.shape[2:]), np.uint8)
    out[...] = border_colour(x)
    top, left = (new_h - h) // 2, (new_w - w) // 2
    out[top : top + h, left : left + w] = x
    return out


def border_colour(x: np.ndarray) -> np.ndarray:
    """The median of an image's outermost pixels, per channel."""
    rim = np.concatenate([x[0], x[-1], x[:, 0], x[:, -1]])
    return np.rint(np.median(rim, axis=0)).astype(np.uint8)
