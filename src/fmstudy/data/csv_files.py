"""A Kaggle-style CSV of images (``label,pixel1,...,pixelN``, one square grey image a
row) read in a streaming way, with one clear error naming the file and row.

    rows, side = csv_layout(path)              # counted, no row longer than 16 MiB
    labels = csv_labels(path)                  # the distinct labels, as text
    n, codes, seen = read_csv(path, size, side, out)   # out: rows images; seen[codes[i]]

Rows are read one at a time (a row of more than :data:`MAX_ROW_BYTES` is refused
before it is held), checked in blocks and stored as uint8, resized as they are read.
Labels stay text here: :mod:`fmstudy.data.class_names` decides whether they are numbers.
"""

from __future__ import annotations

import csv
import math
import warnings
from pathlib import Path

import numpy as np

from fmstudy.data.class_names import MAX_CLASSES
from fmstudy.data.image_files import resize
from fmstudy.errors import FmstudyError

MAX_ROW_BYTES = 16 * 2**20  # one image a row: 2,000 x 2,000 pixels at most
_CHUNK = 2**20
_BLOCK_BYTES = 2**25  # rows checked and stored together: 32 MiB of float64 pixels


def _too_long(path: Path, row: int) -> FmstudyError:
    return FmstudyError(
        f"{path} row {row} is longer than {MAX_ROW_BYTES // 2**20} MiB: a CSV of images holds "
        "one image a row (label,pixel1,...,pixelN); is it the right file?"
    )


def _count_rows(path: Path) -> int:
    """The rows (lines) of a file, read in 1 MiB chunks; a line longer than
    :data:`MAX_ROW_BYTES` is refused as soon as it is seen."""
    rows, run = 0, 0  # run: bytes since the last line break
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            ends = np.flatnonzero(np.frombuffer(chunk, np.uint8) == 10)
            if len(ends) == 0:
                run += len(chunk)
                if run > MAX_ROW_BYTES:
                    raise _too_long(path, rows + 1)
                continue
            gaps = np.diff(ends)
            if run + ends[0] > MAX_ROW_BYTES:
                raise _too_long(path, rows + 1)
            if len(gaps) and gaps.max() > MAX_ROW_BYTES:
                raise _too_long(path, rows + 2 + int(np.argmax(gaps)))
            rows += len(ends)
            run = len(chunk) - 1 - int(ends[-1])
    return rows + (run > 0)


def _lines(fh, path: Path, start: int = 2):
    """(row number, text) of each non-blank line, each refused past the row limit."""
    row = start - 1
    while raw := fh.readline(MAX_ROW_BYTES + 1):
        row += 1
        if len(raw) > MAX_ROW_BYTES:
            raise _too_long(path, row)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise FmstudyError(f"{path} row {row} is not UTF-8 text") from None
        if text.strip():
            yield row, text


def _header(fh, path: Path) -> int:
    """The pixels a row holds, from the header ``label,pixel1,...``."""
    first = next(_lines(fh, path, start=1), (1, ""))[1].lstrip("\ufeff")
    if "\r" in first.rstrip("\r\n"):
        raise FmstudyError(
            f"{path} ends its lines with a lone carriage return (old Mac style): save it "
            "with ordinary line ends (LF or CRLF)"
        )
    fields = _fields(first, path, 1)
    if len(fields) < 2 or fields[0].strip().lower() != "label":
        raise FmstudyError(
            f"{path}: the first column must be 'label', then one column per pixel "
            "(Kaggle's Fashion-MNIST form: label,pixel1,...,pixel784)"
        )
    pixels = len(fields) - 1
    if math.isqrt(pixels) ** 2 != pixels:
        raise FmstudyError(
            f"{path}: {pixels} pixels per row is not a square image; a CSV holds "
            "square grey images, label first"
        )
    return pixels


def _fields(text: str, path: Path, row: int) -> list[str]:
    """One row's fields as the csv module splits them, or one line saying why not (a
    quoted field longer than its limit of 131,072 characters)."""
    try:
        return next(csv.reader([text]), [])
    except csv.Error as exc:
        raise FmstudyError(f"{path} row {row} is not a CSV row: {exc}") from None


def _open(path: Path):
    try:
        return open(path, "rb")
    except OSError as exc:
        raise FmstudyError(f"cannot read {path}: {exc.strerror}") from None


def csv_layout(path: Path) -> tuple[int, int]:
    """(rows, side): the image rows (an upper bound: blank lines count) and each square
    image's side, without reading the pixels."""
    with _open(path) as fh:
        side = math.isqrt(_header(fh, path))
    return max(_count_rows(path) - 1, 0), side


