"""One frozen configuration per run, with every model's settings resolved from a profile.

    cfg = study_config(classes="4-7", profile="standard", seed=0)   # what the CLI builds
    cfg = StudyConfig(classes=(4, 5, 6, 7), profile="quick")       # the same, in Python
    cfg.forest.n_estimators, cfg.networks, cfg.search               # resolved settings
    StudyConfig.from_dict(json.loads(text))                         # rerun a config.json

A profile decides how each model is configured; ``notebook`` is the notebook's
settings exactly (random_state=42 whatever the seed), ``standard`` gets the same
accuracy far faster, ``quick`` runs every step on small budgets for tests and CI.
The profile is resolved once, when the config is made: config.json holds the
resolved settings (trees, iterations, network specs, search budget), so a rerun
from it does not depend on the profile code of the fmstudy that reads it.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields

from fmstudy import checks
from fmstudy.checks import optional
from fmstudy.data.groups import COURSE, parse_groups, resolve_classes, surname_refused
from fmstudy.data.own import DataOptions, class_names_option, dataset_spec, renamed
from fmstudy.errors import FmstudyError
from fmstudy.i18n import LANGUAGES
from fmstudy.models.registry import ZOO, parse_models
from fmstudy.models.settings import ForestSettings, LogRegSettings
from fmstudy.models.zoo import checked, zoo_defaults
from fmstudy.nets.presets import get_preset, resolve_arch
from fmstudy.nets.spec import NetSpec, check_size, with_overrides
from fmstudy.search.settings import SearchSettings
from fmstudy.study.profiles import PROFILES, get_profile

CONFIG_VERSION = 2  # 2: resolved model settings; 1 held the profile's name only
ALL_TASKS = ("1", "2", "3", "4", "5", "search")
DEFAULT_TASKS = ("1", "2", "3", "4", "5")  # the search runs only when asked for
CHOSEN_BY = ("profile", "options")  # who chose task 5's networks
COMPARE = ("none", "5x2cv")  # --compare: how algorithms are compared beyond the test set


@dataclass(frozen=True)
class StudyConfig:
    """Everything that decides a study's results (not where it is written, nor how fast).

    Settings left as None are filled in from ``profile`` when the config is made."""

    classes: tuple[int, ...]
    dataset: str = "fashion-mnist"
    surname: str | None = None
    group: str | None = None  # the surname group the classes came from, e.g. "H-M"
    groups: str | None = None  # the surname rule when not the course's (--groups)
    seed: int = 0
    profile: str = "standard"
    tasks: tuple[str, ...] = DEFAULT_TASKS
    models: tuple[str, ...] | None = None  # --models: classifier kinds (fmstudy.models.registry)
    forest: ForestSettings | None = None
    logreg: LogRegSettings | None = None
    zoo: dict | None = None  # settings of the other classical models chosen: name -> dict
    bootstrap: int | None = None
    pca_random_directions: int | None = None
    parallel_fits: bool | None = None
    networks: tuple[dict, ...] | None = None  # task 5: network specs (NetSpec.to_dict())
    network_seeds: int | None = None
    networks_chosen_by: str | None = None  # "profile", or "options" (nn, search, --config)
    search: dict | None = None  # the search's budget: trials, max_epochs, timeout, ...
    learning_curves: bool | None = None  # tasks 3-4: accuracy against training rows
    learning_folds: int = 3  # their cross-validation folds
    cv: int = 0  # K of repeated stratified K-fold for the classical models; 0: none
    cv_repeats: int = 2
    compare: str = "none"  # "5x2cv": Alpaydin's combined F-test between classical models
    lang: str = "en"  # the report's language (its words only: metrics.json is the same)
    test_share: float = 0.2  # data without an official split: each class's share to test
    image_size: tuple[int, int] | None = None  # (height, width) every image is resized to
    class_names: tuple[str, ...] | None = None  # own data: --class-names, one per class
    version: int = field(default=CONFIG_VERSION)

    def __post_init__(self) -> None:
        checks.text(self.dataset, "dataset", max_len=4096)  # a registry name or a path
        checks.choice(self.profile, "profile", PROFILES)
        if not isinstance(self.tasks, tuple) or not self.tasks:
            raise FmstudyError(f"tasks must be a list such as ['1', '2'], got {self.tasks!r}")
        for t in self.tasks:
            checks.choice(t, "task", ALL_TASKS)
        checks.number(self.test_share, "--test-share", low=0, high=0.9, low_open=True)
        if self.image_size is not None:
            object.__setattr__(self, "image_size", checks.image_size(self.image_size))
        spec = dataset_spec(self.dataset)  # own data: walks its folder or reads its labels
        if self.class_names is not None:  # checked as --class-names is
            names = class_names_option(",".join(map(str, self.class_names)))
            object.__setattr__(self, "class_names", renamed(spec, names))
        n_classes = len(spec.classes)
        for c in self.classes:
            checks.integer(c, f"class of {self.dataset}", low=0, high=n_classes - 1)
        if len(set(self.classes)) < 2:
            raise FmstudyError("a study needs at least two classes")
        optional(checks.text, self.surname, "surname")
        optional(checks.text, self.group, "group")
        if self.groups is not None:
            checks.text(self.groups, "--groups", max_len=1000)
            parse_groups(self.groups, spec.classes)
        optional(checks.integer, self.network_seeds, "network seeds", low=1, high=100)
        checks.seed(self.seed, count=self.network_seeds or 1)
        optional(checks.integer, self.bootstrap, "bootstrap", low=10, high=1_000_000)
        optional(
            checks.integer, self.pca_random_directions, "pca_random_directions", low=1, high=100_000
        )
        optional(checks.flag, self.parallel_fits, "parallel_fits")
        optional(checks.choice, self.networks_chosen_by, "networks_chosen_by", valid=CHOSEN_BY)
        optional(checks.flag, self.learning_curves, "learning_curves")
        checks.integer(self.learning_folds, "learning_folds", low=2, high=20)
        checks.integer(self.cv, "--cv", low=0, high=20)
        if self.cv == 1:
            raise FmstudyError("--cv must be 0 (none) or from 2 to 20 folds, got 1")
        checks.integer(self.cv_repeats, "--cv-repeats", low=1, high=20)
        checks.choice(self.compare, "--compare", COMPARE)
        checks.choice(self.lang, "--lang", LANGUAGES)
        if self.models is not None:
            object.__setattr__(self, "models", parse_models(self.models))
        if self.zoo is not None and (
            not isinstance(self.zoo, dict)
            or not set(self.zoo) <= set(ZOO)
            or not all(isinstance(v, dict) for v in self.zoo.values())
        ):
            raise FmstudyError(
                f"config: zoo must map model names ({', '.join(ZOO)}) to their settings"
            )
        for name, value in _resolved(self).items():
            object.__setattr__(self, name, value)
        # Specs in one form (validated, layers as a tuple) however they came in: JSON or code.
        specs = tuple(NetSpec.from_dict(dict(d)) for d in self.networks)
        data = dataset_spec(self.dataset)
        known = data.source in ("idx", "sklearn")
        shape = self.image_size or (data.image_shape if known else None)
        if shape and "5" in self.tasks:  # own images' size is known once they are read
            for spec in specs:
                check_size(spec, len(self.classes), tuple(shape))
        object.__setattr__(self, "networks", tuple(spec.to_dict() for spec in specs))
        self.search_settings()  # a bad budget is refused when the config is made

    def search_settings(self) -> SearchSettings:
        """The architecture search this config runs."""
        try:
            return SearchSettings(
                classes=tuple(self.classes), dataset=self.dataset, seed=self.seed, **self.search
            )
        except TypeError as exc:
            raise FmstudyError(f"config: bad search settings ({exc})") from None

    def data_options(self) -> DataOptions:
        """How its data set is split (without an official split) and resized."""
        return DataOptions(self.test_share, self.image_size, self.seed)

    def network_specs(self) -> list[NetSpec]:
        """Task 5's networks as specs."""
        return [NetSpec.from_dict(d) for d in self.networks]

    def to_dict(self) -> dict:
        return asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)

    @classmethod
    def from_dict(cls, data: dict) -> StudyConfig:
        """A config from config.json; version 1 (profile name only) is resolved anew."""
        version = data.get("version", 1)
        if version not in (1, CONFIG_VERSION):
            raise FmstudyError(
                f"config version {version!r} is not one this fmstudy reads (1 or "
                f"{CONFIG_VERSION}); make the config with this fmstudy's 'fmstudy run'"
            )
        extra = set(data) - {f.name for f in fields(cls)}
        if extra:
            raise FmstudyError(f"config has unknown keys {sorted(extra)}: is it an fmstudy config?")
        if not isinstance(data.get("classes"), list) or not isinstance(data.get("tasks", []), list):
            raise FmstudyError("config is not valid: classes and tasks must be lists")
        try:
            kwargs = dict(data)
            kwargs["classes"] = tuple(data["classes"])
            if "tasks" in data:
                kwargs["tasks"] = tuple(data["tasks"])
            if data.get("networks") is not None:
                kwargs["networks"] = tuple(dict(n) for n in data["networks"])
                kwargs.setdefault("networks_chosen_by", "options")
            if data.get("forest") is not None:
                forest = dict(data["forest"])
                forest["oob_steps"] = tuple(forest.get("oob_steps", ()))
                kwargs["forest"] = ForestSettings(**forest)
            if data.get("logreg") is not None:
                kwargs["logreg"] = LogRegSettings(**data["logreg"])
            if data.get("models") is not None:
                kwargs["models"] = tuple(data["models"])
            if data.get("class_names") is not None:
                kwargs["class_names"] = tuple(data["class_names"])
            kwargs["version"] = CONFIG_VERSION
            return cls(**kwargs)
        except (KeyError, TypeError, ValueError) as exc:
            raise FmstudyError(f"config is not valid: {exc}") from None


