"""The classical models: tasks 3 and 4 (random forest, logistic regression on raw and on
standardized pixels) and the zoo (SVC, k-NN, boosting, extra trees), each a record of
:mod:`fmstudy.models.registry`.

    specs = classical_specs(config.forest, config.logreg)  # what to fit, as plain data
    fit = fit_model(spec, x_train, y_train, x_test)  # -> FitResult (predictions, seconds)
    estimator(spec)                                  # the unfitted scikit-learn estimator

A model is a :class:`ModelSpec` (kind, name and parameters); its kind's record builds
the scikit-learn estimator, which :func:`fit_model` fits and the resampling of
:mod:`fmstudy.models.resampling` refits.  Results are predictions, class probabilities
and timings, cached as plain arrays and JSON; a fit made now also carries its estimator
(saved with skops by :mod:`fmstudy.models.saved`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
from sklearn.model_selection import train_test_split
from threadpoolctl import threadpool_limits

from fmstudy.evaluation.compare import representative
from fmstudy.lib_warnings import one_line_warnings
from fmstudy.models import registry

# Saved models name these transforms here (0.1's files as fmstudy.classical, an alias of
# this module): they stay importable by those names.
from fmstudy.models.pixels import as_float32, as_float64, times  # noqa: F401
from fmstudy.models.record import Classifier
from fmstudy.models.settings import ForestSettings, LogRegSettings


@dataclass(frozen=True)
class ModelSpec:
    """A classical model as data: its kind and every parameter that changes its result."""

    key: str
    kind: str  # a kind of fmstudy.models.registry: "forest", "logreg", "svc", ...
    label_id: str  # its name as a message with placeholders (fmstudy.i18n)
    params: dict = field(default_factory=dict)
    expected_cost: float = 1.0  # relative fit time, to start the longest fits first
    model: str = ""  # the model this fit is a seed of (its key when empty)
    label_args: dict = field(default_factory=dict)

    @property
    def label(self) -> str:
        """Its name in English, as metrics.json keeps it."""
        return self.label_id.format(**self.label_args)

    @property
    def model_key(self) -> str:
        return self.model or self.key

    @property
    def record(self) -> Classifier:
        """Its kind's record (an unknown kind: FmstudyError)."""
        return registry.get(self.kind)

    @property
    def task(self) -> str:
        """The study task it belongs to: 3 (forest), 4 (logistic regression) or zoo."""
        return self.record.task

    @property
    def source(self) -> str:
        """How its probabilities are made (see :mod:`fmstudy.evaluation.probabilities`)."""
        return self.record.source.name


TRAIN_SCORE_ROWS = 10_000  # the zoo models' training accuracy: at most this many rows


@dataclass(frozen=True)
class FitResult:
    key: str
    label: str
    y_pred: np.ndarray
    fit_seconds: float
    predict_seconds: float
    info: dict = field(default_factory=dict)
    proba: np.ndarray | None = None  # test probabilities, one column per class in order
    model: object | None = field(default=None, repr=False, compare=False)  # made now only
    model_bytes: int | None = None  # the size of its skops file (fmstudy.models.saved)


def specs_of(kind: str, settings) -> list[ModelSpec]:
    """The fits of ``kind`` under its settings (a zoo kind's: a dict)."""
    record = registry.get(kind)
    return [
        ModelSpec(kind=kind, **{"expected_cost": record.cost, **d}) for d in record.specs(settings)
    ]


def classical_specs(f: ForestSettings, lr: LogRegSettings) -> list[ModelSpec]:
    """The fits of tasks 3-4 under a config's settings: the forest with each of its seeds
    (random_state, random_state + 1, ...), the two logistic regressions (deterministic)."""
    return [*specs_of("forest", f), *specs_of("logreg", lr)]


def subsample(x: np.ndarray, y: np.ndarray, rows: int | None, seed: int | None):
    """A stratified random sample of ``rows`` training rows (each class keeps its share),
    in their original order; all rows when ``rows`` is None or not smaller."""
    if rows is None or rows >= len(y):
        return x, y
    idx, _ = train_test_split(
        np.arange(len(y)), train_size=rows, stratify=y, random_state=seed or 0
    )
    idx.sort()
    return x[idx], y[idx]


def estimator(spec: ModelSpec, *, n_jobs: int = 1, n_trees: int | None = None):
    """The unfitted scikit-learn estimator of a spec; ``n_trees`` overrides the forest's
    tree count (the count its out-of-bag growth chose, when it is refitted)."""
    return spec.record.build(spec.params, n_jobs=n_jobs, n_trees=n_trees)


def fit_model(
    spec: ModelSpec, x_train: np.ndarray, y_train: np.ndarray, x_test: np.ndarray, n_jobs: int = 1
) -> FitResult:
    """Fit one spec on flattened pixels; predict the test set (original labels and class
    probabilities) and record the accuracy on its own training rows.  A library's warning
    is one line (logistic regression's convergence is recorded, as the report states it)."""
    p = spec.params
    x_train, y_train = subsample(x_train, y_train, p.get("max_train_rows"), p.get("random_state"))
    record = spec.record
    with threadpool_limits(limits=max(1, n_jobs)), one_line_warnings(spec.key):
        model, fit_s, info = record.fit(record, p, x_train, y_train, n_jobs)
        t0 = time.perf_counter()
        proba = model.predict_proba(x_test)
        y_pred = np.asarray(model.classes_)[proba.argmax(axis=1)]
        pred_s = time.perf_counter() - t0
        # A zoo model predicts slowly (an SVC's kernel rows, k-NN's distances): its
        # training accuracy is scored on a stratified sample of its training rows.
        rows = TRAIN_SCORE_ROWS if record.task == "zoo" else None
        x_score, y_score = subsample(x_train, y_train, rows, p.get("random_state"))
        info["train_accuracy"] = float(model.score(x_score, y_score))
        if len(y_score) < len(y_train):
            info["train_accuracy_rows"] = len(y_score)
    info["train_rows"] = len(y_train)
    return FitResult(spec.key, spec.label, y_pred, fit_s, pred_s, info, proba, model)


def representative_fit(group: list[FitResult], seeds: list, y_test) -> tuple[FitResult, dict]:
    """One fit of several seeds, chosen without the test set: the median by out-of-bag
    accuracy (the lower median for an even count); its details say how."""
    if len(group) == 1:
        return group[0], dict(group[0].info)
    oob = [f.info.get("oob_accuracy", 0.0) for f in group]
    chosen = representative(oob)
    rep = group[chosen]
    details = {
        **rep.info,
        "seed": seeds[chosen],
        "seeds": seeds,
        "oob_per_seed": oob,
        "test_acc_per_seed": [float(np.mean(f.y_pred == y_test)) for f in group],
    }
    return rep, details
