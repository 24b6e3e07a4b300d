"""Tasks 3 and 4 and the other classical models of ``--models`` in a study: every fit
from the cache or made, each model's representative evaluated (with the mistakes its
figure shows) and (as ``--save-models`` says) saved, then the resampling on the training
rows (learning curves, ``--cv``, ``--compare 5x2cv``).

    runs = run_classical(config, sub, cache, jobs, steps, save_models="small")
    runs.models["forest"].accuracy, runs.probabilities["forest"], runs.estimators["forest"]
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field, replace

import numpy as np
from joblib import Parallel, delayed

from fmstudy.cache.fits import FitCache
from fmstudy.data.subsets import Subset
from fmstudy.errors import FmstudyError
from fmstudy.evaluation.compare import model_result
from fmstudy.models import saved as saved_models
from fmstudy.models.classical import (
    FitResult,
    ModelSpec,
    classical_specs,
    fit_model,
    representative_fit,
)
from fmstudy.models.resampling import (
    CURVE_RECORD,
    curve_plan,
    cv_scores,
    five_by_two,
    learning_curve_of,
)
from fmstudy.models.zoo import zoo_specs
from fmstudy.progress import Steps
from fmstudy.results import CVScores, FiveByTwoTest, LearningCurve, ModelResult
from fmstudy.study.config import StudyConfig
from fmstudy.study.figure_data import Gallery, pair_mistakes

log = logging.getLogger("fmstudy")


@dataclass
class ClassicalRuns:
    """What tasks 3-4 add to a study."""

    models: dict[str, ModelResult] = field(default_factory=dict)
    predictions: dict[str, np.ndarray] = field(default_factory=dict)  # the representative's
    probabilities: dict[str, np.ndarray] = field(default_factory=dict)
    seed_predictions: dict[str, list] = field(default_factory=dict)  # every fit's, by seed
    timings: dict = field(default_factory=dict)  # key -> fit/predict seconds
    pair_mistakes: dict[str, Gallery] = field(default_factory=dict)  # within the worst pair
    parts: dict = field(default_factory=dict)  # learning_curves, cv, five_by_two
    chosen: dict[str, ModelSpec] = field(default_factory=dict)  # the representative's spec
    estimators: dict[str, object] = field(default_factory=dict)  # the representative's, fitted
    saved: dict[str, saved_models.SavedModel] = field(default_factory=dict)  # --save-models


def study_specs(config: StudyConfig) -> list[ModelSpec]:
    """The classical fits a config asks for: the forest (task 3) and the logistic
    regressions (task 4) when ``--models`` names them, the other models of ``--models``
    when either task runs."""
    models, tasks = config.models, config.tasks
    specs = [
        s
        for s in classical_specs(config.forest, config.logreg)
        if ("3" in tasks and s.kind == "forest" and "forest" in models)
        or ("4" in tasks and s.kind == "logreg" and "logreg" in models)
    ]
    if "3" in tasks or "4" in tasks:
        specs += zoo_specs(models, config.zoo)
    return specs


def run_classical(
    config: StudyConfig,
    sub: Subset,
    cache: FitCache,
    jobs: int,
    steps: Steps,
    save_models: str = "small",
) -> ClassicalRuns:
    """The classical models as ``config`` says; each representative's estimator is kept
    (when it was fitted now or its file is in the cache) and saved as ``save_models`` says."""
    specs = study_specs(config)
    out = ClassicalRuns()
    fits, cached, keys = _fit_all(config, sub, cache, jobs, steps, specs, save_models)
    for key in dict.fromkeys(s.model_key for s in specs):
        mine = [s for s in specs if s.model_key == key]
        group = [fits[s.key] for s in mine]
        rep, details = representative_fit(
            group, [s.params["random_state"] for s in mine], sub.y_test
        )
        spec = out.chosen[key] = mine[group.index(rep)]
        ev = model_result(
            key,
            (mine[0].label_id, mine[0].label_args),
            spec.task,
            sub.y_test,
            rep.y_pred,
            sub.classes,
            sub.class_names,
            details,
            proba=rep.proba,
            source=spec.source,
        )
        out.models[key] = ev
        out.predictions[key] = rep.y_pred
        out.probabilities[key] = rep.proba
        out.seed_predictions[key] = [f.y_pred for f in group]
        out.timings[key] = {
            "fit_seconds": round(rep.fit_seconds, 3),  # the shown run's, as for networks
            "all_seeds_fit_seconds": round(sum(f.fit_seconds for f in group), 3),
            "predict_seconds": round(rep.predict_seconds, 3),
            "cached": all(s.key in cached for s in mine),
        }
        if (mistakes := pair_mistakes(sub, ev, rep.y_pred, rep.proba)) is not None:
            out.pair_mistakes[key] = mistakes
        _keep_estimator(out, config, sub, cache, jobs, spec, rep, keys[spec.key], save_models)
    if out.models:
        _resample(config, sub, cache, jobs, steps, out)
    return out


def _keep_estimator(out, config, sub, cache, jobs, spec, rep, cache_key, policy) -> None:
    """The representative's fitted estimator (made now, or read back from its file in
    the cache; refitted only when ``--save-models all`` wants a file the cache did not
    keep) and what the report saves of it."""
    data = cache.load_model_data(cache_key)
    if data is None and policy == "all":
        x_train = sub.x_train.reshape(len(sub.x_train), -1)
        x_test = sub.x_test.reshape(len(sub.x_test), -1)
        rep = _fit_and_keep(spec, x_train, sub.y_train, x_test, jobs, cache, cache_key, policy)
        data = cache.load_model_data(cache_key)
    estimator = rep.model
    if estimator is None and data is not None:
        estimator = saved_models.loads(data, f"the cached {spec.model_key} model")
    if estimator is not None:
        out.estimators[spec.model_key] = estimator
    out.saved[spec.model_key] = saved_models.SavedModel(
        spec.model_key,
        rep.model_bytes,
        data if data is not None and saved_models.wanted(policy, rep.model_bytes) else None,
        saved_models.model_meta(spec, rep, sub),
        policy,
    )


def _fit_and_keep(
    spec, x_train, y_train, x_test, n_jobs, cache: FitCache, key: str, policy: str
) -> FitResult:
    """A fit made now, kept in the cache with its skops file when that is small (or
    ``--save-models all``) and its size always: an interrupted run resumes complete."""
    fit = fit_model(spec, x_train, y_train, x_test, n_jobs=n_jobs)
    data = saved_models.dump(fit.model)
    keep = policy == "all" or len(data) <= saved_models.SMALL_MODEL_BYTES
    return cache.keep_fit(key, replace(fit, model_bytes=len(data)), data if keep else None)


def _fit_all(
    config, sub, cache, jobs, steps, specs, policy
) -> tuple[dict[str, FitResult], set[str], dict[str, str]]:
    """Each fit from the cache if it is there, else fitted (in parallel where the config
    asks for it: independent single-threaded fits, longest first) and kept.  Returns the
    fits, the keys of those that came from the cache and every fit's cache key."""
    x_train = sub.x_train.reshape(len(sub.x_train), -1)
    x_test = sub.x_test.reshape(len(sub.x_test), -1)
    keys = {s.key: cache.key(s.kind, s.params) for s in specs}  # seeds differ in params
    fits = {s.key: f for s in specs if (f := cache.load_fit(keys[s.key])) is not None}
    cached = set(fits)
    todo = sorted((s for s in specs if s.key not in cached), key=lambda s: -s.expected_cost)
    if not specs:
        return fits, cached, keys
    label = ", ".join(s.key for s in todo) or "all cached"
    with steps.step("fit", f"Tasks 3-4: fitting models ({label})", total=len(specs)) as advance:
        advance(len(specs) - len(todo))
        if config.parallel_fits and jobs > 1 and len(todo) > 1:
            runner = Parallel(n_jobs=min(jobs, len(todo)), return_as="generator_unordered")
            for fit in runner(
                delayed(_fit_and_keep)(
                    s, x_train, sub.y_train, x_test, 1, cache, keys[s.key], policy
                )
                for s in todo
            ):
                fits[fit.key] = fit
                advance()
        else:
            for s in todo:
                fits[s.key] = _fit_and_keep(
                    s, x_train, sub.y_train, x_test, jobs, cache, keys[s.key], policy
                )
                advance()
    return fits, cached, keys


