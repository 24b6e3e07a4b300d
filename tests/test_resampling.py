"""Resampling on the training rows: the 5x2cv F statistic against a worked example,
K-fold scores against scikit-learn, and learning curves that never see the test set."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import f as f_dist
from sklearn.model_selection import RepeatedStratifiedKFold, cross_val_score

from fmstudy.models.classical import classical_specs, estimator
from fmstudy.models.resampling import combined_f, cv_scores, five_by_two, learning_curve_of
from fmstudy.study.profiles import ForestSettings, LogRegSettings

SPECS = {
    s.key: s
    for s in classical_specs(
        ForestSettings(n_estimators=10, random_state=0),
        LogRegSettings(max_iter=200, random_state=0, raw_scale=1 / 255),
    )
}


def test_combined_f_worked_example():
    # Differences in accuracy, replication x fold.  By hand: the squared differences sum
    # to 0.23; the replications' means are .15 .05 .15 .10 .20 and their variances
    # s_i^2 = (d_i1 - m)^2 + (d_i2 - m)^2 = .005 .005 .005 0 .02, summing to .035;
    # F = 0.23 / (2 x 0.035) = 3.2857, p = P(F(10, 5) > 3.2857).
    d = [[0.1, 0.2], [0.0, 0.1], [0.2, 0.1], [0.1, 0.1], [0.3, 0.1]]
    stat, p = combined_f(d)
    assert stat == pytest.approx(0.23 / 0.07)
    assert p == pytest.approx(f_dist.sf(0.23 / 0.07, 10, 5))
    assert 0.09 < p < 0.11  # about 0.10: not significant at 0.05
    assert combined_f(np.zeros((5, 2))) == (0.0, 1.0)
    assert combined_f(np.full((5, 2), 0.02)) == (float("inf"), 0.0)
    with pytest.raises(ValueError, match="5 x 2"):
        combined_f(np.zeros((2, 5)))


def test_cv_scores_equal_scikit_learns(data):
    x, y = data[0].reshape(len(data[0]), -1), data[1]
    spec = SPECS["logreg_std"]
    got = cv_scores(spec, x, y, k=3, repeats=2, seed=4)
    cv = RepeatedStratifiedKFold(n_splits=3, n_repeats=2, random_state=4)
    want = cross_val_score(estimator(spec), x, y, cv=cv)
    assert np.allclose(got.scores, want) and len(got.scores) == 6
    assert got.mean == pytest.approx(want.mean()) and got.sd == pytest.approx(want.std(ddof=1))


def test_five_by_two_fits_each_model_on_halves(data):
    x, y = data[0].reshape(len(data[0]), -1), data[1]
    chosen = {k: SPECS[k] for k in ("forest", "logreg_raw", "logreg_std")}
    labels = {k: s.label for k, s in chosen.items()}
    scores, tests = five_by_two(chosen, x, y, labels, seed=0)
    assert {k: np.shape(v) for k, v in scores.items()} == dict.fromkeys(chosen, (5, 2))
    assert len(tests) == 3
    for t in tests:
        diff = np.array(scores[t.a]) - np.array(scores[t.b])
        assert np.allclose(t.differences, diff)
        assert (t.statistic, t.p_value) == combined_f(diff)
        assert t.p_holm >= t.p_value and t.rows == [len(y), len(y)]


def test_a_learning_curve_uses_the_rows_it_is_given_only(data):
    x, y = data[0].reshape(len(data[0]), -1), data[1]
    curve = learning_curve_of(SPECS["forest"], x, y, folds=3, seed=0, oob_accuracy=0.9)
    fold_rows = len(y) * 2 // 3
    assert curve.train_rows[-1] == fold_rows and curve.rows == len(y)
    assert curve.train_rows == sorted(curve.train_rows) and len(curve.val_mean) == 4
    assert all(0 <= v <= 1 for v in curve.val_mean + curve.train_mean)
    assert curve.train_mean[-1] == pytest.approx(1.0)  # a forest fits its own rows


def test_a_studys_resampling_never_sees_the_test_images(tmp_path, monkeypatch):
    """Two data sets with the same training rows and different test images: the models'
    test accuracies differ, their learning curves, --cv and 5x2cv scores do not."""
    from conftest import synthetic_arrays, write_dataset

    from fmstudy.api import run_study
    from fmstudy.data import registry as datasets
    from fmstudy.study.config import StudyConfig

    same = synthetic_arrays()
    flipped = {**same, "test-images": 255 - same["test-images"]}
    found = []
    for name, arrays in (("synth", same), ("synth-flipped", flipped)):
        monkeypatch.setitem(
            datasets.REGISTRY, name, write_dataset(tmp_path / "data" / name, arrays)
        )
        cfg = StudyConfig(
            classes=(4, 5, 6, 7),
            dataset=name,
            profile="quick",
            tasks=("1", "3", "4"),
            cv=2,
            cv_repeats=1,
            compare="5x2cv",
        )
        found.append(run_study(cfg, data_dir=tmp_path / "data").metrics)
    a, b = found
    assert a.models["forest"].accuracy != b.models["forest"].accuracy
    assert a.learning_curves == b.learning_curves and set(a.learning_curves) == set(SPECS)
    assert a.cv == b.cv and a.five_by_two == b.five_by_two and a.five_by_two["tests"]
