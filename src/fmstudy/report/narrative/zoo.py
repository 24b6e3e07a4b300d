"""The sentences of the classical models' fits: how each was fitted (its record's
sentence, :mod:`fmstudy.models.registry`), what was saved of each model, and the
Fashion-MNIST benchmark's figure where it applies."""

from __future__ import annotations

from fmstudy.i18n import N_, grouped, num
from fmstudy.i18n import gettext as _
from fmstudy.models import registry
from fmstudy.models.saved import SMALL_MODEL_BYTES
from fmstudy.results import ModelResult

# Xiao, Rasul and Vollgraf (2017), Table 3: each classifier's best test accuracy over its
# parameter grid, on all ten Fashion-MNIST classes (60,000 training, 10,000 test images).
# Table 3 has one logistic-regression figure and does not say here which input scaling it
# was fitted on, so the same figure stands beside both of Task 4's forms, with that caveat.
TABLE3 = {
    "forest": (0.873, N_("random forest")),
    "logreg_raw": (0.842, N_("logistic regression")),
    "logreg_std": (0.842, N_("logistic regression")),
    "svc": (0.897, N_("SVC")),
    "knn": (0.854, N_("k-nearest neighbours")),
    "hgb": (0.880, N_("gradient boosting")),
}
TABLE3_TRAIN_ROWS = 60_000  # the rows each of Table 3's classifiers was fitted on
TABLE3_ONE_FIGURE = ("logreg_raw", "logreg_std")  # one figure, input scaling not known


def table3_applies(t1: dict) -> bool:
    """Whether Table 3's figures are about this data: Fashion-MNIST's official split, all
    ten classes, every image."""
    return t1.get("dataset") == "fashion-mnist" and len(t1.get("classes", [])) == 10


def kind_note(ev: ModelResult) -> str:
    """How one fit of a classical model was made, from its details, in its record's
    words; an unknown model key is an error, never another model's sentence."""
    text = registry.for_key(ev.key).describe(ev.details)
    if ev.details.get("train_accuracy_rows"):
        text += " " + _(
            "Its training accuracy is scored on a stratified sample of {rows} of its training rows."
        ).format(rows=grouped(ev.details["train_accuracy_rows"]))
    return text


def saved_note(saved) -> str:
    """Where a classical model was saved, or why it was not (a models.saved.SavedModel)."""
    if saved is None:
        return ""
    n = saved.size or 0
    size = (
        _("{mb} MB").format(mb=num(n / 1e6, 1))
        if n >= 1e5
        else _("{kb} kB").format(kb=num(n / 1e3, 0))
    )
    if saved.saved:
        return _(
            "Saved as models/{key}/model.skops ({size}, skops: no pickle); 'fmstudy "
            "evaluate' and 'fmstudy predict' reload it."
        ).format(key=saved.key, size=size)
    if saved.policy == "none":
        return _("Not saved (--save-models none).")
    return _(
        "Not saved: its file would be {size}, over the {limit} that --save-models small "
        "writes; --save-models all writes it."
    ).format(size=size, limit=_("{mb} MB").format(mb=num(SMALL_MODEL_BYTES / 1e6, 0)))


def table3_note(ev: ModelResult, t1: dict, budget: dict | None) -> str:
    """The Fashion-MNIST benchmark's figure for this kind of model, only on its data; beside
    a model the study's ``budget`` (metrics.json's, fmstudy.study.budget) says was fitted
    on fewer rows or a reduced profile, the same sentence says so and that the gap is not a
    like-for-like comparison."""
    if ev.key not in TABLE3 or not table3_applies(t1):
        return ""
    ref, kind = TABLE3[ev.key]
    b = budget or {}
    rows = b.get("subsampled", {}).get(ev.key)
    profile = b["profile"] if b.get("reduced_profile") else None
    values = {
        "ref": num(ref, 3),
        "kind": _(kind),
        "all": grouped(TABLE3_TRAIN_ROWS),
        "rows": grouped(rows or 0),
        "profile": profile,
        "acc": num(ev.accuracy),
        "points": num((ev.accuracy - ref) * 100, 1, True),
    }
    if rows is None and profile is None:
        text = _(
            "Reference, same data, classes and {all} training rows: Xiao et al. (2017, Table "
            "3) report {ref} for the best {kind} of their parameter grid, chosen on the test "
            "set; this one is {acc} ({points} points)."
        )
    else:
        head = _(
            "Reference, same data and classes: Xiao et al. (2017, Table 3) report {ref} for the "
            "best {kind} of their parameter grid, each fitted on all {all} training rows and "
            "chosen on the test set"
        )
        if profile is None:
            tail = _(
                "this one learnt from {rows} of them and is {acc} ({points} points), so the "
                "gap is not a like-for-like comparison."
            )
        elif rows is None:
            tail = _(
                "this one learnt from all of them but on the reduced budget of profile "
                "{profile} and is {acc} ({points} points), so the gap is not a like-for-like "
                "comparison."
            )
        else:
            tail = _(
                "this one learnt from {rows} of them on the reduced budget of profile "
                "{profile} and is {acc} ({points} points), so the gap is not a like-for-like "
                "comparison."
            )
        text = _("{head}; {tail}").format(head=head, tail=tail)
    text = text.format(**values)
    if ev.key in TABLE3_ONE_FIGURE:
        text += " " + _(
            "Table 3 has one figure for logistic regression, and this report does not know "
            "which input scaling it was fitted on, so the same figure stands beside both of "
            "Task 4's input forms."
        )
    return text


def clipped_note(models: dict, labels: dict) -> str:
    """Which log-losses come from clipped vote fractions, so are not comparable."""
    from fmstudy.evaluation.probabilities import VOTE_CLIP, VOTED

    clipped = [labels[k] for k, ev in models.items() if ev.calibration.get("source") in VOTED]
    if not clipped:
        return ""
    return _(
        "The log-loss of {models} is computed from vote fractions clipped at {clip} (a class "
        "nobody voted for would get 0): it depends on that clip and is not comparable with "
        "the others'."
    ).format(models=", ".join(clipped), clip=num(VOTE_CLIP, 3))
