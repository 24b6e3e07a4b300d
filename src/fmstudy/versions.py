"""Installed library versions: those whose arithmetic decides a fit's predictions are
part of every cache key and of each run's manifest.

    library_versions()                   # {"numpy": ..., "scikit-learn": ..., "torch": ...}
"""

from __future__ import annotations

import contextlib
from importlib.metadata import PackageNotFoundError, version

DECIDING_LIBRARIES = ("numpy", "scikit-learn", "torch")


def library_versions(names=DECIDING_LIBRARIES) -> dict[str, str]:
    """Installed versions of ``names`` (default: the libraries whose arithmetic decides a
    fit's predictions, part of every cache key)."""
    out = {}
    for name in names:
        with contextlib.suppress(PackageNotFoundError):
            out[name] = version(name)
    return out