def _kept(cache: FitCache, kind: str, params: dict, seed: int, make):
    """A resampling result from the cache, else made by ``make()`` and kept."""
    key = cache.key(kind, params, seed)
    found = cache.load_record(key)
    return found if found is not None else cache.keep_record(key, make())


def _curves(config, sub: Subset, cache: FitCache, jobs: int, steps: Steps, out, trees) -> None:
    """Each model's learning curve where the training rows allow one (see
    :func:`fmstudy.models.resampling.curve_plan`); those left out are said in one line per reason."""
    x = sub.x_train.reshape(len(sub.x_train), -1)
    y = sub.y_train
    names = dict(zip(sub.classes, sub.class_names, strict=True))
    curves, left_out = {}, {}
    with steps.step("curves", "Tasks 3-4: learning curves (training rows only)"):
        for key, spec in out.chosen.items():
            try:
                curve_plan(spec, y, folds=config.learning_folds, seed=config.seed, names=names)
            except FmstudyError as exc:
                left_out.setdefault(str(exc), []).append(key)
                continue
            d = out.models[key].details
            params = {
                "spec": spec.params,
                "n_trees": trees[key],
                "folds": config.learning_folds,
                "record": CURVE_RECORD,  # a record of another shape is made again
            }
            record = _kept(
                cache,
                "learning-curve",
                params,
                config.seed,
                lambda spec=spec, key=key: asdict(
                    learning_curve_of(
                        spec,
                        x,
                        y,
                        folds=config.learning_folds,
                        seed=config.seed,
                        n_trees=trees[key],
                        n_jobs=jobs,
                    )
                ),
            )
            curves[key] = replace(
                LearningCurve(**record),
                key=key,
                label=out.models[key].label,
                train_accuracy=d.get("train_accuracy"),
                oob_accuracy=d.get("oob_accuracy"),
            )
    for reason, keys in left_out.items():
        log.warning("fmstudy: note: learning curve of %s left out: %s", ", ".join(keys), reason)
    if curves:
        out.parts["learning_curves"] = curves


