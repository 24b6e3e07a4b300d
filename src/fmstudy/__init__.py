"""fmstudy: a reproducible image-classification study in one command (the course's
Fashion-MNIST class subsets, scikit-learn's digits, or your own images).

Typical notebook use::

    import fmstudy
    ds = fmstudy.load_dataset("fashion-mnist")
    sub = fmstudy.select_classes(ds, fmstudy.classes_for_surname("Lindqvist"))
    result = fmstudy.run_study(fmstudy.StudyConfig(classes=sub.classes))
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("fmstudy")
except PackageNotFoundError:  # running from a source tree without install
    __version__ = "0.0.0"

from fmstudy.data import Dataset, load_dataset  # noqa: E402
from fmstudy.errors import FmstudyError  # noqa: E402
from fmstudy.groups import classes_for_surname, parse_classes  # noqa: E402
from fmstudy.subsets import select_classes  # noqa: E402

_LAZY = {
    "run_study": "fmstudy.study",
    "StudyResult": "fmstudy.study",
    "StudyConfig": "fmstudy.config",
    "run_search": "fmstudy.search",
    "SearchSettings": "fmstudy.config",
    "predict_images": "fmstudy.predict_files",
    "DataOptions": "fmstudy.own_data",
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
