import pytest

from fmstudy import FmstudyError
from fmstudy.config import StudyConfig, get_profile, parse_tasks


def test_round_trip():
    cfg = StudyConfig(classes=(4, 5, 6, 7), surname="Lind", seed=3, profile="quick")
    import json

    assert StudyConfig.from_dict(json.loads(cfg.to_json())) == cfg


def test_notebook_profile_ignores_seed():
    assert get_profile("notebook", 123) == get_profile("notebook", 0)
    assert get_profile("notebook", 1).forest.n_estimators == 1000
    assert get_profile("notebook", 1).forest.random_state == 42
    assert get_profile("notebook", 1).logreg.max_iter == 5000


@pytest.mark.parametrize(
    "spec, want", [("1-4", ("1", "2", "3", "4")), ("1,3", ("1", "3")), ("2-3,1", ("1", "2", "3"))]
)
def test_parse_tasks(spec, want):
    assert parse_tasks(spec) == want


@pytest.mark.parametrize("spec", ["", "9", "4-2", "a-b", "1,x"])
def test_parse_tasks_invalid(spec):
    with pytest.raises(FmstudyError, match="--tasks"):
        parse_tasks(spec)


@pytest.mark.parametrize(
    "data, match",
    [
        ({"classes": [4]}, "at least two"),
        ({"classes": [4, 5], "profile": "fast"}, "unknown profile"),
        ({"classes": [4, 5], "bogus": 1}, "unknown keys"),
        ({"profile": "quick"}, "not valid"),
        ({"classes": ["x", 5]}, "not valid"),
    ],
)
def test_invalid_config(data, match):
    with pytest.raises(FmstudyError, match=match):
        StudyConfig.from_dict(data)
