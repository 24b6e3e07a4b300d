"""What the report's figures need from a study besides metrics.json: a few images and
the PCA's scores, chosen here and drawn when the report is written, in its language.

    data = FigureData(*example_images(sub))
    data.pair_mistakes["forest"] = pair_mistakes(sub, ev, y_pred, proba)
    data.confident_mistakes = confident_gallery(sub, "forest", proba)
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from fmstudy.data.subsets import Subset
from fmstudy.evaluation.pca import PCAResult
from fmstudy.evaluation.probabilities import confident_mistakes
from fmstudy.results import ModelResult

EXAMPLES_PER_CLASS = 8


@dataclass(frozen=True)
class Gallery:
    """Test images one model got wrong, most confident first: each one's true and
    predicted class and the probability the model gave the predicted one."""

    model: str  # the model's key
    images: np.ndarray
    true: np.ndarray
    pred: np.ndarray
    confidence: np.ndarray
    pair: tuple[int, int] | None = None  # the confused pair they were chosen within


@dataclass
class FigureData:
    """The images and scores the figures draw (every number they print is in metrics)."""

    examples: np.ndarray  # the first training images of each class, class by class
    example_labels: np.ndarray
    pca: PCAResult | None = None  # task 2's scores, labels and principal axes
    pair_mistakes: dict[str, Gallery] = field(default_factory=dict)  # key -> its worst pair's
    confident_mistakes: Gallery | None = None  # the most accurate model's
    search_trials: list = field(default_factory=list)  # the search's optuna FrozenTrials


def example_images(sub: Subset, per_class: int = EXAMPLES_PER_CLASS):
    """The first ``per_class`` training images of each class and their labels."""
    rows = np.concatenate([np.flatnonzero(sub.y_train == c)[:per_class] for c in sub.classes])
    return sub.x_train[rows], sub.y_train[rows]


def pair_mistakes(sub: Subset, ev: ModelResult, y_pred, proba) -> Gallery | None:
    """The most confident mistakes within a model's most confused pair (None without one)."""
    if not ev.confused_pairs:
        return None
    a, b = ev.confused_pairs[0]["a"], ev.confused_pairs[0]["b"]
    pair = np.isin(sub.y_test, (a, b))
    inside = np.flatnonzero(pair & np.isin(y_pred, (a, b)))
    wrong = inside[confident_mistakes(sub.y_test[inside], proba[inside], sub.classes)]
    return Gallery(
        ev.key,
        sub.x_test[wrong],
        sub.y_test[wrong],
        y_pred[wrong],
        proba[wrong].max(axis=1),
        (int(a), int(b)),
    )


def confident_gallery(sub: Subset, key: str, proba) -> Gallery:
    """The study's most confident mistakes of one model, by its test probabilities."""
    wrong = confident_mistakes(sub.y_test, proba, sub.classes)
    return Gallery(
        key,
        sub.x_test[wrong],
        sub.y_test[wrong],
        np.asarray(sub.classes)[proba[wrong].argmax(axis=1)],
        proba[wrong].max(axis=1),
    )
