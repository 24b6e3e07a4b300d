"""One validation for every way in: the CLI, a JSON file, a config, a saved model.

    number(spec.lr, "lr", low=0, low_open=True)       # a finite float in range, or one line
    integer(spec.epochs, "epochs", low=1, high=MAX_EPOCHS)
    file_name(spec.name, "network name")              # a plain file name, no path
    read_text(path, "--config")                       # a small regular file, read whole

Every check raises :class:`~fmstudy.errors.FmstudyError` with one line that names
the value and says what is allowed, so the CLI prints it and exits with code 2.
"""

from __future__ import annotations

import json
import math
import os
import stat
from pathlib import Path

from fmstudy.errors import FmstudyError

MAX_SEED = 2**32 - 1  # numpy's legacy seeding and scikit-learn's random_state take < 2**32
MAX_JOBS = 64  # --jobs (CPU cores) and --workers (search processes) on one machine
MAX_FILE_BYTES = 4 * 2**20  # a config.json or spec.json is a few KB; refuse what is not
MAX_NAME = 100


def number(value, what: str, *, low=None, high=None, low_open=False) -> float:
    """A finite real number (not a bool) within ``[low, high]`` (``(low, high]`` with
    ``low_open``)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise FmstudyError(f"{what} must be a number, got {value!r}")
    if not math.isfinite(value):
        raise FmstudyError(f"{what} must be a finite number, got {value!r}")
    below = low is not None and (value <= low if low_open else value < low)
    if below or (high is not None and value > high):
        left = "(" if low_open else "["
        raise FmstudyError(f"{what} must be in {left}{low}, {high}], got {value!r}")
    return value


def integer(value, what: str, *, low=None, high=None) -> int:
    """A whole number (not a bool, not 1.5) within ``[low, high]``."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise FmstudyError(f"{what} must be a whole number, got {value!r}")
    if (low is not None and value < low) or (high is not None and value > high):
        raise FmstudyError(f"{what} must be from {low} to {high}, got {value!r}")
    return value


def choice(value, what: str, valid) -> str:
    """One of ``valid``; the message lists them."""
    if not isinstance(value, str | int) or isinstance(value, bool) or value not in valid:
        raise FmstudyError(f"unknown {what} {value!r}: choose one of {', '.join(map(str, valid))}")
    return value


def flag(value, what: str) -> bool:
    if not isinstance(value, bool):
        raise FmstudyError(f"{what} must be true or false, got {value!r}")
    return value


_SPLITS_OR_SPOOFS = {0x2028, 0x2029, *range(0x202A, 0x202F), *range(0x2066, 0x206A)}


def text(value, what: str, *, max_len: int = 200) -> str:
    """Printable text without control characters (a NUL ends a C string early), line or
    paragraph separators, or bidirectional overrides (which reorder a report's line)."""
    if not isinstance(value, str):
        raise FmstudyError(f"{what} must be text, got {value!r}")
    if any(ord(ch) < 32 or ord(ch) == 127 or ord(ch) in _SPLITS_OR_SPOOFS for ch in value):
        raise FmstudyError(f"{what} {value!r} contains a control character")
    if len(value) > max_len:
        raise FmstudyError(f"{what} is longer than {max_len} characters")
    return value


def file_name(value, what: str) -> str:
    """A plain file name: it becomes a folder name (models/NAME), so no path in it."""
    text(value, what, max_len=MAX_NAME)
    if not value or value in (".", "..") or "/" in value or "\\" in value:
        raise FmstudyError(f"{what} {value!r} must be a plain file name (no '/', not '..')")
    return value


def seed(value, what: str = "--seed", *, count: int = 1) -> int:
    """A seed numpy, scikit-learn and torch all take, ``count`` seeds from it included."""
    return integer(value, what, low=0, high=MAX_SEED - (count - 1))


def jobs(value, what: str = "--jobs") -> int | None:
    """A worker or thread count from 1 to :data:`MAX_JOBS` (None: all cores)."""
    return None if value is None else integer(value, what, low=1, high=MAX_JOBS)


def regular_size(path, limit: int, what: str = "") -> int:
    """The size of a regular file of at most ``limit`` bytes, found before it is opened
    (a FIFO or device would hang or never end); else one line naming ``what`` and it."""
    named = f"{what} {path}" if what else str(path)
    try:
        info = os.stat(path)
    except OSError as exc:
        raise FmstudyError(f"cannot read {named}: {exc.strerror}") from None
    if not stat.S_ISREG(info.st_mode):
        raise FmstudyError(f"{named} is not a regular file")
    if info.st_size > limit:
        raise FmstudyError(f"{named} is {info.st_size:,} bytes; at most {limit:,} are read")
    return info.st_size


def read_text(path, what: str, *, limit: int = MAX_FILE_BYTES) -> str:
    """The text of a user's file: refused before reading when it is not a regular file
    (a FIFO or device would hang or never end) or larger than ``limit`` bytes."""
    path = Path(path)
    regular_size(path, limit, what)
    try:
        return path.read_text()
    except OSError as exc:
        raise FmstudyError(f"cannot read {what} {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise FmstudyError(f"{what} {path} is not UTF-8 text") from None


def read_json(path, what: str, *, limit: int = MAX_FILE_BYTES):
    """The JSON in a user's file (see :func:`read_text`), or one line saying why not: not
    JSON, a number too long to convert (over 4,300 digits) or nesting too deep to read."""
    text = read_text(path, what, limit=limit)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise FmstudyError(f"{what} {path} is not valid JSON ({exc})") from None
    except RecursionError:
        raise FmstudyError(f"{what} {path} nests too deeply to be an fmstudy file") from None
    except ValueError as exc:  # int('9' * 5000): Python's limit on integer digits
        raise FmstudyError(f"{what} {path} holds a number too long to read ({exc})") from None


def image_size(value, what: str = "--image-size") -> tuple[int, int]:
    """(height, width) from ``28x28`` or a pair of whole numbers (a config's ``[28, 28]``;
    never ``true`` or ``8.5``), each 1 to 4096 pixels."""
    parts = value
    if isinstance(value, str):
        try:
            parts = [int(p) for p in value.lower().split("x")]
        except ValueError:
            parts = None
    if not isinstance(parts, list | tuple) or len(parts) != 2:
        raise FmstudyError(f"{what} must be HEIGHTxWIDTH in pixels, e.g. 28x28; got {value!r}")
    h, w = (integer(n, what, low=1, high=4096) for n in parts)
    return h, w


DEVICES = ("auto", "cpu", "cuda")


def device(name: str) -> str:
    """A --device value; ``cuda`` only where torch sees CUDA (torch is imported for that
    check alone, so tasks 1-4 with auto or cpu never import it)."""
    if name not in DEVICES:
        raise FmstudyError(f"--device must be auto, cpu or cuda, got {name!r}")
    if name == "cuda":
        import torch

        if not torch.cuda.is_available():
            raise FmstudyError(
                "--device cuda: this torch sees no CUDA device (a CPU build, or no GPU); "
                "use --device cpu or auto"
            )
    return name


def optional(check, value, what: str, **limits) -> None:
    """``check(value, what, **limits)`` unless the value is None (a setting left unset)."""
    if value is not None:
        check(value, what, **limits)
