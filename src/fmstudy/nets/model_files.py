"""Saved model files sized up before they are read or expanded.

    data = skops_bytes(folder / "model.skops")      # a zip that expands to a sane size
    header = safetensors_header(folder / "model.safetensors", expected_bytes)

A model file must be a regular file (not a FIFO or a device that never ends) of a
bounded size.  A skops file is a zip: the sizes its members declare (which bound what
unzipping gives) must stay under :data:`MAX_EXPANDED_BYTES` and
:data:`MAX_RATIO` times the file.  A safetensors file starts with an 8-byte length
and a JSON header naming each tensor's dtype, shape and byte range: the file's size is
checked against the data the network needs before the header is read, and the header
against the file's size before any tensor is.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

from fmstudy import checks
from fmstudy.errors import FmstudyError

MAX_MODEL_BYTES = 2 * 2**30  # a model file read into memory
MAX_EXPANDED_BYTES = 4 * 2**30  # a skops file's members, unzipped
MAX_RATIO = 100  # unzipped / zipped: fmstudy's own models deflate about 10:1
RATIO_FLOOR = 16 * 2**20  # below this much unzipped, any ratio is harmless
MAX_HEADER_BYTES = 2**20  # a safetensors header (a few kB for fmstudy's networks)
PLAIN = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)  # what skops writes
ODD_FLAGS = 0x1 | 0x20 | 0x40  # encrypted, patched data, strongly encrypted
ITEM_BYTES = {"F64": 8, "F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "I16": 2}
ITEM_BYTES |= {"I8": 1, "U8": 1, "BOOL": 1}


def skops_bytes(path: Path) -> bytes:
    """A skops file's bytes, once the sizes its zip members declare are checked."""
    size = checks.regular_size(path, MAX_MODEL_BYTES)
    data = path.read_bytes()
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            members = z.infolist()
    except (zipfile.BadZipFile, NotImplementedError, ValueError) as exc:
        raise FmstudyError(f"cannot read the saved model {path}: {exc}") from None
    odd = [m for m in members if m.compress_type not in PLAIN or m.flag_bits & ODD_FLAGS]
    if odd:
        raise FmstudyError(
            f"cannot read the saved model {path}: {odd[0].filename!r:.60} is encrypted or "
            "compressed in a way skops never writes"
        )
    expanded = sum(m.file_size for m in members)
    bomb = expanded > RATIO_FLOOR and expanded > MAX_RATIO * size
    if expanded > MAX_EXPANDED_BYTES or bomb:
        raise FmstudyError(
            f"{path} ({size:,} bytes) would unzip to {expanded:,} bytes; refusing it (at "
            f"most {MAX_EXPANDED_BYTES:,}, and {MAX_RATIO} times the file)"
        )
    return data


def safetensors_header(path: Path, expected_bytes: int) -> dict[str, tuple[str, tuple]]:
    """Each tensor's (dtype, shape) from a safetensors file whose tensors should take
    ``expected_bytes``: its size is checked before its header is read, and the header's
    byte ranges against its size, so no tensor data is read here."""
    size = checks.regular_size(path, 8 + MAX_HEADER_BYTES + expected_bytes)
    with open(path, "rb") as fh:
        head = fh.read(8)
        n = int.from_bytes(head, "little") if len(head) == 8 else -1
        if not 0 < n <= min(MAX_HEADER_BYTES, size - 8):
            raise FmstudyError(f"{path} is not a safetensors file (no header)")
        raw = fh.read(n)
    try:
        header = json.loads(raw)
    except (ValueError, RecursionError):  # UnicodeDecodeError and JSONDecodeError included
        raise FmstudyError(f"{path} is not a safetensors file (damaged header)") from None
    if not isinstance(header, dict):
        raise FmstudyError(f"{path} is not a safetensors file (damaged header)")
    header.pop("__metadata__", None)
    out, end = {}, 0
    for name, entry in header.items():
        dtype, shape, span = _entry(entry)
        if dtype is None:
            raise FmstudyError(f"{path}: the header's entry for {name!r:.60} is damaged")
        count = 1
        for d in shape:
            count *= d
        if span[1] - span[0] != count * ITEM_BYTES[dtype]:
            raise FmstudyError(f"{path}: {name!r:.60} does not span {count} {dtype} values")
        out[name], end = (dtype, tuple(shape)), max(end, span[1])
    if size != 8 + n + end:
        raise FmstudyError(
            f"{path} is {size:,} bytes; its header describes {8 + n + end:,} (damaged or padded)"
        )
    return out


def _entry(entry) -> tuple:
    """(dtype, shape, [begin, end]) of one header entry; (None, None, None) if malformed."""
    bad = (None, None, None)
    if not isinstance(entry, dict) or entry.get("dtype") not in ITEM_BYTES:
        return bad
    shape, span = entry.get("shape"), entry.get("data_offsets")
    if not isinstance(shape, list) or not isinstance(span, list) or len(span) != 2:
        return bad
    numbers = [*shape, *span]
    if len(shape) > 8 or any(isinstance(v, bool) or not isinstance(v, int) for v in numbers):
        return bad
    if min(numbers, default=0) < 0 or span[0] > span[1]:
        return bad
    return entry["dtype"], shape, span
