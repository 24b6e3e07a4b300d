"""Class names of one's own data, checked where they enter (folder names, CSV labels, an
.npz's class_names, a saved model's JSON): Unicode NFC, no control characters, none
empty, none twice, no two that look the same.

    names = checked_names(["Cat", "dog"], "rename the class folders")  # NFC, or one line
    names, numeric = label_classes({"2", "10", "1"}, "change the labels in train.csv")
    # names == ["1", "2", "10"] (exact integers, sorted as numbers); numeric is True
    class_of("10.0", numeric)                                         # "10"

Labels that are all exact integers (``7``, ``-1``, ``3.0``; parsed as Python ``int``, so
2**53 and 2**53 + 1 stay two classes) are sorted as numbers; otherwise every label is
a class name, and the names are sorted as text.
"""

from __future__ import annotations

import re
import unicodedata

from fmstudy.errors import FmstudyError

MAX_NAME_CHARS = 200
MAX_CLASSES = 1000
_INTEGER = re.compile(r"[+-]?[0-9]{1,4000}(?:\.0*)?")
_BIDI = set(range(0x202A, 0x202F)) | set(range(0x2066, 0x206A))  # embeddings, isolates


def _unprintable(name: str) -> bool:
    """Control characters (newline, NUL, ...), undecodable bytes (surrogates), line and
    paragraph separators and bidirectional overrides: each breaks or spoofs a line."""
    return any(
        unicodedata.category(ch) in ("Cc", "Cs", "Zl", "Zp") or ord(ch) in _BIDI for ch in name
    )


def _looks(name: str) -> str:
    """What a name looks like on a page: compatibility forms folded (NFKC: a full-width
    ｃ is c), invisible format characters (zero-width space, BOM) dropped, spaces at the
    ends stripped, case folded."""
    folded = unicodedata.normalize("NFKC", name)
    return "".join(ch for ch in folded if unicodedata.category(ch) != "Cf").strip().casefold()


def checked_names(names, fix: str) -> list[str]:
    """``names`` in Unicode NFC, refused in one line (ending with ``fix``, what to do)
    when one is empty or invisible, too long, holds a control character, or two are the
    same once normalised or look the same (``Cat`` and ``cat``, ``cat`` and ``cat ``)."""
    out = [unicodedata.normalize("NFC", n) for n in names]
    if len(out) > MAX_CLASSES:
        raise FmstudyError(f"{len(out)} classes, more than the {MAX_CLASSES} a study takes; {fix}")
    for given, name in zip(names, out, strict=True):
        if not _looks(name):
            raise FmstudyError(f"a class name is empty ({given!r}); {fix}")
        if _unprintable(name):
            raise FmstudyError(f"the class name {given!r} holds a control character; {fix}")
        if len(name) > MAX_NAME_CHARS:
            raise FmstudyError(
                f"the class name {name[:20]!r}... is longer than {MAX_NAME_CHARS} characters; {fix}"
            )
    seen: dict[str, str] = {}
    for given, name in zip(names, out, strict=True):
        if _looks(name) not in seen:
            seen[_looks(name)] = given
            continue
        other = seen[_looks(name)]
        if other == given:
            why = f"the class name {given!r} appears twice"
        elif unicodedata.normalize("NFC", other) == name:
            why = f"the class names {other!r} and {given!r} are the same once Unicode is normalised (NFC)"
        elif unicodedata.normalize("NFC", other).casefold() == name.casefold():
            why = f"the class names {other!r} and {given!r} differ only by case"
        else:
            why = (
                f"the class names {other!r} and {given!r} look the same (they differ only by "
                "spaces at the ends, invisible characters or character width)"
            )
        raise FmstudyError(f"{why}; {fix}")
    return out


def exact_integer(label: str) -> int | None:
    """The label as a Python int when it is one exactly (``7``, ``-1``, ``3.0``)."""
    m = _INTEGER.fullmatch(label)
    return int(label.split(".")[0]) if m else None


def label_classes(labels, fix: str) -> tuple[list[str], bool]:
    """Class names from the distinct labels of a table (each stripped of spaces), and
    whether they are numbers: integers when every label is one exactly, else text."""
    labels = set(labels)
    numbers = {exact_integer(v) for v in labels}
    if labels and None not in numbers:
        return checked_names([str(n) for n in sorted(numbers)], fix), True
    return sorted(checked_names(sorted(labels), fix)), False


def class_of(label: str, numeric: bool) -> str:
    """The class name a label stands for (see :func:`label_classes`)."""
    number = exact_integer(label) if numeric else None
    return str(number) if number is not None else unicodedata.normalize("NFC", label)
