"""Probability scores against scikit-learn on hand-made inputs; calibration by hand."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import log_loss, roc_auc_score

from fmstudy.evaluation.probabilities import (
    VOTE_CLIP,
    check_rows,
    confident_mistakes,
    probability_scores,
    reliability,
    roc_auc_per_class,
    usable,
)

CLASSES = (4, 5, 6)
Y = np.array([4, 5, 6, 4, 5, 6, 4, 6])
P = np.array(
    [
        [0.7, 0.2, 0.1],
        [0.1, 0.8, 0.1],
        [0.2, 0.2, 0.6],
        [0.3, 0.5, 0.2],  # wrong: 5 for a 4
        [0.05, 0.9, 0.05],
        [0.6, 0.1, 0.3],  # wrong: 4 for a 6
        [0.9, 0.05, 0.05],
        [0.3, 0.3, 0.4],
    ]
)


def test_log_loss_and_auc_equal_scikit_learns():
    s = probability_scores(Y, P, CLASSES, "logistic")
    assert s["log_loss"] == pytest.approx(log_loss(Y, P, labels=list(CLASSES)), abs=1e-12)
    macro = roc_auc_score(Y, P, multi_class="ovr", average="macro", labels=list(CLASSES))
    assert s["roc_auc"]["macro"] == pytest.approx(macro, abs=1e-12)
    for i, c in enumerate(CLASSES):
        assert s["roc_auc"][str(c)] == pytest.approx(roc_auc_score(Y == c, P[:, i]))


def test_two_classes_give_one_auc_per_class():
    y = np.array([0, 1, 1, 0])
    p = np.array([[0.8, 0.2], [0.3, 0.7], [0.6, 0.4], [0.4, 0.6]])
    auc = roc_auc_per_class(y, p, (0, 1))
    assert auc["0"] == auc["1"] == pytest.approx(roc_auc_score(y, p[:, 1]))


def test_vote_fractions_with_zeros_give_a_finite_stated_log_loss():
    votes = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]])  # the third row is wrong, p = 0
    y = np.array([0, 1, 1])
    s = probability_scores(y, votes, (0, 1), "votes")
    right, wrong = 1 / (1 + VOTE_CLIP), VOTE_CLIP / (1 + VOTE_CLIP)  # clipped, renormalised
    expected = -np.mean(np.log([right, right, wrong]))
    assert np.isfinite(s["log_loss"])
    assert s["log_loss"] == pytest.approx(expected, rel=1e-12)
    assert s["calibration"]["clip"] == VOTE_CLIP and s["calibration"]["source"] == "votes"
    assert np.allclose(usable(votes, "votes").sum(axis=1), 1)
    assert usable(votes, "softmax") is votes


def test_rows_must_sum_to_one():
    check_rows(P, 3)
    with pytest.raises(ValueError, match="sum to 1"):
        check_rows(P * 1.1, 3)
    with pytest.raises(ValueError, match="3 columns"):
        check_rows(P[:, :2], 3)


def test_reliability_and_ece_by_hand():
    y = np.array([0, 0, 1, 1])
    p = np.array([[0.95, 0.05], [0.55, 0.45], [0.58, 0.42], [0.1, 0.9]])
    bins, ece = reliability(y, p, (0, 1))
    # bins: 0.5-0.6 holds rows 1 (right, 0.55) and 2 (wrong, 0.58); 0.9-1.0 rows 0 and 3
    assert bins == [[pytest.approx(0.565), 0.5, 2], [pytest.approx(0.925), 1.0, 2]]
    assert ece == pytest.approx(0.5 * abs(0.5 - 0.565) + 0.5 * abs(1.0 - 0.925))


def test_confident_mistakes_are_the_wrong_ones_most_confident_first():
    assert confident_mistakes(Y, P, CLASSES).tolist() == [5, 3]
    assert confident_mistakes(Y, P, CLASSES, n=1).tolist() == [5]
