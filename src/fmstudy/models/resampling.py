"""Resampling on the training rows only: learning curves, repeated K-fold scores, and
Alpaydin's combined 5x2cv F-test between algorithms.

    curve = learning_curve_of(spec, x_train, y_train, folds=3, seed=0)   # a LearningCurve
    scores = cv_scores(spec, x_train, y_train, k=5, repeats=2, seed=0)    # a CVScores
    tests = five_by_two({"forest": f, "logreg_std": l}, x_train, y_train, labels, seed=0)

None of these functions is given the test set: each splits the training rows it gets
into parts to fit on and parts to score on.  A spec's model is built by
:func:`fmstudy.models.classical.estimator`, with the tree count the forest's out-of-bag growth
chose; a model trained on a subsample (``max_train_rows``) is resampled within the
same subsample, and the two models of a 5x2cv pair on the same halves of the rows both
learn from (:mod:`fmstudy.models.pairing`).  A learning curve runs on fewer folds when the smallest class holds fewer
rows than its folds, and is refused in one line (:func:`curve_plan`) when a fold or a
point of it is too small for its model.
"""

from __future__ import annotations

import warnings
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
from scipy.stats import f as f_dist
from sklearn.ensemble import ExtraTreesClassifier, RandomForestClassifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import (
    RepeatedStratifiedKFold,
    StratifiedKFold,
    cross_val_score,
    learning_curve,
)
from sklearn.utils.parallel import Parallel, delayed
from threadpoolctl import threadpool_limits

from fmstudy.errors import FmstudyError
from fmstudy.evaluation.compare import holm
from fmstudy.lib_warnings import one_line_warnings
from fmstudy.models.classical import ModelSpec, estimator, subsample
from fmstudy.models.fit_needs import fewest, fit_problem, row_count
from fmstudy.models.pairing import own_rows, pair_folds, pair_rows
from fmstudy.overfitting import train_gap
from fmstudy.results import CVScores, FiveByTwoTest, LearningCurve

CURVE_FRACTIONS = (0.1, 0.25, 0.5, 1.0)  # of the rows each fold trains on


@contextmanager
def _quiet(n_jobs: int, what: str):
    """``n_jobs`` BLAS threads; resampled fits stop at the model's own iteration cap, whose
    convergence the study's fit reports, so their warnings are not repeated; any other
    warning is one line about ``what``."""
    with threadpool_limits(limits=max(1, n_jobs)), one_line_warnings(what):
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


def _rows(spec: ModelSpec, x, y):
    p = spec.params
    return subsample(x, y, p.get("max_train_rows"), p.get("random_state"))


@dataclass(frozen=True)
class CurvePlan:
    """A learning curve's folds (each training part shuffled, as scikit-learn's
    ``shuffle=True`` does) and the training rows of each point."""

    folds: int
    splits: list  # (shuffled training part, held-out fold) per fold
    sizes: list  # rows at each point: CURVE_FRACTIONS of the first fold's training part


def curve_folds(folds: int, y) -> int:
    """The folds a learning curve runs on: ``folds``, or fewer when the smallest class has
    fewer rows (stratified folds need a row of each class in each)."""
    return min(folds, fewest(y, {})[1])


def curve_plan(spec: ModelSpec, y, *, folds: int, seed: int, names=None) -> CurvePlan:
    """The folds and sizes of ``spec``'s learning curve on the training rows labelled ``y``
    (folds reduced by :func:`curve_folds`); one line (FmstudyError) when a class has a
    single row, a fold is too small for distinct sizes, or a point too small for the
    model (``names``: class numbers to names, for that line)."""
    names = names or {}
    k = curve_folds(folds, y)
    if k < 2:
        name, _ = fewest(y, names)
        raise FmstudyError(f"class {name!r} has 1 training image; stratified folds need 2")
    _, y = _rows(spec, np.zeros(len(y)), y)
    if curve_folds(k, y) < k:
        name, count = fewest(y, names)
        raise FmstudyError(
            f"its sample of {row_count(len(y))} has {count} of class {name!r}, fewer than "
            f"its {k} folds"
        )
    rng = np.random.RandomState(seed)
    cv = StratifiedKFold(k, shuffle=True, random_state=seed)
    splits = [(rng.permutation(tr), te) for tr, te in cv.split(np.zeros(len(y)), y)]
    n_max = len(splits[0][0])
    sizes = sorted({min(max(int(f * n_max), 1), n_max) for f in CURVE_FRACTIONS})
    if len(sizes) < len(CURVE_FRACTIONS):
        raise FmstudyError(
            f"a fold's training part has {row_count(n_max)}, too few for {len(CURVE_FRACTIONS)} "
            "distinct points"
        )
    for n in sizes:
        for tr, _ in splits:
            problem = fit_problem(spec, y[tr[:n]], names)
            if problem:
                raise FmstudyError(f"its point of {row_count(n)} cannot be fitted ({problem})")
    return CurvePlan(k, splits, sizes)


