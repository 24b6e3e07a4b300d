"""config.py: one frozen config, resolved from a profile, read back from config.json."""

import json

import pytest

from fmstudy import FmstudyError
from fmstudy.nets.presets import get_preset
from fmstudy.study.config import (
    StudyConfig,
    get_profile,
    network_config,
    parse_tasks,
    search_config,
    study_config,
)


def test_round_trip():
    cfg = StudyConfig(classes=(4, 5, 6, 7), surname="Lind", seed=3, profile="quick")
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
        ({"classes": ["x", 5]}, "whole number"),
        ({"classes": [4, 10]}, "from 0 to 9"),
        ({"classes": [4, 5], "tasks": "12"}, "must be lists"),
        ({"classes": [4, 5], "seed": 2**32}, "--seed"),
        ({"classes": [4, 5], "seed": -1}, "--seed"),
        ({"classes": [4, 5], "surname": "a\x00b"}, "control character"),
        (
            {"classes": [4, 5], "networks": [{"layers": [{"kind": "lstm", "width": 3}]}]},
            "layer kind",
        ),
    ],
)
def test_invalid_config(data, match):
    with pytest.raises(FmstudyError, match=match):
        StudyConfig.from_dict(data)


def test_profile_is_resolved_into_the_config():
    cfg = StudyConfig(classes=(4, 5), profile="quick", seed=7)
    assert cfg.forest.n_estimators == 30 and cfg.forest.random_state == 7
    assert cfg.logreg.max_train_rows == 6000 and cfg.bootstrap == 300
    assert [n["name"] for n in cfg.networks] == ["notebook-1", "cnn-tiny"]
    assert [n["epochs"] for n in cfg.networks] == [4, 4]  # the quick profile's cap
    assert cfg.network_seeds == 2 and cfg.networks_chosen_by == "profile"
    assert cfg.search == {"trials": 4, "max_epochs": 2, "timeout": None}


def test_a_saved_config_does_not_follow_the_profile_code():
    """config.json's resolved settings win over what the profile says today."""
    data = json.loads(StudyConfig(classes=(4, 5), profile="standard").to_json())
    data["forest"]["n_estimators"] = 7
    data["networks"] = data["networks"][:1]
    cfg = StudyConfig.from_dict(data)
    assert cfg.forest.n_estimators == 7 and len(cfg.networks) == 1


def test_version_1_configs_are_resolved_and_unknown_versions_refused():
    old = {"classes": [4, 5], "profile": "quick", "networks": None, "version": 1}
    assert StudyConfig.from_dict(old) == StudyConfig(classes=(4, 5), profile="quick")
    with pytest.raises(FmstudyError, match="config version 99"):
        StudyConfig.from_dict({"classes": [4, 5], "version": 99})


def test_command_configs():
    run = study_config(classes="coat,shirt", tasks="1-5,search", profile="quick")
    assert run.classes == (4, 6) and run.tasks == ("1", "2", "3", "4", "5", "search")
    assert study_config(surname="Åberg").classes == (6, 7, 8, 9)
    nn = network_config("notebook-1", {"epochs": 3, "lr": None}, seeds=2, classes="4-7")
    assert nn.tasks == ("1", "5") and nn.network_seeds == 2 and nn.networks_chosen_by == "options"
    assert nn.networks[0]["epochs"] == 3 and nn.networks[0]["lr"] == get_preset("notebook-1").lr
    found = search_config({"trials": 9, "pruner": "none"}, classes="4-7")
    s = found.search_settings()
    assert (s.trials, s.pruner, s.max_epochs, s.classes) == (9, "none", 12, (4, 5, 6, 7))
    with pytest.raises(FmstudyError, match="--timeout"):
        search_config({"timeout": float("nan")}, classes="4-7")
