"""Extremely randomized trees: random split thresholds, every row to every tree."""

from __future__ import annotations

from dataclasses import dataclass

from fmstudy import checks
from fmstudy.checks import optional
from fmstudy.i18n import N_
from fmstudy.i18n import gettext as _
from fmstudy.models.classifiers.forest import TREE
from fmstudy.models.classifiers.sources import VOTES
from fmstudy.models.record import Classifier, one_fit


@dataclass(frozen=True)
class ExtraTreesSettings:
    """Extremely randomized trees: random split thresholds, every row to every tree."""

    n_estimators: int = 300
    max_train_rows: int | None = None
    random_state: int | None = None

    def __post_init__(self) -> None:
        checks.integer(self.n_estimators, "extra-trees n_estimators", low=1, high=100_000)
        optional(checks.integer, self.max_train_rows, "extra-trees max_train_rows", low=2)
        optional(checks.seed, self.random_state, "extra-trees random_state")


def defaults(profile: str, seed: int | None) -> ExtraTreesSettings:
    """``quick``: 30 trees on 6,000 rows."""
    if profile == "quick":
        return ExtraTreesSettings(n_estimators=30, max_train_rows=6000, random_state=seed)
    return ExtraTreesSettings(random_state=seed)


def build(p: dict, n_jobs: int = 1, n_trees: int | None = None):
    from sklearn.ensemble import ExtraTreesClassifier

    return ExtraTreesClassifier(
        n_estimators=p["n_estimators"], random_state=p["random_state"], n_jobs=n_jobs
    )


def details(final, rows: int) -> dict:
    return {"n_trees": len(final.estimators_)}


def describe(d: dict) -> str:
    return _(
        "One ensemble of {trees} extremely randomized trees (random split thresholds, every "
        "training row in every tree) with a fixed random_state. Its fully grown trees fit "
        "every training row, so its training accuracy is about 1 by construction and says "
        "nothing about new images; with no bootstrap there is no out-of-bag estimate either."
    ).format(trees=d.get("n_trees", "?"))


RECORD = Classifier(
    kind="extra-trees",
    task="zoo",
    help="extremely randomized trees",
    settings=ExtraTreesSettings,
    defaults=defaults,
    specs=one_fit(
        "extra-trees", N_("Extra trees ({trees} trees)"), lambda p: {"trees": p["n_estimators"]}
    ),
    short_labels={"extra-trees": N_("Extra trees")},
    cost=3.0,
    source=VOTES,
    build=build,
    details=details,
    describe=describe,
    two_classes=False,
    trusted=(TREE,),
)
