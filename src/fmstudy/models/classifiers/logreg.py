"""Task 4's logistic regressions: on the pixels as given (raw, or divided by 255) and on
standardized pixels (L-BFGS)."""

from __future__ import annotations

import time
import warnings

import numpy as np

from fmstudy.i18n import N_, ngettext
from fmstudy.i18n import gettext as _
from fmstudy.models.classifiers.sources import LOGISTIC
from fmstudy.models.pixels import as_float64, name_of, times
from fmstudy.models.record import Classifier
from fmstudy.models.settings import LogRegSettings


def defaults(profile: str, seed: int | None) -> LogRegSettings:
    """``notebook``: max_iter=5000 on raw pixels, random_state=42 whatever the seed;
    ``standard``: 300 iterations on pixels / 255 at tol 1e-3; ``quick``: 100 on 6,000 rows."""
    if profile == "notebook":
        return LogRegSettings(max_iter=5000, random_state=42)
    if profile == "quick":
        return LogRegSettings(
            max_iter=100, random_state=seed, raw_scale=1 / 255, tol=1e-3, max_train_rows=6000
        )
    return LogRegSettings(max_iter=300, random_state=seed, raw_scale=1 / 255, tol=1e-3)


def specs(lr: LogRegSettings) -> list[dict]:
    """The two regressions (deterministic: no seeds): the pixels times ``raw_scale`` (raw
    at 1, "pixels / 255" at 1/255) and standardized pixels (the scaler fitted on the
    training rows only)."""
    params = {
        "max_iter": lr.max_iter,
        "random_state": lr.random_state,
        "tol": lr.tol,
        "max_train_rows": lr.max_train_rows,
    }
    raw = (
        N_("Logistic regression (raw pixels)")
        if lr.raw_scale == 1
        else N_("Logistic regression (pixels / 255)")
    )
    return [
        {
            "key": "logreg_raw",
            "label_id": raw,
            "params": {**params, "standardize": False, "scale": lr.raw_scale},
            "expected_cost": 10.0 if lr.raw_scale == 1 else 1.0,  # raw pixels converge slowly
        },
        {
            "key": "logreg_std",
            "label_id": N_("Logistic regression (standardized pixels)"),
            "params": {**params, "standardize": True, "scale": 1.0},
            "expected_cost": 1.0,
        },
    ]


def build(p: dict, n_jobs: int = 1, n_trees: int | None = None):
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer, StandardScaler

    scale = (
        StandardScaler()  # fitted on the training rows only
        if p["standardize"]
        else FunctionTransformer(times, kw_args={"scale": p["scale"]})
    )
    model = LogisticRegression(max_iter=p["max_iter"], random_state=p["random_state"], tol=p["tol"])
    return make_pipeline(FunctionTransformer(as_float64), scale, model)


def fit(record: Classifier, p: dict, x, y, n_jobs: int):
    """One fit; its iterations and whether it converged (recorded, as the report says)."""
    from sklearn.exceptions import ConvergenceWarning

    model = build(p)
    t0 = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        model.fit(x, y)
    seconds = time.perf_counter() - t0
    n_iter = int(np.max(model[-1].n_iter_))
    converged = not any(issubclass(w.category, ConvergenceWarning) for w in caught)
    return model, seconds, {"n_iter": n_iter, "converged": converged}


def describe(d: dict) -> str:
    text = _("L-BFGS is deterministic: one fit, no seeds to vary.")
    if d.get("converged") is False:
        text += " " + ngettext(
            "It stopped at its limit of {n} iteration without converging, so its "
            "accuracy may owe something to the optimisation, not only the model.",
            "It stopped at its limit of {n} iterations without converging, so its "
            "accuracy may owe something to the optimisation, not only the model.",
            d["n_iter"],
        ).format(n=d["n_iter"])
    return text


RECORD = Classifier(
    kind="logreg",
    task="4",
    help="raw and standardized",
    settings=LogRegSettings,
    defaults=defaults,
    specs=specs,
    short_labels={
        "logreg_raw": N_("Logistic regression, not standardized"),  # raw or / 255
        "logreg_std": N_("Logistic regression, standardized"),
    },
    cost=1.0,
    source=LOGISTIC,
    build=build,
    fit=fit,
    describe=describe,
    trusted=(name_of(as_float64), name_of(times)),
)
