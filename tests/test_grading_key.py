"""The all-groups grading key: each task's expected answer copied from a group's stored
records (course/grading.py), worded without deciding anything (narrative/grading.py),
on both pages, with the profile and seeds it came from; made with ``fmstudy run``'s
default profile.  Records are built by hand or read from the golden quick metrics."""

import json
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import pytest
from markupsafe import escape
from test_results import model

from fmstudy.course import all_groups as ag
from fmstudy.course.all_groups import AllGroups, group_summary
from fmstudy.course.grading import expected_answers, network_seeds
from fmstudy.report.narrative.grading import expected_answers_text, key_heading, tolerance_text
from fmstudy.report.write import overview_pages
from fmstudy.results import NetworkResult, StudyMetrics

GOLDEN = Path(__file__).parent / "data" / "golden" / "quick-4-7" / "metrics.json"
NAMES = {4: "Coat", 5: "Sandal", 6: "Shirt", 7: "Sneaker"}
READING = {  # pca.reading's PC1 split, as evaluation.pca.axis_groups stores it
    "pc1_groups": {"low": [7, 5], "high": [6, 4], "gaps": [0.1, 2.7, 0.6], "threshold": 1.0}
}
RISES = [1.0, 0.5, 0.45, 0.9, 1.5]  # lowest at epoch 3, ends far above it: overfits
FALLS = [1.0, 0.8, 0.7, 0.6, 0.5]  # lowest at its last epoch


def _net(name, curves, test_acc):
    return NetworkResult.summarised(
        name=name,
        key=f"nn-{name}",
        label=f"Network {name}",
        spec={"epochs": 5},
        layers="10",
        params=100,
        extras=[],
        seeds=[0, 1, 2],
        representative_seed=0,
        test_acc=test_acc,
        val_acc_at_best=[0.8, 0.8, 0.8],
        epochs_run=[5, 5, 5],
        best_epoch=[3, 3, 3],
        histories=[{"val_loss": c} for c in curves],
        early_stopping=False,
    )


def _metrics() -> StudyMetrics:
    """The golden quick study's records, with today's PCA reading and networks whose
    overfitting verdicts are made from the curves above."""
    m = StudyMetrics.from_dict(json.loads(GOLDEN.read_text()))
    nets = {
        "wide": _net("wide", [RISES, RISES, FALLS], [0.90, 0.92, 0.94]),
        "flat": _net("flat", [FALLS] * 3, [0.95, 0.96, 0.97]),
    }
    models = {k: v for k, v in m.models.items() if not k.startswith("nn-")}
    for n in nets.values():
        models[n.key] = replace(model(n.key, n.test_acc[0]), label=n.label, task="5")
    return replace(m, pca={**m.pca, "reading": READING}, networks=nets, models=models, pairs=[])


def _labels(s):
    return {k: gm.label for k, gm in s.models.items()}


def test_each_task_answer_is_the_stored_record():
    m = _metrics()
    key = expected_answers(m)
    split = m.task1["splits"]
    assert key["task1"] == {
        "classes": [4, 5, 6, 7],
        "train": split["train"]["per_class"],
        "test": split["test"]["per_class"],
        "test_images": split["test"]["kept"],
    }
    checks = m.pca["checks"]
    assert key["task2"] == {
        "pc1": checks["pc1_ratio"],
        "pc2": checks["pc2_ratio"],
        "for_90": checks["components_for_90pct"],
        "pc1_groups": {"low": [7, 5], "high": [6, 4]},
    }
    forest = m.models["forest"]
    assert key["task3"] == {
        "accuracy": forest.accuracy,
        "ci95": list(forest.ci95),
        "pair": forest.confused_pairs[0],
    }
    t4 = key["task4"]
    assert (t4["better"], t4["difference"], t4["distinguishable"], t4["p_holm"]) == (
        m.task4["better"],
        m.task4["difference"],
        m.task4["distinguishable"],
        m.task4["p_holm"],
    )
    assert t4["forms"]["logreg_std"] == {
        "test_accuracy": 0.88725,
        "converged": False,
        "n_iter": 100,
        "max_iter": 100,
    }
    wide, flat = key["task5"]["nets"]["nn-wide"], key["task5"]["nets"]["nn-flat"]
    assert (wide["overfits"], wide["overfit_seeds"], wide["marked_epoch"]) == (True, 2, 3)
    assert (flat["overfits"], flat["overfit_seeds"], flat["marked_epoch"]) == (False, 0, 5)
    assert wide["mean"] == pytest.approx(0.92) and wide["sd"] == pytest.approx(0.02)
    assert key["accept"]["nn-wide"] == {"ci95": [0.8, 0.95], "seed_range": [0.90, 0.94], "seeds": 3}
    assert key["accept"]["forest"]["seed_range"] is None
    assert network_seeds(key) == [0, 1, 2]


