"""The grading key's sentences: each task's expected answer for one group, and what
range of answers to accept, worded from the key :mod:`fmstudy.course.grading` copied
out of the group's metrics (the verdicts are the study's own)."""

from __future__ import annotations

from fmstudy.evaluation.compare import ALPHA
from fmstudy.i18n import gettext as _
from fmstudy.i18n import grouped, joined, ngettext, num, pct, pvalue
from fmstudy.report.narrative.groups import best_text


def key_heading(o) -> str:
    """Which profile and seeds the key's answers come from (o: an all_groups.AllGroups)."""
    text = _("Expected answers computed with profile {profile} and seed {seed}").format(
        profile=o.profile, seed=o.seed
    )
    if o.network_seeds:
        text += ngettext(
            "; Task 5's networks trained with seed {seeds}",
            "; Task 5's networks trained with seeds {seeds}",
            len(o.network_seeds),
        ).format(seeds=", ".join(map(str, o.network_seeds)))
    return (
        text
        + ". "
        + _(
            "Compare a student's answers with a key made with the profile the student ran: "
            "another profile trains other models."
        )
    )


def expected_answers_text(s, names: dict, labels: dict) -> list[tuple[str, str]]:
    """(task, expected answer) for each task the group's study ran (s: a GroupSummary)."""
    k = s.key
    rows = [
        (_("Task 1"), _task1(k.get("task1"), names)),
        (_("Task 2"), _task2(k.get("task2"), names)),
        (_("Task 3"), _task3(k.get("task3"), names, labels)),
        (_("Task 4"), _task4(k.get("task4"), labels)),
        (_("Task 5"), _task5(k.get("task5"), s, labels)),
    ]
    return [(task, text) for task, text in rows if text]


def _counts(per_class: dict, names: dict) -> str:
    return ", ".join(f"{names[int(c)]} {grouped(n)}" for c, n in per_class.items())


def _task1(t1: dict | None, names: dict) -> str:
    if not t1:
        return ""
    text = _("Classes {classes}.").format(
        classes=", ".join(f"{c} {names[c]}" for c in t1["classes"])
    )
    if t1["train"] and t1["test"]:
        text += " " + _(
            "Training images per class: {train}; test images per class: {test}."
        ).format(train=_counts(t1["train"], names), test=_counts(t1["test"], names))
    return text


def _task2(t2: dict | None, names: dict) -> str:
    if not t2 or t2["pc1"] is None:
        return ""
    text = _("PC1 explains {pc1} of the variance, PC2 {pc2}.").format(
        pc1=pct(t2["pc1"]), pc2=pct(t2["pc2"])
    )
    if t2["for_90"] is not None:
        text += " " + ngettext(
            "{n} component reaches 90 % of the variance.",
            "{n} components reach 90 % of the variance.",
            t2["for_90"],
        ).format(n=grouped(t2["for_90"]))
    g = t2["pc1_groups"]
    if g and g["low"]:
        text += " " + _("PC1 separates {low} from {high}.").format(
            low=joined([names[c] for c in g["low"]]), high=joined([names[c] for c in g["high"]])
        )
    elif g:
        text += " " + _("The study's reading finds no gap that splits the classes along PC1.")
    return text


def _task3(t3: dict | None, names: dict, labels: dict) -> str:
    if not t3:
        return ""
    text = _("{model}: test accuracy {acc}").format(model=labels["forest"], acc=num(t3["accuracy"]))
    if t3["ci95"]:
        text += " " + _("(95 % interval {lo} to {hi})").format(
            lo=num(t3["ci95"][0]), hi=num(t3["ci95"][1])
        )
    text += ". "
    p = t3["pair"]
    if not p:
        return text + _("It makes no mistakes between classes.")
    return text + ngettext(
        "Most confused pair: {a} / {b}, {total} mistake.",
        "Most confused pair: {a} / {b}, {total} mistakes.",
        p["total"],
    ).format(a=names[p["a"]], b=names[p["b"]], total=grouped(p["total"]))


