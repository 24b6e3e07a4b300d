"""Where one's own data set is and how it is laid out, checked before anything is read.

    path, kind = source("photos/")           # folder, folder-split, csv, csv-split or npz
    found = split_files(path, kind)          # {None or "train"/"test": {class: [files]}}

A ``--dataset`` path must be a folder or a regular file that can be opened: a device,
a FIFO or a socket is refused at once (``os.stat``, never an open that could block).
Class folder names are checked by :func:`fmstudy.data.class_names.checked_names`; a class
folder's broken link, FIFO or device is refused, not skipped.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from fmstudy.data.class_names import checked_names
from fmstudy.data.image_files import IMAGE_SUFFIXES
from fmstudy.data.registry import REGISTRY
from fmstudy.errors import FmstudyError


def _kind(path: Path) -> int:
    """The ``stat`` file type of ``path`` (symlinks followed); 0 when it is missing."""
    try:
        return stat.S_IFMT(os.stat(path).st_mode)
    except (FileNotFoundError, NotADirectoryError):
        return 0
    except OSError as exc:
        raise FmstudyError(f"cannot read --dataset {path}: {exc.strerror}") from None
    except ValueError:  # a NUL byte in the name
        raise FmstudyError(f"--dataset {str(path)!r} is not a usable path") from None


def _regular(path: Path, what: str = "a regular file or a folder (a device, a FIFO") -> Path:
    """``path`` when it is a regular file that can be opened (checked before any read,
    so a FIFO or a device never blocks)."""
    if _kind(path) != stat.S_IFREG:
        raise FmstudyError(
            f"--dataset {path} is not {what}, a socket?): "
            "give a folder of images, a .csv or an .npz"
        )
    try:
        with open(path, "rb"):
            pass
    except OSError as exc:
        raise FmstudyError(f"cannot read --dataset {path}: {exc.strerror}") from None
    return path


def source(name: str) -> tuple[Path, str]:
    """The path and its layout: folder, folder-split, csv, csv-split or npz."""
    if not name.strip():
        raise FmstudyError("--dataset is empty: give a data set's name or a path")
    try:
        path = Path(name).expanduser()
    except RuntimeError:  # ~user of no such user
        path = Path(name)
    kind = _kind(path)
    if kind == 0:
        raise FmstudyError(
            f"unknown data set {name!r}: give one of {', '.join(REGISTRY)} (see 'fmstudy data "
            "--list') or the path of your own images (a folder, a .csv or an .npz)"
        )
    suffix = path.suffix.lower()
    if kind != stat.S_IFDIR:
        _regular(path)
        if suffix not in (".csv", ".npz"):
            raise FmstudyError(f"--dataset {path}: a file must be a .csv or an .npz")
        return path, suffix[1:]
    if _kind(path / "train.csv") and _kind(path / "test.csv"):
        _regular(path / "train.csv", "a regular file (a folder, a device, a FIFO")
        _regular(path / "test.csv", "a regular file (a folder, a device, a FIFO")
        return path, "csv-split"
    if suffix in (".csv", ".npz"):
        raise FmstudyError(f"--dataset {path} is a folder, not a {suffix} file: give the file")
    if (path / "train").is_dir() and (path / "test").is_dir():
        return path, "folder-split"
    return path, "folder"


def class_files(folder: Path) -> dict[str, list[Path]]:
    """Class name (NFC) -> its image files (sorted), from the sub-folders of ``folder``."""
    try:
        dirs = [d for d in folder.iterdir() if d.is_dir() and not d.name.startswith(".")]
        names = checked_names([d.name for d in dirs], f"rename the class folders in {folder}")
        out = {}
        for name, d in sorted(zip(names, dirs, strict=True)):
            files = sorted(p for p in d.rglob("*") if not p.is_dir() and not p.name.startswith("."))
            odd = [p for p in files if not p.is_file()]
            if odd:  # was skipped without a word: an image short
                raise FmstudyError(
                    f"{odd[0]} is a broken link or not a regular file (a FIFO, a device); "
                    "remove it or mend the link"
                )
            other = [p for p in files if p.suffix.lower() not in IMAGE_SUFFIXES]
            if other:
                raise FmstudyError(
                    f"{other[0]} is not a PNG, JPEG or BMP image; move it out of the class folder"
                )
            if not files:
                raise FmstudyError(f"the class folder {d} holds no images; remove it or add some")
            out[name] = files
    except OSError as exc:
        raise FmstudyError(f"cannot read {exc.filename or folder}: {exc.strerror}") from None
    if not out:
        raise FmstudyError(
            f"{folder} has no class folders: put each class's images in {folder}/<class>/"
        )
    return out


def split_files(path: Path, kind: str) -> dict[str | None, dict[str, list[Path]]]:
    """Each part's class files (``{None: ...}`` without a given split); a test class
    the training images lack is an error."""
    parts = ("train", "test") if kind == "folder-split" else (None,)
    found = {p: class_files(path / p if p else path) for p in parts}
    if "test" in found:
        extra = sorted(set(found["test"]) - set(found["train"]))
        if extra:
            raise FmstudyError(
                f"{path / 'test' / extra[0]} is a class the training images do not have"
            )
    return found


def csv_files(path: Path, kind: str) -> list[Path]:
    """The CSV files of a csv or csv-split data set, training first."""
    return [path] if kind == "csv" else [path / "train.csv", path / "test.csv"]
