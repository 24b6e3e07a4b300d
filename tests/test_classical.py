import numpy as np
import pytest
from conftest import synthetic_arrays
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from fmstudy.models.classical import ModelSpec, classical_specs, fit_model
from fmstudy.study.config import StudyConfig


def _settings(profile: str, seed: int):
    cfg = StudyConfig(classes=(4, 5), profile=profile, seed=seed)
    return cfg.forest, cfg.logreg


@pytest.fixture(scope="module")
def xy():
    a = synthetic_arrays()
    keep = lambda y: np.isin(y, (4, 5, 6, 7))  # noqa: E731
    tr, te = keep(a["train-labels"]), keep(a["test-labels"])
    flat = lambda x: x.reshape(len(x), -1)  # noqa: E731
    return (
        flat(a["train-images"][tr]),
        a["train-labels"][tr],
        flat(a["test-images"][te]),
        a["test-labels"][te],
    )


def test_specs_follow_profile():
    keys = [s.key for s in classical_specs(*_settings("standard", 0))]
    assert keys == ["forest", "forest-seed1", "forest-seed2", "logreg_raw", "logreg_std"]
    nb = {s.key: s for s in classical_specs(*_settings("notebook", 7))}
    assert nb["forest"].params["n_estimators"] == 1000 and nb["forest"].params["random_state"] == 42
    assert nb["logreg_raw"].params["scale"] == 1.0 and nb["logreg_raw"].params["max_iter"] == 5000


def test_forest_predicts_chosen_classes_and_learns(xy):
    x, y, xt, yt = xy
    spec = ModelSpec(
        "forest",
        "forest",
        "rf",
        {"n_estimators": 20, "random_state": 0, "oob_steps": [], "oob_tolerance": 0.0},
    )
    fit = fit_model(spec, x, y, xt)
    assert set(np.unique(fit.y_pred)) <= {4, 5, 6, 7}
    assert np.mean(fit.y_pred == yt) > 0.8
    again = fit_model(spec, x, y, xt)
    assert np.array_equal(fit.y_pred, again.y_pred)


@pytest.mark.filterwarnings("ignore:Some inputs do not have OOB scores")
def test_forest_grows_until_oob_flattens(xy):
    x, y, xt, _ = xy
    spec = ModelSpec(
        "forest",
        "forest",
        "rf",
        {
            "n_estimators": 80,
            "random_state": 0,
            "oob_steps": [10, 20, 40, 80],
            "oob_tolerance": 1.0,
        },
    )
    fit = fit_model(spec, x, y, xt)
    # A tolerance of a whole point of accuracy stops after the first doubling.
    assert [n for n, _ in fit.info["oob_curve"]] == [10, 20] and fit.info["n_trees"] == 20


def test_standardized_logreg_matches_a_train_only_pipeline(xy):
    x, y, xt, _ = xy
    spec = ModelSpec(
        "logreg_std",
        "logreg",
        "lr",
        {"max_iter": 200, "random_state": 0, "tol": 1e-4, "standardize": True, "scale": 1.0},
    )
    fit = fit_model(spec, x, y, xt)
    ref = make_pipeline(StandardScaler(), LogisticRegression(max_iter=200, random_state=0))
    assert np.array_equal(fit.y_pred, ref.fit(x.astype(float), y).predict(xt.astype(float)))
    assert fit.info["n_iter"] > 0 and isinstance(fit.info["converged"], bool)


def test_the_subsample_is_stratified_and_in_order():
    from fmstudy.models.classical import subsample

    y = np.repeat([4, 5, 6, 7], [500, 300, 150, 50])
    x = np.arange(len(y))[:, None]
    xs, ys = subsample(x, y, 100, seed=3)
    assert len(ys) == 100 and list(np.bincount(ys)[4:]) == [50, 30, 15, 5]
    assert np.all(np.diff(xs[:, 0]) > 0)  # original order kept
    again = subsample(x, y, 100, seed=3)[0]
    assert np.array_equal(xs, again) and subsample(x, y, None, 0)[0] is x


def test_the_standard_forest_has_seeds_and_shows_the_median_by_oob():
    from fmstudy.models.classical import FitResult, representative_fit

    forests = [s for s in classical_specs(*_settings("standard", 5)) if s.kind == "forest"]
    assert [s.params["random_state"] for s in forests] == [5, 6, 7]
    assert {s.model_key for s in forests} == {"forest"} and forests[0].key == "forest"
    assert len([s for s in classical_specs(*_settings("notebook", 5)) if s.kind == "forest"]) == 1
    y = np.array([4, 5, 4, 5])
    fits = [
        FitResult("forest", "F", np.array(p), 1.0, 0.1, {"oob_accuracy": oob})
        for p, oob in (([4, 5, 4, 5], 0.90), ([4, 4, 4, 5], 0.95), ([5, 5, 4, 5], 0.93))
    ]
    rep, details = representative_fit(fits, [5, 6, 7], y)
    assert rep is fits[2] and details["seed"] == 7  # OOB 0.93 is the median, not test-best
    assert details["oob_per_seed"] == [0.90, 0.95, 0.93]
    assert details["test_acc_per_seed"] == [1.0, 0.75, 0.75]
