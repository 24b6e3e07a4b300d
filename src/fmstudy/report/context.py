"""What the report templates print, in the report's language: the typed records, the
sentences :mod:`fmstudy.report.narrative` makes from them, the names of models and classes,
and the sections shown (:mod:`fmstudy.report.sections`, which also gives the table of
contents).

    with language("sv"):
        ctx = build_context(result, images)     # result: a study.run.StudyRecord

Call it inside :func:`fmstudy.i18n.language`: every string it makes is in the language
that is current then.
"""

from __future__ import annotations

import json
from pathlib import Path

from fmstudy.data.own import dataset_spec as own_dataset_spec
from fmstudy.data.own import is_path
from fmstudy.errors import FmstudyError
from fmstudy.i18n import N_, current, grouped, num
from fmstudy.i18n import gettext as _
from fmstudy.report import narrative, sections
from fmstudy.report.figures import class_names
from fmstudy.report.narrative.grading import expected_answers_text, key_heading, tolerance_text
from fmstudy.report.narrative.task4 import task4_text

TRIAL_STATES = (N_("complete"), N_("pruned"), N_("fail"), N_("running"))  # search table


def dataset_spec(name: str):
    """The data set's spec (registry, or one's own images at a path); None if gone."""
    try:
        return own_dataset_spec(name)
    except FmstudyError:
        return None


def build_context(result, images: dict[str, str]) -> dict:
    """What the templates print: the records, and the sentences made from them."""
    m = result.metrics
    t1 = m.task1
    spec = dataset_spec(t1["dataset"])
    names = class_names(result)
    labels = {k: narrative.label_of(ev) for k, ev in m.models.items()}
    models = [_model(result, key, ev, names) for key, ev in m.models.items()]
    classical = [mo for mo in models if mo["ev"].task in narrative.CLASSICAL_TASKS]
    headings = {"3": _("Task 3"), "4": _("Task 4"), "zoo": _("More classifiers")}
    for i, mo in enumerate(classical):
        task = mo["ev"].task
        first = i == 0 or classical[i - 1]["ev"].task != task
        mo["heading"] = headings[task] if first or task == "3" else ""
    by_key = {mo["key"]: mo for mo in models}
    nets = [
        {
            "name": name,
            "n": n,
            "mo": by_key[n.key],
            "description": narrative.network_description(
                n, by_key[n.key]["timing"].get("refit_seconds", 0.0), compared=bool(m.pairs)
            ),
        }
        for name, n in m.networks.items()
    ]
    title = _("{dataset} study").format(dataset=dataset_title(t1["dataset"]))
    ctx = {
        "lang": current().code,
        "classical": classical,
        "networks": nets,
        "networks_intro": narrative.networks_intro(result.config, m.networks) if nets else "",
        "networks_conclusion": narrative.network_conclusion(m.networks, t1),
        "title": title,
        "banner": narrative.reduced_budget(m, labels),
        "cache_note": narrative.cache_note(result.timings),
        "conclusion": narrative.comparison_summary(m, labels) if m.pairs else "",
        "rule": narrative.verdict_rule(m, result.config) if m.pairs else "",
        "stability": narrative.seed_stability(m, labels) if m.pairs else "",
        "leaderboard_note": narrative.leaderboard_note(m) if m.models else "",
        "leaderboard": [by_key[k] for k in m.ranked()],
        "mark": narrative.MARK,
        "not_learned_key": narrative.not_learned_key(m),
        "pair_rows": pair_rows(m),
        "cfg": result.config,
        "chosen_by": narrative.chosen_by(result.config),
        "data_source": narrative.data_source(t1),
        "data_notes": [
            n
            for n in (
                narrative.duplicates_note(t1),
                narrative.near_duplicates_note(t1),
                narrative.uneven_note(t1),
            )
            if n
        ],
        "manifest": result.manifest,
        "m": m,
        "t1": {**t1, "dataset": shown_dataset(t1["dataset"])},  # no folders of the user's
        "names": names,
        "labels": labels,
        "short": {k: narrative.short_label(k, ev) for k, ev in m.models.items()},
        "split_names": {"train": _("train"), "test": _("test")},
        "models": models,
        "timings": result.timings,
        "img": images,
        "pca_text": narrative.pca_text(m.pca, names) if m.pca else [],
        "task4_text": task4_text(m.task4, labels, m.budget),
        "search_data": search_context(result, names),
        "evaluation_data": evaluation_context(m, labels),
        "probability_rows": [mo for mo in models if mo["ev"].log_loss is not None],
        "clipped_note": narrative.clipped_note(
            {k: ev for k, ev in m.models.items() if ev.log_loss is not None}, labels
        ),
        "citation": spec.citation if spec else "",
        "licence": spec.licence_name if spec else "",
    }
    ctx["sections"] = sections.shown(ctx)
    ctx["toc"] = sections.toc(ctx["sections"])
    return ctx


