"""Evaluate predictions and compare models: is a difference in accuracy real?

    ev = evaluate(y_true, y_pred, classes, names)        # accuracy, confusion, report
    result = model_result("forest", "Random forest", "3", y_true, y_pred, classes, names)
    ci95, pairs = compare_models(y_true, {"forest": p1, "logreg": p2}, labels, n_boot=2000, seed=0)

Every chosen class needs test images (:func:`untested_class`): its one-vs-rest ROC AUC
and its row of the classification report are undefined without them.  A model that did
not learn (:func:`learning_verdict`) is marked on its record and left out of the letter
groups.  Bootstrap
intervals resample the test images; McNemar's test looks only at the
images on which two models disagree about being right (exact binomial when
fewer than 25 are discordant), with Holm's correction across the pairs.
"""

from __future__ import annotations

import itertools
from dataclasses import replace

import numpy as np
from sklearn.metrics import (
    balanced_accuracy_score,
    classification_report,
    confusion_matrix,
    f1_score,
)
from statsmodels.stats.contingency_tables import mcnemar
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportion_confint

from fmstudy.errors import FmstudyError
from fmstudy.evaluation.probabilities import probability_scores
from fmstudy.lib_warnings import one_line_warnings
from fmstudy.results import ModelResult, PairTest, StudyMetrics, seed_summary

ALPHA = 0.05


def evaluate(y_true, y_pred, classes, names) -> dict:
    """Accuracy, confusion matrix (rows true, columns predicted) and classification report."""
    cm = confusion_matrix(y_true, y_pred, labels=list(classes))
    report = classification_report(
        y_true,
        y_pred,
        labels=list(classes),
        target_names=list(names),
        output_dict=True,
        zero_division=0,
    )
    return {
        "accuracy": float(np.mean(np.asarray(y_true) == np.asarray(y_pred))),
        "macro_f1": float(
            f1_score(y_true, y_pred, labels=list(classes), average="macro", zero_division=0)
        ),
        "balanced_accuracy": float(balanced_accuracy_score(y_true, y_pred)),
        "confusion": cm.tolist(),
        "correct_per_class": {str(c): int(cm[i, i]) for i, c in enumerate(classes)},
        "report": report,
        "confused_pairs": confused_pairs(cm, classes, names),
    }


def untested_class(y_true, classes, names) -> str | None:
    """The name of the first class with no test rows among ``y_true``; None when each has."""
    present = set(np.unique(np.asarray(y_true)).tolist())
    return next((n for c, n in zip(classes, names, strict=True) if c not in present), None)