CURVE_RECORD = 2  # a learning curve's record; 2: its train/held-out gap and overfitting verdict


def memorises(model) -> bool:
    """Whether ``model`` is an ensemble of fully grown trees (a random forest's or extra
    trees' defaults): its accuracy on the rows it was fitted on is ~1 by construction."""
    if not isinstance(model, RandomForestClassifier | ExtraTreesClassifier):
        return False
    p = model.get_params()
    return p["max_depth"] is None and p["min_samples_leaf"] == 1 and p["max_leaf_nodes"] is None


def learning_curve_of(
    spec: ModelSpec,
    x,
    y,
    *,
    folds: int,
    seed: int,
    n_trees: int | None = None,
    n_jobs: int = 1,
    label: str = "",
    train_accuracy: float | None = None,
    oob_accuracy: float | None = None,
) -> LearningCurve:
    """Accuracy against training rows by stratified ``folds``-fold cross-validation on the
    training rows (fewer folds where :func:`curve_plan` says): each size is a shuffled
    share of a fold's training part, scored on that part (training accuracy) and on the
    held-out fold (validation accuracy); the gap between the two read for overfitting
    (:func:`fmstudy.overfitting.train_gap`)."""
    plan = curve_plan(spec, y, folds=folds, seed=seed)
    x, y = _rows(spec, x, y)
    model = estimator(spec, n_trees=n_trees)
    with _quiet(n_jobs, f"learning curve of {spec.model_key}"):
        sizes, train, val = learning_curve(
            model,
            x,
            y,
            train_sizes=plan.sizes,
            n_jobs=n_jobs,  # the folds side by side, one core each
            cv=plan.splits,  # shuffled as learning_curve(shuffle=True, random_state=seed)
            scoring="accuracy",
        )
    return LearningCurve(
        key=spec.model_key,
        label=label or spec.label,
        folds=plan.folds,
        train_rows=[int(s) for s in sizes],
        train_mean=[float(v) for v in train.mean(axis=1)],
        train_sd=[float(v) for v in train.std(axis=1, ddof=1)],
        val_mean=[float(v) for v in val.mean(axis=1)],
        val_sd=[float(v) for v in val.std(axis=1, ddof=1)],
        rows=len(y),
        train_accuracy=train_accuracy,
        oob_accuracy=oob_accuracy,
        **train_gap(train, val, memorises=memorises(model)),
    )


def cv_problem(spec: ModelSpec, y, *, k: int, repeats: int, seed: int, names=None) -> str | None:
    """Why :func:`cv_scores` cannot fit ``spec`` on every fold's training part of the
    training rows labelled ``y`` (None when it can)."""
    names = names or {}
    _, y = _rows(spec, np.zeros(len(y)), y)
    name, count = fewest(y, names)
    if count < k:
        return f"its sample of {row_count(len(y))}: class {name!r} has {count}, fewer than {k}"
    cv = RepeatedStratifiedKFold(n_splits=k, n_repeats=repeats, random_state=seed)
    for fit_idx, _ in cv.split(np.zeros(len(y)), y):
        problem = fit_problem(spec, y[fit_idx], names)
        if problem:
            return f"a fold's {row_count(len(fit_idx))}: {problem}"
    return None


def cv_scores(
    spec: ModelSpec,
    x,
    y,
    *,
    k: int,
    repeats: int,
    seed: int,
    n_trees: int | None = None,
    n_jobs: int = 1,
    label: str = "",
) -> CVScores:
    """Accuracy on each held-out fold of repeated stratified K-fold on the training rows;
    its mean and the standard deviation of the fold scores (their spread)."""
    x, y = _rows(spec, x, y)
    cv = RepeatedStratifiedKFold(n_splits=k, n_repeats=repeats, random_state=seed)
    with _quiet(n_jobs, f"--cv {k} of {spec.model_key}"):
        scores = cross_val_score(
            estimator(spec, n_trees=n_trees),
            x,
            y,
            cv=cv,
            scoring="accuracy",
            n_jobs=n_jobs,
        )
    return CVScores(
        key=spec.model_key,
        label=label or spec.label,
        folds=k,
        repeats=repeats,
        rows=len(y),
        scores=[float(s) for s in scores],
        mean=float(scores.mean()),
        sd=float(scores.std(ddof=1)),
    )


def _fit_score(spec: ModelSpec, x, y, fit_idx, score_idx, n_trees) -> float:
    model = estimator(spec, n_trees=n_trees).fit(x[fit_idx], y[fit_idx])
    return float(model.score(x[score_idx], y[score_idx]))