def _resolved(cfg: StudyConfig) -> dict:
    """The settings ``cfg`` leaves open, from its profile (networks only when task 5 runs)."""
    prof = get_profile(cfg.profile, cfg.seed)
    out: dict = {}
    inherited = "forest logreg bootstrap pca_random_directions parallel_fits learning_curves"
    for name in inherited.split():
        if getattr(cfg, name) is None:
            out[name] = getattr(prof, name)
    if cfg.network_seeds is None:
        out["network_seeds"] = prof.network_seeds
    models = cfg.models or prof.models
    out["models"] = models
    defaults, given = zoo_defaults(cfg.profile, cfg.seed), cfg.zoo or {}
    out["zoo"] = {
        name: checked(name, {**defaults[name], **given.get(name, {})})
        for name in models
        if name in ZOO
    }
    if cfg.networks is None:
        specs = [get_preset(name) for name in prof.networks]
        if prof.network_epochs:
            specs = [with_overrides(s, epochs=min(s.epochs, prof.network_epochs)) for s in specs]
        out["networks"] = tuple(s.to_dict() for s in specs)
    if cfg.networks_chosen_by is None:
        out["networks_chosen_by"] = "profile" if cfg.networks is None else "options"
    budget = {
        "trials": prof.search_trials,
        "max_epochs": prof.search_epochs,
        "timeout": prof.search_timeout,
    }
    out["search"] = {**budget, **(cfg.search or {})}
    return out


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


