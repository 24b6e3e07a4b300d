"""Study task 1b: keep only the person's classes (chosen by :mod:`fmstudy.data.groups`).

sub = select_classes(dataset, (4, 5, 6, 7))    # arrays of those classes only
sub.frames(); sub.verification()               # pandas frames, task 1's checks
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass

import numpy as np
import pandas as pd

from fmstudy.data.class_names import exact_integer
from fmstudy.data.groups import parse_groups, resolve_classes, surname_refused
from fmstudy.data.loading import Dataset, load_dataset, resolve_data_dir, to_frame
from fmstudy.data.near_duplicates import near_duplicates
from fmstudy.data.own import DataOptions, dataset_spec
from fmstudy.errors import FmstudyError


@dataclass(frozen=True)
class LabelMap:
    """Chosen classes <-> 0..k-1, for models that want contiguous labels."""

    classes: tuple[int, ...]

    def encode(self, y: np.ndarray) -> np.ndarray:
        lut = np.full(max(self.classes) + 1, -1, dtype=np.int64)
        lut[list(self.classes)] = np.arange(len(self.classes))
        return lut[y]

    def decode(self, z: np.ndarray) -> np.ndarray:
        return np.asarray(self.classes, dtype=np.int64)[z]


@dataclass(frozen=True)
class Subset:
    """The person's classes only: arrays, frames and the task-1 verification."""

    dataset: Dataset
    classes: tuple[int, ...]
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray

    @property
    def class_names(self) -> list[str]:
        return [self.dataset.class_names[c] for c in self.classes]

    def names_in(self, lang: str) -> list[str]:
        """The chosen classes' names in a report language (figures and report text)."""
        names = self.dataset.spec.class_names(lang)
        return [names[c] for c in self.classes]

    @property
    def label_map(self) -> LabelMap:
        return LabelMap(self.classes)

    def test_record(self) -> dict:
        """What a saved model records of its test part, for ``fmstudy evaluate`` to test it
        on the same images again: their count and the SHA-256 of pixels and labels."""
        h = hashlib.sha256(repr(self.x_test.shape).encode())
        h.update(np.ascontiguousarray(self.x_test, np.uint8))
        h.update(np.ascontiguousarray(self.y_test, "<i8"))
        return {"n_test": len(self.y_test), "test_sha256": h.hexdigest()}

    def frames(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        return to_frame(self.x_train, self.y_train), to_frame(self.x_test, self.y_test)

    def files(self) -> tuple[list[str], list[str]] | None:
        """The kept images' file names (train, test), relative to the data folder, for
        image folders; None otherwise."""
        ds = self.dataset
        if ds.files is None:
            return None
        return tuple(
            np.asarray(names)[np.isin(labels, self.classes)].tolist()
            for names, labels in zip(ds.files, (ds.y_train, ds.y_test), strict=True)
        )

    def verification(self) -> dict:
        """Rows kept per split with their share (and the share expected from the
        real class sizes), per-class counts, the first targets."""
        ds = self.dataset
        out: dict = {
            "dataset": ds.name,
            "classes": list(self.classes),
            "class_names": self.class_names,
            "label_map": {str(c): i for i, c in enumerate(self.classes)},
            "shapes": {
                "train_images": list(ds.x_train.shape),
                "train_labels": list(ds.y_train.shape),
                "test_images": list(ds.x_test.shape),
                "test_labels": list(ds.y_test.shape),
                "train_flat": [len(ds.x_train), int(np.prod(ds.x_train.shape[1:]))],
                "test_flat": [len(ds.x_test), int(np.prod(ds.x_test.shape[1:]))],
                "common_frame": [len(ds.y_train) + len(ds.y_test), int(ds.x_train[0].size) + 2],
            },
            "sha256": dict(ds.sha256),
            "splits": {},
        }
        if ds.info.get("source") != "idx":  # own data, digits: how it was read and split
            out.update(
                image_shape=list(ds.x_train.shape[1:]),
                split=ds.info["split"],
                duplicates=ds.info.get("duplicates", 0),
                near_duplicates=near_duplicates(self.x_train, self.x_test, self.files()),
            )
        for split, y_all, y in (
            ("train", ds.y_train, self.y_train),
            ("test", ds.y_test, self.y_test),
        ):
            sizes = np.bincount(y_all, minlength=len(ds.class_names))
            expected = int(sizes[list(self.classes)].sum())
            counts = np.bincount(y, minlength=len(ds.class_names))
            out["splits"][split] = {
                "kept": len(y),
                "total": len(y_all),
                "share": len(y) / len(y_all),
                "expected_kept": expected,
                "ok": len(y) == expected,
                "per_class": {str(c): int(counts[c]) for c in self.classes},
                "first_targets": [int(v) for v in y[:10]],
            }
        out["uneven"] = uneven(out["splits"])
        return out


UNEVEN = 1.25  # classes are uneven when the largest has more than 1.25x the smallest's images


def uneven(splits: dict) -> bool:
    """Whether the chosen classes differ in size (in train or test) by more than UNEVEN."""
    return any(
        max(s["per_class"].values()) > UNEVEN * max(1, min(s["per_class"].values()))
        for s in splits.values()
    )


def select_classes(dataset: Dataset, classes: tuple[int, ...]) -> Subset:
    """Keep the rows of the chosen classes, in their original order."""
    tr = np.isin(dataset.y_train, classes)
    te = np.isin(dataset.y_test, classes)
    return Subset(
        dataset,
        tuple(classes),
        dataset.x_train[tr],
        dataset.y_train[tr],
        dataset.x_test[te],
        dataset.y_test[te],
    )


def dataset_report(
    dataset: str,
    root,
    *,
    surname: str | None = None,
    classes=None,
    groups: str | None = None,
    options=None,
    class_names: tuple[str, ...] | None = None,
) -> dict:
    """Task 1 for ``fmstudy data``: the verification of the chosen classes (all classes
    when neither ``surname`` nor ``classes`` is given; ``class_names`` name one's own
    data's classes), with the licence."""
    spec = dataset_spec(dataset, class_names)
    if surname is None and classes is None:
        chosen = tuple(range(len(spec.classes)))  # no filter: task 1a only
    else:
        if surname is not None and not classes and spec.source != "idx":
            raise FmstudyError(surname_refused(spec))
        rule = parse_groups(groups, spec.classes) if groups is not None else None
        chosen = resolve_classes(spec.classes, surname=surname, classes=classes, rule=rule)
    loaded = load_dataset(dataset, root, options=options, class_names=class_names)
    report = select_classes(loaded, chosen).verification()
    report["hashes_ok"] = True  # load_dataset raises on any mismatch
    report["license"] = spec.license
    return report


def _folded(names) -> list[str]:
    """Class names as compared across data sets: NFC, case folded."""
    return [unicodedata.normalize("NFC", str(n)).casefold() for n in names]


def saved_subset(meta: dict, dataset: str | None = None, data_dir=None) -> Subset:
    """What ``fmstudy evaluate`` tests a saved model on: the classes it learnt (``meta``,
    its checked JSON), from the data set it records split again with the options it
    recorded, or from ``dataset``.  Its own data set must give the test part the model
    records (older models record none), and every data set its class names (when it
    records them and the data set's classes have names, not only numbers, which
    ``--class-names`` may have named) and its image shape."""
    name, classes = dataset or meta["dataset"], tuple(meta["classes"])
    names = dataset_spec(name).classes  # checked before anything is loaded or cached
    if max(classes) >= len(names):
        raise FmstudyError(
            f"the model was trained on classes {list(classes)}; {name} has only "
            f"{len(names)} (0-{len(names) - 1}): choose its data set with --dataset"
        )
    mine = [names[c] for c in classes]
    numbered = all(exact_integer(n) is not None for n in names)  # no names to compare
    if meta["class_names"] and not numbered and _folded(meta["class_names"]) != _folded(mine):
        raise FmstudyError(
            f"the model learnt the classes {', '.join(meta['class_names'])}; {name}'s classes "
            f"{', '.join(map(str, classes))} are {', '.join(mine)}: choose its data set with "
            "--dataset"
        )
    options = DataOptions.from_dict(meta["data_options"])
    ds = load_dataset(name, resolve_data_dir(data_dir), options=options)
    sub = select_classes(ds, classes)
    shape, got = tuple(meta["image_shape"]), sub.x_test.shape[1:]
    if got != shape:
        raise FmstudyError(
            f"the model takes images of {' x '.join(map(str, shape))}; {name}'s are "
            f"{' x '.join(map(str, got))}: choose its data set with --dataset"
        )
    if ds.name == meta["dataset"] and "test_sha256" in meta:
        record, n = sub.test_record(), meta["n_test"]
        if record["n_test"] != n:
            raise FmstudyError(
                f"{name} now gives a test part of {record['n_test']} images of classes "
                f"{list(classes)}, but the model was tested on {n} (its data_options or the "
                "data changed since): restore them, or train the model again"
            )
        if record["test_sha256"] != meta["test_sha256"]:
            raise FmstudyError(
                f"the test part of {name} ({n} images) is not the one the model was tested on "
                "(its data_options or the data changed since): restore them, or train the "
                "model again"
            )
    return sub
