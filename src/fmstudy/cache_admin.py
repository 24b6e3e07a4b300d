"""``fmstudy cache``: what the data folder's caches hold, and clearing them.

    cache_usage(root)                                   # [CacheKind(...)] per kind
    clear_cache(root)                                   # every cached fit and decoded array
    clear_cache(root, before=date(2026, 11, 1))         # entries last written before then

An entry is one fit of the fit cache (``work/<kind>-<key>.*``, or a network's folder),
the search's default SQLite study (``work/search.db``) or one decoded array
(``decoded/<data set>/*.npy``).  Downloaded data sets are listed but never cleared:
they are the data, not a cache, and fetching them again needs the network.  A cleared
entry is only a miss: the next study makes the fit again.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

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


def _size(path: Path) -> int:
    if path.is_dir():
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    return path.stat().st_size


def _mtime(path: Path) -> float:
    times = [path.stat().st_mtime]
    if path.is_dir():
        times += [p.stat().st_mtime for p in path.rglob("*")]
    return max(times)


def _entries(root: Path) -> dict[str, dict[str, list[Path]]]:
    """kind -> entry name -> its paths."""
    out: dict[str, dict[str, list[Path]]] = {}
    work = root / "work"
    for path in sorted(work.iterdir()) if work.is_dir() else []:
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
    for path in sorted(decoded.rglob("*.npy")) if decoded.is_dir() else []:
        out.setdefault("decoded-arrays", {})[str(path)] = [path]
    return out


def _downloads(root: Path) -> list[Path]:
    return sorted(
        p for p in root.glob("*/*.gz") if p.is_file() and p.parent.name not in ("work", "decoded")
    )


def _day(stamp: float) -> str:
    return datetime.fromtimestamp(stamp).date().isoformat()


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
        stamps = [p.stat().st_mtime for p in downloads]
        rows.append(
            CacheKind(
                "downloads",
                len(downloads),
                sum(p.stat().st_size for p in downloads),
                _day(min(stamps)),
                _day(max(stamps)),
                clearable=False,
            )
        )
    return rows


def clear_cache(root: Path, before: date | None = None) -> CacheKind:
    """Remove every clearable entry, or those last written before ``before`` (a day,
    local time); returns what was removed, summed."""
    cutoff = datetime.combine(before, datetime.min.time()).timestamp() if before else None
    removed, size = 0, 0
    for kind, entries in _entries(root).items():
        if kind == "unfinished":
            continue  # a live writer may hold it; the next writer there removes dead ones
        for paths in entries.values():
            if cutoff is not None and max(_mtime(p) for p in paths) >= cutoff:
                continue
            size += sum(_size(p) for p in paths)
            for p in paths:
                if p.is_dir():
                    shutil.rmtree(p, ignore_errors=True)
                else:
                    p.unlink(missing_ok=True)
            removed += 1
    return CacheKind("cleared", removed, size, None, before.isoformat() if before else None)
