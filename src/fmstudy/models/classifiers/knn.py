"""k-nearest neighbours on the pixels (Euclidean), votes weighted as chosen."""

from __future__ import annotations

from dataclasses import dataclass

from fmstudy import checks
from fmstudy.checks import optional
from fmstudy.i18n import N_
from fmstudy.i18n import gettext as _
from fmstudy.models.classifiers.sources import NEIGHBOURS
from fmstudy.models.pixels import as_float32, name_of
from fmstudy.models.record import Classifier, one_fit


@dataclass(frozen=True)
class KNNSettings:
    """k-nearest neighbours on the pixels (Euclidean), votes weighted as chosen."""

    n_neighbors: int = 5
    weights: str = "distance"  # "distance": 1 / distance; "uniform": one vote each
    max_train_rows: int | None = None
    random_state: int | None = None  # the row sample's seed

    def __post_init__(self) -> None:
        checks.integer(self.n_neighbors, "knn n_neighbors", low=1, high=1000)
        checks.choice(self.weights, "knn weights", ("distance", "uniform"))
        optional(checks.integer, self.max_train_rows, "knn max_train_rows", low=2)
        optional(checks.seed, self.random_state, "knn random_state")


def defaults(profile: str, seed: int | None) -> KNNSettings:
    """``quick`` keeps 6,000 training rows to search."""
    return KNNSettings(max_train_rows=6000 if profile == "quick" else None, random_state=seed)


def build(p: dict, n_jobs: int = 1, n_trees: int | None = None):
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer

    knn = KNeighborsClassifier(n_neighbors=p["n_neighbors"], weights=p["weights"], n_jobs=n_jobs)
    return make_pipeline(FunctionTransformer(as_float32), knn)


def details(final, rows: int) -> dict:
    return {"k": int(final.n_neighbors), "weights": final.weights}


def needs(p: dict, y, names: dict) -> str | None:
    if len(y) < p["n_neighbors"]:
        return f"k-NN needs at least k = {p['n_neighbors']}"
    return None


def describe(d: dict) -> str:
    if d.get("weights") == "uniform":
        return _(
            "k-NN learns nothing: it keeps the training rows and lets the {k} nearest "
            "(Euclidean distance on the pixels) vote, one vote each. Deterministic given its "
            "training rows: no seeds to vary."
        ).format(k=d.get("k", "?"))
    return _(
        "k-NN learns nothing: it keeps the training rows and lets the {k} nearest "
        "(Euclidean distance on the pixels) vote, each weighted by 1 / distance, so a "
        "training image is its own decisive neighbour: its training accuracy says nothing. "
        "Deterministic given its training rows: no seeds to vary."
    ).format(k=d.get("k", "?"))


RECORD = Classifier(
    kind="knn",
    task="zoo",
    help="k-nearest neighbours",
    settings=KNNSettings,
    defaults=defaults,
    specs=one_fit("knn", N_("k-nearest neighbours (k = {k})"), lambda p: {"k": p["n_neighbors"]}),
    short_labels={"knn": N_("k-NN")},
    cost=2.0,
    source=NEIGHBOURS,
    build=build,
    details=details,
    needs=needs,
    describe=describe,
    two_classes=False,
    trusted=(name_of(as_float32),),
)