def _label(text: str, path: Path, row: int) -> tuple[str, str | list[str]]:
    """A row's label (stripped) and its pixels: the text after the first comma, or the
    fields when the label is quoted."""
    if text.lstrip().startswith('"'):
        fields = _fields(text, path, row)
        label, rest = fields[0], fields[1:]
        if "\n" in label or "\r" in label:
            raise FmstudyError(
                f"{path} row {row}: the label {label!r} holds a line break (or its quote is "
                "not closed); give each row's class on its own line"
            )
    else:
        label, _, rest = text.partition(",")
    label = label.strip()
    if not label:
        raise FmstudyError(f"{path} row {row} has no label; give each row its class first")
    return label, rest


def csv_labels(path: Path) -> set[str]:
    """The distinct labels of a CSV of images, read row by row (pixels not parsed)."""
    seen: set[str] = set()
    with _open(path) as fh:
        _header(fh, path)
        for row, text in _lines(fh, path):
            seen.add(_label(text, path, row)[0])
            if len(seen) > MAX_CLASSES:
                raise _many_labels(path)
    return seen


def _many_labels(path: Path) -> FmstudyError:
    return FmstudyError(
        f"{path} has more than {MAX_CLASSES} different labels: is the label the first column?"
    )


def _values(rest, pixels: int, path: Path, row: int) -> np.ndarray:
    """A row's pixels as float64 (NaN where one is not a number), or one line saying
    how many values it has.  Fast when the row is plain numbers; any doubt (a quoted
    value, an empty one, which numpy reads as -1) is settled field by field."""
    values = None
    if isinstance(rest, str):
        with warnings.catch_warnings():  # older numpy warns, newer raises, on a bad value
            warnings.simplefilter("error", DeprecationWarning)
            for dtype in (np.int64, np.float64):  # whole numbers parse five times faster
                try:
                    values = np.fromstring(rest.strip(), dtype=dtype, sep=",")
                    break
                except (ValueError, DeprecationWarning):
                    pass
        if values is None or len(values) != pixels or values.min(initial=0) < 0:
            values, rest = None, _fields(rest, path, row)
    if values is None:
        fields = [f.strip() for f in rest]
        values = np.zeros(0) if "" in fields else np.array([_number(f) for f in fields])
    if len(values) == pixels:
        return values
    if len(values) > pixels:
        raise FmstudyError(
            f"{path}: row {row} has {len(values) + 1} values, expected {pixels + 1}: the label "
            f"and {pixels} pixels"
        )
    raise FmstudyError(
        f"{path} row {row} has fewer than {pixels + 1} values (or an empty one), expected "
        f"{pixels + 1}: the label and {pixels} pixels"
    )


def _number(field: str) -> float:
    """A pixel value as written in ASCII digits (NaN otherwise: Python's float would read
    1_0 as 10 and an Arabic-Indic ٣ as 3)."""
    if not field.isascii() or "_" in field:
        return math.nan
    try:
        return float(field)
    except ValueError:
        return math.nan


def read_csv(
    path: Path, size: tuple[int, int] | None, side: int, out: np.ndarray
) -> tuple[int, np.ndarray, list[str]]:
    """Read the images of a CSV whose :func:`csv_layout` is ``len(out), side`` into
    ``out`` (uint8, resized to ``size``); returns how many, each row's label code, and
    the labels in code order."""
    pixels, rows = side * side, len(out)
    codes = np.empty(rows, np.int64)
    seen: dict[str, int] = {}
    block = np.empty((max(1, min(rows, _BLOCK_BYTES // (8 * pixels))), pixels))
    numbers: list[int] = []
    n = 0

    def store() -> None:
        nonlocal n
        got = block[: len(numbers)]
        bad = np.flatnonzero((~((got >= 0) & (got <= 255) & (got == np.floor(got)))).any(1))
        if len(bad):
            raise FmstudyError(f"{path} row {numbers[bad[0]]}: pixels must be whole numbers 0-255")
        x = got.astype(np.uint8).reshape(len(got), side, side)
        out[n : n + len(got)] = resize(x, size)
        n += len(got)
        numbers.clear()

    with _open(path) as fh:
        if _header(fh, path) != pixels:
            raise FmstudyError(f"{path} changed while it was read; run again")
        for row, text in _lines(fh, path):
            if n + len(numbers) == rows:
                raise FmstudyError(f"{path} changed while it was read; run again")
            label, rest = _label(text, path, row)
            codes[n + len(numbers)] = seen.setdefault(label, len(seen))
            if len(seen) > MAX_CLASSES:
                raise _many_labels(path)
            block[len(numbers)] = _values(rest, pixels, path, row)
            numbers.append(row)
            if len(numbers) == len(block):
                store()
        if numbers:
            store()
    if n == 0:
        raise FmstudyError(f"{path} holds no images: one row per image after the header")
    return n, codes[:n], list(seen)
