"""Data sets that are not IDX files: one's own images (a folder, a CSV, an .npz) and
scikit-learn's digits, as the arrays a study needs.

    opts = DataOptions(test_share=0.2, image_size=None, seed=0)
    spec = dataset_spec("photos/")              # classes from the folder names, sorted
    loaded = load_arrays("photos/", root, opts)  # arrays, SHA-256 as loaded, what was done

Layouts: ``PATH/train/<class>/*`` and ``PATH/test/<class>/*``; or ``PATH/<class>/*``,
split into train and test stratified by the seed (``test_share`` of each class to
test); a CSV (``label,pixel1..pixelN``), one file (split so) or a folder holding
``train.csv`` and ``test.csv``; an ``.npz`` with x_train, y_train, x_test, y_test.
Class names (folder names, CSV labels, an .npz's class_names array of text, or
``--class-names`` in label order, which replaces them) are checked where they enter (:mod:`fmstudy.data.class_names`); the pixels the data set takes after
``--image-size`` are checked against a 2 GiB budget before anything is decoded.
Decoded arrays are cached under ``<data dir>/decoded/own/`` (:mod:`fmstudy.data.own_cache`).
"""

from __future__ import annotations

import hashlib
import logging
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from fmstudy.data.class_names import checked_names, class_of, label_classes
from fmstudy.data.csv_files import csv_labels, csv_layout, read_csv
from fmstudy.data.image_files import SIZE_HINT, read_images, resize
from fmstudy.data.npz_files import npz_layout, npz_names, npz_train_labels, read_npz
from fmstudy.data.own_cache import array_sha, cached_read
from fmstudy.data.own_sources import csv_files, source, split_files
from fmstudy.data.registry import REGISTRY, DatasetSpec, get_dataset_spec
from fmstudy.errors import FmstudyError

MAX_PIXEL_BYTES = 2 * 2**30  # uint8 pixels a data set may hold in memory: 2 GiB
log = logging.getLogger("fmstudy")


@dataclass(frozen=True)
class DataOptions:
    """How a data set without an official split is split, and images resized."""

    test_share: float = 0.2
    image_size: tuple[int, int] | None = None  # (height, width)
    seed: int = 0

    @classmethod
    def from_dict(cls, data: dict) -> DataOptions:
        """The options from their JSON form (a saved model's JSON), checked as on the
        command line; defaults where it says nothing."""
        from fmstudy import checks

        share = data.get("test_share", 0.2)
        checks.number(share, "test_share", low=0, high=0.9, low_open=True)
        size = data.get("image_size")
        size = checks.image_size(size, "image_size") if size else None
        return cls(share, size, checks.seed(data.get("seed", 0), "seed"))


def data_options(test_share: float = 0.2, image_size=None, seed: int = 0) -> DataOptions:
    """Checked options from command-line values (``image_size`` as ``28x28``)."""
    from fmstudy import checks

    checks.number(test_share, "--test-share", low=0, high=0.9, low_open=True)
    checks.seed(seed)
    size = checks.image_size(image_size) if image_size is not None else None
    return DataOptions(test_share, size, seed)


@dataclass(frozen=True)
class Loaded:
    spec: DatasetSpec
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    sha256: dict
    info: dict = field(default_factory=dict)  # split, duplicates, source
    files: tuple[tuple[str, ...], tuple[str, ...]] | None = None  # image folders: train, test


def is_path(name: str) -> bool:
    """A data set given as a path rather than a registry name."""
    return name.strip().lower() not in REGISTRY


def _fix(path: Path) -> str:
    return f"change those labels (the first column) in {path}"


def _classes(path: Path, kind: str) -> list[str]:
    """The class names of a path data set, from its folders, labels or class_names."""
    if kind in ("folder", "folder-split"):
        return list(next(iter(split_files(path, kind).values())))
    if kind == "npz":
        layout = npz_layout(path, MAX_PIXEL_BYTES)
        if "class_names" in layout.shapes:
            return checked_names(npz_names(path), f"fix class_names in {path}")
        return [str(int(c)) for c in npz_train_labels(path)]
    first = csv_files(path, kind)[0]
    return label_classes(csv_labels(first), _fix(first))[0]


def _spec(path: Path, kind: str, names: list[str]) -> DatasetSpec:
    if len(names) < 2:
        raise FmstudyError(
            f"--dataset {path} has {len(names)} class{'' if names else 'es'}; a study needs two "
            "or more"
        )
    return DatasetSpec(
        name=str(path.resolve()),
        title=path.name,
        classes=tuple(names),
        files=(),
        license="your own data",
        source=kind,
    )


def describe(name: str) -> DatasetSpec:
    """The spec of a path data set: its classes (folder names, or the labels), sorted;
    checked so far as it can be without decoding images."""
    path, kind = source(name)
    return _spec(path, kind, _classes(path, kind))