def study_config(
    *,
    dataset: str = "fashion-mnist",
    surname: str | None = None,
    classes: str | tuple[int, ...] | None = None,
    tasks: str | tuple[str, ...] = DEFAULT_TASKS,
    groups: str | None = None,
    class_names: str | tuple[str, ...] | None = None,
    **settings,
) -> StudyConfig:
    """The config of a run from command-line values: the data set's registry name, the
    classes from ``classes`` (``'4-7'``, ``'coat,shirt'``, a tuple) or ``surname`` under
    the surname rule ``groups`` (default the course's), the tasks from ``'1-5,search'``;
    ``class_names`` (``'cat,dog'``, a tuple) name one's own data's classes; ``settings``
    are :class:`StudyConfig` fields."""
    if isinstance(class_names, str):
        class_names = class_names_option(class_names)
    spec = dataset_spec(dataset, class_names)
    if surname is not None and not classes and spec.source != "idx":
        raise FmstudyError(surname_refused(spec))
    rule = parse_groups(groups, spec.classes) if groups is not None else COURSE
    chosen = (
        tuple(classes)
        if isinstance(classes, tuple)
        else resolve_classes(
            spec.classes, surname=surname, classes=classes, rule=rule, every=spec.source != "idx"
        )
    )
    by_surname = surname is not None and not classes
    settings.setdefault("group", rule.for_surname(surname).name if by_surname else None)
    return StudyConfig(
        classes=chosen,
        dataset=dataset if spec.source in ("idx", "sklearn") else spec.name,
        surname=surname if by_surname else None,
        groups=rule.text if groups is not None else None,
        class_names=class_names,
        tasks=parse_tasks(tasks) if isinstance(tasks, str) else tasks,
        **settings,
    )


def network_config(arch: str, overrides: dict, *, seeds: int, **options) -> StudyConfig:
    """``fmstudy nn``: one spec (preset, JSON file or layer string, with ``overrides`` of
    its fields where not None) trained with ``seeds`` seeds, tasks 1 and 5."""
    if not arch:
        raise FmstudyError(
            "say which network: --arch PRESET|SPEC.json|LAYERS (see 'fmstudy nn --list')"
        )
    if seeds < 1:
        raise FmstudyError(f"--seeds must be at least 1, got {seeds}")
    spec = with_overrides(resolve_arch(arch), **overrides)
    return study_config(
        tasks=("1", "5"),
        profile="standard",
        networks=(spec.to_dict(),),
        network_seeds=seeds,
        **options,
    )


def search_config(budget: dict, **options) -> StudyConfig:
    """``fmstudy search``: tasks 1 and search with ``budget`` (trials, timeout, ...)."""
    return study_config(
        tasks=("1", "search"),
        profile="standard",
        search=budget,
        networks_chosen_by="options",  # the options set the budget: no profile is named
        **options,
    )