def _resample(
    config: StudyConfig, sub: Subset, cache: FitCache, jobs: int, steps: Steps, out: ClassicalRuns
):
    """Learning curves, repeated K-fold and 5x2cv, all on the training rows; each kept in
    the cache, so a rerun refits nothing."""
    x = sub.x_train.reshape(len(sub.x_train), -1)
    y = sub.y_train
    trees = {k: m.details.get("n_trees") for k, m in out.models.items()}
    labels = {k: m.label for k, m in out.models.items()}
    if config.learning_curves:
        _curves(config, sub, cache, jobs, steps, out, trees)
    if config.cv:
        title = f"--cv {config.cv}: repeated stratified K-fold on the training rows"
        with steps.step("cv", title):
            cv = {}
            for key, spec in out.chosen.items():
                params = {"spec": spec.params, "n_trees": trees[key], "k": config.cv}
                params["repeats"] = config.cv_repeats
                record = _kept(
                    cache,
                    "cv",
                    params,
                    config.seed,
                    lambda spec=spec, key=key: asdict(
                        cv_scores(
                            spec,
                            x,
                            y,
                            k=config.cv,
                            repeats=config.cv_repeats,
                            seed=config.seed,
                            n_trees=trees[key],
                            n_jobs=jobs,
                        )
                    ),
                )
                cv[key] = replace(CVScores(**record), key=key, label=labels[key])
            out.parts["cv"] = cv
    if config.compare == "5x2cv" and len(out.chosen) >= 2:
        with steps.step("5x2cv", "--compare 5x2cv: each pair fitted on the same halves"):
            params = {k: {"spec": s.params, "n_trees": trees[k]} for k, s in out.chosen.items()}
            record = _kept(
                cache,
                "5x2cv-paired",  # pairs on shared rows: earlier records are not reused
                params,
                config.seed,
                lambda: _five_by_two_record(out.chosen, x, y, labels, config.seed, trees, jobs),
            )
        out.parts["five_by_two"] = {
            "scores": record["scores"],
            "tests": [
                replace(FiveByTwoTest(**t), a_label=labels[t["a"]], b_label=labels[t["b"]])
                for t in record["tests"]
            ],
        }


def _five_by_two_record(chosen, x, y, labels, seed, trees, jobs) -> dict:
    scores, tests = five_by_two(chosen, x, y, labels, seed=seed, n_trees=trees, n_jobs=jobs)
    return {"scores": scores, "tests": [asdict(t) for t in tests]}