def dataset_spec(name: str, class_names: tuple[str, ...] | None = None) -> DatasetSpec:
    """A registry data set's spec, or a path's (see :func:`describe`); its classes
    renamed by ``class_names`` (``--class-names``, see :func:`renamed`) where given."""
    spec = describe(name) if is_path(name) else get_dataset_spec(name)
    if class_names is None:
        return spec
    return DatasetSpec(**{**asdict(spec), "classes": renamed(spec, class_names)})


def class_names_option(text: str | None) -> tuple[str, ...] | None:
    """``--class-names a,b,c`` as names (NFC, none empty, none twice); None if not given."""
    if text is None:
        return None
    fix = "give --class-names as distinct names separated by commas, one per class in order"
    return tuple(checked_names([t.strip() for t in text.split(",")], fix))


def renamed(spec: DatasetSpec, class_names: tuple[str, ...]) -> tuple[str, ...]:
    """``class_names`` for the classes of ``spec`` (labels 0, 1, ... in order): one's own
    data only, one name per class."""
    if spec.source in ("idx", "sklearn"):
        raise FmstudyError(
            f"--class-names names the classes of your own data; {spec.title} has its own names"
        )
    if len(class_names) != len(spec.classes):
        raise FmstudyError(
            f"--class-names gives {len(class_names)} names; {spec.title} has "
            f"{len(spec.classes)} classes ({', '.join(spec.classes)}): give one name each, "
            "in that order"
        )
    return tuple(class_names)


def _split(y: np.ndarray, share: float, seed: int) -> np.ndarray:
    """A stratified test mask: ``share`` of each class (at least one image each way;
    every class has two or more, see :func:`_usable`)."""
    rng = np.random.default_rng(seed)
    test = np.zeros(len(y), bool)
    for c in np.unique(y):
        members = np.flatnonzero(y == c)
        rng.shuffle(members)
        test[members[: min(max(1, round(len(members) * share)), len(members) - 1)]] = True
    return test


def _budget(nbytes: int, what) -> None:
    if nbytes > MAX_PIXEL_BYTES:
        raise FmstudyError(
            f"{what} holds about {nbytes / 2**30:.1f} GiB of pixels, more than the "
            f"{MAX_PIXEL_BYTES / 2**30:.0f} GiB fmstudy keeps in memory; {SIZE_HINT} smaller"
        )


def _read_folder(path: Path, kind: str, size) -> dict:
    found = split_files(path, kind)
    names = list(next(iter(found.values())))
    files, labels, split = [], [], []
    for part, by_class in found.items():
        for c, paths in by_class.items():
            files += paths
            labels += [names.index(c)] * len(paths)
            split += [part == "test"] * len(paths)
    if size is not None:
        _budget(len(files) * math.prod(size), path)  # grey; checked again if in colour
    x = read_images(files, size, lambda nbytes: _budget(nbytes, path))
    given = np.array(split) if kind == "folder-split" else None
    return {"x": x, "y": np.array(labels, np.int64), "names": names, "test": given}


def _read_npz(path: Path, size) -> dict:
    layout = npz_layout(path, MAX_PIXEL_BYTES)
    _budget(layout.n_images * math.prod(layout.image_shape(size)), path)
    a = read_npz(path, size, layout)
    y = np.concatenate([a["y_train"], a["y_test"]])
    test = np.r_[np.zeros(len(a["y_train"]), bool), np.ones(len(a["y_test"]), bool)]
    if "class_names" in a:
        names = checked_names(a["class_names"], f"fix class_names in {path}")
        outside = y[y >= len(names)]
        if len(outside):
            raise FmstudyError(
                f"{path}: label {outside[0]} is outside the {len(names)} class_names"
            )
        return {"x": a["x"], "y": y, "names": names, "test": test}
    train_labels = np.unique(a["y_train"])
    unknown = np.setdiff1d(np.unique(y), train_labels)
    if len(unknown):
        raise FmstudyError(
            f"{path}: label {unknown[0]} is not among the training labels "
            f"({', '.join(map(str, train_labels))})"
        )
    return {
        "x": a["x"],
        "y": np.searchsorted(train_labels, y).astype(np.int64),
        "names": [str(int(c)) for c in train_labels],
        "test": test,
    }


def _read_csv(path: Path, kind: str, size) -> dict:
    files = csv_files(path, kind)
    layouts = [csv_layout(f) for f in files]
    sides = [side for _, side in layouts]
    if size is None and len(set(sides)) > 1:
        raise FmstudyError(
            f"{files[0]} holds {sides[0]}x{sides[0]} images, {files[1]} {sides[1]}x{sides[1]}; "
            f"{SIZE_HINT}"
        )
    shapes = [size or (side, side) for side in sides]
    per_row = [math.prod(s) + 8 for s in shapes]  # and an int64 label: tiny images add up
    _budget(sum(rows * n for (rows, _), n in zip(layouts, per_row, strict=True)), path)
    x = np.empty((sum(rows for rows, _ in layouts), *shapes[0]), np.uint8)
    names, numeric, at, ys, counts = None, False, 0, [], []
    for f, (rows, side) in zip(files, layouts, strict=True):
        n, codes, seen = read_csv(f, size, side, x[at : at + rows])
        if names is None:
            names, numeric = label_classes(seen, _fix(f))
        index = {name: i for i, name in enumerate(names)}
        lookup = [index.get(class_of(label, numeric)) for label in seen]
        if None in lookup:
            label = seen[lookup.index(None)]
            raise FmstudyError(
                f"{f}: label {label} is not among the training labels ({', '.join(names)})"
            )
        ys.append(np.array(lookup, np.int64)[codes])
        counts.append(n)
        at += n
    test = None if kind == "csv" else np.repeat([False, True], counts)
    return {"x": x[:at], "y": np.concatenate(ys), "names": names, "test": test}


