"""Whether the chosen classes hold enough images for what a study asks: checked once,
after the data is loaded and before any work.

    check_study(config, sub)   # one line (FmstudyError), or a note of what is reduced

What the data cannot honour stops here in one line that says what is too small and what
to do: a class without test images, images of a single value, PCA of identical images, a
model that cannot be fitted on the training rows (the SVC's calibration folds, boosting's
early-stopping split, k-NN's k, a stratified sample), ``--cv K`` or ``--compare 5x2cv``
with too few rows per class or per fold, a network whose validation part is empty or
takes a whole class, or would train on a batch of one image that its batch normalisation
cannot take.  The learning curves, on by default, adapt instead: fewer folds when
the smallest class has fewer rows than their folds (said here), a model's curve left out
where a point of it is too small for the model (said when the curves are made).
"""

from __future__ import annotations

import logging

import numpy as np

from fmstudy.data.subsets import Subset
from fmstudy.errors import FmstudyError
from fmstudy.evaluation.compare import untested_class
from fmstudy.evaluation.pca import pca_problem
from fmstudy.models.classical import subsample
from fmstudy.models.fit_needs import fewest, fit_problem, sample_problem
from fmstudy.models.resampling import curve_folds, cv_problem, halves_problem
from fmstudy.study.config import StudyConfig
from fmstudy.study.fit_classical import study_specs

log = logging.getLogger("fmstudy")


def training_images(n: int) -> str:
    """``n`` training images in words: 1 training image, 2 training images."""
    return f"{n} training image" if n == 1 else f"{n} training images"


def check_study(config: StudyConfig, sub: Subset) -> None:
    """Stop in one line where ``sub`` is too small or too odd for what ``config`` asks."""
    names = dict(zip(sub.classes, sub.class_names, strict=True))
    _check_images(config, sub)
    if "3" in config.tasks or "4" in config.tasks:
        _check_classical(config, sub.y_train, names)
    if ("5" in config.tasks and config.networks) or "search" in config.tasks:
        _check_networks(config, sub, names)


def _check_images(config: StudyConfig, sub: Subset) -> None:
    missing = untested_class(sub.y_test, sub.classes, sub.class_names)
    if missing is not None:
        raise FmstudyError(
            f"class {missing!r} has no test images, so its scores would be undefined; add test "
            "images to it, or leave it out of --classes"
        )
    if sub.x_train[0].size < 2:
        raise FmstudyError(
            "the images are 1 x 1 pixel, one value each; the study needs at least 2 per image "
            "(PCA's two components, the correlation of class-mean images): use larger images"
        )
    if "2" in config.tasks:
        problem = pca_problem(sub.x_train.reshape(len(sub.x_train), -1))
        if problem:
            raise FmstudyError(f"task 2 (PCA): {problem}; leave task 2 out of --tasks")


def _check_classical(config: StudyConfig, y: np.ndarray, names: dict) -> None:
    """Every classical fit, then --cv, --compare 5x2cv and the learning curves' folds."""
    specs = study_specs(config)
    for spec in specs:
        n, seed = spec.params.get("max_train_rows"), spec.params.get("random_state")
        problem = sample_problem(y, n, names)
        fix = "add images, or use --profile standard, which fits on every row"
        if problem is None:
            problem = fit_problem(spec, subsample(np.zeros(len(y)), y, n, seed)[1], names)
            fix = f"leave {spec.kind} out of --models, or add images"
        if problem:
            raise FmstudyError(
                f"{spec.model_key} cannot be fitted on the {len(y)} training rows: {problem}; {fix}"
            )
    name, fewest_rows = fewest(y, names)
    if config.cv and fewest_rows < config.cv:
        k = config.cv
        fix = f"use --cv {fewest_rows} or add images" if fewest_rows >= 2 else "add images"
        raise FmstudyError(
            f"class {name!r} has {training_images(fewest_rows)}; --cv {k} needs at least {k} "
            f"per class: {fix}"
        )
    for spec in specs if config.cv else []:
        k = config.cv
        problem = cv_problem(spec, y, k=k, repeats=config.cv_repeats, seed=config.seed, names=names)
        if problem:
            raise FmstudyError(
                f"--cv {k}: {spec.model_key} cannot be fitted on {problem}; add images, or "
                "leave out --cv"
            )
    pairs = len({s.model_key for s in specs}) >= 2
    for spec in specs if config.compare == "5x2cv" and pairs else []:
        problem = halves_problem(spec, y, seed=config.seed, names=names, among=specs)
        if problem:
            raise FmstudyError(
                f"--compare 5x2cv: {spec.model_key} cannot be fitted on {problem}; add images, "
                "or leave out --compare"
            )
    folds = curve_folds(config.learning_folds, y)
    if config.learning_curves and specs and 2 <= folds < config.learning_folds:
        log.warning(
            "fmstudy: note: class %r has %s, so the learning curves use %d-fold "
            "cross-validation instead of %d",
            name,
            training_images(fewest_rows),
            folds,
            config.learning_folds,
        )


def _check_networks(config: StudyConfig, sub: Subset, names: dict) -> None:
    """Each network's validation part (the search's trials split as a default spec does):
    not empty, and leaving each class a row to train on; no batch of one image through
    batch normalisation of 1 x 1 feature maps."""
    from fmstudy.nets.inputs import split_validation
    from fmstudy.nets.spec import NetSpec, parse_layers
    from fmstudy.nets.train_needs import batch_problem, validation_problem

    y, shape = sub.y_train, sub.x_train.shape[1:]
    specs = config.network_specs() if "5" in config.tasks and config.networks else []
    if "search" in config.tasks:
        specs.append(NetSpec(parse_layers("8"), name="search-trial", val_split="stratified"))
    for spec in specs:
        tr_idx, val_idx = split_validation(y, spec, config.seed)
        problem = validation_problem(y, tr_idx, val_idx, spec, names)
        problem = problem or batch_problem(spec, len(tr_idx), shape)
        if spec.refit:  # then trained again on every row
            problem = problem or batch_problem(spec, len(y), shape)
        if problem:
            raise FmstudyError(problem)
