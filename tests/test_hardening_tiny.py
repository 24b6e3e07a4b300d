"""Tiny and odd data sets (issue 24, point 3): each case either runs, adapting where that
is honest and saying so in one line, or stops before any work in one line that says what
is too small and what to do; library warnings become one line of fmstudy's own."""

from __future__ import annotations

import dataclasses
import logging
import warnings

import numpy as np
import pytest
from badinput import check_bad_input
from sklearn.exceptions import FitFailedWarning
from sklearn.model_selection import StratifiedKFold, learning_curve

from fmstudy.errors import FmstudyError
from fmstudy.evaluation.compare import model_result
from fmstudy.evaluation.pca import run_pca
from fmstudy.lib_warnings import one_line_warnings
from fmstudy.models.classical import ModelSpec, classical_specs, estimator, fit_model
from fmstudy.models.fit_needs import fit_problem
from fmstudy.models.resampling import (
    CURVE_FRACTIONS,
    curve_plan,
    cv_problem,
    halves_problem,
    learning_curve_of,
)
from fmstudy.models.zoo import zoo_defaults, zoo_specs
from fmstudy.nets.spec import NetSpec, parse_layers
from fmstudy.nets.training import train
from fmstudy.study.profiles import ForestSettings, LogRegSettings

SPECS = {
    s.key: s
    for s in classical_specs(
        ForestSettings(n_estimators=10, random_state=0),
        LogRegSettings(max_iter=100, random_state=0, raw_scale=1 / 255),
    )
}
ZOO = {s.key: s for s in zoo_specs(("svc", "knn", "hgb", "extra-trees"), zoo_defaults("", 0))}
NAMES = {0: "boot", 1: "coat", 2: "hat"}


def labels(*counts) -> np.ndarray:
    """Class 0 ``counts[0]`` times, class 1 ``counts[1]`` times, ... in one shuffled array."""
    y = np.repeat(np.arange(len(counts)), counts)
    return np.random.default_rng(0).permutation(y)


def images(counts, shape=(4, 4), seed=0) -> tuple[np.ndarray, np.ndarray]:
    """Images whose brightness gives their class away, sorted by class (as an .npz of one's
    own often is)."""
    rng = np.random.default_rng(seed)
    y = np.repeat(np.arange(len(counts)), counts).astype(np.uint8)
    x = (rng.integers(0, 60, (len(y), *shape)) + 60 * y.reshape(-1, *[1] * len(shape))).astype(
        np.uint8
    )
    return x, y


