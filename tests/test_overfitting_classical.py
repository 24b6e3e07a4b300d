"""fmstudy.overfitting.train_gap: a classical model's learning curve read for overfitting
(training minus held-out accuracy against its fold-to-fold noise), stored on the record,
worded by the sentence and marked by the figure with the same numbers (constructed per-fold
scores; one tiny real curve)."""

import json
from dataclasses import asdict, replace

import numpy as np
import pytest
from sklearn.ensemble import ExtraTreesClassifier, RandomForestClassifier
from sklearn.linear_model import LogisticRegression

from fmstudy.cache.fits import FitCache
from fmstudy.models.classical import classical_specs
from fmstudy.models.resampling import learning_curve_of, memorises
from fmstudy.overfitting import train_gap
from fmstudy.plots.evaluation import learning_curves
from fmstudy.report import narrative
from fmstudy.results import LearningCurve, StudyMetrics
from fmstudy.study.profiles import ForestSettings, LogRegSettings

ROWS = [100, 250, 500, 1000]
ONES = [[1.0, 1.0, 1.0]] * 4
# train 1.00, held-out 0.82 with a small fold spread: a gap of 18 points, sd 1
OVERFIT = (ONES, [[0.70, 0.72, 0.71], [0.76, 0.75, 0.77], [0.80, 0.79, 0.81], [0.82, 0.83, 0.81]])
# no gap: every fold scores its held-out rows as well as its own
FLAT = ([[0.84, 0.86, 0.85]] * 4, [[0.84, 0.86, 0.85]] * 4)
# a gap of 2 points whose folds disagree (+5, -1, +2): sd 3, within twice its spread
NOISY = (
    [[0.90, 0.88, 0.89]] * 3 + [[0.90, 0.88, 0.89]],
    [[0.85, 0.89, 0.87]] * 3 + [[0.85, 0.89, 0.87]],
)
# a real gap that closes from 30 points to 5 as rows grow
NARROWING = (
    [[1.0, 1.0, 1.0], [0.98, 0.97, 0.99], [0.95, 0.94, 0.96], [0.92, 0.93, 0.91]],
    [[0.70, 0.71, 0.69], [0.78, 0.79, 0.77], [0.84, 0.85, 0.83], [0.87, 0.88, 0.86]],
)


def curve(train, val, *, memorises=False, oob=None) -> LearningCurve:
    """A record made the way learning_curve_of makes one, from per-fold scores."""
    t, v = np.asarray(train), np.asarray(val)
    return LearningCurve(
        key="m",
        label="M",
        folds=t.shape[1],
        train_rows=ROWS,
        train_mean=t.mean(axis=1).tolist(),
        train_sd=t.std(axis=1, ddof=1).tolist(),
        val_mean=v.mean(axis=1).tolist(),
        val_sd=v.std(axis=1, ddof=1).tolist(),
        rows=1500,
        oob_accuracy=oob,
        **train_gap(train, val, memorises=memorises),
    )


def bracket(c: LearningCurve) -> str:
    """The label of the gap bracket the figure draws for ``c``."""
    texts = [t.get_text() for t in learning_curves([c], ["M"]).axes[0].texts]
    found = [t for t in texts if t.startswith("gap ")]
    assert len(found) == 1, texts
    return found[0]


def test_a_clear_gap_beyond_its_spread_is_overfitting():
    c = curve(*OVERFIT)
    assert c.gaps[-1] == pytest.approx(0.18) and c.gap_sds[-1] == pytest.approx(0.01)
    assert c.overfits is True and c.memorises is False
    text = narrative.learning_curve_text(c, "M")
    assert (
        "M: held-out accuracy 0.7100 with 100 rows, 0.8200 with 1,000; the last doubling still "
        "added +2.0 points" in text
    )
    assert (
        "Overfitting, read on the learning curve: with 1,000 rows it scores 18.0 points higher "
        "on the rows it learnt from (1.0000) than on the held-out folds (0.8200, means over the "
        "folds), fold-to-fold sd 1.0: more than twice that spread (the bracket in its panel)."
    ) in text
    assert "no overfitting" not in text
    assert bracket(c) == "gap +18.0 (sd 1.0) points:\noverfitting (> 2 sd)"


def test_no_gap_is_not_overfitting():
    c = curve(*FLAT)
    assert c.gaps[-1] == pytest.approx(0.0, abs=1e-12) and c.overfits is False
    text = narrative.learning_curve_text(c, "M")
    assert "That is within twice its spread: no overfitting." in text and "Overfitting" not in text
    # a zero difference has no sign (i18n.num)
    assert "a gap of 0.0 points, fold-to-fold sd 0.0 (the bracket in its panel)" in text
    assert bracket(c).endswith("no overfitting (≤ 2 sd)")


def test_a_gap_within_twice_its_spread_is_not_called():
    c = curve(*NOISY)
    assert c.gaps[-1] == pytest.approx(0.02) and c.gap_sds[-1] == pytest.approx(0.03)
    assert 0 < c.gaps[-1] <= 2 * c.gap_sds[-1] and c.overfits is False  # there, but in noise
    text = narrative.learning_curve_text(c, "M")
    assert "a gap of +2.0 points, fold-to-fold sd 3.0" in text and "no overfitting" in text
    assert bracket(c) == "gap +2.0 (sd 3.0) points:\nno overfitting (≤ 2 sd)"