def _model(result, key: str, ev, names: dict) -> dict:
    t1 = result.metrics.task1
    english = dict(zip(t1["classes"], t1["class_names"], strict=True))
    oob = ev.details.get("oob_curve") or []
    return {
        "key": key,
        "ev": ev,
        "right": sum(row[i] for i, row in enumerate(ev.confusion)),  # test images right
        "timing": result.timings["models"][key],
        "discussion": narrative.discussion(ev, result.metrics.similar_pairs, names),
        "note": (
            narrative.fit_note(ev, t1["splits"]["train"]["kept"], bool(result.metrics.pairs))
            if ev.task in narrative.CLASSICAL_TASKS
            else ""
        ),
        "saved_note": narrative.saved_note(result.saved_models.get(key)),
        "learned_note": narrative.learned_note(
            ev, narrative.label_of(ev), names, bool(result.metrics.pairs)
        ),
        "reference": narrative.table3_note(ev, t1, result.metrics.budget),
        # classification_report is keyed by the data set's own (English) class names
        "report_rows": [(names[int(c)], ev.report[english[c]]) for c in t1["classes"]],
        "proba_note": narrative.probability_note(ev, names),
        "oob_steps": ", ".join(
            _("{n} trees {acc}").format(n=grouped(n), acc=num(a)) for n, a in oob
        ),
    }


def evaluation_context(m, labels: dict) -> dict:
    """The deeper evaluation's sentences: learning curves, --cv, --compare 5x2cv."""
    curves = m.learning_curves
    tests = m.five_by_two["tests"] if m.five_by_two else []
    return {
        "curves_intro": narrative.learning_curves_intro(list(curves.values())) if curves else "",
        "curves": [narrative.learning_curve_text(c, labels[k]) for k, c in curves.items()],
        "cv": list(m.cv.values()),
        "cv_text": narrative.cv_text(m.cv) if m.cv else "",
        "five": [(t, narrative.verdict(t)) for t in tests],
        "five_text": narrative.five_by_two_text(tests, labels) if tests else "",
        "any": bool(
            curves or m.cv or tests or any(mo.log_loss is not None for mo in m.models.values())
        ),
    }


def pair_rows(m) -> list[dict]:
    """The pairwise table of the shown runs: difference in points, discordant counts, p,
    Holm's p, the verdict, and (with seeds) in how many seed indices the verdict is the
    same."""
    return [
        {
            "p": p,
            "points": p.difference * 100,
            "seeds_same": narrative.seeds_same(p),
            "verdict": narrative.verdict(p),
        }
        for p in m.pairs or []
    ]


def search_context(result, names: dict) -> dict | None:
    """The search section's rows: the best trials first, then the rest by number."""
    s = result.metrics.search
    if s is None:
        return None
    test = result.metrics.models.get("search-best")
    frame = result.tables["search_trials"]
    done = frame[frame["state"].isin(["complete", "pruned"])]
    top = done.sort_values("val_accuracy", ascending=False).head(15)
    rows = [{**r, "state_shown": _(r["state"])} for r in top.to_dict("records")]
    return {
        "m": s,
        "rows": rows,
        "n_shown": len(rows),
        "settings": s.settings,
        "test": test,
        "intro": narrative.search_intro(s),
        "files_note": narrative.search_files_note(),
        "proba_note": narrative.probability_note(test, names) if test else "",
        "learned_note": narrative.learned_note(
            test, narrative.label_of(test), names, bool(result.metrics.pairs)
        )
        if test
        else "",
        "conclusion": narrative.search_conclusion(s),
        "spec_json": json.dumps(s.best_spec, indent=2),
    }


def shown_dataset(name: str) -> str:
    """The data set as a report names it: a registry name as is, one's own data by its
    folder or file name only (the full path stays in metrics.json for reruns)."""
    return Path(name).name if is_path(name) else name


def dataset_title(name: str) -> str:
    """The data set's name as its registry writes it, without the publisher; one's own
    data set's folder or file name whole (``photos (2024)`` stays so)."""
    spec = dataset_spec(name)
    if spec is None:
        return name
    return spec.title if is_path(name) else spec.title.split(" (")[0]


def overview_context(o) -> dict:
    """What the all-groups overview prints (o: an all_groups.AllGroups)."""
    spec = dataset_spec(o.dataset)
    shown = spec.class_names(current().code) if spec else None
    groups = []
    for s in o.groups:
        names = {
            int(c): shown[int(c)] if shown else n
            for c, n in zip(s.classes, s.class_names, strict=True)
        }
        labels = {k: narrative.label_of(gm) for k, gm in s.models.items()}
        groups.append(
            {
                "s": s,
                "names": names,
                "labels": labels,
                "best": narrative.best_text(s, labels),
                "pair": narrative.hardest_pair_text(s, names),
                "answers": expected_answers_text(s, names, labels),
                "tolerance": tolerance_text(s, labels),
                "cells": {k: narrative.accuracy_cell(gm) for k, gm in s.models.items()},
            }
        )
    keys = list(dict.fromkeys(k for s in o.groups for k in s.models))
    rows = []
    for key in keys:
        label = next(g["labels"][key] for g in groups if key in g["labels"])
        rows.append((label, [g["cells"].get(key, "–") for g in groups]))
    return {
        "lang": current().code,
        "title": _("{dataset} study: all surname groups").format(dataset=dataset_title(o.dataset)),
        "o": o,
        "intro": narrative.overview_intro(o),
        "key_heading": key_heading(o),
        "banner": narrative.overview_budget(o),
        "note": narrative.accuracy_note(),
        "groups": groups,
        "rows": rows,
    }