def combined_f(differences) -> tuple[float, float]:
    """Alpaydin's (1999) combined 5x2cv F statistic and its p-value: ``differences`` is
    5 x 2 (replication x fold) of score differences between two algorithms;
    F = sum of squared differences / (2 x sum of the replications' variances), which
    follows F(10, 5) when the algorithms are equally accurate."""
    d = np.asarray(differences, dtype=float)
    if d.shape != (5, 2):
        raise ValueError(f"5x2cv needs 5 x 2 differences, got shape {d.shape}")
    s2 = ((d - d.mean(axis=1, keepdims=True)) ** 2).sum(axis=1)
    num, den = float((d**2).sum()), float(2 * s2.sum())
    if num == 0:
        return 0.0, 1.0  # identical scores on every fold
    if den == 0:
        return float("inf"), 0.0  # the same non-zero difference on every fold
    stat = num / den
    return stat, float(f_dist.sf(stat, 10, 5))


def halves_problem(
    spec: ModelSpec, y, *, seed: int, names=None, among: list[ModelSpec] | None = None
) -> str | None:
    """Why :func:`five_by_two` cannot fit ``spec`` on each half of the training rows
    labelled ``y`` it may be resampled on: its own, and the sample of each model of
    ``among`` with no more rows than its own (a pair's rows, :func:`pair_rows`); None
    when it can."""
    names = names or {}
    mine = own_rows(spec, y)
    sets = [mine, *(r for r in (own_rows(o, y) for o in among or []) if len(r) <= len(mine))]
    for index in sets:
        part = np.asarray(y)[index]
        name, count = fewest(part, names)
        if count < 2:
            return f"{row_count(len(part))}: class {name!r} has 1 of them, and each half needs one"
        for fit_idx, _ in pair_folds(index, y, seed):
            problem = fit_problem(spec, np.asarray(y)[fit_idx], names)
            if problem:
                return f"a half's {row_count(len(fit_idx))}: {problem}"
    return None


def five_by_two(
    specs: dict[str, ModelSpec],
    x,
    y,
    labels: dict[str, str],
    *,
    seed: int,
    n_trees: dict[str, int] | None = None,
    n_jobs: int = 1,
) -> tuple[dict[str, list], list[FiveByTwoTest]]:
    """The 5x2cv design: five replications of a stratified 2-fold split (seeds ``seed``
    ... ``seed + 4``); each pair's two models fitted on the same halves of the same rows
    (:func:`~fmstudy.models.pairing.pair_rows`) and scored on the other half; then the
    combined F-test for each pair, Holm-corrected across the pairs.  Returns each model's
    5 x 2 fold accuracies on its own rows and the tests."""
    y = np.asarray(y)
    own = {key: own_rows(spec, y) for key, spec in specs.items()}
    first = {}  # a row set's bytes: the first model whose own rows it is
    name = {key: first.setdefault(own[key].tobytes(), key) for key in specs}
    plan = pair_rows(specs, y)
    on = {pair: name[p.on or pair[0]] for pair, p in plan.items()}
    fits = [(key, name[key]) for key in specs]  # (model, whose rows), each once, in order
    fits += [(key, c) for (a, b), c in on.items() for key in (a, b) if (key, c) not in fits]
    jobs = [
        (key, c, n, f, s) for key, c in fits for n, (f, s) in enumerate(pair_folds(own[c], y, seed))
    ]
    with _quiet(1, "--compare 5x2cv"):  # the fits side by side, one core each
        found = Parallel(n_jobs=n_jobs)(
            delayed(_fit_score)(specs[key], x, y, f, s, (n_trees or {}).get(key))
            for key, _, _, f, s in jobs
        )
    got = {fit: np.zeros((5, 2)) for fit in fits}
    for (key, c, n, *_), score in zip(jobs, found, strict=True):
        got[key, c][divmod(n, 2)] = score
    raw = []
    for a, b in plan:
        sa, sb = got[a, on[a, b]], got[b, on[a, b]]
        raw.append((a, b, sa, sb, sa - sb, *combined_f(sa - sb)))
    scores = {key: got[key, name[key]].tolist() for key in specs}
    if not raw:
        return scores, []
    reject, p_holm = holm([r[6] for r in raw])
    tests = []
    for (a, b, sa, sb, diff, stat, p), r, ph in zip(raw, reject, p_holm, strict=True):
        ma, mb = float(sa.mean()), float(sb.mean())
        tests.append(
            FiveByTwoTest(
                a=a,
                b=b,
                a_label=labels[a],
                b_label=labels[b],
                a_mean=ma,
                b_mean=mb,
                differences=diff.tolist(),
                statistic=stat,
                p_value=p,
                p_holm=float(ph),
                significant=bool(r),
                better=a if ma > mb else b if mb > ma else None,
                rows=[len(own[a]), len(own[b])],
                paired_rows=len(plan[a, b].index),
                paired_on=plan[a, b].on,
                paired_reason=plan[a, b].reason,
            )
        )
    return scores, tests
