"""The sentences about a model that did not learn: its own section's, the comparison's
(which leaves it out) and the summary table's mark.  The verdict and its reason are the
record's (``ModelResult.learned`` and ``not_learned``, made by
fmstudy.evaluation.compare's ``learning_verdict``)."""

from __future__ import annotations

from fmstudy.i18n import gettext as _
from fmstudy.i18n import ngettext, num
from fmstudy.results import ModelResult, StudyMetrics

MARK = "†"  # the summary table's mark on a model that did not learn


def one_class(ev: ModelResult) -> bool:
    """Whether the record's reason is that the model predicts one class for every image."""
    return "one_class" in (ev.not_learned or {})


def left_out_text(m: StudyMetrics, keys: list[str], labels: dict) -> str:
    """Which models the comparison's verdicts leave out, because they did not learn, and
    why each."""
    items = []
    for key in keys:
        if one_class(m.models[key]):
            item = _("{model} (one class for every test image)")
        else:
            item = _("{model} (right no more often than always answering the most common class)")
        items.append(item.format(model=labels[key]))
    return ngettext(
        "Left out of these verdicts and of the groups, because it did not learn: {models}.",
        "Left out of these verdicts and of the groups, because they did not learn: {models}.",
        len(keys),
    ).format(models=", ".join(items))


def learned_note(ev: ModelResult, label: str, names: dict, compared: bool = False) -> str:
    """One sentence for a model that did not learn, with the reason its record gives (and,
    where the report ``compared`` models, that it is left out of the verdicts); '' for a
    model that learnt (or a record made before the rule)."""
    if ev.learned is not False:
        return ""
    why = ev.not_learned or {}
    if one_class(ev):
        text = _(
            "{model} did not learn: it predicts {cls} for every test image, so its test "
            "accuracy ({acc}) is only the share of {cls} among the test images."
        ).format(model=label, cls=names[why["one_class"]], acc=num(ev.accuracy))
    else:
        text = _(
            "{model} did not learn: its test accuracy ({acc}) is no better than always "
            "answering the test set's most common class, {cls}, would score ({share})."
        ).format(
            model=label,
            acc=num(ev.accuracy),
            cls=names[why["majority_class"]],
            share=num(why["majority_rate"]),
        )
    if not compared:
        return text
    return text + " " + _("It is left out of the verdicts against the best and of the groups.")


def not_learned_key(m: StudyMetrics) -> str:
    """The explanation of the summary table's mark (:data:`MARK`) on a model that did not
    learn (with a comparison, that it is left out of it); '' when every model learnt."""
    if not any(mo.learned is False for mo in m.models.values()):
        return ""
    if not m.pairs:
        return _(
            "{mark} Did not learn: predicts one class for every test image, or gets no more "
            "test images right than always answering the test set's most common class would."
        ).format(mark=MARK)
    return _(
        "{mark} Did not learn: predicts one class for every test image, or gets no more test "
        "images right than always answering the test set's most common class would. Such a "
        "model has no group letter and is left out of the verdicts against the best."
    ).format(mark=MARK)
