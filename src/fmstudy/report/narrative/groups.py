"""The sentences of the all-groups overview, and how a report names the group its
classes came from."""

from __future__ import annotations

from fmstudy.evaluation.compare import ALPHA
from fmstudy.i18n import gettext as _
from fmstudy.i18n import ngettext, num
from fmstudy.report.narrative.models import listed
from fmstudy.study.budget import reduced_profile
from fmstudy.study.config import StudyConfig


def chosen_by(cfg: StudyConfig) -> str:
    """How the report's classes were chosen, for its header ('' when given directly)."""
    if cfg.surname and cfg.group:
        text = _("chosen by the surname “{surname}”, group {group}").format(
            surname=cfg.surname, group=cfg.group
        )
    elif cfg.surname:
        text = _("chosen by the surname “{surname}”").format(surname=cfg.surname)
    elif cfg.group:
        text = _("surname group {group}").format(group=cfg.group)
    else:
        return ""
    if cfg.groups:
        text += ", " + _("rule {rule}").format(rule=cfg.groups)
    return text


def overview_intro(o) -> str:
    """What the overview is (o: an all_groups.AllGroups)."""
    return _(
        "One study per surname group under the rule {rule}, each with profile {profile} "
        "and seed {seed}. Each group has its own classes and test images: compare "
        "accuracies within a group, not across groups."
    ).format(rule=o.rule, profile=o.profile, seed=o.seed)


def overview_budget(o) -> str | None:
    """The reduced-budget banner of a quick overview; None otherwise."""
    if not reduced_profile(o.profile):
        return None
    return _(
        "Reduced budget (profile quick): every step runs, but the numbers are not for "
        "conclusions about the models; each group's report says what was reduced."
    )


def accuracy_note() -> str:
    """How the accuracy table's cells are made."""
    return _(
        "Test accuracy: mean ± sd over the seeds for a model trained with several seeds, "
        "otherwise its one run. The grading key's accuracy and verdicts use the one run each "
        "report shows (chosen without the test set), so they can differ from the mean here."
    )


def accuracy_cell(gm) -> str:
    """One model's accuracy in one group (gm: an all_groups.GroupModel)."""
    if gm.sd is None:
        return num(gm.accuracy)
    return f"{num(gm.mean)} ± {num(gm.sd)}"


def best_text(s, labels: dict) -> str:
    """The group's most accurate model and the report's verdicts against it."""
    if s.best is None:
        return ""
    text = _("{model}, test accuracy {acc}.").format(
        model=labels[s.best], acc=num(s.models[s.best].accuracy)
    )
    if s.indistinguishable:
        text += " " + _("Indistinguishable from it here: {models}.").format(
            models=listed(labels[k] for k in s.indistinguishable)
        )
    if s.different:
        text += " " + _("Different from it at {alpha}: {models}.").format(
            alpha=num(ALPHA, 2), models=listed(labels[k] for k in s.different)
        )
    return text


def hardest_pair_text(s, names: dict) -> str:
    """The pair of classes the group's most accurate model confuses most."""
    p = s.hardest_pair
    if not p:
        return _("no mistakes between classes")
    return ngettext("{a} / {b}: {total} mistake", "{a} / {b}: {total} mistakes", p["total"]).format(
        a=names[p["a"]], b=names[p["b"]], total=p["total"]
    )