def test_a_study_without_tasks_2_to_5_answers_task_1_only():
    m = StudyMetrics(tasks=("1",), task1={"classes": [4, 6]})
    key = expected_answers(m)
    assert [key[f"task{i}"] for i in range(2, 6)] == [None] * 4
    assert key["task1"] == {"classes": [4, 6], "train": None, "test": None, "test_images": None}
    s = group_summary("A-M", replace(m, task1={**m.task1, "class_names": ["Coat", "Shirt"]}))
    assert expected_answers_text(s, {4: "Coat", 6: "Shirt"}, {}) == [
        ("Task 1", "Classes 4 Coat, 6 Shirt.")
    ]
    assert tolerance_text(s, {}) == "" and network_seeds(key) == []


def test_the_words_follow_the_records():
    s = group_summary("H-M", _metrics())
    rows = dict(expected_answers_text(s, NAMES, _labels(s)))
    assert rows["Task 1"].endswith(
        "test images per class: Coat 1,000, Sandal 1,000, Shirt 1,000, Sneaker 1,000."
    )
    assert "PC1 explains 45.2 % of the variance" in rows["Task 2"]
    assert "81 components reach 90 % of the variance" in rows["Task 2"]
    assert "PC1 separates Sneaker and Sandal from Shirt and Coat." in rows["Task 2"]
    assert "test accuracy 0.9180 (95 % interval 0.9091 to 0.9265)" in rows["Task 3"]
    assert "Most confused pair: Coat / Shirt, 261 mistakes." in rows["Task 3"]
    assert "got more right: 1.43 points (95 % interval +0.60 to +2.14 points)" in rows["Task 4"]
    assert "Verdict: a real difference at 0.05" in rows["Task 4"]
    assert "stopped at its cap of 100 iterations without converging" in rows["Task 4"]
    assert (
        "Network wide: 0.9200 ± 0.0200 over 3 seeds; overfits (2 of 3 seeds) after epoch 3"
        in (rows["Task 5"])
    )
    assert (
        "Network flat: 0.9600 ± 0.0100 over 3 seeds; no overfitting (0 of 3 seeds overfit)"
        in (rows["Task 5"])
    )
    assert "Most accurate model: Network flat" in rows["Task 5"]

    # change the records and the words follow
    m = _metrics()
    t4 = {**m.task4, "better": "logreg_std", "distinguishable": False}
    no_split = {"pc1_groups": {**READING["pc1_groups"], "low": None, "high": None}}
    old_net = replace(m.networks["wide"], overfit_seeds=[], overfits=None)
    s = group_summary(
        "H-M",
        replace(
            m,
            task4=t4,
            pca={**m.pca, "reading": no_split},
            networks={**m.networks, "wide": old_net},
        ),
    )
    rows = dict(expected_answers_text(s, NAMES, _labels(s)))
    assert "Logistic regression (standardized) got more right" in rows["Task 4"]
    assert "Verdict: indistinguishable at 0.05" in rows["Task 4"]
    assert "finds no gap that splits the classes along PC1" in rows["Task 2"]
    assert (
        "Network wide: 0.9200 ± 0.0200 over 3 seeds; no overfitting verdict stored"
        in rows["Task 5"]
    )
    s = group_summary("H-M", replace(m, pca={k: v for k, v in m.pca.items() if k != "reading"}))
    assert "PC1 separates" not in dict(expected_answers_text(s, NAMES, _labels(s)))["Task 2"]


