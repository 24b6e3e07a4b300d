"""The classifier zoo: the classical models a study can compare (``--models``), each with
settings per profile.

    parse_models("forest,svc,knn")              # ('forest', 'svc', 'knn')
    zoo_defaults("quick", seed=0)["svc"]         # {'C': 10.0, ..., 'max_train_rows': 2000}
    zoo_specs(("svc", "hgb"), config.zoo)        # ModelSpecs, as classical_specs makes

``forest`` and ``logreg`` (the raw and the standardized logistic regression) are the
study's tasks 3 and 4, set by :mod:`fmstudy.study.profiles`.  The others are the classifiers
of the Fashion-MNIST benchmark (Xiao et al. 2017, Table 3) and one common strong
baseline: an RBF support vector classifier, k-nearest neighbours, histogram gradient
boosting and extremely randomized trees.  Their settings are plain dicts in the config
(``config.zoo``), checked here by one frozen dataclass per model.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from fmstudy import checks
from fmstudy.checks import optional
from fmstudy.errors import FmstudyError
from fmstudy.i18n import N_
from fmstudy.models.classical import ModelSpec

MODEL_CHOICES = ("forest", "logreg", "svc", "knn", "hgb", "extra-trees")
DEFAULT_MODELS = ("forest", "logreg")  # the course's tasks 3 and 4


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


SETTINGS = {
    "svc": SVCSettings,
    "knn": KNNSettings,
    "hgb": HGBSettings,
    "extra-trees": ExtraTreesSettings,
}
LABELS = {
    "svc": N_("RBF support vector classifier (C = {C})"),
    "knn": N_("k-nearest neighbours (k = {k})"),
    "hgb": N_("Histogram gradient boosting (up to {iterations} iterations)"),
    "extra-trees": N_("Extra trees ({trees} trees)"),
}
COST = {"svc": 8.0, "knn": 2.0, "hgb": 6.0, "extra-trees": 3.0}  # to start the longest first


def zoo_defaults(profile: str, seed: int | None) -> dict[str, dict]:
    """Each zoo model's settings under a profile: ``quick`` samples 2,000 rows for the
    SVC and 6,000 for the others, with small ensembles; the others use every row."""
    if profile == "quick":
        made = {
            "svc": SVCSettings(max_train_rows=2000, random_state=seed),
            "knn": KNNSettings(max_train_rows=6000, random_state=seed),
            "hgb": HGBSettings(max_iter=30, max_train_rows=6000, random_state=seed),
            "extra-trees": ExtraTreesSettings(
                n_estimators=30, max_train_rows=6000, random_state=seed
            ),
        }
    else:
        made = {name: cls(random_state=seed) for name, cls in SETTINGS.items()}
    return {name: asdict(s) for name, s in made.items()}


def checked(name: str, values: dict) -> dict:
    """One zoo model's settings, checked: unknown keys and bad values give one line."""
    try:
        return asdict(SETTINGS[name](**values))
    except TypeError as exc:
        raise FmstudyError(f"config: bad settings for model {name!r} ({exc})") from None


def parse_models(text: str | tuple | list) -> tuple[str, ...]:
    """``forest,logreg,svc`` (or ``all``) into model names in the order given, each once."""
    items = text.split(",") if isinstance(text, str) else list(text)
    names = [str(t).strip().lower() for t in items if str(t).strip()]
    if names == ["all"]:
        return MODEL_CHOICES
    bad = [n for n in names if n not in MODEL_CHOICES]
    if bad or not names:
        raise FmstudyError(
            f"--models: unknown model {bad[0] if bad else text!r}; choose from "
            f"{', '.join(MODEL_CHOICES)} (comma-separated) or all"
        )
    return tuple(dict.fromkeys(names))


def zoo_specs(models, zoo: dict) -> list[ModelSpec]:
    """The fits of the zoo models among ``models``, one each, from their settings."""
    out = []
    for name in models:
        if name not in SETTINGS:
            continue
        p = zoo[name]
        args = label_args(name, p)
        out.append(ModelSpec(name, name, LABELS[name], dict(p), COST[name], label_args=args))
    return out


def label_args(name: str, p: dict) -> dict:
    """The numbers a zoo model's name shows (its LABELS message's placeholders)."""
    if name == "svc":
        return {"C": f"{p['C']:g}"}
    if name == "knn":
        return {"k": p["n_neighbors"]}
    if name == "hgb":
        return {"iterations": p["max_iter"]}
    return {"trees": p["n_estimators"]}
