"""fmstudy: a reproducible image-classification study in one command (the course's
Fashion-MNIST class subsets, scikit-learn's digits, or your own images).

Typical notebook use::

    import fmstudy
    ds = fmstudy.load_dataset("fashion-mnist")
    sub = fmstudy.select_classes(ds, fmstudy.classes_for_surname("Lindqvist"))
    result = fmstudy.run_study(fmstudy.StudyConfig(classes=sub.classes))
"""

from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

try:
    __version__ = version("fmstudy")
except PackageNotFoundError:  # running from a source tree without install
    __version__ = "0.0.0"

# 0.1's flat module names (fmstudy.classical, fmstudy.compare, ...), which its saved
# models and notebooks import: found in legacy/, each the module that replaced it.
__path__.append(str(Path(__file__).parent / "legacy"))

from fmstudy.data.groups import classes_for_surname, parse_classes  # noqa: E402
from fmstudy.data.loading import Dataset, load_dataset  # noqa: E402
from fmstudy.data.subsets import select_classes  # noqa: E402
from fmstudy.errors import FmstudyError  # noqa: E402

_LAZY = {
    "run_study": "fmstudy.api",
    "StudyResult": "fmstudy.api",
    "StudyConfig": "fmstudy.study.config",
    "run_search": "fmstudy.search.run",
    "SearchSettings": "fmstudy.search.settings",
    "predict_images": "fmstudy.models.predict",
    "DataOptions": "fmstudy.data.own",
}


def __getattr__(name: str):
    """Import the study (matplotlib, scikit-learn) only when it is asked for."""
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'fmstudy' has no attribute {name!r}")


__all__ = [
    "Dataset",
    "StudyConfig",
    "StudyResult",
    "run_study",
    "run_search",
    "SearchSettings",
    "predict_images",
    "DataOptions",
    "FmstudyError",
    "__version__",
    "classes_for_surname",
    "load_dataset",
    "parse_classes",
    "select_classes",
]
