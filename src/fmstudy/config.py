"""One frozen configuration per run, and the profiles that fill it in.

    cfg = StudyConfig(classes=(4, 5, 6, 7), profile="standard", seed=0)
    cfg.to_json()                       # written as config.json beside every report
    StudyConfig.from_json(text)         # rerun exactly what a report says

A profile decides how each model is configured; ``notebook`` is the notebook's
settings exactly (random_state=42 whatever the seed), ``standard`` gets the same
accuracy far faster, ``quick`` runs every step on small budgets for tests and CI.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields

from fmstudy.errors import FmstudyError

PROFILES = ("quick", "standard", "notebook")
ALL_TASKS = ("1", "2", "3", "4", "5", "search")
DEFAULT_TASKS = ("1", "2", "3", "4", "5")  # the search runs only when asked for


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


@dataclass(frozen=True)
class LogRegSettings:
    """Logistic regression on raw or standardized pixels."""

    max_iter: int
    random_state: int | None = None
    raw_scale: float = 1.0
    tol: float = 1e-4
    max_train_rows: int | None = None


@dataclass(frozen=True)
class Profile:
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


def get_profile(name: str, seed: int) -> Profile:
    """The model settings of a profile; unknown names list the valid ones."""
    if name == "notebook":
        return Profile(
            name,
            ForestSettings(n_estimators=1000, random_state=42),
            LogRegSettings(max_iter=5000, random_state=42),
            parallel_fits=True,
            networks=("notebook-1", "notebook-2", "notebook-3"),
        )
    if name == "standard":
        return Profile(
            name,
            ForestSettings(
                n_estimators=400,
                random_state=seed,
                oob_steps=(50, 100, 200, 400),
                oob_tolerance=0.006,
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


@dataclass(frozen=True)
class StudyConfig:
    """Everything that decides a study's results (not where it is written, nor how fast)."""

    classes: tuple[int, ...]
    dataset: str = "fashion-mnist"
    surname: str | None = None
    seed: int = 0
    profile: str = "standard"
    tasks: tuple[str, ...] = DEFAULT_TASKS
    networks: tuple[dict, ...] | None = None  # task 5 specs instead of the profile's presets
    network_seeds: int | None = None  # instead of the profile's seed count
    search: dict | None = None  # SearchSettings fields instead of the profile's (trials, ...)
    version: int = field(default=1)

    def __post_init__(self) -> None:
        if self.profile not in PROFILES:
            raise FmstudyError(
                f"unknown profile {self.profile!r}: choose one of {', '.join(PROFILES)}"
            )
        bad = [t for t in self.tasks if t not in ALL_TASKS]
        if bad:
            raise FmstudyError(
                f"unknown task {bad[0]!r} in --tasks: choose from {', '.join(ALL_TASKS)}"
            )
        if len(set(self.classes)) < 2:
            raise FmstudyError("a study needs at least two classes")
        if self.network_seeds is not None and self.network_seeds < 1:
            raise FmstudyError("the number of network seeds must be at least 1")

    @property
    def settings(self) -> Profile:
        return get_profile(self.profile, self.seed)

    def search_settings(self):
        """The architecture search this config runs: the profile's budget, then overrides."""
        from fmstudy.search import SearchSettings

        prof = self.settings
        base = {
            "trials": prof.search_trials,
            "max_epochs": prof.search_epochs,
            "timeout": prof.search_timeout,
        }
        try:
            return SearchSettings(
                classes=tuple(self.classes),
                dataset=self.dataset,
                seed=self.seed,
                **{**base, **(self.search or {})},
            )
        except TypeError as exc:
            raise FmstudyError(f"config: bad search settings ({exc})") from None

    def to_dict(self) -> dict:
        return asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)

    @classmethod
    def from_dict(cls, data: dict) -> StudyConfig:
        known = {f.name for f in fields(cls)}
        extra = set(data) - known
        if extra:
            raise FmstudyError(f"config has unknown keys {sorted(extra)}: is it an fmstudy config?")
        try:
            kwargs = dict(data)
            kwargs["classes"] = tuple(int(c) for c in data["classes"])
            if "tasks" in data:
                kwargs["tasks"] = tuple(str(t) for t in data["tasks"])
            if data.get("networks") is not None:
                kwargs["networks"] = tuple(dict(n) for n in data["networks"])
            return cls(**kwargs)
        except (KeyError, TypeError, ValueError) as exc:
            raise FmstudyError(f"config is not valid: {exc}") from None


def parse_tasks(spec: str) -> tuple[str, ...]:
    """``1-5``, ``1,2,4``, ``2-4`` or ``1-5,search`` into a sorted tuple of task names."""
    chosen: set[str] = set()
    for token in (t.strip() for t in spec.split(",")):
        if "-" in token:
            lo, _, hi = token.partition("-")
            if not (lo.isdigit() and hi.isdigit()) or int(lo) > int(hi):
                raise FmstudyError(f"--tasks: bad range {token!r}; write e.g. 1-4")
            chosen.update(str(i) for i in range(int(lo), int(hi) + 1))
        elif token:
            chosen.add(token)
    bad = sorted(chosen - set(ALL_TASKS))
    if bad or not chosen:
        raise FmstudyError(
            f"--tasks: unknown task {bad[0] if bad else spec!r}; choose from 1-5 and search, "
            "e.g. 1-5, 1,2,3 or 1-5,search"
        )
    return tuple(sorted(chosen, key=ALL_TASKS.index))
