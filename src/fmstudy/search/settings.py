"""What an architecture search explores and for how long: its settings, checked when made.

SearchSettings(classes=(4, 5, 6, 7), trials=40, timeout=600, pruner="median")
"""

from __future__ import annotations

from dataclasses import dataclass

from fmstudy import checks
from fmstudy.checks import optional
from fmstudy.nets.spec import MAX_EPOCHS

PRUNERS = ("median", "hyperband", "none")


@dataclass(frozen=True)
class SearchSettings:
    """What an architecture search explores and for how long; saved in the study."""

    classes: tuple[int, ...]
    dataset: str = "fashion-mnist"
    seed: int = 0
    trials: int = 40
    timeout: float | None = None  # seconds this worker starts trials for
    max_epochs: int = 12  # per trial; the pruner stops poor trials earlier
    conv: bool = True  # the space may put up to two conv blocks before the dense layers
    pruner: str = "median"
    study_name: str | None = None

    def __post_init__(self) -> None:
        checks.integer(self.trials, "--trials", low=1, high=100_000)
        optional(checks.number, self.timeout, "--timeout", low=0, high=1e7, low_open=True)
        checks.integer(self.max_epochs, "--max-epochs", low=1, high=MAX_EPOCHS)
        checks.flag(self.conv, "search conv")
        checks.choice(self.pruner, "pruner", PRUNERS)
        optional(checks.text, self.study_name, "--study-name")

    @property
    def name(self) -> str:
        return self.study_name or f"{self.dataset}-{'-'.join(map(str, self.classes))}"