def npz(train_counts, test_counts, shape=(4, 4), same=False):
    """A callable that writes an .npz of one's own under the test's folder."""

    def make(p):
        x_train, y_train = images(train_counts, shape)
        x_test, y_test = images(test_counts, shape, seed=1)
        if same:
            x_train[:] = 7
        path = p / "tiny.npz"
        names = np.array(list(NAMES.values())[: len(train_counts)])
        arrays = {"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test}
        np.savez(path, **arrays, class_names=names)
        return path

    return make


def outside(p):
    """A data folder beside the test's folder: the decoded-data and fit caches a stop
    after loading may keep are not the report, which must not be written."""
    return p.parent / f"{p.name}-data"


def storage(p):
    """The search's trials in an SQLite file in the data folder beside the test's."""
    outside(p).mkdir(exist_ok=True)
    return f"sqlite:///{outside(p)}/search.db"


def run(data, *options, tasks="1-4", classes="0-2"):
    """``fmstudy run`` on one's own data, quick profile."""
    return [
        "run",
        "--dataset",
        data,
        "--classes",
        classes,
        "--profile",
        "quick",
        "--tasks",
        tasks,
        "--data-dir",
        outside,
        "--out",
        "report",
        *options,
    ]


def nn(data, *options, arch="8", classes="0-2"):
    """``fmstudy nn`` on one's own data: one small network, one epoch, one seed."""
    net = ["--arch", arch, "--epochs", "1", "--seeds", "1"]
    return ["nn", "--dataset", data, "--classes", classes, *net, "--data-dir", outside, *options]


STOPS = [
    # --cv K with fewer images than K in a class: the brief's own example
    (
        run(npz([2, 2, 2], [1, 1, 1]), "--cv", "5"),
        "class 'boot' has 2 training images; --cv 5 "
        "needs at least 5 per class: use --cv 2 or add images",
    ),
    (run(npz([1, 4, 4], [1, 1, 1]), "--cv", "3"), "has 1 training image; --cv 3"),
    # --cv 2 is possible by class counts, but the SVC's 3 calibration folds are not
    (run(npz([5, 5, 5], [1, 1, 1]), "--models", "svc", "--cv", "2"), "--cv 2: svc cannot be"),
    (run(npz([1, 6, 6], [1, 1, 1]), "--compare", "5x2cv"), "--compare 5x2cv: forest"),
    (
        run(npz([2, 2, 2], [1, 1, 1]), "--models", "forest,knn", "--compare", "5x2cv"),
        "k-NN needs at least k = 5",
    ),
    (run(npz([2, 9, 9], [1, 1, 1]), "--models", "svc"), "calibrates its probabilities on 3"),
    (run(npz([5, 5, 5], [1, 1, 1]), "--models", "hgb"), "boosting stops early"),
    (run(npz([2, 2], [1, 1]), "--models", "knn", classes="0,1"), "leave knn out of --models"),
    (run(npz([5, 5, 5], [1, 1, 1], shape=(1, 1))), "the images are 1 x 1 pixel"),
    (run(npz([5, 5, 5], [2, 2, 0])), "class 'hat' has no test images"),
    (run(npz([5, 5, 5], [1, 1, 1], same=True), tasks="1,2"), "PCA): all 15 training images"),
    (nn(npz([2, 2, 2], [1, 1, 1])), "which is none of these 6"),
    (nn(npz([20, 2, 2], [1, 1, 1]), "--val-split", "first"), "which is class 'boot' alone"),
    # 2 x 2 images pooled to 1 x 1; 41 rows keep 33 to train on, in batches of 32
    (
        nn(npz([21, 20], [1, 1], shape=(2, 2)), arch="c4-p-c4-8", classes="0,1"),
        "would train on a batch of 1 image (33 in batches of 32)",
    ),
]


@pytest.mark.parametrize("args, words", STOPS)
def test_too_few_images_stop_in_one_line_before_any_work(
    args, words, tmp_path, capsys, monkeypatch
):
    check_bad_input(args, words, tmp_path, capsys, monkeypatch)


def test_a_quick_profiles_sample_too_small_for_a_class_is_one_line(tmp_path, capsys, monkeypatch):
    """The quick profile fits the forest on a stratified sample of 6,000 rows, which cannot
    hold a class of one image (was train_test_split's ValueError)."""
    from fmstudy.study import config, profiles

    quick = profiles.get_profile("quick", 0)
    small = dataclasses.replace(quick.forest, max_train_rows=20)
    monkeypatch.setattr(config, "get_profile", lambda *a: dataclasses.replace(quick, forest=small))
    line = check_bad_input(
        run(npz([1, 20, 20], [1, 1, 1]), tasks="1,3"),
        "its stratified sample of 20",
        tmp_path,
        capsys,
        monkeypatch,
    )
    assert "class 'boot' has 1 of them" in line and "--profile standard" in line


def test_the_search_stops_before_its_first_trial(tmp_path, capsys, monkeypatch):
    """Its trials' validation part would be empty: one line before any trial runs (the
    search command makes its --out folder first, which is its own business)."""
    from fmstudy.cli.main import main

    monkeypatch.chdir(tmp_path)
    data = str(npz([2, 2, 2], [1, 1, 1])(tmp_path))
    argv = ["search", "--dataset", data, "--classes", "0-2", "--trials", "1"]
    assert main([*argv, "--data-dir", str(outside(tmp_path)), "--storage", storage(tmp_path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("fmstudy: error: network 'search-trial' validates on 20 %"), err
    assert not any("Traceback" in line or "trial" in line.lower() for line in err[:-1]), err
    assert not (outside(tmp_path) / "search.db").exists()  # no trial was stored


def test_uneven_tiny_classes_run_with_fewer_folds_and_say_so(tmp_path, caplog):
    """2, 12 and 12 training images: the learning curves run on 2 folds (said, and
    recorded); the logistic regressions' smallest point holds a single class, so their
    curves are left out, said in one line; no library warning reaches the terminal."""
    from fmstudy.api import run_study
    from fmstudy.study.config import StudyConfig

    path = npz([2, 12, 12], [2, 2, 2])(tmp_path)
    config = StudyConfig(
        classes=(0, 1, 2), dataset=str(path), profile="quick", tasks=("1", "3", "4")
    )
    with warnings.catch_warnings(record=True) as escaped, caplog.at_level(logging.WARNING):
        warnings.simplefilter("always")
        result = run_study(config, data_dir=tmp_path / "data", jobs=1)
    notes = [r.getMessage() for r in caplog.records]
    assert (
        "fmstudy: note: class 'boot' has 2 training images, so the learning curves use "
        "2-fold cross-validation instead of 3" in notes
    )
    assert any(
        n.startswith("fmstudy: note: learning curve of logreg_raw, logreg_std left out")
        for n in notes
    ), notes
    assert all("\n" not in n for n in notes)
    curves = result.metrics.learning_curves
    assert list(curves) == ["forest"] and curves["forest"].folds == 2
    assert len(set(curves["forest"].train_rows)) == len(CURVE_FRACTIONS)
    assert not [w for w in escaped if not issubclass(w.category, DeprecationWarning)], [
        str(w.message) for w in escaped
    ]


def test_a_learning_curve_is_the_one_scikit_learn_draws(data):
    """The plan's folds and points are scikit-learn's own (shuffle=True, random_state):
    on data large enough, the numbers are those of the call it replaced."""
    x, y = data[0].reshape(len(data[0]), -1), data[1]
    spec = SPECS["forest"]
    got = learning_curve_of(spec, x, y, folds=3, seed=2)
    sizes, train_s, val_s = learning_curve(
        estimator(spec),
        x,
        y,
        train_sizes=list(CURVE_FRACTIONS),
        cv=StratifiedKFold(3, shuffle=True, random_state=2),
        scoring="accuracy",
        shuffle=True,
        random_state=2,
    )
    assert got.train_rows == sizes.tolist() and got.folds == 3
    assert np.allclose(got.val_mean, val_s.mean(axis=1))
    assert np.allclose(got.train_mean, train_s.mean(axis=1))


def test_learning_curve_folds_shrink_to_the_smallest_class():
    assert curve_plan(SPECS["forest"], labels(2, 30, 30), folds=3, seed=0).folds == 2
    assert curve_plan(SPECS["forest"], labels(20, 30, 30), folds=3, seed=0).folds == 3


@pytest.mark.parametrize(
    "spec, y, words",
    [
        (SPECS["forest"], labels(1, 10, 10), "class 'boot' has 1 training image"),
        (SPECS["forest"], labels(2, 2, 2), "too few for 4 distinct points"),
        (SPECS["logreg_std"], labels(5, 5, 5), "its point of 1 row cannot be fitted"),
        (ZOO["knn"], labels(6, 6, 6), "k-NN needs at least k = 5"),
    ],
)
def test_a_learning_curve_too_small_for_its_model_is_refused_in_words(spec, y, words):
    with pytest.raises(FmstudyError, match=words):
        curve_plan(spec, y, folds=3, seed=0, names=NAMES)


@pytest.mark.parametrize(
    "spec, y, words",
    [
        (SPECS["logreg_raw"], np.zeros(4, int), "all are of class 'boot'"),
        (ZOO["knn"], labels(2, 2), "k-NN needs at least k = 5"),
        (ZOO["svc"], labels(2, 9), "class 'boot' has 2 of them"),
        (ZOO["hgb"], labels(5, 5, 5), "into 2 and 13 needs 3"),
        (ZOO["hgb"], labels(1, 30, 30), "class 'boot' has 1 of them"),
    ],
)
def test_what_a_model_needs_is_said(spec, y, words):
    assert words in fit_problem(spec, y, NAMES)


@pytest.mark.parametrize("key", ["forest", "extra-trees"])
def test_the_forests_fit_any_rows(key):
    assert fit_problem({**SPECS, **ZOO}[key], np.zeros(1, int), NAMES) is None


def test_folds_and_halves_are_checked_for_the_model():
    assert "a fold's 7 rows: class" in cv_problem(
        ZOO["svc"], labels(5, 5, 5), k=2, repeats=1, seed=0
    )
    assert cv_problem(ZOO["svc"], labels(5, 5, 5), k=3, repeats=2, seed=0) is None
    assert "a half's" in halves_problem(ZOO["knn"], labels(3, 3), seed=0)
    assert halves_problem(SPECS["forest"], labels(2, 2), seed=0) is None


def test_a_multi_line_library_warning_becomes_one_line(caplog):
    dump = (
        "\n3 fits failed out of 12.\n\nTraceback (most recent call last):\n  ...\n"
        "ValueError: needs samples of at least 2 classes\n"
    )
    with warnings.catch_warnings(record=True) as escaped, caplog.at_level(logging.WARNING):
        warnings.simplefilter("always")
        with one_line_warnings("learning curve of logreg"):
            warnings.warn(dump, FitFailedWarning, stacklevel=1)
            warnings.warn(dump, FitFailedWarning, stacklevel=1)  # the same: said once
    assert not escaped
    assert [r.getMessage() for r in caplog.records] == [
        "fmstudy: note: learning curve of logreg: FitFailedWarning: 3 fits failed out of 12. "
        "(ValueError: needs samples of at least 2 classes)"
    ]


def test_a_fit_says_a_library_warning_in_one_line(caplog):
    """A forest of 2 trees on 6 rows leaves rows without an out-of-bag vote: scikit-learn
    warns; the study says it in one line and nothing escapes as a Python warning."""
    x, y = images([3, 3], (2, 2))
    spec = ModelSpec("forest", "forest", "forest", {**SPECS["forest"].params, "n_estimators": 2})
    with warnings.catch_warnings(record=True) as escaped, caplog.at_level(logging.WARNING):
        warnings.simplefilter("always")
        fit_model(spec, x.reshape(6, -1), y, x.reshape(6, -1))
    assert not escaped
    lines = [r.getMessage() for r in caplog.records]
    assert lines and all(s.startswith("fmstudy: note: forest: UserWarning: ") for s in lines)


def test_logistic_regressions_convergence_is_still_reported_not_noted(caplog):
    x, y = images([20, 20], (4, 4))
    params = {**SPECS["logreg_raw"].params, "max_iter": 1}
    spec = ModelSpec("logreg_raw", "logreg", "logreg", params)
    with caplog.at_level(logging.WARNING):
        fit = fit_model(spec, x.reshape(40, -1), y, x.reshape(40, -1))
    assert fit.info["converged"] is False
    assert not [r for r in caplog.records if "ConvergenceWarning" in r.getMessage()]


def test_a_class_without_test_images_has_no_scores_to_make():
    y_true = np.array([0, 0, 1, 1])
    proba = np.full((4, 3), 1 / 3)
    with pytest.raises(FmstudyError, match="class 'hat' has no test images"):
        model_result("m", "m", "3", y_true, y_true, (0, 1, 2), ["boot", "coat", "hat"], proba=proba)


def test_an_empty_validation_part_is_one_line_not_an_empty_torch_cat():
    x, y = images([2, 2, 2], (4, 4))
    spec = NetSpec(parse_layers("4"), epochs=1)
    with pytest.raises(FmstudyError, match="which is none of these 6 .a class needs 3"):
        train(spec, x, y, x, y, (0, 1, 2), seed=0)
    run_ = train(spec, x, y, x, y, (0, 1, 2), seed=0, holdout=False)  # no validation asked
    assert run_.epochs_run == 1


def test_pca_needs_two_values_per_image_and_uses_at_most_the_rows_it_has():
    x, y = images([5, 5], (1, 1))
    with pytest.raises(FmstudyError, match="1 pixel, and PCA's two components need 2"):
        run_pca(x.reshape(10, -1), y, seed=0, n_random=10)
    x, y = images([2, 1], (2, 2))
    res = run_pca(x.reshape(3, -1), y, seed=0, n_random=10)
    assert len(res.explained_variance_ratio) == 3  # components: no more than rows or pixels
    assert res.checks["eig_components_compared"] == 2  # beyond rank n - 1 no direction
    assert res.checks["eig_vs_sklearn_abs_cosine_min"] == pytest.approx(1.0)


@pytest.mark.parametrize(
    "y, options, words",
    [
        (labels(1, 10, 10), {}, None),  # 'boot' gives no validation row; the others do
        (labels(2, 2, 2), {}, "which is none of these 6 (a class needs 3 to give one)"),
        (
            labels(1, 1),
            {"val_split": "first"},
            "the first 20 % of the training images, which is none of these 2 (it takes 3 to "
            "give one)",
        ),
        (labels(1, 10, 10), {"val_fraction": 0.9}, "leaves none of class 'boot'"),
    ],
)
def test_a_networks_validation_part_is_checked(y, options, words):
    from fmstudy.nets.inputs import split_validation
    from fmstudy.nets.training import validation_problem

    spec = NetSpec(parse_layers("4"), **options)
    problem = validation_problem(y, *split_validation(y, spec, 0), spec, NAMES)
    assert problem is None if words is None else words in problem


def test_a_batch_of_one_image_through_single_pixel_batch_norm_is_one_line():
    """cnn-tiny pools 2 x 2 images to 1 x 1 before its second batch normalisation, which
    cannot train on one image: torch's ValueError mid-training becomes one line first."""
    from fmstudy.nets.presets import get_preset
    from fmstudy.nets.train_needs import batch_problem

    spec = get_preset("cnn-tiny")  # batches of 128
    assert "a batch of 1 image (129 in batches of 128)" in batch_problem(spec, 129, (2, 2))
    assert batch_problem(spec, 129, (28, 28)) is None  # 7 x 7 maps: one image is enough
    assert batch_problem(spec, 130, (2, 2)) is None
    assert batch_problem(NetSpec(parse_layers("8"), batch_size=128), 129, (2, 2)) is None
    x, y = images([81, 80], (2, 2))  # 129 of them left to train on
    with pytest.raises(FmstudyError, match="batch normalisation of 1 x 1 feature maps"):
        train(spec, x, y, x, y, (0, 1), seed=0)


def test_a_class_of_flat_images_has_no_similarity_and_no_warning():
    """np.corrcoef of a constant mean image warned twice and gave NaN."""
    from types import SimpleNamespace

    from fmstudy.study.run import mean_image_similarity

    x = np.zeros((6, 4, 4), np.uint8)
    x[2:4] = np.arange(16, dtype=np.uint8).reshape(4, 4)
    x[4:] = np.arange(16, dtype=np.uint8)[::-1].reshape(4, 4)
    sub = SimpleNamespace(x_train=x, y_train=np.array([0, 0, 1, 1, 2, 2]), classes=(0, 1, 2))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pairs = mean_image_similarity(sub)
    assert pairs == [{"a": 1, "b": 2, "correlation": pytest.approx(-1.0)}]
