"""The profiles: named budgets a config resolves into its models' settings.

    get_profile("standard", seed=0).forest.n_estimators     # 400, grown by OOB accuracy

``notebook`` is the notebook's settings exactly (random_state=42 whatever the seed),
``standard`` gets the same accuracy far faster, ``quick`` runs every step on small
budgets for tests and CI.
"""

from __future__ import annotations

from dataclasses import dataclass

from fmstudy.errors import FmstudyError
from fmstudy.models import registry
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
    models: tuple[str, ...] = registry.DEFAULT_MODELS  # classifier kinds (models.registry)


def get_profile(name: str, seed: int) -> Profile:
    """The budgets of a profile, its classical models' settings from their records
    (:mod:`fmstudy.models.registry`); unknown names list the valid ones."""
    if name not in PROFILES:
        raise FmstudyError(f"unknown profile {name!r}: choose one of {', '.join(PROFILES)}")
    forest = registry.get("forest").defaults(name, seed)
    logreg = registry.get("logreg").defaults(name, seed)
    if name == "notebook":
        return Profile(
            name,
            forest,
            logreg,
            parallel_fits=True,
            networks=("notebook-1", "notebook-2", "notebook-3"),
            learning_curves=False,  # the notebook's runs only
        )
    if name == "standard":
        return Profile(
            name,
            forest,
            logreg,
            networks=("notebook-1", "notebook-2", "mlp-512-256", "mlp-wide-drop", "cnn-small"),
        )
    return Profile(
        name,
        forest,
        logreg,
        bootstrap=300,
        pca_random_directions=1000,
        networks=("notebook-1", "cnn-tiny"),
        network_seeds=2,
        network_epochs=4,
        search_trials=4,
        search_epochs=2,
        search_timeout=None,
    )
