"""What a rerun needs besides the config: versions, platform, seed and data hashes.

manifest(config, dataset.sha256)     # saved in config.json beside the config
"""

from __future__ import annotations

import platform

from fmstudy import __version__
from fmstudy.study.config import StudyConfig
from fmstudy.versions import library_versions

MANIFEST_PACKAGES = (
    "numpy",
    "pandas",
    "scikit-learn",
    "scipy",
    "statsmodels",
    "matplotlib",
    "seaborn",
    "torch",
    "optuna",
    "jinja2",
    "skops",  # the format of the saved classical models
)


def manifest(config: StudyConfig, sha256: dict, device: str | None = None) -> dict:
    """Versions, seed, data hashes and the networks' device: what a rerun needs besides
    the config."""
    pkgs = library_versions(MANIFEST_PACKAGES)
    return {
        "fmstudy": __version__,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "packages": pkgs,
        "deciding_libraries": library_versions(),
        "seed": config.seed,
        "dataset": config.dataset,
        "data_sha256": sha256,
        "device": device,  # where networks trained (None: none did); CUDA may differ in bits
    }
