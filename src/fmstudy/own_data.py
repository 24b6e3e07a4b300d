"""Data sets that are not IDX files: one's own images (a folder, a CSV, an .npz) and
scikit-learn's digits, as the arrays a study needs.

    opts = DataOptions(test_share=0.2, image_size=None, seed=0)
    spec = dataset_spec("photos/")              # classes from the folder names, sorted
    loaded = load_arrays("photos/", root, opts)  # arrays, SHA-256 as loaded, what was done

Layouts: ``PATH/train/<class>/*`` and ``PATH/test/<class>/*``; or ``PATH/<class>/*``,
split into train and test stratified by the seed (``test_share`` of each class to
test); a CSV (``label,pixel1..pixelN``), one file (split so) or a folder holding
``train.csv`` and ``test.csv``; an ``.npz`` with x_train, y_train, x_test, y_test.
Decoded images are cached under ``<data dir>/decoded/own/`` keyed by the files'
names, sizes and times and the options, and re-hashed on every load.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from fmstudy.atomic import write_bytes
from fmstudy.datasets import REGISTRY, DatasetSpec, get_dataset_spec
from fmstudy.errors import FmstudyError
from fmstudy.image_files import (
    IMAGE_SUFFIXES,
    SIZE_HINT,
    csv_bytes,
    first_image_bytes,
    npz_bytes,
    read_csv,
    read_images,
    read_npz,
    resize,
)

MAX_PIXEL_BYTES = 2 * 2**30  # uint8 pixels a data set may hold in memory: 2 GiB
LOADER_VERSION = 1
log = logging.getLogger("fmstudy")


@dataclass(frozen=True)
class DataOptions:
    """How a data set without an official split is split, and images resized."""

    test_share: float = 0.2
    image_size: tuple[int, int] | None = None  # (height, width)
    seed: int = 0

    @classmethod
    def from_dict(cls, data: dict) -> DataOptions:
        """The options from their JSON form (a saved network's spec.json); defaults where
        it says nothing."""
        size = data.get("image_size")
        return cls(data.get("test_share", 0.2), tuple(size) if size else None, data.get("seed", 0))


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


def is_path(name: str) -> bool:
    """A data set given as a path rather than a registry name."""
    return name.strip().lower() not in REGISTRY


def _source(name: str) -> tuple[Path, str]:
    """The path and its layout: folder, folder-split, csv, csv-split or npz."""
    path = Path(name).expanduser()
    if not path.exists():
        raise FmstudyError(
            f"unknown data set {name!r}: give one of {', '.join(REGISTRY)} (see 'fmstudy data "
            "--list') or the path of your own images (a folder, a .csv or an .npz)"
        )
    if path.is_file():
        kind = {".csv": "csv", ".npz": "npz"}.get(path.suffix.lower())
        if kind is None:
            raise FmstudyError(f"--dataset {path}: a file must be a .csv or an .npz")
        return path, kind
    if (path / "train.csv").is_file() and (path / "test.csv").is_file():
        return path, "csv-split"
    if (path / "train").is_dir() and (path / "test").is_dir():
        return path, "folder-split"
    return path, "folder"


def _class_files(folder: Path) -> dict[str, list[Path]]:
    """Class name -> its image files (sorted), from the sub-folders of ``folder``."""
    classes = sorted(d for d in folder.iterdir() if d.is_dir() and not d.name.startswith("."))
    if not classes:
        raise FmstudyError(
            f"{folder} has no class folders: put each class's images in {folder}/<class>/"
        )
    out = {}
    for d in classes:
        files = sorted(p for p in d.rglob("*") if p.is_file() and not p.name.startswith("."))
        other = [p for p in files if p.suffix.lower() not in IMAGE_SUFFIXES]
        if other:
            raise FmstudyError(
                f"{other[0]} is not a PNG, JPEG or BMP image; move it out of the class folder"
            )
        if not files:
            raise FmstudyError(f"the class folder {d} holds no images; remove it or add some")
        out[d.name] = files
    return out


def describe(name: str) -> DatasetSpec:
    """The spec of a path data set: its classes (folder names, or the labels), sorted."""
    path, kind = _source(name)
    if kind == "folder":
        names = list(_class_files(path))
    elif kind == "folder-split":
        names = list(_class_files(path / "train"))
    elif kind == "npz":
        names = [str(c) for c in _npz_classes(path)]
    else:
        import pandas as pd

        first = path if kind == "csv" else path / "train.csv"
        try:
            labels = pd.read_csv(first, usecols=[0]).iloc[:, 0]
        except (OSError, ValueError) as exc:
            raise FmstudyError(f"cannot read {first}: {exc}") from None
        names = [str(int(v)) for v in sorted(set(labels.dropna()))]
    if len(names) < 2:
        raise FmstudyError(f"--dataset {path} has {len(names)} class; a study needs two or more")
    return DatasetSpec(
        name=str(path.resolve()),
        title=path.name,
        classes=tuple(names),
        files=(),
        license="your own data",
        source=kind,
    )


def _npz_classes(path: Path) -> list:
    with np.load(path, allow_pickle=False) as data:
        if "class_names" in data.files:
            return [str(c) for c in data["class_names"]]
        if "y_train" not in data.files:
            raise FmstudyError(f"{path} lacks y_train: an .npz holds x_train, y_train, ...")
        return sorted(int(c) for c in np.unique(data["y_train"]))


def dataset_spec(name: str) -> DatasetSpec:
    """A registry data set's spec, or a path's (see :func:`describe`)."""
    return describe(name) if is_path(name) else get_dataset_spec(name)


def _split(y: np.ndarray, share: float, seed: int) -> np.ndarray:
    """A stratified test mask: ``share`` of each class (at least one image each way)."""
    rng = np.random.default_rng(seed)
    test = np.zeros(len(y), bool)
    for c in np.unique(y):
        members = np.flatnonzero(y == c)
        rng.shuffle(members)
        n = min(max(1, round(len(members) * share)), len(members) - 1)
        if n < 1:
            raise FmstudyError(f"class {c} has one image: it cannot be split into train and test")
        test[members[:n]] = True
    return test


def _budget(nbytes: int, what: Path) -> None:
    if nbytes > MAX_PIXEL_BYTES:
        raise FmstudyError(
            f"{what} holds about {nbytes / 2**30:.1f} GiB of pixels, more than the "
            f"{MAX_PIXEL_BYTES / 2**30:.0f} GiB fmstudy keeps in memory; {SIZE_HINT} smaller"
        )


def _read(path: Path, kind: str, options: DataOptions) -> dict:
    """Arrays as read: images, labels, class names, and a given split where there is one."""
    size = options.image_size
    if kind in ("folder", "folder-split"):
        parts = ("train", "test") if kind == "folder-split" else (None,)
        found = {p: _class_files(path / p if p else path) for p in parts}
        names = list(found[parts[0]])
        files, labels, split = [], [], []
        for part, by_class in found.items():
            extra = sorted(set(by_class) - set(names))
            if extra:
                raise FmstudyError(
                    f"{path / part / extra[0]} is a class the training images do not have"
                )
            for c, paths in by_class.items():
                files += paths
                labels += [names.index(c)] * len(paths)
                split += [part == "test"] * len(paths)
        if size is None:
            _budget(first_image_bytes(files[0], len(files)), path)
        x = read_images(files, size)
        given = np.array(split) if kind == "folder-split" else None
        return {"x": x, "y": np.array(labels, np.int64), "names": names, "test": given}
    if kind == "npz":
        _budget(npz_bytes(path), path)
        a = read_npz(path, size)
        x = np.concatenate([a["x_train"], a["x_test"]])
        y = np.concatenate([a["y_train"], a["y_test"]])
        test = np.r_[np.zeros(len(a["y_train"]), bool), np.ones(len(a["y_test"]), bool)]
        names = [str(c) for c in a["class_names"]] if "class_names" in a else None
        return _labelled(x, y, test, names, path)
    files = [path] if kind == "csv" else [path / "train.csv", path / "test.csv"]
    xs, ys = [], []
    for f in files:
        _budget(csv_bytes(f), f)
        x, y = read_csv(f, size)
        xs.append(x)
        ys.append(y)
    test = None if kind == "csv" else np.r_[np.zeros(len(ys[0]), bool), np.ones(len(ys[1]), bool)]
    return _labelled(np.concatenate(xs), np.concatenate(ys), test, None, files[-1])


def _labelled(x, y, test, names, where: Path) -> dict:
    """Labels as given, mapped to 0..k-1 over the training labels; a test label outside
    them (or a label outside ``names``) is an error naming the file."""
    train_labels = np.unique(y if test is None else y[~test])
    if names is not None:
        outside = y[y >= len(names)]
        if len(outside):
            raise FmstudyError(
                f"{where}: label {outside[0]} is outside the {len(names)} class_names"
            )
        return {"x": x, "y": y, "names": names, "test": test}
    unknown = np.setdiff1d(np.unique(y), train_labels)
    if len(unknown):
        raise FmstudyError(
            f"{where}: label {unknown[0]} is not among the training labels "
            f"({', '.join(map(str, train_labels))})"
        )
    return {
        "x": x,
        "y": np.searchsorted(train_labels, y).astype(np.int64),
        "names": [str(int(c)) for c in train_labels],
        "test": test,
    }


def _digits() -> dict:
    from sklearn.datasets import load_digits

    d = load_digits()
    x = np.rint(d.images * (255 / 16)).astype(np.uint8)  # 0-16 -> 0-255
    return {
        "x": x,
        "y": d.target.astype(np.int64),
        "names": [str(c) for c in range(10)],
        "test": None,
    }


def _fingerprint(path: Path, kind: str, options: DataOptions) -> str:
    """What the decoded arrays depend on: every file's name, size and time, the size."""
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
    h = hashlib.sha256(json.dumps([LOADER_VERSION, kind, options.image_size]).encode())
    for p in files:
        st = p.stat()
        h.update(
            f"{p.relative_to(path) if path.is_dir() else p.name}\0{st.st_size}\0{st.st_mtime_ns}\n".encode()
        )
    return h.hexdigest()


def _array_sha(arrays: list[np.ndarray], names: list[str]) -> str:
    h = hashlib.sha256(json.dumps([list(a.shape) for a in arrays] + [names]).encode())
    for a in arrays:
        h.update(memoryview(np.ascontiguousarray(a)).cast("B"))
    return h.hexdigest()


def _cached_read(path: Path, kind: str, options: DataOptions, root: Path) -> dict:
    """:func:`_read` through a verified cache of the decoded arrays."""
    cache = root / "decoded" / "own" / f"{_fingerprint(path, kind, options)[:24]}.npz"
    if cache.is_file():
        try:
            with np.load(cache, allow_pickle=False) as z:
                got = {k: z[k] for k in z.files}
            meta = json.loads(str(got["meta"]))
            arrays = [got["x"], got["y"]] + ([got["test"]] if "test" in got else [])
            if _array_sha(arrays, meta["names"]) == meta["sha256"]:
                return {
                    "x": got["x"],
                    "y": got["y"],
                    "names": meta["names"],
                    "test": got.get("test"),
                }
        except (OSError, ValueError, KeyError):
            pass  # a damaged cache is a miss: read the files again
    read = _read(path, kind, options)
    arrays = [read["x"], read["y"]] + ([read["test"]] if read["test"] is not None else [])
    meta = json.dumps({"names": read["names"], "sha256": _array_sha(arrays, read["names"])})
    buf = io.BytesIO()
    extra = {"test": read["test"]} if read["test"] is not None else {}
    np.savez(buf, x=read["x"], y=read["y"], meta=np.array(meta), **extra)
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        write_bytes(cache, buf.getvalue())
    except OSError:
        pass  # a read-only data folder only costs speed
    return read


def load_arrays(name: str, root: Path, options: DataOptions) -> Loaded:
    """A path data set (or the digits) as train/test arrays, verified and described."""
    if is_path(name):
        path, kind = _source(name)
        read = _cached_read(path, kind, options, root)
        spec = describe(name)
        spec = DatasetSpec(**{**asdict(spec), "classes": tuple(read["names"])})
    else:
        spec, kind = get_dataset_spec(name), "sklearn"
        read = _digits()
        read["x"] = resize(read["x"], options.image_size)
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
    empty = [spec.classes[c] for c in range(len(spec.classes)) if not (y[~test] == c).any()]
    if empty:
        raise FmstudyError(f"--dataset {name}: class {empty[0]!r} has no training images")
    x_train, y_train, x_test, y_test = x[~test], y[~test], x[test], y[test]
    info["duplicates"] = duplicates(x_train, x_test)
    if info["duplicates"]:
        log.warning(
            "fmstudy: warning: %d test images are identical to training images; the test "
            "accuracy overstates accuracy on new images",
            info["duplicates"],
        )
    sha = _array_sha([x_train, y_train, x_test, y_test], list(spec.classes))
    spec = DatasetSpec(
        **{
            **asdict(spec),
            "n_train": len(y_train),
            "n_test": len(y_test),
            "image_shape": x.shape[1:],
        }
    )
    return Loaded(spec, x_train, y_train, x_test, y_test, {"loaded": sha}, info)


def options_of(info: dict) -> DataOptions:
    """The options a data set was loaded with, from its info (to load it again)."""
    return DataOptions.from_dict({**info.get("split", {}), "image_size": info.get("image_size")})


def duplicates(x_train: np.ndarray, x_test: np.ndarray) -> int:
    """Test images identical, pixel for pixel, to some training image."""
    seen = {hashlib.sha1(img.tobytes()).digest() for img in x_train}
    return sum(hashlib.sha1(img.tobytes()).digest() in seen for img in x_test)