def test_the_tolerance_is_the_stored_interval_and_the_seed_range():
    s = group_summary("H-M", _metrics())
    text = tolerance_text(s, _labels(s))
    assert "a test accuracy on 4,000 test images" in text
    assert (
        "Network wide 0.8000 to 0.9500 (95 % interval), 0.9000 to 0.9400 over its 3 seeds here"
        in text
    )
    forest = s.key["accept"]["forest"]["ci95"]
    assert f"{s.models['forest'].label} {forest[0]:.4f} to {forest[1]:.4f} (95 % interval);" in text


def _overview(profile="standard"):
    s = group_summary("H-M", _metrics())
    return AllGroups("H-M:4-7", "fashion-mnist", profile, 7, "en", [s], network_seeds(s.key))


def test_both_pages_hold_the_key_with_its_profile_and_seeds():
    o = AllGroups.from_dict(json.loads(json.dumps(_overview().to_dict())))  # overview.json
    assert o == _overview()
    html, markdown = overview_pages(o)
    heading = key_heading(o)
    assert heading.startswith(
        "Expected answers computed with profile standard and seed 7; Task 5's networks "
        "trained with seeds 0, 1, 2."
    )
    s = o.groups[0]
    for page, shown in ((html, lambda t: str(escape(t))), (markdown, str)):
        assert shown(heading) in page and "Expected answers, group H-M" in page
        for task, text in expected_answers_text(s, NAMES, _labels(s)):
            assert shown(task) in page and shown(text.split(".")[0]) in page
    assert tolerance_text(s, _labels(s)) in markdown


def test_an_overview_json_written_before_the_key_still_reads():
    data = _overview().to_dict()
    del data["network_seeds"]
    for g in data["groups"]:
        del g["key"]
    o = AllGroups.from_dict(data)
    assert o.network_seeds == [] and o.groups[0].key == {}
    html, markdown = overview_pages(o)
    assert "Expected answers computed with profile standard and seed 7." in markdown


def test_the_key_is_made_with_the_profile_fmstudy_run_defaults_to(tmp_path, monkeypatch):
    """Without a profile in the settings (and from the CLI without --profile) the groups
    run the standard profile, and the overview says so."""
    from fmstudy.cli.study import run_cmd

    seen = []

    def study(cfg, **kwargs):
        seen.append(cfg.profile)
        return SimpleNamespace(metrics=_metrics())

    monkeypatch.setattr(ag, "run_study", study)
    monkeypatch.setattr(ag, "write_report", lambda result, folder: folder.mkdir(parents=True))
    o = ag.run_all_groups({}, tmp_path / "course", groups="A-M:4-5,N-Ö:6-7")
    assert seen == ["standard", "standard"] and o.profile == "standard"
    written = json.loads((tmp_path / "course" / "overview.json").read_text())
    assert written["groups"][1]["key"]["task2"]["for_90"] == 81
    assert written["network_seeds"] == [0, 1, 2]
    assert "profile standard" in (tmp_path / "course" / "index.md").read_text()

    given = []
    monkeypatch.setattr(ag, "run_all_groups", lambda settings, out, **kw: given.append(settings))
    monkeypatch.setattr("fmstudy.cli.console.print_groups", lambda *a: None)
    run_cmd(all_groups=True, out=tmp_path / "cli")
    assert given[0]["profile"] == "standard"
