"""The classical models: tasks 3 and 4 (random forest, logistic regression on raw and on
standardized pixels) and the zoo of :mod:`fmstudy.models.zoo` (SVC, k-NN, boosting, extra trees).

    specs = classical_specs(config.forest, config.logreg)  # what to fit, as plain data
    fit = fit_model(spec, x_train, y_train, x_test)  # -> FitResult (predictions, seconds)
    estimator(spec)                                  # the unfitted scikit-learn estimator

A model is a :class:`ModelSpec` (name and parameters); :func:`estimator` is the one
place that turns a spec into a scikit-learn estimator, which :func:`fit_model` fits
and the resampling of :mod:`fmstudy.models.resampling` refits.  Results are predictions,
class probabilities and timings, cached as plain arrays and JSON; a fit made now also
carries its estimator (saved with skops by :mod:`fmstudy.models.saved`).
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass, field

import numpy as np
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import (
    ExtraTreesClassifier,
    HistGradientBoostingClassifier,
    RandomForestClassifier,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler
from sklearn.svm import SVC
from threadpoolctl import threadpool_limits

from fmstudy.evaluation.compare import representative
from fmstudy.i18n import N_
from fmstudy.lib_warnings import one_line_warnings
from fmstudy.models.settings import ForestSettings, LogRegSettings


@dataclass(frozen=True)
class ModelSpec:
    """A classical model as data: its kind and every parameter that changes its result."""

    key: str
    kind: str  # "forest", "logreg", or a zoo model: "svc", "knn", "hgb", "extra-trees"
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
    def task(self) -> str:
        """The study task it belongs to: 3 (forest), 4 (logistic regression) or zoo."""
        return {"forest": "3", "logreg": "4"}.get(self.kind, "zoo")

    @property
    def source(self) -> str:
        """How its probabilities are made (see :mod:`fmstudy.evaluation.probabilities`)."""
        return PROBABILITY_SOURCES[self.kind]


TRAIN_SCORE_ROWS = 10_000  # the zoo models' training accuracy: at most this many rows
PROBABILITY_SOURCES = {
    "forest": "votes",  # fractions of trees
    "extra-trees": "votes",
    "knn": "neighbours",  # distance-weighted fractions of the k nearest
    "logreg": "logistic",
    "svc": "platt",  # sigmoid-calibrated decision values
    "hgb": "boosting",  # softmax of the boosted scores
}


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


def classical_specs(f: ForestSettings, lr: LogRegSettings) -> list[ModelSpec]:
    """The fits of tasks 3-4 under a config's settings: the forest with each of its seeds
    (random_state, random_state + 1, ...), the two logistic regressions (deterministic)."""
    forest_params = {
        "n_estimators": f.n_estimators,
        "random_state": f.random_state,
        "oob_steps": list(f.oob_steps),
        "oob_tolerance": f.oob_tolerance,
        "max_train_rows": f.max_train_rows,
    }
    lr_params = {
        "max_iter": lr.max_iter,
        "random_state": lr.random_state,
        "tol": lr.tol,
        "max_train_rows": lr.max_train_rows,
    }
    forest = (
        N_("Random forest (up to {trees} trees, OOB-sized)")
        if f.oob_steps
        else N_("Random forest ({trees} trees)")
    )
    raw = (
        N_("Logistic regression (raw pixels)")
        if lr.raw_scale == 1
        else N_("Logistic regression (raw pixels / 255)")
    )
    base = f.random_state or 0
    forests = [
        ModelSpec(
            "forest" if i == 0 else f"forest-seed{i}",
            "forest",
            forest,
            {**forest_params, "random_state": f.random_state if i == 0 else base + i},
            expected_cost=6.0,
            model="forest",
            label_args={"trees": f.n_estimators},
        )
        for i in range(f.seeds)
    ]
    return [
        *forests,
        ModelSpec(
            "logreg_raw",
            "logreg",
            raw,
            {**lr_params, "standardize": False, "scale": lr.raw_scale},
            expected_cost=10.0 if lr.raw_scale == 1 else 1.0,
        ),
        ModelSpec(
            "logreg_std",
            "logreg",
            N_("Logistic regression (standardized)"),
            {**lr_params, "standardize": True, "scale": 1.0},
            expected_cost=1.0,
        ),
    ]


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


def estimator(spec: ModelSpec, *, n_jobs: int = 1, n_trees: int | None = None):
    """The unfitted scikit-learn estimator of a spec; ``n_trees`` overrides the forest's
    tree count (the count its out-of-bag growth chose, when it is refitted)."""
    p = spec.params
    if spec.kind == "forest":
        return RandomForestClassifier(
            n_estimators=n_trees or p["n_estimators"], random_state=p["random_state"], n_jobs=n_jobs
        )
    if spec.kind == "logreg":
        scale = (
            StandardScaler()  # fitted on the training rows only
            if p["standardize"]
            else FunctionTransformer(times, kw_args={"scale": p["scale"]})
        )
        model = LogisticRegression(
            max_iter=p["max_iter"], random_state=p["random_state"], tol=p["tol"]
        )
        return make_pipeline(FunctionTransformer(as_float64), scale, model)
    if spec.kind == "svc":
        svc = SVC(C=p["C"], gamma=p["gamma"], kernel="rbf")
        model = CalibratedClassifierCV(
            svc, method="sigmoid", cv=p["calibration_folds"], ensemble=False
        )
        return make_pipeline(FunctionTransformer(times, kw_args={"scale": 1 / 255}), model)
    if spec.kind == "knn":
        knn = KNeighborsClassifier(
            n_neighbors=p["n_neighbors"], weights=p["weights"], n_jobs=n_jobs
        )
        return make_pipeline(FunctionTransformer(as_float32), knn)
    if spec.kind == "hgb":
        return HistGradientBoostingClassifier(
            max_iter=p["max_iter"],
            learning_rate=p["learning_rate"],
            max_leaf_nodes=p["max_leaf_nodes"],
            early_stopping=True,
            validation_fraction=p["validation_fraction"],
            n_iter_no_change=p["n_iter_no_change"],
            random_state=p["random_state"],
        )
    if spec.kind == "extra-trees":
        return ExtraTreesClassifier(
            n_estimators=p["n_estimators"], random_state=p["random_state"], n_jobs=n_jobs
        )
    raise ValueError(f"unknown model kind {spec.kind!r}")


def fit_model(
    spec: ModelSpec, x_train: np.ndarray, y_train: np.ndarray, x_test: np.ndarray, n_jobs: int = 1
) -> FitResult:
    """Fit one spec on flattened pixels; predict the test set (original labels and class
    probabilities) and record the accuracy on its own training rows.  A library's warning
    is one line (logistic regression's convergence is recorded, as the report states it)."""
    p = spec.params
    x_train, y_train = subsample(x_train, y_train, p.get("max_train_rows"), p.get("random_state"))
    with threadpool_limits(limits=max(1, n_jobs)), one_line_warnings(spec.key):
        if spec.kind == "forest":
            model, fit_s, info = _fit_forest(spec, x_train, y_train, n_jobs)
        elif spec.kind == "logreg":
            model, fit_s, info = _fit_logreg(spec, x_train, y_train)
        else:
            model, fit_s, info = _fit_zoo(spec, x_train, y_train, n_jobs)
        t0 = time.perf_counter()
        proba = model.predict_proba(x_test)
        y_pred = np.asarray(model.classes_)[proba.argmax(axis=1)]
        pred_s = time.perf_counter() - t0
        # A zoo model predicts slowly (an SVC's kernel rows, k-NN's distances): its
        # training accuracy is scored on a stratified sample of its training rows.
        rows = TRAIN_SCORE_ROWS if spec.task == "zoo" else None
        x_score, y_score = subsample(x_train, y_train, rows, p.get("random_state"))
        info["train_accuracy"] = float(model.score(x_score, y_score))
        if len(y_score) < len(y_train):
            info["train_accuracy_rows"] = len(y_score)
    info["train_rows"] = len(y_train)
    return FitResult(spec.key, spec.label, y_pred, fit_s, pred_s, info, proba, model)


def _fit_forest(spec, x_train, y_train, n_jobs):
    p = spec.params
    steps = p["oob_steps"] or [p["n_estimators"]]
    grow = len(steps) > 1
    model = estimator(spec, n_jobs=n_jobs, n_trees=steps[0])
    # Out-of-bag accuracy always: each row scored by the trees that never saw it, the
    # forest's own estimate of accuracy on new images (its training accuracy is ~1).
    model.set_params(oob_score=True, warm_start=grow)
    curve = []
    t0 = time.perf_counter()
    for n in steps:
        model.set_params(n_estimators=n)
        model.fit(x_train, y_train)
        if grow:
            curve.append((n, float(model.oob_score_)))
            # Stop growing once doubling the trees no longer buys OOB accuracy.
            if len(curve) > 1 and curve[-1][1] - curve[-2][1] < p["oob_tolerance"]:
                break
    fit_s = time.perf_counter() - t0
    info = {"n_trees": len(model.estimators_), "oob_curve": curve}
    info["oob_accuracy"] = float(model.oob_score_)
    return model, fit_s, info


def _fit_logreg(spec, x_train, y_train) -> tuple[Pipeline, float, dict]:
    model = estimator(spec)
    t0 = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        model.fit(x_train, y_train)
    fit_s = time.perf_counter() - t0
    n_iter = int(np.max(model[-1].n_iter_))
    converged = not any(issubclass(w.category, ConvergenceWarning) for w in caught)
    return model, fit_s, {"n_iter": n_iter, "converged": converged}


def _fit_zoo(spec, x_train, y_train, n_jobs) -> tuple[object, float, dict]:
    """A zoo model's fit, and what it chose: boosting's iterations, the SVC's support
    vectors, the ensemble's trees."""
    model = estimator(spec, n_jobs=n_jobs)
    t0 = time.perf_counter()
    model.fit(x_train, y_train)
    fit_s = time.perf_counter() - t0
    final = model[-1] if isinstance(model, Pipeline) else model
    if spec.kind == "hgb":
        held = int(np.ceil(len(y_train) * final.validation_fraction))  # as train_test_split
        info = {"n_iter": int(final.n_iter_), "max_iter": int(final.max_iter)}
        return model, fit_s, {**info, "stopping_rows": held}
    if spec.kind == "svc":
        svc = final.calibrated_classifiers_[0].estimator
        return model, fit_s, {"n_support": int(np.sum(svc.n_support_))}
    if spec.kind == "extra-trees":
        return model, fit_s, {"n_trees": len(final.estimators_)}
    return model, fit_s, {"k": int(final.n_neighbors), "weights": final.weights}


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
