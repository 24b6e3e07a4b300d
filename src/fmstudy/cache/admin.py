"""``fmstudy cache``: what the data folder's caches hold, and clearing them.

    cache_usage(root)                                   # [CacheKind(...)] per kind
    clear_cache(root)                                   # every cached fit and decoded array
    clear_cache(root, before=date(2026, 11, 1))         # entries last written before then

An entry is one fit of the fit cache (``work/<kind>-<key>.*``, or a network's folder),
the search's default SQLite study (``work/search.db``), one decoded array
(``decoded/<data set>/*.npy``) or one decoded copy of one's own images or table
(``decoded/own/*.npz``).  Downloaded data sets are listed but never cleared: they are
the data, not a cache, and fetching them again needs the network.  A cleared entry is
only a miss: the next study makes the fit again.  Symlinks are entries of their own
(never followed), and what cannot be read counts as nothing, so an odd file in the
cache never stops ``fmstudy cache``.
"""

from __future__ import annotations

import contextlib
import math
import os
import re
import shutil
import stat
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

from fmstudy.errors import FmstudyError

_ENTRY = re.compile(r"^(?P<kind>[a-z][a-z0-9_-]*?)-(?P<key>[0-9a-f]{24})(?:\..*)?$")


@dataclass(frozen=True)
class CacheKind:
    """One kind of entry: how many, their bytes, and when they were last written."""

    kind: str
    entries: int
    bytes: int
    oldest: str | None  # ISO date of the least recently written entry
    newest: str | None
    clearable: bool = True


def _under(folder: Path) -> list[Path]:
    """Everything under ``folder``, sorted; symlinks are not followed and folders that
    cannot be read are left out."""
    found = []
    for base, dirs, files in os.walk(folder):
        found += [Path(base, name) for name in dirs + files]
    return sorted(found)


def _stats(path: Path) -> list[os.stat_result]:
    """lstat of ``path`` and, for a folder, of everything under it (what cannot be read
    is left out)."""
    found = []
    for p in [path, *(_under(path) if path.is_dir() and not path.is_symlink() else ())]:
        with contextlib.suppress(OSError):
            found.append(p.lstat())
    return found


def _size(path: Path) -> int:
    return sum(st.st_size for st in _stats(path) if not stat.S_ISDIR(st.st_mode))


def _mtime(path: Path) -> float:
    return max((st.st_mtime for st in _stats(path)), default=0.0)


def _listing(folder: Path) -> list[Path]:
    """What ``folder`` holds (nothing when it is not a folder), sorted."""
    try:
        return sorted(folder.iterdir()) if folder.is_dir() else []
    except OSError as exc:
        raise FmstudyError(
            f"cannot read the cache folder {folder}: {exc.strerror}; make it readable or "
            "pass another --data-dir"
        ) from None


def _entries(root: Path) -> dict[str, dict[str, list[Path]]]:
    """kind -> entry name -> its paths."""
    out: dict[str, dict[str, list[Path]]] = {}
    for path in _listing(root / "work"):
        m = _ENTRY.match(path.name)
        if m:
            kind, name = m["kind"], f"{m['kind']}-{m['key']}"
        elif path.name.startswith("search.db"):
            kind, name = "search-study", "search.db"
        elif path.name.startswith("."):
            kind, name = "unfinished", path.name  # a writer's temporary name or lock
        else:
            continue
        out.setdefault(kind, {}).setdefault(name, []).append(path)
    decoded = root / "decoded"
    _listing(decoded)  # an unreadable folder is said in one line, as for work/
    for path in _under(decoded):
        if path.parent == decoded / "own" and path.name.endswith(".npz"):
            out.setdefault("decoded-own-data", {})[str(path)] = [path]
        elif path.name.endswith(".npy"):
            out.setdefault("decoded-arrays", {})[str(path)] = [path]
    return out


def _downloads(root: Path) -> list[Path]:
    return sorted(
        p for p in root.glob("*/*.gz") if p.is_file() and p.parent.name not in ("work", "decoded")
    )


def _day(stamp: float) -> str:
    """The local day of a file time; the first or last day there is for one outside."""
    try:
        return datetime.fromtimestamp(stamp).date().isoformat()
    except (OverflowError, ValueError, OSError):
        return (date.min if stamp < 0 else date.max).isoformat()


def _cutoff(before: date) -> float:
    """The file time at the start of ``before`` (local time), or -inf/inf for a day the
    clock cannot show."""
    try:
        return datetime.combine(before, time.min).timestamp()
    except (OverflowError, ValueError, OSError):
        return -math.inf if before.year < 1970 else math.inf


def cache_usage(root: Path) -> list[CacheKind]:
    """Per kind of entry under ``root`` (the data folder): count, bytes, dates."""
    rows = []
    for kind, entries in sorted(_entries(root).items()):
        stamps = [max(_mtime(p) for p in paths) for paths in entries.values()]
        size = sum(_size(p) for paths in entries.values() for p in paths)
        first, last = _day(min(stamps)), _day(max(stamps))
        rows.append(CacheKind(kind, len(entries), size, first, last, kind != "unfinished"))
    downloads = _downloads(root)
    if downloads:
        stamps = [_mtime(p) for p in downloads]
        rows.append(
            CacheKind(
                "downloads",
                len(downloads),
                sum(_size(p) for p in downloads),
                _day(min(stamps)),
                _day(max(stamps)),
                clearable=False,
            )
        )
    return rows


def clear_cache(root: Path, before: date | None = None) -> CacheKind:
    """Remove every clearable entry, or those last written before ``before`` (a day,
    local time); returns what was removed, summed."""
    cutoff = _cutoff(before) if before else None
    removed, size = 0, 0
    for kind, entries in _entries(root).items():
        if kind == "unfinished":
            continue  # a live writer may hold it; the next writer there removes dead ones
        for paths in entries.values():
            if cutoff is not None and max(_mtime(p) for p in paths) >= cutoff:
                continue
            taken = sum(_size(p) for p in paths)
            for p in paths:
                if p.is_dir() and not p.is_symlink():
                    shutil.rmtree(p, ignore_errors=True)
                else:
                    with contextlib.suppress(OSError):
                        p.unlink()
            if not any(os.path.lexists(p) for p in paths):  # counted only when gone
                removed, size = removed + 1, size + taken
    return CacheKind("cleared", removed, size, None, before.isoformat() if before else None)
