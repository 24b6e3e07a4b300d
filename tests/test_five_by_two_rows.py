"""5x2cv pairs are paired: both models of a pair are fitted on the same halves of the same
rows, the rows both learn from (the smaller model's sample when their samples differ),
which each test records and the report's sentence says."""

from __future__ import annotations

import numpy as np
import pytest

from fmstudy.models import resampling
from fmstudy.models.classical import classical_specs, estimator
from fmstudy.models.pairing import own_rows, pair_folds, pair_rows
from fmstudy.models.resampling import combined_f, five_by_two, halves_problem
from fmstudy.report.narrative import five_by_two_text
from fmstudy.results import FiveByTwoTest
from fmstudy.study.profiles import ForestSettings, LogRegSettings


def specs(forest_rows, logreg_rows, *, forest_seed=0):
    """The forest and the standardized logistic regression, each with its row cap."""
    made = classical_specs(
        ForestSettings(n_estimators=5, random_state=forest_seed, max_train_rows=forest_rows),
        LogRegSettings(max_iter=200, random_state=0, raw_scale=1 / 255, max_train_rows=logreg_rows),
    )
    return {s.key: s for s in made if s.key in ("forest", "logreg_std")}


@pytest.fixture
def rows():
    """240 rows of 4 weakly separated classes, 60 each; the last column numbers the row."""
    rng = np.random.default_rng(0)
    y = np.arange(240) % 4
    rng.shuffle(y)
    x = rng.normal(size=(240, 12)) + 1.2 * np.eye(4, 12)[y]
    return x, y


class Spy:
    """An estimator that logs the row numbers (last column) of each fit, by model."""

    def __init__(self, spec, n_trees, log):
        self.key, self.log = spec.key, log
        self.inner = estimator(spec, n_trees=n_trees)

    def fit(self, x, y):
        self.log.setdefault(self.key, []).append(frozenset(x[:, -1].astype(int).tolist()))
        self.inner.fit(x, y)
        return self

    def score(self, x, y):
        return self.inner.score(x, y)


def test_a_pair_with_a_smaller_sample_is_fitted_on_the_same_halves_of_it(rows, monkeypatch):
    x, y = rows
    x = np.column_stack([x, np.arange(len(y))])  # the row numbers, for the spy
    chosen = specs(160, 80)
    log: dict = {}
    monkeypatch.setattr(resampling, "estimator", lambda s, n_trees=None: Spy(s, n_trees, log))
    scores, (test,) = five_by_two(chosen, x, y, {k: k for k in chosen}, seed=2)

    small, big = own_rows(chosen["logreg_std"], y), own_rows(chosen["forest"], y)
    assert np.isin(small, big).all()  # same seed, balanced classes: a sample within
    assert (test.rows, test.paired_rows) == ([160, 80], 80)
    assert (test.paired_on, test.paired_reason) == ("logreg_std", "within")
    halves = [frozenset(f.tolist()) for f, _ in pair_folds(small, y, 2)]
    assert len(halves) == 10 and all(h <= set(small.tolist()) and len(h) == 40 for h in halves)
    assert log["logreg_std"] == halves  # its own rows are the pair's
    own = [frozenset(f.tolist()) for f, _ in pair_folds(big, y, 2)]
    assert sorted(log["forest"], key=sorted) == sorted(own + halves, key=sorted)
    assert not set(own) & set(halves)  # its own halves (its scores) are other rows

    diff = []  # the same halves, fitted directly
    for f, s in pair_folds(small, y, 2):
        accs = [estimator(chosen[k]).fit(x[f], y[f]).score(x[s], y[s]) for k in chosen]
        diff.append(accs[0] - accs[1])
    assert np.allclose(test.differences, np.reshape(diff, (5, 2)))
    assert (test.statistic, test.p_value) == combined_f(test.differences)
    assert np.shape(scores["forest"]) == (5, 2)


def test_samples_that_overlap_in_part_use_the_smaller_or_the_first(rows):
    _, y = rows
    plan = pair_rows(specs(160, 80, forest_seed=1), y)["forest", "logreg_std"]
    assert (plan.on, plan.reason, len(plan.index)) == ("logreg_std", "partly", 80)
    plan = pair_rows(specs(80, 80, forest_seed=1), y)["forest", "logreg_std"]
    assert (plan.on, plan.reason, len(plan.index)) == ("forest", "partly", 80)
    plan = pair_rows(specs(100, 100), y)["forest", "logreg_std"]
    assert (plan.on, plan.reason, len(plan.index)) == (None, "same", 100)


def test_a_pair_on_the_same_rows_is_unchanged(rows):
    """Both models on the same 160-row sample: the statistic the unpaired code gave."""
    x, y = rows
    chosen = specs(160, 160)
    _, (test,) = five_by_two(chosen, x, y, {k: k for k in chosen}, seed=3)
    assert (test.paired_rows, test.paired_on, test.paired_reason) == (160, None, "same")
    assert test.statistic == pytest.approx(4.028571428571428)
    assert test.p_value == pytest.approx(0.0686875101750053)
    assert (test.a_mean, test.b_mean) == pytest.approx((0.4025, 0.54))
    assert test.differences[0] == pytest.approx([-0.0375, -0.2])


def test_the_halves_check_covers_a_smaller_sample_it_is_paired_on():
    from fmstudy.models.zoo import zoo_defaults, zoo_specs

    knn = zoo_specs(("knn",), zoo_defaults("", 0))[0]  # 5 neighbours
    y = np.random.default_rng(0).permutation(np.repeat([0, 1], 20))
    tiny = specs(8, None)["forest"]  # a sample of 8 rows: halves of 4
    assert halves_problem(knn, y, seed=0) is None
    assert "a half's 4 rows" in halves_problem(knn, y, seed=0, among=[tiny])
    assert halves_problem(tiny, y, seed=0, among=[knn]) is None  # knn's rows are more


def a_test(a, b, rows, paired, on, reason):
    return FiveByTwoTest(
        a,
        b,
        a,
        b,
        0.8,
        0.7,
        [[0.1, 0.1]] * 5,
        1.0,
        0.5,
        0.5,
        False,
        None,
        rows,
        paired,
        on,
        reason,
    )


LABELS = {"forest": "Forest", "logreg": "LogReg", "svc": "SVC"}


def test_the_sentence_says_each_pairs_rows():
    tests = [
        a_test("forest", "logreg", [6000, 6000], 6000, None, "same"),
        a_test("forest", "svc", [6000, 2000], 2000, "svc", "within"),
        a_test("logreg", "svc", [6000, 2000], 2000, "svc", "within"),
    ]
    text = five_by_two_text(tests, LABELS)
    assert "learns from half the rows" not in text
    assert (
        "The pair Forest vs LogReg is split on the 6,000 training rows both its models are "
        "trained on, so each fit learns from about 3,000." in text
    )
    assert (
        "The pairs Forest vs SVC, LogReg vs SVC are split on the 2,000 rows SVC is trained "
        "on, which lie within the other model's sample in each, so each fit learns from "
        "about 1,000." in text
    )
    partly = five_by_two_text(
        [a_test("forest", "svc", [6000, 2000], 2000, "svc", "partly")], LABELS
    )
    assert "the 2,000 rows SVC is trained on, so each fit learns from about 1,000; " in partly
    same = five_by_two_text(tests[:1], LABELS)
    assert "Each pair is split on the 6,000 training rows" in same and "3,000" in same
