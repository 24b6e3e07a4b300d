"""The pixel transforms inside fmstudy's estimators, by name (a saved skops file names
them, and :mod:`fmstudy.models.saved` trusts exactly these)."""

from __future__ import annotations

import numpy as np


def as_float64(x: np.ndarray) -> np.ndarray:
    """Column-major float64, the layout a pandas DataFrame hands to scikit-learn: the
    scaler's sums then round as in the notebook, and its predictions match bit for bit."""
    return np.asfortranarray(x, dtype=np.float64)


def as_float32(x: np.ndarray) -> np.ndarray:
    """float32 pixels: k-NN's distances in scikit-learn's fast float32 kernels."""
    return np.asarray(x, dtype=np.float32)


def times(x: np.ndarray, scale: float) -> np.ndarray:
    """Pixels times ``scale`` (raw / 255), as float64."""
    return x * scale


def name_of(function) -> str:
    """The name a skops file gives ``function``: its module and qualified name."""
    return f"{function.__module__}.{function.__qualname__}"
