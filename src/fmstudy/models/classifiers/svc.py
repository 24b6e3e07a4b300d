"""An RBF support vector classifier, its probabilities Platt-calibrated (sigmoid)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from fmstudy import checks
from fmstudy.checks import optional
from fmstudy.i18n import N_, grouped
from fmstudy.i18n import gettext as _
from fmstudy.models.classifiers.sources import PLATT
from fmstudy.models.fit_needs import fewest
from fmstudy.models.pixels import name_of, times
from fmstudy.models.record import Classifier, one_fit


@dataclass(frozen=True)
class SVCSettings:
    """An RBF support vector classifier; its probabilities are Platt-calibrated (sigmoid)
    on ``calibration_folds``-fold cross-validation of the training rows."""

    C: float = 10.0
    gamma: str | float = "scale"  # "scale": 1 / (pixels x pixel variance)
    calibration_folds: int = 3
    max_train_rows: int | None = None
    random_state: int | None = None  # the row sample's seed (the fit is deterministic)

    def __post_init__(self) -> None:
        checks.number(self.C, "svc C", low=0, high=1e6, low_open=True)
        if self.gamma != "scale":
            checks.number(self.gamma, "svc gamma", low=0, high=1e6, low_open=True)
        checks.integer(self.calibration_folds, "svc calibration_folds", low=2, high=20)
        optional(checks.integer, self.max_train_rows, "svc max_train_rows", low=2)
        optional(checks.seed, self.random_state, "svc random_state")


def defaults(profile: str, seed: int | None) -> SVCSettings:
    """``quick`` samples 2,000 training rows (its kernel rows grow with the square)."""
    rows = 2000 if profile == "quick" else None
    return SVCSettings(max_train_rows=rows, random_state=seed)


def build(p: dict, n_jobs: int = 1, n_trees: int | None = None):
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer
    from sklearn.svm import SVC

    svc = SVC(C=p["C"], gamma=p["gamma"], kernel="rbf")
    model = CalibratedClassifierCV(svc, method="sigmoid", cv=p["calibration_folds"], ensemble=False)
    return make_pipeline(FunctionTransformer(times, kw_args={"scale": 1 / 255}), model)


def details(final, rows: int) -> dict:
    svc = final.calibrated_classifiers_[0].estimator
    return {"n_support": int(np.sum(svc.n_support_))}


def needs(p: dict, y, names: dict) -> str | None:
    name, count = fewest(y, names)
    folds = p["calibration_folds"]
    if count < folds:
        return (
            f"class {name!r} has {count} of them, and the SVC calibrates its probabilities on "
            f"{folds} stratified folds, which needs {folds} per class"
        )
    return None


def describe(d: dict) -> str:
    return _(
        "Three cross-validation fits make the decision values its probabilities are "
        "calibrated on, then one fit on all its rows keeps {support} support vectors (the "
        "fit seconds count all four). Deterministic given its training rows: no seeds to "
        "vary."
    ).format(support=grouped(d.get("n_support", 0)))


RECORD = Classifier(
    kind="svc",
    task="zoo",
    help="RBF kernel, Platt-calibrated probabilities",
    settings=SVCSettings,
    defaults=defaults,
    specs=one_fit(
        "svc", N_("RBF support vector classifier (C = {C})"), lambda p: {"C": f"{p['C']:g}"}
    ),
    short_labels={"svc": N_("SVC")},
    cost=8.0,
    source=PLATT,
    build=build,
    details=details,
    needs=needs,
    describe=describe,
    trusted=(
        "sklearn.calibration._CalibratedClassifier",
        "sklearn.calibration._SigmoidCalibration",
        name_of(times),
    ),
)
