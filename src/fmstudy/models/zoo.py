"""The classifier zoo: the classical models beyond tasks 3 and 4 (``--models``), whose
settings are plain dicts in the config (``config.zoo``), one per kind.

    zoo_defaults("quick", seed=0)["svc"]         # {'C': 10.0, ..., 'max_train_rows': 2000}
    checked("svc", {"C": 3})                     # the settings, checked: one line if bad
    zoo_specs(("svc", "hgb"), config.zoo)        # ModelSpecs, as classical_specs makes

``forest`` and ``logreg`` are the study's tasks 3 and 4 (typed settings of their own).
The others are the classifiers of the Fashion-MNIST benchmark (Xiao et al. 2017, Table 3)
and one common strong baseline: an RBF support vector classifier, k-nearest neighbours,
histogram gradient boosting and extremely randomized trees; each is a record of
:mod:`fmstudy.models.registry`, whose frozen settings dataclass checks its dict.
"""

from __future__ import annotations

from dataclasses import asdict

from fmstudy.errors import FmstudyError
from fmstudy.models import registry
from fmstudy.models.classical import ModelSpec, specs_of


def zoo_defaults(profile: str, seed: int | None) -> dict[str, dict]:
    """Each zoo kind's settings under a profile (``quick`` samples rows and keeps
    ensembles small; the others use every row)."""
    return {kind: asdict(registry.get(kind).defaults(profile, seed)) for kind in registry.ZOO}


def checked(name: str, values: dict) -> dict:
    """One zoo kind's settings, checked: unknown keys and bad values give one line."""
    try:
        return asdict(registry.get(name).settings(**values))
    except TypeError as exc:
        raise FmstudyError(f"config: bad settings for model {name!r} ({exc})") from None


def zoo_specs(models, zoo: dict) -> list[ModelSpec]:
    """The fits of the zoo kinds among ``models``, one each, from their settings."""
    return [s for name in models if name in registry.ZOO for s in specs_of(name, zoo[name])]
