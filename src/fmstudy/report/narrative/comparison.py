"""The comparison's sentences: the verdict words, the summary paragraph and table note,
how verdicts, letters and intervals are made, and how the verdicts hold across seeds.

The verdicts themselves (McNemar on the shown runs, Holm, the letters, the per-seed-index
verdicts) are made in :mod:`fmstudy.evaluation.compare`; this module words them."""

from __future__ import annotations

from fmstudy.evaluation.compare import ALPHA
from fmstudy.i18n import gettext as _
from fmstudy.i18n import grouped, ngettext, num
from fmstudy.report.narrative.learned import left_out_text
from fmstudy.report.narrative.models import listed
from fmstudy.results import StudyMetrics
from fmstudy.study.config import StudyConfig


def verdict(p) -> str:
    """The words for one pair's Holm-corrected verdict (McNemar or 5x2cv)."""
    if p.significant:
        return _("different at {alpha}").format(alpha=num(ALPHA, 2))
    return _("indistinguishable here")


def seeds_same(p) -> str:
    """In how many seed indices a pair's verdict is the shown runs' ("2/3"); "" without
    seeds."""
    if not p.seed_significant:
        return ""
    same = sum(v == p.significant for v in p.seed_significant)
    return f"{same}/{len(p.seed_significant)}"


def seed_stability(m: StudyMetrics, labels: dict) -> str:
    """How the verdicts hold across seeds, in words: which pairs' verdict changes with the
    seed index, from the stored per-index verdicts."""
    pairs = [p for p in m.pairs or [] if p.seed_significant]
    if not pairs:
        return ""
    n = len(pairs[0].seed_significant)
    changed = [p for p in pairs if any(v != p.significant for v in p.seed_significant)]
    text = ngettext(
        "Across seeds: the comparison was repeated for each of the {n} seed index, the seeds "
        "paired by index (a model with one fit takes part with it), Holm-corrected the same "
        "way.",
        "Across seeds: the comparison was repeated for each of the {n} seed indices, the seeds "
        "paired by index (a model with one fit takes part with it), Holm-corrected the same "
        "way.",
        n,
    ).format(n=n)
    if not changed:
        return text + " " + _("Every verdict is the same at every seed index.")
    items = [
        _("{a} vs {b} ({same} of {n})").format(
            a=labels[p.a],
            b=labels[p.b],
            same=sum(v == p.significant for v in p.seed_significant),
            n=n,
        )
        for p in changed
    ]
    return (
        text
        + " "
        + ngettext(
            "This verdict does not hold at every seed index, so it depends on the seed: {pairs}.",
            "These verdicts do not hold at every seed index, so they depend on the seed: {pairs}.",
            len(changed),
        ).format(pairs=listed(items))
    )


def comparison_summary(m: StudyMetrics, labels: dict) -> str:
    """The comparison in one short paragraph: the most accurate model, which models are
    indistinguishable from it here and which differ, and the groups; a model that did not
    learn (its record's ``learned``) is in none of these, and the paragraph says so."""
    order = m.ranked()
    best = m.models[order[0]]
    against = {frozenset((p.a, p.b)): p for p in m.pairs or []}
    left_out = [k for k in order if m.models[k].learned is False]
    same, apart = [], []
    for key in order[1:] if best.learned is not False else ():
        if key in left_out:
            continue
        p = against[frozenset((order[0], key))]
        points = (p.difference if p.a == key else -p.difference) * 100
        item = _("{model} ({points} points)").format(model=labels[key], points=num(points, 2, True))
        (apart if p.significant else same).append(item)
    # of two models the better is the one with the higher accuracy, not the highest; the
    # others are set against "the best model", a noun, never a pronoun that a language
    # would have to give the gender of the model's name
    if len(order) == 2:
        text = _("{model} has the higher test accuracy, {acc} (95 % interval {low}–{high}).")
        alike = _("Indistinguishable from the better model here: {models}.")
        unlike = _(
            "Different from the better model at {alpha} (McNemar's test, Holm-corrected): {models}."
        )
    else:
        text = _("{model} has the highest test accuracy, {acc} (95 % interval {low}–{high}).")
        alike = _("Indistinguishable from the best model here: {models}.")
        unlike = _(
            "Different from the best model at {alpha} (McNemar's test, Holm-corrected): {models}."
        )
    text = text.format(
        model=labels[order[0]],
        acc=num(best.accuracy),
        low=num(best.ci95[0]),
        high=num(best.ci95[1]),
    )
    if same:
        text += " " + alike.format(models=listed(same))
    if apart:
        text += " " + unlike.format(alpha=num(ALPHA, 2), models=listed(apart))
    if left_out:
        text += " " + left_out_text(m, left_out, labels)
    rows = [mo.details["train_rows"] for mo in m.models.values() if "train_rows" in mo.details]
    if rows and min(rows) < max(rows):
        text += " " + _(
            "The models learnt from different numbers of training rows ({low} to {high}), so "
            "these verdicts compare model and data together."
        ).format(low=grouped(min(rows)), high=grouped(max(rows)))
    kept = [k for k in m.models if k not in left_out]
    letters = sorted({c for k in kept for c in m.groups.get(k, "")})
    if len(m.models) > 2 and letters and len(letters) == len(kept):
        text += " " + _("No two models are indistinguishable here: each is a group of its own.")
    elif len(m.models) > 2 and letters:
        text += " " + ngettext(
            "The {models} models form {n} group of indistinguishable models (the letters in "
            "the table; a shared letter means no difference at 0.05).",
            "The {models} models form {n} groups of indistinguishable models (the letters in "
            "the table; a shared letter means no difference at 0.05).",
            len(letters),
        ).format(models=len(kept), n=len(letters))
    return text


