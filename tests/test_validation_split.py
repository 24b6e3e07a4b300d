"""A notebook preset's "first 20 %" validation split on rows ordered by class: detected,
made stratified, recorded and said; a validation part of one class is one line."""

from dataclasses import replace

import numpy as np
import pytest

from fmstudy.errors import FmstudyError
from fmstudy.i18n import language
from fmstudy.nets.inputs import first_split_fault, split_validation, validation_split
from fmstudy.nets.presets import get_preset
from fmstudy.nets.spec import NetSpec, parse_layers
from fmstudy.nets.train_needs import validation_problem
from fmstudy.nets.training import train
from fmstudy.report.narrative.networks import network_description, networks_intro
from fmstudy.results import NetworkResult
from fmstudy.study.config import StudyConfig

FIRST = NetSpec(parse_layers("4"), name="nb", val_split="first", epochs=1, batch_size=8)
ORDERED = np.repeat([4, 5, 6], 20)  # an image folder read class by class
SHUFFLED = np.random.default_rng(1).permutation(ORDERED)


def images(y: np.ndarray) -> np.ndarray:
    """Tiny uint8 images whose brightness follows the label."""
    rng = np.random.default_rng(0)
    return (rng.integers(0, 40, (len(y), 4, 4)) + 40 * (y - 4).reshape(-1, 1, 1)).astype(np.uint8)


def test_rows_ordered_by_class_are_split_stratified_with_every_class_in_validation():
    assert first_split_fault(ORDERED, 0.2) == "ordered"
    assert first_split_fault(ORDERED[::-1], 0.2) == "ordered"  # any order of the runs
    split = validation_split(ORDERED, FIRST, 0)
    assert (split.used, split.reason) == ("stratified", "ordered")
    assert np.unique(ORDERED[split.val], return_counts=True)[1].tolist() == [4, 4, 4]
    assert set(split.train).isdisjoint(split.val) and len(split.train) + len(split.val) == 60
    # the stratified split a spec asks for, with the same seed: the same rows
    stratified = validation_split(ORDERED, replace(FIRST, val_split="stratified"), 0)
    assert np.array_equal(split.val, stratified.val)
    assert np.array_equal(split.val, validation_split(ORDERED, FIRST, 0).val)  # deterministic


def test_first_rows_lacking_a_class_are_split_stratified():
    y = np.array([4, 5] * 10 + [6] * 5 + [4, 5, 6] * 5)  # 40 rows; the first 8 hold no 6
    assert first_split_fault(y, 0.2) == "missing"
    split = validation_split(y, FIRST, 0)
    assert (split.used, split.reason) == ("stratified", "missing")
    assert set(y[split.val]) == {4, 5, 6}


def test_shuffled_rows_keep_the_first_rows_exactly():
    assert first_split_fault(SHUFFLED, 0.2) == ""
    split = validation_split(SHUFFLED, FIRST, 0)
    assert (split.used, split.reason) == ("first", "")
    assert split.val.tolist() == list(range(12)) and split.train.tolist() == list(range(12, 60))
    tr, val = split_validation(SHUFFLED, FIRST, 0)
    assert np.array_equal(tr, split.train) and np.array_equal(val, split.val)
    # the notebook preset on shuffled rows: the first 20 %, as before
    assert split_validation(SHUFFLED, get_preset("notebook-1"), 3)[1].tolist() == list(range(12))


def test_a_training_records_the_split_it_made():
    run = train(FIRST, images(ORDERED), ORDERED, None, None, (4, 5, 6), seed=0, threads=1)
    assert (run.val_split_used, run.val_split_reason) == ("stratified", "ordered")
    assert run.to_dict()["val_split_used"] == "stratified"
    assert run.to_dict()["val_split_reason"] == "ordered"
    run = train(FIRST, images(SHUFFLED), SHUFFLED, None, None, (4, 5, 6), seed=0, threads=1)
    assert (run.val_split_used, run.val_split_reason) == ("first", "")
    run = train(FIRST, images(SHUFFLED), SHUFFLED, None, None, (4, 5, 6), seed=0, holdout=False)
    assert (run.val_split_used, run.val_split_reason) == ("", "")


def record(used: str, reason: str) -> NetworkResult:
    return NetworkResult.summarised(
        name="nb",
        key="nn-nb",
        label="nb",
        spec=FIRST.to_dict(),
        layers="4",
        params=10,
        extras=[],
        seeds=[0],
        representative_seed=0,
        test_acc=[0.5],
        val_acc_at_best=[0.5],
        epochs_run=[1],
        best_epoch=[1],
        histories=[{"val_loss": [1.0]}],
        early_stopping=False,
        val_split_used=used,
        val_split_reason=reason,
    )


@pytest.mark.parametrize(
    "lang, said",
    [
        ("en", "The training rows come ordered by class, so nb validates on a stratified 20 %"),
        ("sv", "Träningsraderna kommer ordnade efter klass, så nb valideras på stratifierade 20"),
    ],
)
def test_the_report_says_which_split_was_used(lang, said):
    config = StudyConfig(classes=(4, 5, 6), networks_chosen_by="options")
    with language(lang):
        switched = networks_intro(config, {"nb": record("stratified", "ordered")})
        kept = networks_intro(config, {"nb": record("first", "")})
        described = network_description(record("stratified", "ordered"), 0.0)
    assert said in switched and said[:20] not in kept
    assert ("stratified" if lang == "en" else "stratifierat") in described
    missing = networks_intro(config, {"nb": record("stratified", "missing")})
    assert "leave a class out of the validation part" in missing


def test_a_first_rows_split_that_passed_its_check_says_it_was_checked():
    config = StudyConfig(classes=(4, 5, 6), networks_chosen_by="options")
    checked = "The training rows are not ordered by class, and the first 20 % and the rest each "
    assert checked in networks_intro(config, {"nb": record("first", "")})
    assert "(checked), so validation covers every class." in networks_intro(
        config, {"nb": record("first", "")}
    )
    assert "(checked)" not in networks_intro(config, {"nb": record("stratified", "ordered")})
    assert "(checked)" not in networks_intro(config, {"nb": record("stratified", "")})
    old = replace(record("first", ""), val_split_used="")  # written before the check: the spec's
    assert "first 20 %" in networks_intro(config, {"nb": old})
    assert "(checked)" not in networks_intro(config, {"nb": old})


def test_a_validation_part_of_one_class_is_one_line():
    y = np.array([4] * 20 + [5, 5, 6, 6])  # 5 and 6 too few to give a validation row
    spec = replace(FIRST, val_split="stratified")
    problem = validation_problem(y, *split_validation(y, spec, 0), spec, {4: "coat"})
    assert "which is class 'coat' alone (a class needs 3 images to give one)" in problem
    assert "\n" not in problem
    with pytest.raises(FmstudyError, match="which is class 4 alone"):
        train(FIRST, images(y), y, None, None, (4, 5, 6), seed=0, threads=1)


def test_networks_compare_validation_on_the_split_each_actually_made():
    """Two 'first' specs are unlike when one of them had to be split stratified."""
    from dataclasses import replace

    from test_results import network

    from fmstudy.results import choose_on_validation

    first = replace(
        network(), spec={**network().spec, "val_split": "first"}, val_split_used="first"
    )
    switched = replace(first, val_split_used="stratified", val_split_reason="ordered")
    same = choose_on_validation({"a": first, "b": replace(first, val_acc_mean=0.1)})
    assert not any(n.unlike_validation for n in same.values())
    unlike = choose_on_validation({"a": first, "b": switched})
    assert all(n.unlike_validation for n in unlike.values())