def _task4(t4: dict | None, labels: dict) -> str:
    if not t4:
        return ""
    forms = t4["forms"]
    acc = "; ".join(
        _("{form} {acc}").format(form=labels[k], acc=num(f["test_accuracy"]))
        for k, f in forms.items()
    )
    text = _("Test accuracy: {forms}.").format(forms=acc)
    if t4["better"] is not None and t4["difference"]:
        d, lo, hi = (100 * v for v in t4["difference"])
        text += " " + _(
            "{better} got more right: {d} points (95 % interval {lo} to {hi} points)."
        ).format(
            better=labels[t4["better"]],
            d=num(d, 2),
            lo=num(lo, 2, sign=True),
            hi=num(hi, 2, sign=True),
        )
    if t4["distinguishable"] is True:
        text += " " + _("Verdict: a real difference at {alpha} (Holm-corrected p {p}).").format(
            alpha=num(ALPHA, 2), p=pvalue(t4["p_holm"])
        )
    elif t4["distinguishable"] is False:
        text += " " + _("Verdict: indistinguishable at {alpha} (Holm-corrected p {p}).").format(
            alpha=num(ALPHA, 2), p=pvalue(t4["p_holm"])
        )
    for k, f in forms.items():
        if f["converged"] is True:
            text += " " + ngettext(
                "{form} converged in {n} iteration.",
                "{form} converged in {n} iterations.",
                f["n_iter"],
            ).format(form=labels[k], n=grouped(f["n_iter"]))
        elif f["converged"] is False:
            text += " " + ngettext(
                "{form} stopped at its cap of {cap} iteration without converging.",
                "{form} stopped at its cap of {cap} iterations without converging.",
                f["max_iter"],
            ).format(form=labels[k], cap=grouped(f["max_iter"]))
    return text


def _net(n: dict, label: str) -> str:
    seeds = len(n["seeds"])
    acc = f"{num(n['mean'])} ± {num(n['sd'])}" if n["sd"] is not None else num(n["mean"])
    low = _("mean validation loss lowest at epoch {e} of {epochs}").format(
        e=n["marked_epoch"], epochs=n["epochs"]
    )
    if n["overfits"] is None:
        verdict = _("no overfitting verdict stored")
    elif n["overfits"]:
        verdict = ngettext(
            "overfits ({k} of {n} seed) after epoch {e}",
            "overfits ({k} of {n} seeds) after epoch {e}",
            seeds,
        ).format(k=n["overfit_seeds"], n=seeds, e=n["marked_epoch"])
    else:
        verdict = ngettext(
            "no overfitting ({k} of {n} seed overfits)",
            "no overfitting ({k} of {n} seeds overfit)",
            seeds,
        ).format(k=n["overfit_seeds"], n=seeds)
    return ngettext(
        "{model}: {acc} over {n} seed; {verdict}; {low}.",
        "{model}: {acc} over {n} seeds; {verdict}; {low}.",
        seeds,
    ).format(model=label, acc=acc, n=seeds, verdict=verdict, low=low)


def _task5(t5: dict | None, s, labels: dict) -> str:
    parts = [_net(n, labels[key]) for key, n in (t5 or {}).get("nets", {}).items()]
    if s.best is not None:
        parts.append(_("Most accurate model: {best}").format(best=best_text(s, labels)))
    return " ".join(parts)


def tolerance_text(s, labels: dict) -> str:
    """What range of test accuracy to accept from a student's run, per model: the stored
    95 % interval and, with several seeds, the range they gave (s: a GroupSummary)."""
    items = []
    for key, a in s.key.get("accept", {}).items():
        ranges = []
        if a["ci95"]:
            ranges.append(
                _("{lo} to {hi} (95 % interval)").format(lo=num(a["ci95"][0]), hi=num(a["ci95"][1]))
            )
        if a["seed_range"]:
            ranges.append(
                ngettext(
                    "{lo} to {hi} over its {n} seed here",
                    "{lo} to {hi} over its {n} seeds here",
                    a["seeds"],
                ).format(lo=num(a["seed_range"][0]), hi=num(a["seed_range"][1]), n=a["seeds"])
            )
        if ranges:
            items.append(f"{labels[key]} {', '.join(ranges)}")
    if not items:
        return ""
    test = (s.key.get("task1") or {}).get("test_images")
    head = (
        ngettext(
            "What to accept: a student's run with another seed gets another test accuracy. "
            "The 95 % interval is the range of accuracies on new images that a test accuracy "
            "on {n} test image is consistent with; the seed range is how far this study's "
            "own seeds lay apart.",
            "What to accept: a student's run with another seed gets another test accuracy. "
            "The 95 % interval is the range of accuracies on new images that a test accuracy "
            "on {n} test images is consistent with; the seed range is how far this study's "
            "own seeds lay apart.",
            test,
        ).format(n=grouped(test))
        if test
        else _("What to accept: a student's run with another seed gets another test accuracy.")
    )
    return (
        head
        + " "
        + _("Accept, per model: {items}.").format(items="; ".join(items))
        + " "
        + _(
            "Models or input forms called indistinguishable here may come out in either "
            "order in a student's run."
        )
    )