def leaderboard_note(m: StudyMetrics) -> str:
    """What the summary table's rows are: one run per model, how it was chosen, where the
    spread over seeds is, and how differences are computed."""
    forests = any("oob_per_seed" in mo.details for mo in m.models.values())
    if m.networks or forests:
        if m.pairs:
            text = _(
                "Each row is one run, the one the verdicts compare; the test set chose nothing."
            )
        else:
            text = _("Each row is one run; the test set chose nothing.")
        if m.networks:
            text += " " + _(
                "For a network it is the seed with the median validation accuracy (of an even "
                "number of seeds, the lower of the middle two)."
            )
        if forests:
            text += " " + _(
                "For a forest grown with several seeds it is the one with the median "
                "out-of-bag accuracy, chosen the same way."
            )
        text += " " + _("Fit s are that run's training seconds.")
    else:
        text = _("Each row is one fit; fit s are its training seconds.")
    if m.networks:
        spread = listed(
            f"{n.name} {num(n.test_acc_mean)} ± {num(n.test_acc_sd)}" for n in m.networks.values()
        )
        text += " " + _("Mean ± sd of test accuracy over all the seeds (Task 5): {spread}.").format(
            spread=spread
        )
    if len(m.models) > 1:
        text += " " + _(
            "Differences in points are computed from the counts of images right, so they can "
            "differ by 0.01 from the difference of the rounded accuracies."
        )
    return text


def verdict_rule(m: StudyMetrics, config: StudyConfig) -> str:
    """How the verdicts, letters and intervals are made, said once."""
    n_test = m.task1["splits"]["test"]["kept"]
    n_pairs = len(m.pairs or [])
    return (
        ngettext(
            "Two models are called different at {alpha} only when McNemar's test, which looks at "
            "the test images exactly one of them gets right, says so after Holm's correction for "
            "the {n} pair.",
            "Two models are called different at {alpha} only when McNemar's test, which looks at "
            "the test images exactly one of them gets right, says so after Holm's correction for "
            "the {n} pairs.",
            n_pairs,
        ).format(alpha=num(ALPHA, 2), n=n_pairs)
        + " "
        + _(
            "Otherwise the two are indistinguishable here. The test compares the runs the summary "
            "shows, and the summary's letters are made from these same verdicts: two models share "
            "a letter exactly when they are indistinguishable here. The test is paired, so "
            "overlapping intervals do not make two models indistinguishable. The 95 % intervals "
            "of the accuracies are Wilson score intervals for a proportion of the {n_test} test "
            "images; those of the differences from the best (the figure) are percentiles of "
            "{boot} paired bootstrap resamples of the test images (bootstrap seed {seed}). Both "
            "cover test-set sampling only, not training randomness."
        ).format(boot=grouped(config.bootstrap), n_test=grouped(n_test), seed=config.seed)
    )
