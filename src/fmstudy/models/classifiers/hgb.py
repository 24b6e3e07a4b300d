"""Histogram gradient boosting, stopped early on a share of the training rows."""

from __future__ import annotations

import math
from dataclasses import dataclass

from fmstudy import checks
from fmstudy.checks import optional
from fmstudy.i18n import N_, grouped
from fmstudy.i18n import gettext as _
from fmstudy.models.classifiers.sources import BOOSTING
from fmstudy.models.fit_needs import split_problem
from fmstudy.models.record import Classifier, one_fit


@dataclass(frozen=True)
class HGBSettings:
    """Histogram gradient boosting, stopped early on a share of the training rows."""

    max_iter: int = 200
    learning_rate: float = 0.1
    max_leaf_nodes: int = 31
    validation_fraction: float = 0.1  # training rows held out to stop on (never the test set)
    n_iter_no_change: int = 10
    max_train_rows: int | None = None
    random_state: int | None = None

    def __post_init__(self) -> None:
        checks.integer(self.max_iter, "hgb max_iter", low=1, high=100_000)
        checks.number(self.learning_rate, "hgb learning_rate", low=0, high=10, low_open=True)
        checks.integer(self.max_leaf_nodes, "hgb max_leaf_nodes", low=2, high=100_000)
        checks.number(
            self.validation_fraction, "hgb validation_fraction", low=0, high=0.5, low_open=True
        )
        checks.integer(self.n_iter_no_change, "hgb n_iter_no_change", low=1, high=1000)
        optional(checks.integer, self.max_train_rows, "hgb max_train_rows", low=2)
        optional(checks.seed, self.random_state, "hgb random_state")


def defaults(profile: str, seed: int | None) -> HGBSettings:
    """``quick``: 30 iterations on 6,000 rows."""
    if profile == "quick":
        return HGBSettings(max_iter=30, max_train_rows=6000, random_state=seed)
    return HGBSettings(random_state=seed)


def build(p: dict, n_jobs: int = 1, n_trees: int | None = None):
    from sklearn.ensemble import HistGradientBoostingClassifier

    return HistGradientBoostingClassifier(
        max_iter=p["max_iter"],
        learning_rate=p["learning_rate"],
        max_leaf_nodes=p["max_leaf_nodes"],
        early_stopping=True,
        validation_fraction=p["validation_fraction"],
        n_iter_no_change=p["n_iter_no_change"],
        random_state=p["random_state"],
    )


def details(final, rows: int) -> dict:
    """Its iterations, and the rows held out to stop on (as train_test_split rounds)."""
    held = math.ceil(rows * final.validation_fraction)
    return {"n_iter": int(final.n_iter_), "max_iter": int(final.max_iter), "stopping_rows": held}


def needs(p: dict, y, names: dict) -> str | None:
    """Early stopping's stratified share needs two rows of each class, one on each side."""
    held = math.ceil(len(y) * p["validation_fraction"])  # as train_test_split rounds
    problem = split_problem(y, held, names)
    if problem:
        share = f"{100 * p['validation_fraction']:g} %"
        return f"boosting stops early on a stratified {share} of them: {problem}"
    return None


def _stopping(d: dict) -> str:
    if d.get("n_iter", 0) >= d.get("max_iter", 1):
        return _(
            "Boosting ran all its {n} iterations: the loss on a held-out share of the "
            "training rows (never the test set) had not stopped improving, so more iterations may "
            "help. One fit with a fixed random_state."
        ).format(n=d.get("n_iter", "?"))
    return _(
        "Boosting stopped after {n} of at most {max} iterations, when the loss on a "
        "held-out share of the training rows (never the test set) had stopped improving; "
        "one fit with a fixed random_state."
    ).format(n=d.get("n_iter", "?"), max=d.get("max_iter", "?"))


def describe(d: dict) -> str:
    return (
        _stopping(d)
        + " "
        + _(
            "The trees learnt from {fit} of its rows; the other {held} (never the test set) "
            "only decided when to stop."
        ).format(
            fit=grouped(d.get("train_rows", 0) - d.get("stopping_rows", 0)),
            held=grouped(d.get("stopping_rows", 0)),
        )
    )


RECORD = Classifier(
    kind="hgb",
    task="zoo",
    help="histogram gradient boosting",
    settings=HGBSettings,
    defaults=defaults,
    specs=one_fit(
        "hgb",
        N_("Histogram gradient boosting (up to {iterations} iterations)"),
        lambda p: {"iterations": p["max_iter"]},
    ),
    short_labels={"hgb": N_("Gradient boosting")},
    cost=6.0,
    source=BOOSTING,
    build=build,
    details=details,
    needs=needs,
    describe=describe,
    trusted=("sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",),
)
