"""The profiles: named budgets a config resolves into its models' settings.

    get_profile("standard", seed=0).forest.n_estimators     # 400, grown by OOB accuracy

``notebook`` is the notebook's settings exactly (random_state=42 whatever the seed),
``standard`` gets the same accuracy far faster, ``quick`` runs every step on small
budgets for tests and CI.
"""

from __future__ import annotations

from dataclasses import dataclass

from fmstudy import checks
from fmstudy.errors import FmstudyError

PROFILES = ("quick", "standard", "notebook")


@dataclass(frozen=True)
class ForestSettings:
    """Random forest: fixed trees, or grown in steps until the OOB curve flattens.

    With ``oob_steps`` the forest doubles until one doubling adds less than
    ``oob_tolerance`` out-of-bag accuracy.  OOB error falls roughly as c/trees, so
    all further doublings together would add about as much again as the last one.
    """

    n_estimators: int
    random_state: int | None = None
    oob_steps: tuple[int, ...] = ()
    oob_tolerance: float = 0.001
    max_train_rows: int | None = None
    seeds: int = 1  # forests grown with random_state, +1, ...; the median by OOB is shown

    def __post_init__(self) -> None:
        checks.integer(self.n_estimators, "forest n_estimators", low=1, high=100_000)
        checks.integer(self.seeds, "forest seeds", low=1, high=100)
        optional(checks.seed, self.random_state, "forest random_state")
        for n in self.oob_steps:
            checks.integer(n, "forest oob_steps", low=1, high=100_000)
        checks.number(self.oob_tolerance, "forest oob_tolerance", low=0, high=1)
        optional(checks.integer, self.max_train_rows, "forest max_train_rows", low=2)


@dataclass(frozen=True)
class LogRegSettings:
    """Logistic regression on raw or standardized pixels."""

    max_iter: int
    random_state: int | None = None
    raw_scale: float = 1.0
    tol: float = 1e-4
    max_train_rows: int | None = None

    def __post_init__(self) -> None:
        checks.integer(self.max_iter, "logreg max_iter", low=1, high=1_000_000)
        optional(checks.seed, self.random_state, "logreg random_state")
        checks.number(self.raw_scale, "logreg raw_scale", low=0, high=1, low_open=True)
        checks.number(self.tol, "logreg tol", low=0, high=1, low_open=True)
        optional(checks.integer, self.max_train_rows, "logreg max_train_rows", low=2)


def optional(check, value, what: str, **limits) -> None:
    if value is not None:
        check(value, what, **limits)


@dataclass(frozen=True)
class Profile:
    """A named set of budgets; :class:`StudyConfig` resolves it into its own fields."""

    name: str
    forest: ForestSettings
    logreg: LogRegSettings
    bootstrap: int = 2000
    pca_random_directions: int = 1000
    parallel_fits: bool = False  # independent single-threaded fits side by side
    networks: tuple[str, ...] = ()  # task 5: presets to train
    network_seeds: int = 3
    network_epochs: int | None = None  # caps every preset's epochs (quick profile)
    search_trials: int = 40  # the architecture search (task "search")
    search_epochs: int = 12
    search_timeout: float | None = 600.0  # whichever comes first, trials or seconds
    learning_curves: bool = True  # tasks 3-4: cross-validated on the training rows
    models: tuple[str, ...] = ("forest", "logreg")  # the classical models (fmstudy.zoo)


def get_profile(name: str, seed: int) -> Profile:
    """The model settings of a profile; unknown names list the valid ones."""
    if name == "notebook":
        return Profile(
            name,
            ForestSettings(n_estimators=1000, random_state=42),
            LogRegSettings(max_iter=5000, random_state=42),
            parallel_fits=True,
            networks=("notebook-1", "notebook-2", "notebook-3"),
            learning_curves=False,  # the notebook's runs only
        )
    if name == "standard":
        return Profile(
            name,
            ForestSettings(
                n_estimators=400,
                random_state=seed,
                oob_steps=(50, 100, 200, 400),
                oob_tolerance=0.006,
                seeds=3,
            ),
            LogRegSettings(max_iter=300, random_state=seed, raw_scale=1 / 255, tol=1e-3),
            networks=("notebook-1", "notebook-2", "mlp-512-256", "mlp-wide-drop", "cnn-small"),
        )
    if name == "quick":
        return Profile(
            name,
            ForestSettings(n_estimators=30, random_state=seed, max_train_rows=6000),
            LogRegSettings(
                max_iter=100, random_state=seed, raw_scale=1 / 255, tol=1e-3, max_train_rows=6000
            ),
            bootstrap=300,
            pca_random_directions=1000,
            networks=("notebook-1", "cnn-tiny"),
            network_seeds=2,
            network_epochs=4,
            search_trials=4,
            search_epochs=2,
            search_timeout=None,
        )
    raise FmstudyError(f"unknown profile {name!r}: choose one of {', '.join(PROFILES)}")
