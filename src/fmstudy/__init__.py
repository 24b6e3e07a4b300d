"""fmstudy: a reproducible Fashion-MNIST class-subset study in one command.

Typical notebook use::

    import fmstudy
    ds = fmstudy.load_dataset("fashion-mnist")
    sub = fmstudy.select_classes(ds, fmstudy.classes_for_surname("Lindqvist"))
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("fmstudy")
except PackageNotFoundError:  # running from a source tree without install
    __version__ = "0.0.0"

from fmstudy.data import Dataset, load_dataset  # noqa: E402
from fmstudy.errors import FmstudyError  # noqa: E402
from fmstudy.subsets import classes_for_surname, parse_classes, select_classes  # noqa: E402

__all__ = [
    "Dataset",
    "FmstudyError",
    "__version__",
    "classes_for_surname",
    "load_dataset",
    "parse_classes",
    "select_classes",
]
