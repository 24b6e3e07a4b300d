"""The profiles: named budgets a config resolves into its models' settings.

    get_profile("standard", seed=0).forest.n_estimators     # 400, grown by OOB accuracy

``notebook`` is the notebook's settings exactly (random_state=42 whatever the seed),
``standard`` gets the same accuracy far faster, ``quick`` runs every step on small
budgets for tests and CI.
"""

from __future__ import annotations

from dataclasses import dataclass

from fmstudy.errors import FmstudyError
from fmstudy.models.settings import ForestSettings, LogRegSettings

PROFILES = ("quick", "standard", "notebook")


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
    models: tuple[str, ...] = ("forest", "logreg")  # the classical models (fmstudy.models.zoo)


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