def _usable(read: dict, name: str) -> dict:
    """``read`` when every class has training images, and two or more images when the
    data must be split; checked before the arrays are cached."""
    y, test, names = read["y"], read["test"], read["names"]
    counts = np.bincount(y if test is None else y[~test], minlength=len(names))
    if (counts == 0).any():
        empty = names[int(np.argmin(counts))]
        raise FmstudyError(f"--dataset {name}: class {empty!r} has no training images")
    if test is None and (counts == 1).any():
        one = names[int(np.flatnonzero(counts == 1)[0])]
        raise FmstudyError(
            f"--dataset {name}: class {one!r} has one image: it cannot be split into train "
            "and test; add images of it or remove it"
        )
    return read


def _read(path: Path, kind: str, options: DataOptions) -> dict:
    """Arrays as read (images, labels, class names, a given split where there is one),
    checked usable."""
    size = options.image_size
    if kind in ("folder", "folder-split"):
        read = _read_folder(path, kind, size)
    elif kind == "npz":
        read = _read_npz(path, size)
    else:
        read = _read_csv(path, kind, size)
    return _usable(read, str(path))


def _digits(size) -> dict:
    from sklearn.datasets import load_digits

    d = load_digits()
    if size is not None:
        _budget(len(d.images) * math.prod(size), f"the digits at --image-size {size[0]}x{size[1]}")
    x = np.rint(d.images * (255 / 16)).astype(np.uint8)  # 0-16 -> 0-255
    return {
        "x": resize(x, size),
        "y": d.target.astype(np.int64),
        "names": [str(c) for c in range(10)],
        "test": None,
    }


def load_arrays(
    name: str, root: Path, options: DataOptions, class_names: tuple[str, ...] | None = None
) -> Loaded:
    """A path data set (or the digits) as train/test arrays, verified and described; its
    classes named by ``class_names`` where given (see :func:`renamed`)."""
    if is_path(name):
        path, kind = source(name)
        read = cached_read(path, kind, options.image_size, root, lambda: _read(path, kind, options))
        spec = _spec(path, kind, read["names"])
        if class_names is not None:
            spec = _spec(path, kind, list(renamed(spec, class_names)))
    else:
        spec, kind = get_dataset_spec(name), "sklearn"
        if class_names is not None:
            renamed(spec, class_names)  # refused
        read = _digits(options.image_size)
    x, y, test = read["x"], read["y"], read["test"]
    info = {"source": kind, "image_size": options.image_size}
    if test is None:
        test = _split(y, options.test_share, options.seed)
        info["split"] = {
            "kind": "stratified",
            "test_share": options.test_share,
            "seed": options.seed,
        }
    else:
        info["split"] = {"kind": "given"}
    x_train, y_train, x_test, y_test = x[~test], y[~test], x[test], y[test]
    files = None
    if kind in ("folder", "folder-split"):  # the names, in the order _read_folder reads them
        found = split_files(path, kind)
        names = np.array(
            [p.relative_to(path).as_posix() for b in found.values() for f in b.values() for p in f]
        )
        files = (tuple(names[~test]), tuple(names[test]))
    info["duplicates"] = duplicates(x_train, x_test)
    if info["duplicates"]:
        log.warning(
            "fmstudy: warning: %d test images are identical to training images; the test "
            "accuracy overstates accuracy on new images",
            info["duplicates"],
        )
    sha = array_sha([x_train, y_train, x_test, y_test], list(spec.classes))
    spec = DatasetSpec(
        **{
            **asdict(spec),
            "n_train": len(y_train),
            "n_test": len(y_test),
            "image_shape": x.shape[1:],
        }
    )
    return Loaded(spec, x_train, y_train, x_test, y_test, {"loaded": sha}, info, files)


def options_of(info: dict) -> DataOptions:
    """The options a data set was loaded with, from its info (to load it again)."""
    return DataOptions.from_dict({**info.get("split", {}), "image_size": info.get("image_size")})


def duplicates(x_train: np.ndarray, x_test: np.ndarray) -> int:
    """Test images identical, pixel for pixel, to some training image."""
    seen = {hashlib.sha1(img.tobytes()).digest() for img in x_train}
    return sum(hashlib.sha1(img.tobytes()).digest() in seen for img in x_test)
