"""results.py: the typed records and metrics.json's shape, serialized and read back."""

import json
import re
from dataclasses import asdict, replace

import pytest

from fmstudy import results
from fmstudy.results import (
    SCHEMA_VERSION,
    ModelResult,
    NetworkResult,
    PairTest,
    SearchOutcome,
    StudyMetrics,
)


def model(key="forest", acc=0.9):
    return ModelResult(
        key=key,
        label=key.title(),
        task="3",
        accuracy=acc,
        macro_f1=acc,
        confusion=[[9, 1], [1, 9]],
        correct_per_class={"4": 9, "6": 9},
        report={},
        confused_pairs=[],
        details={"n_trees": 30},
        ci95=(0.8, 0.95),
    )


def network():
    return NetworkResult.summarised(
        name="n1",
        key="nn-n1",
        label="Network n1",
        spec={"epochs": 2, "val_split": "first"},
        layers="10",
        params=100,
        extras=[],
        seeds=[0, 1, 2],
        representative_seed=1,
        test_acc=[0.90, 0.92, 0.94],
        val_acc_at_best=[0.8, 0.8, 0.8],
        epochs_run=[2, 2, 2],
        best_epoch=[2, 1, 2],
        histories=[{"val_loss": [1.0, 0.9]}] * 3,
        early_stopping=False,
    )


def test_network_summary_is_mean_and_sample_sd():
    n = network()
    assert n.test_acc_mean == pytest.approx(0.92) and n.test_acc_sd == pytest.approx(0.02)
    assert n.val_acc_sd == pytest.approx(0.0, abs=1e-12)


def test_metrics_json_round_trip_and_shape():
    pair = PairTest(
        "forest", "nn-n1", "F", "N", [[1, 2], [3, 4]], 2, 3, 5, "exact", 1.0, 0.5, 0.9, False, None
    )
    search = SearchOutcome("s", "sqlite:///x", {}, {"complete": 2}, 1, 0.9, {}, "10", 0.91, 3, 50)
    m = StudyMetrics(
        tasks=("1", "3", "5", "search"),
        task1={"classes": [4, 6]},
        models={"forest": model(), "nn-n1": model("nn-n1", 0.92)},
        networks={"n1": network()},
        search=search,
        pairs=[pair],
        similar_pairs=[{"a": 4, "b": 6, "correlation": 0.9}],
    )
    data = json.loads(json.dumps(m.to_dict()))
    assert data["schema"] == SCHEMA_VERSION and data["comparison"]["pairs"][0]["p_holm"] == 0.9
    assert set(data) == {
        "schema",
        "tasks",
        "task1",
        "pca",
        "models",
        "networks",
        "search",
        "comparison",
        "similar_pairs",
        "groups",
        "learning_curves",
        "cv",
        "five_by_two",
        "from_best",
        "budget",
        "task4",
    }
    back = StudyMetrics.from_dict(data)
    assert back.models["forest"].accuracy == 0.9 and list(back.models["forest"].ci95) == [0.8, 0.95]
    assert back.networks["n1"].test_acc_mean == pytest.approx(0.92)
    assert back.pairs[0] == pair and back.search == search
    assert StudyMetrics(tasks=("1",), task1={}).to_dict()["comparison"] is None


def test_metrics_hold_no_seconds_and_no_sentences(quick_report):
    """Durations live in timings.json (a rerun writes the same metrics.json); sentences are
    made by the narrative module when the report is written."""
    text = (quick_report[0] / "metrics.json").read_text()
    assert "seconds" not in text and "conclusion" not in text
    assert json.loads(text)["schema"] == SCHEMA_VERSION


def test_the_docstring_shows_the_schema_the_code_writes():
    """results.py's docstring says which schema and which keys metrics.json has: the
    ones to_dict writes (it once documented schema 2 while the code wrote 3)."""
    doc = results.__doc__
    assert f'"schema": {SCHEMA_VERSION},' in doc and f"(schema {SCHEMA_VERSION})" in doc
    shape = doc[doc.index("    {\n") : doc.index("\n    }\n")]
    documented = set(re.findall(r'^      "(\w+)":', shape, flags=re.M))
    written = set(StudyMetrics(tasks=("1",), task1={}).to_dict())
    assert documented == written


def test_records_hold_the_choices_the_report_words():
    """The network chosen on validation, the seed rule, a curve's last doubling: made
    once, when the records are."""
    nets = {"a": network(), "b": replace(network(), name="b", val_acc_mean=0.9)}
    chosen = results.choose_on_validation(nets)
    assert [n.chosen for n in chosen.values()] == [False, True]
    assert not chosen["a"].unlike_validation
    assert results.choose_on_validation({"a": network()})["a"].chosen is None  # no choice
    assert network().representative_rule == "median"
    assert [results.representative_rule(n) for n in (1, 2, 3, 4)] == [
        "only",
        "lower of two",
        "median",
        "lower median",
    ]
    curve = results.LearningCurve(
        "forest", "F", 3, [10, 20], [1, 1], [0, 0], [0.8, 0.9], [0.01, 0.02], 30
    )
    assert curve.still_rising and curve.last_gain == pytest.approx(0.1)
    flat = results.LearningCurve(
        "forest", "F", 3, [10, 20], [1, 1], [0, 0], [0.8, 0.81], [0.02, 0.01], 30
    )
    assert flat.still_rising is False
    assert results.LearningCurve(**{**asdict(flat), "still_rising": True}).still_rising
