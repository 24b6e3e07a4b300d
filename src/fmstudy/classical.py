"""Study tasks 3 and 4: random forest and logistic regression (raw and standardized).

    specs = classical_specs(config.forest, config.logreg)  # what to fit, as plain data
    fit = fit_model(spec, x_train, y_train, x_test)  # -> FitResult (predictions, seconds)

A model is a :class:`ModelSpec` (name and parameters); :func:`fit_model` is the
one place that turns a spec into a fitted estimator.  Results are predictions
and timings only, so they can be cached as plain arrays and JSON.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass, field

import numpy as np
from sklearn.ensemble import RandomForestClassifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from fmstudy.config import ForestSettings, LogRegSettings


@dataclass(frozen=True)
class ModelSpec:
    """A classical model as data: its kind and every parameter that changes its result."""

    key: str
    kind: str  # "forest" or "logreg"
    label: str
    params: dict = field(default_factory=dict)
    expected_cost: float = 1.0  # relative fit time, to start the longest fits first


@dataclass(frozen=True)
class FitResult:
    key: str
    label: str
    y_pred: np.ndarray
    fit_seconds: float
    predict_seconds: float
    info: dict = field(default_factory=dict)


def classical_specs(f: ForestSettings, lr: LogRegSettings) -> list[ModelSpec]:
    """The three models of tasks 3-4 under a config's settings."""
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
    trees = f"up to {f.n_estimators} trees, OOB-sized" if f.oob_steps else f"{f.n_estimators} trees"
    scale = "raw pixels" if lr.raw_scale == 1 else "raw pixels / 255"
    return [
        ModelSpec("forest", "forest", f"Random forest ({trees})", forest_params, expected_cost=6.0),
        ModelSpec(
            "logreg_raw",
            "logreg",
            f"Logistic regression ({scale})",
            {**lr_params, "standardize": False, "scale": lr.raw_scale},
            expected_cost=10.0 if lr.raw_scale == 1 else 1.0,
        ),
        ModelSpec(
            "logreg_std",
            "logreg",
            "Logistic regression (standardized)",
            {**lr_params, "standardize": True, "scale": 1.0},
            expected_cost=1.0,
        ),
    ]


def _head(x: np.ndarray, y: np.ndarray, rows: int | None, seed: int | None):
    """A random sample of ``rows`` training rows (a plain permutation, not stratified;
    quick profile only), kept in their original order."""
    if rows is None or rows >= len(y):
        return x, y
    idx = np.random.default_rng(seed or 0).permutation(len(y))[:rows]
    idx.sort()
    return x[idx], y[idx]


def fit_model(
    spec: ModelSpec, x_train: np.ndarray, y_train: np.ndarray, x_test: np.ndarray, n_jobs: int = 1
) -> FitResult:
    """Fit one spec on flattened pixels and predict the test set (original labels)."""
    p = spec.params
    x_train, y_train = _head(x_train, y_train, p.get("max_train_rows"), p.get("random_state"))
    with threadpool_limits(limits=max(1, n_jobs)):
        if spec.kind == "forest":
            return _fit_forest(spec, x_train, y_train, x_test, n_jobs)
        if spec.kind == "logreg":
            return _fit_logreg(spec, x_train, y_train, x_test)
    raise ValueError(f"unknown model kind {spec.kind!r}")


def _fit_forest(spec, x_train, y_train, x_test, n_jobs) -> FitResult:
    p = spec.params
    steps = p["oob_steps"] or [p["n_estimators"]]
    grow = len(steps) > 1
    model = RandomForestClassifier(
        n_estimators=steps[0],
        random_state=p["random_state"],
        n_jobs=n_jobs,
        oob_score=grow,
        warm_start=grow,
    )
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
    t0 = time.perf_counter()
    y_pred = model.predict(x_test)
    pred_s = time.perf_counter() - t0
    info = {"n_trees": len(model.estimators_), "oob_curve": curve}
    return FitResult(spec.key, spec.label, np.asarray(y_pred), fit_s, pred_s, info)


def _fit_logreg(spec, x_train, y_train, x_test) -> FitResult:
    p = spec.params
    t0 = time.perf_counter()
    # Column-major float64, the layout a pandas DataFrame hands to scikit-learn: the
    # scaler's sums then round as in the notebook, and its predictions match bit for bit.
    xtr = np.asfortranarray(x_train, dtype=np.float64)
    if p["standardize"]:
        scaler = StandardScaler().fit(xtr)  # fitted on the training rows only
        xtr = scaler.transform(xtr)
    elif p["scale"] != 1:
        xtr = xtr * p["scale"]
    model = LogisticRegression(max_iter=p["max_iter"], random_state=p["random_state"], tol=p["tol"])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        model.fit(xtr, y_train)
    fit_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    xte = np.asfortranarray(x_test, dtype=np.float64)
    xte = scaler.transform(xte) if p["standardize"] else xte * p["scale"]
    y_pred = model.predict(xte)
    pred_s = time.perf_counter() - t0
    n_iter = int(np.max(model.n_iter_))
    converged = not any(issubclass(w.category, ConvergenceWarning) for w in caught)
    info = {"n_iter": n_iter, "converged": converged}
    return FitResult(spec.key, spec.label, np.asarray(y_pred), fit_s, pred_s, info)
