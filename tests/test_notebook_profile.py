"""The notebook profile reproduces the reference random forest of study.md exactly."""

import pytest

from fmstudy.api import run_study
from fmstudy.study.config import StudyConfig

REFERENCE_CONFUSION = [[896, 0, 104, 0], [0, 971, 1, 28], [105, 1, 894, 0], [0, 19, 0, 981]]


@pytest.mark.slow
def test_reference_forest_exactly(tmp_path):
    cfg = StudyConfig(classes=(4, 5, 6, 7), profile="notebook", tasks=("1", "3"), seed=99)
    res = run_study(cfg, data_dir=tmp_path)
    forest = res.metrics.models["forest"]
    assert forest.details["n_trees"] == 1000
    assert forest.confusion == REFERENCE_CONFUSION
    assert forest.accuracy == 0.9355
    assert forest.correct_per_class == {"4": 896, "5": 971, "6": 894, "7": 981}
