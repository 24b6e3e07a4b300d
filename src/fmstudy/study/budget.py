"""What a study's budget cut, as data: the report's banner words it and decides nothing.

    budget = reductions(config, metrics.models, metrics.networks, train_rows=24000)
    budget["subsampled"]        # {"forest": 6000, ...}: models fitted on fewer rows
    budget["bootstrap"]         # 300 under profile quick, else None

A reduced profile (:data:`REDUCED_PROFILES`) runs every step on small budgets, so its
numbers are not for conclusions; any profile may still fit a model on a sample of the
training rows.  ``reductions`` is None when nothing was cut.
"""

from __future__ import annotations

from fmstudy.results import CLASSICAL_TASKS, ModelResult, NetworkResult
from fmstudy.study.config import StudyConfig

REDUCED_PROFILES = ("quick",)  # profiles that cut every budget: not for conclusions


def reduced_profile(profile: str) -> bool:
    """Whether ``profile`` runs on reduced budgets (its numbers are not for conclusions)."""
    return profile in REDUCED_PROFILES


def reductions(
    config: StudyConfig,
    models: dict[str, ModelResult],
    networks: dict[str, NetworkResult],
    train_rows: int,
) -> dict | None:
    """What this study cut, or None when every model had the full budget: the classical
    models fitted on fewer than ``train_rows`` rows, and under a reduced profile the
    networks' most epochs and their seeds, the logistic regressions' iteration limit and
    the bootstrap resamples."""
    subsampled = {
        key: mo.details["train_rows"]
        for key, mo in models.items()
        if mo.task in CLASSICAL_TASKS and mo.details.get("train_rows", train_rows) < train_rows
    }
    reduced = reduced_profile(config.profile)
    if not subsampled and not reduced:
        return None
    nets = reduced and bool(networks)
    return {
        "profile": config.profile,
        "reduced_profile": reduced,
        "train_rows": train_rows,
        "subsampled": subsampled,
        "network_epochs": max(n.spec["epochs"] for n in networks.values()) if nets else None,
        "network_seeds": config.network_seeds if nets else None,
        "logreg_max_iter": config.logreg.max_iter
        if reduced and any(mo.task == "4" for mo in models.values())
        else None,
        "bootstrap": config.bootstrap if reduced else None,
    }
