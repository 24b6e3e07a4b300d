"""``fmstudy run --all-groups``: the study for every surname group, and an overview that
serves as a grading key.

    outcome = run_all_groups({}, Path("course"))   # the standard profile: course/A-G/, H-M/, N-Ö/
    outcome.groups[0].best, outcome.groups[0].key["task2"]["pc1"]

Each group's report is an ordinary report folder (``DIR/<group>/``).  The overview
(``DIR/index.html``, ``index.md`` and ``overview.json``) only reads each group's
metrics: per task the expected answer (:mod:`fmstudy.course.grading`), per model the
test accuracy (mean ± sd over the seeds where there are several), the most accurate
model with the models indistinguishable from it by the report's own verdict rule, and
the pair of classes its mistakes fall on most.  Its profile is the settings' (the
standard profile that ``fmstudy run`` defaults to, unless one is given).  The whole
folder is built under a temporary name and renamed into place at the end.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from fmstudy import __version__, checks
from fmstudy.atomic import building_dir
from fmstudy.course.grading import expected_answers, network_seeds
from fmstudy.data.groups import COURSE, parse_groups
from fmstudy.data.registry import REGISTRY, get_dataset_spec
from fmstudy.errors import FmstudyError
from fmstudy.i18n import language
from fmstudy.models.saved import SAVE_CHOICES
from fmstudy.progress import say
from fmstudy.report.write import check_out_dir, overview_pages, write_marker, write_report
from fmstudy.results import StudyMetrics
from fmstudy.study.config import study_config
from fmstudy.study.run import run_study


@dataclass(frozen=True)
class GroupModel:
    """One model of one group: the report's run, and its spread over the seeds."""

    label: str
    label_id: str
    label_args: dict
    accuracy: float  # the report's run (the representative seed)
    mean: float  # over the seeds (the one run when there are none)
    sd: float | None  # sample sd over the seeds; None with one run
    seeds: int


@dataclass(frozen=True)
class GroupSummary:
    """One surname group's study, as the overview shows it."""

    group: str  # e.g. "H-M", also its folder
    classes: list
    class_names: list
    models: dict[str, GroupModel]
    best: str | None  # the most accurate model's key (the report's ranking)
    indistinguishable: list  # keys of the models the report calls indistinguishable from it
    # (never one that did not learn: ModelResult.learned)
    different: list  # keys of those it calls different at 0.05
    hardest_pair: dict | None  # the best model's most confused pair (compare.confused_pairs)
    key: dict = field(default_factory=dict)  # each task's expected answer: grading.py


@dataclass(frozen=True)
class AllGroups:
    """The overview's records: the rule, the shared settings and each group."""

    rule: str
    dataset: str
    profile: str
    seed: int
    lang: str
    groups: list[GroupSummary]
    network_seeds: list = field(default_factory=list)  # the seeds task 5's networks ran with

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> AllGroups:
        """The records again from overview.json."""
        groups = [
            GroupSummary(**{**g, "models": {k: GroupModel(**m) for k, m in g["models"].items()}})
            for g in data["groups"]
        ]
        return cls(**{**data, "groups": groups})


def group_summary(group: str, m: StudyMetrics) -> GroupSummary:
    """A group's overview row from its report's metrics (nothing is recomputed but the
    mean and sd of the per-seed accuracies the metrics hold)."""
    models = {}
    nets = {n.key: n for n in m.networks.values()}
    for key, ev in m.models.items():
        per_seed = (
            nets[key].test_acc if key in nets else ev.details.get("test_acc_per_seed", [])
        ) or [ev.accuracy]
        sd = float(np.std(per_seed, ddof=1)) if len(per_seed) > 1 else None
        models[key] = GroupModel(
            ev.label,
            ev.label_id,
            dict(ev.label_args),
            ev.accuracy,
            float(np.mean(per_seed)),
            sd,
            len(per_seed),
        )
    order = m.ranked()
    best = order[0] if order else None
    against = {frozenset((p.a, p.b)): p for p in m.pairs or []}
    pairs = [against.get(frozenset((best, k))) for k in order[1:]]
    t1 = m.task1
    return GroupSummary(
        group=group,
        classes=list(t1["classes"]),
        class_names=list(t1["class_names"]),
        models=models,
        best=best,
        indistinguishable=[
            k
            for k, p in zip(order[1:], pairs, strict=True)
            if p and not p.significant and m.models[k].learned is not False
        ],
        different=[k for k, p in zip(order[1:], pairs, strict=True) if p and p.significant],
        hardest_pair=(m.models[best].confused_pairs or [None])[0] if best else None,
        key=expected_answers(m),
    )


def run_all_groups(
    settings: dict,
    out: Path,
    *,
    groups: str | None = None,
    force: bool = False,
    data_dir=None,
    jobs: int | None = None,
    fresh: bool = False,
    search_storage: str | None = None,
    device: str = "auto",
    save_models: str = "small",
) -> AllGroups:
    """Run the study of ``settings`` (study_config's keywords, without classes) for each
    group of the surname rule ``groups`` (default the course's) into ``out/<group>/`` and
    write the overview; returns its records."""
    name = settings.get("dataset", "fashion-mnist")
    if name.strip().lower() not in REGISTRY and Path(name).exists():
        raise FmstudyError(
            f"--all-groups runs the surname groups of a named data set ({', '.join(REGISTRY)}); "
            f"{Path(name).name} is your own data, with no groups: run without --all-groups"
        )
    dataset = get_dataset_spec(name)
    rule = parse_groups(groups, dataset.classes) if groups is not None else COURSE
    configs = [
        study_config(classes=g.classes, group=g.name, groups=groups and rule.text, **settings)
        for g in rule.groups
    ]  # every config is checked before anything runs
    checks.device(device)
    checks.choice(save_models, "--save-models", SAVE_CHOICES)
    target = check_out_dir(out, force=force, data_dir=data_dir)
    if "search" in configs[0].tasks and search_storage is None:
        search_storage = f"sqlite:///{out.resolve()}.search.db"  # one study per group
    summaries = []
    with building_dir(target) as tmp:
        for g, cfg in zip(rule.groups, configs, strict=True):
            say(f"Group {g.name}: classes {', '.join(map(str, g.classes))}")
            result = run_study(
                cfg,
                data_dir=data_dir,
                jobs=jobs,
                fresh=fresh,
                progress=True,
                search_storage=search_storage,
                device=device,
                save_models=save_models,
            )
            write_report(result, tmp / g.name)
            summaries.append(group_summary(g.name, result.metrics))
        first = configs[0]
        seeds = sorted({seed for g in summaries for seed in network_seeds(g.key)})
        overview = AllGroups(
            rule.text, first.dataset, first.profile, first.seed, first.lang, summaries, seeds
        )
        (tmp / "overview.json").write_text(json.dumps(overview.to_dict(), indent=2))
        with language(first.lang):
            html, markdown = overview_pages(overview)
        (tmp / "index.html").write_text(html)
        (tmp / "index.md").write_text(markdown)
        write_marker(tmp, fmstudy=__version__, kind="all-groups")  # every group's files too
        check_out_dir(out, force=force, data_dir=data_dir)  # what was added while it ran
    return overview
