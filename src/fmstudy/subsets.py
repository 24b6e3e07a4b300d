"""Study task 1b: choose the person's classes and keep only those rows.

    classes = classes_for_surname("Åberg")          # (6, 7, 8, 9)
    classes = parse_classes("coat,shirt", names)    # (4, 6)
    sub = select_classes(dataset, classes)          # frames + verification

The course rule groups last names by their first letter over the Swedish
alphabet (A..Z, then Å, Ä, Ö).  Other Latin letters with diacritics fold to
their base letter; the Nordic variants sort as Swedish does.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import numpy as np
import pandas as pd

from fmstudy.data import Dataset, load_dataset, to_frame
from fmstudy.datasets import get_dataset_spec
from fmstudy.errors import FmstudyError

SWEDISH_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZÅÄÖ"
# Letters that Swedish collation places rather than folds: Æ sorts as Ä, Ø as Ö, Ü as Y.
NORDIC_PLACES = {"Å": "Å", "Ä": "Ä", "Ö": "Ö", "Æ": "Ä", "Ø": "Ö", "Ü": "Y"}
GROUPS = (("A", "G", (0, 1, 2, 3)), ("H", "M", (4, 5, 6, 7)), ("N", "Ö", (6, 7, 8, 9)))
_HINT = "; pass the classes explicitly instead, e.g. --classes 4-7"


def surname_initial(surname: str) -> str:
    """The Swedish-alphabet letter a last name sorts under."""
    name = (surname or "").strip()
    if not name:
        raise FmstudyError("the surname is empty" + _HINT)
    first = name[0]
    upper = first.upper()
    if upper in NORDIC_PLACES:
        return NORDIC_PLACES[upper]
    if len(upper) != 1:  # e.g. 'ß'.upper() == 'SS': not an initial Swedish can place
        raise FmstudyError(f"the surname starts with {first!r}, which has no Swedish place" + _HINT)
    base = unicodedata.normalize("NFD", upper)[0]
    if base in SWEDISH_ALPHABET[:26]:
        return base
    what = "a letter" if first.isalpha() else "a non-letter"
    raise FmstudyError(
        f"the surname {surname.strip()!r} starts with {what} ({first!r}) that is not in the "
        "Swedish alphabet" + _HINT
    )


def classes_for_surname(surname: str) -> tuple[int, ...]:
    """The course rule: A-G -> 0-3, H-M -> 4-7, N-Ö -> 6-9."""
    pos = SWEDISH_ALPHABET.index(surname_initial(surname))
    for lo, hi, classes in GROUPS:
        if SWEDISH_ALPHABET.index(lo) <= pos <= SWEDISH_ALPHABET.index(hi):
            return classes
    raise AssertionError("the groups cover the alphabet")


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def parse_classes(spec: str, class_names: tuple[str, ...]) -> tuple[int, ...]:
    """Parse ``4-7``, ``4,5,6,7`` or ``coat,shirt`` into sorted distinct labels."""
    n = len(class_names)
    by_name = {_norm(c): i for i, c in enumerate(class_names)}
    chosen: set[int] = set()
    tokens = [t.strip() for t in (spec or "").split(",")]
    if not any(tokens):
        raise FmstudyError("--classes is empty: give e.g. 4-7, 4,5,6,7 or coat,shirt")
    for token in tokens:
        if not token:
            raise FmstudyError(f"--classes {spec!r} has an empty item; separate items by commas")
        m = re.fullmatch(r"(\d+)\s*-\s*(\d+)", token)
        if m:
            lo, hi = int(m[1]), int(m[2])
            if lo > hi:
                raise FmstudyError(f"--classes: range {token!r} runs backwards; write {hi}-{lo}")
            labels = range(lo, hi + 1)
        elif token.isdigit():
            labels = [int(token)]
        elif _norm(token) in by_name:
            labels = [by_name[_norm(token)]]
        else:
            raise FmstudyError(
                f"--classes: {token!r} is neither a class number 0-{n - 1} nor a class name "
                f"({', '.join(class_names)}); ranges go between numbers only"
            )
        for label in labels:
            if not 0 <= label < n:
                raise FmstudyError(f"--classes: class {label} is outside 0-{n - 1}")
            chosen.add(label)
    if len(chosen) < 2:
        raise FmstudyError(f"--classes {spec!r} names one class; a study needs at least two")
    return tuple(sorted(chosen))


def resolve_classes(
    class_names: tuple[str, ...], *, surname: str | None = None, classes: str | None = None
) -> tuple[int, ...]:
    """``--classes`` wins over ``--surname``; one of them is required."""
    if classes:
        return parse_classes(classes, class_names)
    if surname is not None:
        return classes_for_surname(surname)
    raise FmstudyError("say whose study this is: --surname NAME or --classes SPEC (e.g. 4-7)")


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

    def frames(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        return to_frame(self.x_train, self.y_train), to_frame(self.x_test, self.y_test)

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
                "common_frame": list(ds.common_frame().shape),
            },
            "sha256": dict(ds.sha256),
            "splits": {},
        }
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
        return out


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


def dataset_report(dataset: str, root, *, surname: str | None = None, classes=None) -> dict:
    """Task 1 for ``fmstudy data``: the verification of the chosen classes (all classes
    when neither ``surname`` nor ``classes`` is given), with the licence."""
    spec = get_dataset_spec(dataset)
    if surname is None and not classes:
        chosen = tuple(range(len(spec.classes)))  # no filter: task 1a only
    else:
        chosen = resolve_classes(spec.classes, surname=surname, classes=classes)
    report = select_classes(load_dataset(spec.name, root), chosen).verification()
    report["hashes_ok"] = True  # load_dataset raises on any mismatch
    report["license"] = spec.license
    return report