def representative(scores) -> int:
    """Index of the run with the median score, the lower median for an even count (ties
    by position): chosen on validation, so the test set picks nothing."""
    order = sorted(range(len(scores)), key=lambda i: (scores[i], i))
    return order[(len(scores) - 1) // 2]


def model_result(
    key: str,
    label: str | tuple[str, dict],
    task: str,
    y_true,
    y_pred,
    classes,
    names,
    details=None,
    *,
    proba=None,
    source: str = "softmax",
) -> ModelResult:
    """:func:`evaluate` as the typed record every model's result is; with the test
    probabilities (``proba``, made as ``source`` says) also their scores.  ``label`` is the
    model's name, or (message, arguments) to keep it translatable.  A class without test
    rows is one line (FmstudyError): its scores would be undefined."""
    missing = untested_class(y_true, classes, names)
    if missing is not None:
        raise FmstudyError(
            f"class {missing!r} has no test images, so its scores are undefined; add test "
            "images to it"
        )
    with one_line_warnings(f"the scores of {key}"):
        scores = {} if proba is None else probability_scores(y_true, proba, classes, source)
        evaluated = evaluate(y_true, y_pred, classes, names)
    label_id, label_args = label if isinstance(label, tuple) else ("", {})
    return ModelResult(
        **learning_verdict(y_true, y_pred),
        key=key,
        label=label_id.format(**label_args) if label_id else label,
        label_id=label_id,
        label_args=dict(label_args),
        task=task,
        details=dict(details or {}),
        seed_summary=seed_summary(details["test_acc_per_seed"])
        if len((details or {}).get("test_acc_per_seed", ())) > 1
        else None,
        **evaluated,
        **scores,
    )


def learning_verdict(y_true, y_pred) -> dict:
    """Whether a model learnt anything, as its record's ``learned`` and ``not_learned``.

    It did not (``learned`` False) when it predicts one class c for every test image
    (``not_learned`` ``{"one_class": c}``), or else when it gets no more test images right
    than always answering the test set's most common class c would (ties: the lowest-
    numbered), its share s of the test images (``{"majority_rate": s, "majority_class": c}``):
    right answers <= that class's count, compared as counts.  A one-class model is also no
    better than that; the reason given is the plainer one."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    predicted = np.unique(y_pred)
    if len(predicted) == 1:
        return {"learned": False, "not_learned": {"one_class": predicted[0].item()}}
    values, counts = np.unique(y_true, return_counts=True)
    top = int(np.argmax(counts))
    if np.sum(y_true == y_pred) <= counts[top]:
        share = float(counts[top] / len(y_true))
        majority = {"majority_rate": share, "majority_class": values[top].item()}
        return {"learned": False, "not_learned": majority}
    return {"learned": True, "not_learned": None}


MIN_PAIR_MISTAKES = 10  # beyond the worst pair, fewer mistakes say nothing about the classes


def confused_pairs(cm: np.ndarray, classes, names, top: int = 3) -> list[dict]:
    """The unordered class pairs with the most mistakes between them, largest first; each
    says whether it is worth discussing (``discussed``: the worst pair, and any other with
    at least :data:`MIN_PAIR_MISTAKES` mistakes)."""
    pairs = []
    for i, j in itertools.combinations(range(len(classes)), 2):
        total = int(cm[i, j] + cm[j, i])
        if total:
            pairs.append(
                {
                    "a": int(classes[i]),
                    "b": int(classes[j]),
                    "a_name": names[i],
                    "b_name": names[j],
                    "a_as_b": int(cm[i, j]),
                    "b_as_a": int(cm[j, i]),
                    "total": total,
                }
            )
    pairs.sort(key=lambda p: (-p["total"], p["a"], p["b"]))
    return [
        {**p, "discussed": i == 0 or p["total"] >= MIN_PAIR_MISTAKES}
        for i, p in enumerate(pairs[:top])
    ]


def bootstrap_accuracy(correct: np.ndarray, *, n_boot: int, seed: int) -> tuple[float, float]:
    """95 % percentile interval of the accuracy over test-set resamples (0.1's interval,
    kept for its notebooks; the study's is :func:`accuracy_interval`)."""
    rng = np.random.default_rng(seed)
    n = len(correct)
    means = np.empty(n_boot)
    for b in range(n_boot):
        means[b] = correct[rng.integers(0, n, n)].mean()
    lo, hi = np.percentile(means, [2.5, 97.5])
    return float(lo), float(hi)


def accuracy_interval(correct) -> tuple[float, float]:
    """95 % Wilson score interval of the accuracy over the test images: test-set sampling
    only, and not degenerate at an accuracy of 0 or 1 (a bootstrap of a perfect score is
    1-1)."""
    correct = np.asarray(correct, bool)
    lo, hi = proportion_confint(int(correct.sum()), len(correct), alpha=ALPHA, method="wilson")
    accuracy = correct.mean()  # inside the interval also where rounding puts 1 at 0.99...
    return float(min(lo, accuracy)), float(max(hi, accuracy))


def mcnemar_table(correct_a: np.ndarray, correct_b: np.ndarray) -> np.ndarray:
    """2x2 table of right/wrong: rows model A right/wrong, columns model B right/wrong."""
    a, b = np.asarray(correct_a, bool), np.asarray(correct_b, bool)
    return np.array([[np.sum(a & b), np.sum(a & ~b)], [np.sum(~a & b), np.sum(~a & ~b)]])


def mcnemar_test(correct_a, correct_b) -> dict:
    table = mcnemar_table(correct_a, correct_b)
    discordant = int(table[0, 1] + table[1, 0])
    exact = discordant < 25
    res = mcnemar(table, exact=exact, correction=True)
    return {
        "table": table.tolist(),
        "a_only_right": int(table[0, 1]),
        "b_only_right": int(table[1, 0]),
        "discordant": discordant,
        "test": "exact binomial" if exact else "chi-square with continuity correction",
        "statistic": float(res.statistic),
        "p_value": float(res.pvalue),
    }


def compare_models(
    y_true: np.ndarray,
    predictions: dict[str, np.ndarray],
    labels: dict[str, str],
    *,
    seed_predictions: dict[str, list] | None = None,
) -> tuple[dict[str, tuple[float, float]], list[PairTest]]:
    """Wilson intervals per model and McNemar verdicts per pair, about the runs shown.

    ``predictions`` holds each model's shown run (its representative fit): the verdicts,
    Holm-corrected across the pairs, are about those runs, as the summary table shows
    them.  ``seed_predictions`` (every fit by seed; a model it leaves out has one fit)
    adds how the verdicts hold across seeds: with the seeds paired by index (a model with
    fewer fits repeats its last), each seed index is one family of tests, Holm-corrected
    the same way; each pair with a model of several fits records its uncorrected p and
    its verdict per seed index.
    """
    y_true = np.asarray(y_true)
    correct = {k: np.asarray(p) == y_true for k, p in predictions.items()}
    intervals = {k: accuracy_interval(c) for k, c in correct.items()}
    keys = list(itertools.combinations(predictions, 2))
    if not keys:
        return intervals, []
    shown = [mcnemar_test(correct[a], correct[b]) for a, b in keys]
    reject, p_holm = holm([t["p_value"] for t in shown])
    seeds = across_seeds(y_true, predictions, seed_predictions, keys)
    pairs = []
    for i, ((a, b), test) in enumerate(zip(keys, shown, strict=True)):
        acc_a, acc_b = correct[a].mean(), correct[b].mean()
        better = a if acc_a > acc_b else b if acc_b > acc_a else None
        pairs.append(
            PairTest(
                a=a,
                b=b,
                a_label=labels[a],
                b_label=labels[b],
                **test,
                p_holm=p_holm[i],
                significant=reject[i],
                better=better,
                difference=(test["a_only_right"] - test["b_only_right"]) / len(y_true),
                seed_p_values=seeds[i][0],
                seed_significant=seeds[i][1],
            )
        )
    return intervals, pairs


def across_seeds(y_true, predictions, seed_predictions, keys) -> list[tuple[list, list]]:
    """For each pair of ``keys``, per seed index (seeds paired by index, a model with
    fewer fits repeating its last): its uncorrected McNemar p and its Holm-corrected
    verdict within that index's family of tests.  Empty lists for a pair of two single
    fits (it would repeat one test), and for every pair when no model has several fits."""
    fits = {k: (seed_predictions or {}).get(k, [p]) for k, p in predictions.items()}
    n = max(len(f) for f in fits.values())
    if n < 2:
        return [([], [])] * len(keys)
    ps, verdicts = [], []
    for i in range(n):
        right = {k: np.asarray(f[min(i, len(f) - 1)]) == y_true for k, f in fits.items()}
        p = [mcnemar_test(right[a], right[b])["p_value"] for a, b in keys]
        ps.append(p)
        verdicts.append(holm(p)[0])
    return [
        ([p[j] for p in ps], [v[j] for v in verdicts])
        if len(fits[a]) + len(fits[b]) > 2
        else ([], [])
        for j, (a, b) in enumerate(keys)
    ]


def compare_results(
    models: dict[str, ModelResult],
    predictions: dict[str, np.ndarray],
    y_true,
    *,
    n_boot: int,
    seed: int,
    seed_predictions: dict[str, list] | None = None,
) -> StudyMetrics:
    """The comparison of a study's models, as the metrics the report words: each model
    with its bootstrap interval, McNemar's verdict per pair, the groups of
    indistinguishable models (among the models that learnt: one that did not has no
    letter) and each model's paired difference from the best."""
    labels = {k: m.label for k, m in models.items()}
    ci95, pairs = compare_models(y_true, predictions, labels, seed_predictions=seed_predictions)
    order = sorted(models, key=lambda k: -models[k].accuracy)
    return StudyMetrics(
        tasks=(),
        task1={},
        models={k: replace(m, ci95=ci95[k]) for k, m in models.items()},
        pairs=pairs,
        groups=letter_groups([k for k in order if models[k].learned is not False], pairs),
        from_best=difference_from_best(y_true, predictions, order[0], n_boot=n_boot, seed=seed),
    )


def holm(p_values) -> tuple[list[bool], list[float]]:
    """Holm's correction across a family of tests: which reject at :data:`ALPHA`, and the
    corrected p-values."""
    reject, p_holm, _, _ = multipletests(list(p_values), alpha=ALPHA, method="holm")
    return [bool(r) for r in reject], [float(p) for p in p_holm]


def difference_from_best(
    y_true, predictions: dict[str, np.ndarray], best: str, *, n_boot: int, seed: int
) -> dict[str, tuple[float, float, float]]:
    """Each model's accuracy minus the best model's on the same test images, with a 95 %
    percentile interval from paired bootstrap resamples of those images."""
    y_true = np.asarray(y_true)
    correct = {k: (np.asarray(p) == y_true).astype(float) for k, p in predictions.items()}
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(y_true), (n_boot, len(y_true)))
    out = {}
    for key, c in correct.items():
        d = c - correct[best]
        lo, hi = np.percentile(d[idx].mean(axis=1), [2.5, 97.5])
        out[key] = (float(d.mean()), float(lo), float(hi))
    return out


def letter_groups(order: list[str], pairs: list[PairTest]) -> dict[str, str]:
    """A compact letter display of the pairs' Holm-corrected verdicts (Piepho's insert
    and absorb): two models share a letter exactly when their pair is not called
    different, so the letters and the verdicts cannot disagree.  ``order`` is the models
    best first; letters are given in that order (the best model's first letter is a)."""
    different = [(p.a, p.b) for p in pairs if p.significant and p.a in order and p.b in order]
    sets: list[set] = [set(order)]
    for a, b in different:
        split = []
        for s in sets:
            if a in s and b in s:
                split += [s - {a}, s - {b}]
            else:
                split.append(s)
        # absorb: a set inside another adds no information
        sets = [
            s
            for i, s in enumerate(split)
            if s and not any(s < t or (s == t and j < i) for j, t in enumerate(split))
        ]
    rank = {k: i for i, k in enumerate(order)}
    sets.sort(key=lambda s: sorted(rank[k] for k in s))
    letters = dict.fromkeys(order, "")
    for n, s in enumerate(sets):
        for key in order:
            if key in s:
                letters[key] += "abcdefghijklmnopqrstuvwxyz"[n % 26]
    return letters
