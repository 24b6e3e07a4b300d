"""The surname rule as data: parsing --groups, and --surname reading a custom rule."""

import json

import pytest

from fmstudy import FmstudyError
from fmstudy.cli.main import main
from fmstudy.data.groups import COURSE, COURSE_GROUPS, SWEDISH_ALPHABET, parse_groups
from fmstudy.data.registry import FASHION_MNIST
from fmstudy.study.config import study_config

NAMES = FASHION_MNIST.classes


def test_the_course_rule_round_trips_through_its_text():
    assert COURSE_GROUPS == "A-G:0-3,H-M:4-7,N-Ö:6-9"
    assert parse_groups(COURSE_GROUPS, NAMES) == COURSE


def test_a_custom_rule_with_names_single_letters_and_lower_case():
    rule = parse_groups("a-f:0-3, G:coat+shirt, H-ö:8-9", NAMES)
    assert [g.name for g in rule.groups] == ["A-F", "G", "H-Ö"]
    assert rule.for_surname("Gustafsson").classes == (4, 6)
    assert rule.for_surname("Åberg").classes == (8, 9)
    assert rule.for_surname("Andersson").classes == (0, 1, 2, 3)
    assert rule.text == "A-F:0-3,G:4+6,H-Ö:8+9"


def test_groups_are_sorted_and_every_letter_is_in_exactly_one():
    rule = parse_groups("N-Ö:6-9,A-G:0-3,H-M:4-7", NAMES)
    assert rule == COURSE
    for letter in SWEDISH_ALPHABET:
        assert sum(g.holds(letter) for g in rule.groups) == 1


@pytest.mark.parametrize(
    "text, message",
    [
        ("A-G:0-3,H-M:4-7", "no group holds N, O"),
        ("A-H:0-3,H-Ö:4-7", "the letter H is in two groups"),
        ("A-Ö", "LETTERS:CLASSES"),
        ("A-Ö:", "LETTERS:CLASSES"),
        ("A-Ö:4", "names one class"),
        ("A-Ö:hat+coat", "neither a class number"),
        ("Ö-A:0-3", "runs backwards"),
        ("AB-Ö:0-3", "not a letter"),
    ],
)
def test_bad_rules_say_what_is_wrong(text, message):
    with pytest.raises(FmstudyError, match=message):
        parse_groups(text, NAMES)


def test_surname_reads_a_custom_rule_into_the_config():
    rule = "A-F:0-3,G-M:4-7,N-Ö:6-9"
    cfg = study_config(surname="Gustafsson", groups=rule, profile="quick")
    assert cfg.classes == (4, 5, 6, 7)
    assert (cfg.group, cfg.groups, cfg.surname) == ("G-M", rule, "Gustafsson")
    course = study_config(surname="Gustafsson", profile="quick")
    assert course.classes == (0, 1, 2, 3)
    assert (course.group, course.groups) == ("A-G", None)
    assert study_config(classes="4-7", groups=rule).group is None  # --classes wins


def test_data_command_uses_the_rule(capsys, real_data):
    argv = ["data", "--surname", "Gustafsson", "--json"]
    assert main(argv) == 0
    assert json.loads(capsys.readouterr().out)["classes"] == [0, 1, 2, 3]
    assert main([*argv, "--groups", "A-F:0-3,G-M:4-7,N-Ö:6-9"]) == 0
    assert json.loads(capsys.readouterr().out)["classes"] == [4, 5, 6, 7]