def test_the_curve_says_whether_the_gap_narrows_as_rows_grow():
    closing = curve(*NARROWING)
    assert closing.gaps[0] == pytest.approx(0.30) and closing.gaps[-1] == pytest.approx(0.05)
    assert closing.gap_narrows is True and closing.overfits is True  # smaller, still there
    assert closing.still_rising is True  # held-out 0.84 -> 0.87, beyond its fold spread
    text = narrative.learning_curve_text(closing, "M")
    assert (
        "The gap was +30.0 points with 100 rows: it shrinks as rows grow, by more than twice its "
        "spread, and held-out accuracy still rises, so more rows may narrow it further." in text
    )
    flat_end = replace(closing, still_rising=False)  # the record says the curve flattened
    text = narrative.learning_curve_text(flat_end, "M")
    assert "it narrows as rows grow, by more than twice its spread." in text
    assert "may narrow it further" not in text
    assert curve(*OVERFIT).gap_narrows is True  # 29 points to 18: smaller, still a gap
    steady = curve(ONES, [OVERFIT[1][-1]] * 4)  # 18 points at every size
    assert steady.gap_narrows is False and steady.overfits is True
    assert curve(*NOISY).gap_narrows is False
    assert "it has not narrowed beyond twice its spread" in narrative.learning_curve_text(
        curve(*NOISY), "M"
    )


def test_fully_grown_trees_are_not_judged_on_their_training_accuracy():
    c = curve(*OVERFIT, memorises=True, oob=0.83)
    assert c.overfits is None and c.gaps[-1] == pytest.approx(0.18)  # the gap, no verdict
    text = narrative.learning_curve_text(c, "M")
    assert "is not applied to it" in text and "it overfits" not in text
    assert "no overfitting" not in text and "narrow" not in text
    assert "out-of-bag accuracy of the study's forest (0.8300, all 1,500 rows" in text
    assert bracket(c).endswith("not judged")
    no_oob = narrative.learning_curve_text(curve(*OVERFIT, memorises=True), "M")
    assert no_oob.endswith("the held-out folds (0.8200).")


def test_which_models_memorise_their_rows():
    assert memorises(RandomForestClassifier()) and memorises(ExtraTreesClassifier())
    assert not memorises(RandomForestClassifier(max_depth=5))
    assert not memorises(RandomForestClassifier(min_samples_leaf=5))
    assert not memorises(LogisticRegression())


def test_a_record_without_the_verdict_says_so_and_draws_no_bracket():
    old = {k: v for k, v in asdict(curve(*OVERFIT)).items() if k not in ("gaps", "gap_sds")}
    c = LearningCurve(**{**old, "overfits": None, "gap_narrows": None, "memorises": None})
    assert narrative.learning_curve_text(c, "M").endswith("No overfitting verdict stored.")
    labels = [t.get_text() for t in learning_curves([c], ["M"]).axes[0].texts]
    assert not [t for t in labels if t.startswith("gap ")]


def test_the_intro_states_the_rule_on_held_out_folds_only():
    text = narrative.learning_curves_intro([curve(*FLAT)])
    assert "more than twice the fold-to-fold standard deviation of that gap" in text
    assert "never the test set" in text
    assert "the same idea as a network's overfitting" in text


def test_the_verdict_travels_through_metrics_json_and_the_cache(tmp_path):
    c = curve(*OVERFIT)
    entry = StudyMetrics(tasks=("3",), task1={}, learning_curves={"m": c}).to_dict()
    entry = json.loads(json.dumps(entry))["learning_curves"]["m"]
    assert entry["overfits"] is True and entry["gap_sds"][-1] == pytest.approx(0.01)
    back = StudyMetrics.from_dict({"tasks": ["3"], "task1": {}, "learning_curves": {"m": entry}})
    assert back.learning_curves["m"] == c
    cache = FitCache(tmp_path, {"train": "x"}, [0, 1])
    key = cache.key("learning-curve", {"spec": {}}, 0)
    cache.keep_record(key, asdict(c))
    assert LearningCurve(**cache.load_record(key)) == c


def test_a_real_curve_stores_the_gap_of_its_own_means(data):
    x, y = data[0].reshape(len(data[0]), -1), data[1]
    specs = {
        s.key: s
        for s in classical_specs(
            ForestSettings(n_estimators=5, random_state=0),
            LogRegSettings(max_iter=50, random_state=0, raw_scale=1 / 255),
        )
    }
    forest = learning_curve_of(specs["forest"], x, y, folds=3, seed=0)
    logreg = learning_curve_of(specs["logreg_raw"], x, y, folds=3, seed=0)
    assert forest.memorises and forest.overfits is None
    assert logreg.memorises is False and isinstance(logreg.overfits, bool)
    for c in (forest, logreg):
        gaps = np.subtract(c.train_mean, c.val_mean)
        assert np.allclose(c.gaps, gaps) and len(c.gap_sds) == len(c.train_rows)
