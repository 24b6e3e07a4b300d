"""neural_task.py: the overfitting verdict from the mean validation curve, rows seen."""

import pytest

from fmstudy.study.train_networks import overfitting


def test_a_one_seed_bump_gives_no_verdict():
    falling = [1.0, 0.8, 0.7, 0.65, 0.62, 0.60, 0.59]
    bumped = [1.0, 0.8, 0.7, 0.65, 0.66, 0.60, 0.59]  # a 0.002-like blip of one seed
    v = overfitting([falling, bumped, falling])
    assert v["marked_epoch"] == 7 and v["overfits"] is False and v["late_rise"] is None


def test_a_lasting_rise_over_every_seed_is_overfitting():
    curves = [
        [1.0, 0.6, 0.5, 0.55, 0.62, 0.70, 0.75],
        [1.0, 0.6, 0.52, 0.57, 0.60, 0.69, 0.77],
        [1.0, 0.62, 0.5, 0.56, 0.63, 0.71, 0.74],
    ]
    v = overfitting(curves)
    assert v["marked_epoch"] == 3 and v["overfits"] is True
    assert v["late_rise"] > 2 * v["late_rise_se"] > 0


def test_a_rise_within_the_noise_is_not_called_overfitting():
    curves = [
        [1.0, 0.6, 0.40, 0.45, 0.39, 0.44, 0.40],
        [1.0, 0.6, 0.40, 0.38, 0.60, 0.39, 0.62],  # one seed wanders up and down
        [1.0, 0.6, 0.40, 0.43, 0.41, 0.42, 0.41],
    ]
    v = overfitting(curves)
    assert v["marked_epoch"] == 3 and v["overfits"] is False and v["late_rise"] > 0
    assert v["late_rise"] <= 2 * v["late_rise_se"]


def test_one_seed_has_no_standard_error():
    v = overfitting([[1.0, 0.5, 0.6, 0.7, 0.8]])
    assert v["marked_epoch"] == 2 and v["overfits"] is None
    assert v["late_rise"] == pytest.approx(0.7 - 0.5)
