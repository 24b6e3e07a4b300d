"""Table 3's figures (Xiao et al. 2017) stand beside a model as a like-for-like reference
only when the study's record says the model learnt from all the training rows on the full
budget; otherwise the same sentence says what differs and that the gap is not one."""

from __future__ import annotations

from dataclasses import replace

from test_results import model

from fmstudy.report import narrative
from fmstudy.study.budget import reductions
from fmstudy.study.config import StudyConfig

TEN = {"dataset": "fashion-mnist", "classes": list(range(10))}
ALL_ROWS = 60_000


def _models(rows: dict[str, int]) -> dict:
    """Classical models of a ten-class record, each with the rows its fit learnt from."""
    tasks = {"forest": "3", "logreg_raw": "4", "logreg_std": "4", "svc": "zoo"}
    return {
        key: replace(model(key, 0.85), task=tasks[key], details={"train_rows": n})
        for key, n in rows.items()
    }


def _quick_record():
    """A 10-class quick run, as the issue found it: 6,000 rows each, the SVC 2,000."""
    models = _models({"forest": 6000, "logreg_raw": 6000, "logreg_std": 6000, "svc": 2000})
    config = StudyConfig(classes=tuple(range(10)), profile="quick")
    return models, reductions(config, models, {}, ALL_ROWS)


def _full_record():
    """A 10-class standard run whose every model learnt from all 60,000 rows."""
    models = _models({k: ALL_ROWS for k in ("forest", "logreg_raw", "logreg_std", "svc")})
    config = StudyConfig(classes=tuple(range(10)), profile="standard")
    return models, reductions(config, models, {}, ALL_ROWS)


def test_a_reduced_budget_says_what_differs_in_the_same_sentence():
    models, budget = _quick_record()
    forest = narrative.table3_note(models["forest"], TEN, budget)
    assert "Reference, same data and classes: Xiao et al. (2017, Table 3) report 0.873" in forest
    assert "each fitted on all 60,000 training rows and chosen on the test set" in forest
    assert "this one learnt from 6,000 of them on the reduced budget of profile quick" in forest
    assert forest.endswith("so the gap is not a like-for-like comparison.")
    assert "training rows:" not in forest  # never the like-for-like heading
    svc = narrative.table3_note(models["svc"], TEN, budget)
    assert "report 0.897" in svc and "learnt from 2,000 of them" in svc
    assert "(−4.7 points), so the gap is not a like-for-like comparison." in svc


def test_the_full_budget_on_all_rows_is_like_for_like():
    models, budget = _full_record()
    assert budget is None  # the study's record: nothing was cut
    text = narrative.table3_note(models["forest"], TEN, budget)
    assert text == (
        "Reference, same data, classes and 60,000 training rows: Xiao et al. (2017, Table 3) "
        "report 0.873 for the best random forest of their parameter grid, chosen on the test "
        "set; this one is 0.8500 (−2.3 points)."
    )


def test_fewer_rows_without_a_reduced_profile_name_the_rows_only():
    """A standard run that fitted only the SVC on a sample: the SVC's reference says so,
    the forest's (all rows) stays like-for-like."""
    models = _models({"forest": ALL_ROWS, "svc": 35000})
    config = StudyConfig(classes=tuple(range(10)), profile="standard")
    budget = reductions(config, models, {}, ALL_ROWS)
    svc = narrative.table3_note(models["svc"], TEN, budget)
    assert "this one learnt from 35,000 of them and is 0.8500" in svc
    assert "not a like-for-like comparison" in svc and "profile" not in svc
    forest = narrative.table3_note(models["forest"], TEN, budget)
    assert forest.startswith("Reference, same data, classes and 60,000 training rows:")


def test_a_reduced_profile_on_all_rows_still_says_so():
    models = _models({"forest": ALL_ROWS})
    budget = reductions(
        StudyConfig(classes=tuple(range(10)), profile="quick"), models, {}, ALL_ROWS
    )
    assert budget["subsampled"] == {} and budget["reduced_profile"]  # rows kept, profile cut
    text = narrative.table3_note(models["forest"], TEN, budget)
    assert "learnt from all of them but on the reduced budget of profile quick" in text
    assert "not a like-for-like comparison" in text


def test_the_sentence_follows_the_record_not_the_rows():
    """The verdict is the record's (metrics.json's budget), never recomputed: the same
    model reads like-for-like under a record that cut nothing."""
    models, budget = _quick_record()
    assert "not a like-for-like" in narrative.table3_note(models["forest"], TEN, budget)
    assert "not a like-for-like" not in narrative.table3_note(models["forest"], TEN, None)


def test_both_logistic_regressions_carry_the_input_scaling_caveat():
    for models, budget in (_quick_record(), _full_record()):
        for key in ("logreg_raw", "logreg_std"):
            text = narrative.table3_note(models[key], TEN, budget)
            assert "report 0.842 for the best logistic regression" in text
            assert text.endswith(
                "Table 3 has one figure for logistic regression, and this report does not "
                "know which input scaling it was fitted on, so the same figure stands beside "
                "both of Task 4's input forms."
            )
        assert "input scaling" not in narrative.table3_note(models["forest"], TEN, budget)


def test_no_reference_off_table3s_data():
    models, budget = _quick_record()
    assert narrative.table3_note(models["forest"], {**TEN, "classes": [4, 5, 6, 7]}, budget) == ""
    assert narrative.table3_note(models["forest"], {**TEN, "dataset": "mnist"}, budget) == ""
