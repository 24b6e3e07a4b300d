"""The settings of the course's two classical models (the zoo's are in :mod:`zoo`):
what a profile resolves to and a config may override, checked when made."""

from __future__ import annotations

from dataclasses import dataclass

from fmstudy import checks
from fmstudy.checks import optional


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
