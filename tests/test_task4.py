"""Task 4 answered from measured evidence (issue 26, point 2): the record of the two
input forms (evaluation.input_forms), its wording (report.narrative.task4) and the one
Task 4 section that holds both regressions, with the report's sections in task order."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import synthetic_arrays, write_dataset
from sklearn.preprocessing import StandardScaler

from fmstudy.api import run_study
from fmstudy.data import registry as datasets
from fmstudy.evaluation.input_forms import pixel_evidence, task4_record
from fmstudy.report.context import build_context
from fmstudy.report.narrative.task4 import task4_text
from fmstudy.report.sections import SECTIONS
from fmstudy.results import ModelResult, PairTest, StudyMetrics
from fmstudy.study.config import StudyConfig

LABELS = {"logreg_raw": "LR (pixels / 255)", "logreg_std": "LR (standardized pixels)"}
Y = np.array([0, 1, 0, 1, 0, 1, 0, 1, 0, 1])


def result(key: str, pred, n_iter: int, converged: bool, train: float) -> ModelResult:
    return ModelResult(
        key=key,
        label=LABELS[key],
        task="4",
        accuracy=float(np.mean(np.asarray(pred) == Y)),
        macro_f1=0.0,
        confusion=[],
        correct_per_class={},
        report={},
        confused_pairs=[],
        details={"n_iter": n_iter, "converged": converged, "train_accuracy": train},
    )


def pair(significant: bool, p_holm: float) -> PairTest:
    return PairTest(
        "logreg_raw", "logreg_std", "", "", [], 0, 0, 0, "exact", 0.0, p_holm, p_holm,
        significant, None,
    )  # fmt: skip


def record(pred_raw, pred_std, *, pairs, pixels=None, conv=(True, False), train=(0.95, 0.99)):
    models = {
        "logreg_raw": result("logreg_raw", pred_raw, 40, conv[0], train[0]),
        "logreg_std": result("logreg_std", pred_std, 100, conv[1], train[1]),
    }
    preds = {"logreg_raw": np.asarray(pred_raw), "logreg_std": np.asarray(pred_std)}
    models = {k: v for k, v in models.items() if pred_raw is not None or k == "logreg_std"}
    return task4_record(
        models, preds, Y, pairs, pixels=pixels, max_iter=100, scale=1 / 255, n_boot=200, seed=0
    )


def test_nearly_constant_pixels_and_their_z_match_a_numpy_reference():
    x_fit = np.array(
        [[0, 10, 0, 255], [0, 11, 100, 0], [0, 10, 200, 128], [0, 10, 50, 7]], dtype=np.uint8
    )
    x_test = np.array([[12, 10, 30, 3], [0, 200, 60, 9], [0, 10, 90, 1]], dtype=np.uint8)
    got = pixel_evidence(x_fit, x_test)
    sd = x_fit.astype(float).std(axis=0)
    near = sd < 0.01 * 255  # the rows' range is 0-255 here
    z = StandardScaler().fit(x_fit.astype(float)).transform(x_test.astype(float))[:, near]
    assert got["near_constant"] == near.sum() == 2  # columns 0 (constant) and 1 (sd 0.43)
    assert got["constant"] == 1
    assert got["max_abs_z"] == pytest.approx(np.abs(z).max())
    assert got["test_values_over"] == (np.abs(z) > 10).sum() == 2  # 12 in column 0, 200 in 1
    assert got["test_images_over"] == 2
    assert (got["pixels"], got["rows"], got["sd_threshold"]) == (4, 4, pytest.approx(2.55))


def test_an_unconverged_worse_form_is_said_stopped_and_its_gap_larger():
    pixels = pixel_evidence(np.array([[0, 1], [0, 200]]), np.array([[40, 5]]))
    t4 = record(Y, [0, 1, 0, 1, 0, 1, 1, 0, 1, 0], pairs=[pair(True, 0.01)], pixels=pixels)
    assert t4["better"] == "logreg_raw" and t4["larger_gap"] == "logreg_std"
    d, lo, hi = t4["difference"]
    assert d == pytest.approx(0.4) and lo <= d <= hi  # 4 of 10 wrong
    text = " ".join(task4_text(t4, LABELS))
    assert "LR (pixels / 255) is the better input form" in text
    assert "LR (standardized pixels) stopped at its cap of 100 iterations" in text
    assert "LR (pixels / 255) converged in 40 iterations" in text
    assert "consistent with it overfitting more" in text
    assert "40.0 standard deviations" in text and "consistent with the standardized" in text
    assert "LR (pixels / 255) got 100.00 % of the test images right and LR (standardized " in text
    assert "pixels) 60.00 %: 40.00 points more" in text
    assert (
        "1 of the 2 pixels is nearly constant" in text and "1 of them is exactly constant." in text
    )
    assert "did not finish" not in text  # no budget: the study's own cap, not a profile's


def test_a_verdict_against_a_fit_a_reduced_cap_stopped_says_it_may_differ():
    t4 = record(Y, [0, 1, 0, 1, 0, 1, 1, 0, 1, 0], pairs=[pair(True, 0.01)])
    quick = {"profile": "quick", "logreg_max_iter": 100}
    (verdict, *_) = task4_text(t4, LABELS, quick)
    assert verdict.endswith(
        "here LR (pixels / 255) is the better input form. Under this profile's cap of 100 "
        "iterations the fit of LR (standardized pixels) did not finish; with the full budget "
        "this verdict may differ."
    )
    full = {"profile": "fast", "logreg_max_iter": None, "subsampled": {"forest": 10}}
    assert "did not finish" not in task4_text(t4, LABELS, full)[0]  # the cap was not cut
    both = record(Y, [0, 1, 0, 1, 0, 1, 1, 0, 1, 0], pairs=[pair(True, 0.01)], conv=(True, True))
    assert "did not finish" not in task4_text(both, LABELS, quick)[0]  # the worse one finished
    unfinished_better = record(
        Y, [0, 1, 0, 1, 0, 1, 1, 0, 1, 0], pairs=[pair(True, 0.01)], conv=(False, True)
    )
    assert "did not finish" not in task4_text(unfinished_better, LABELS, quick)[0]


def test_no_exactly_constant_pixel_is_said_in_words():
    pixels = pixel_evidence(np.array([[0, 1], [1, 200], [0, 50]]), np.array([[1, 5]]))
    assert pixels["near_constant"] == 1 and pixels["constant"] == 0
    t4 = record(Y, [0, 1, 0, 1, 0, 1, 1, 0, 1, 0], pairs=[pair(True, 0.01)], pixels=pixels)
    text = " ".join(task4_text(t4, LABELS))
    assert "1 of the 2 pixels is nearly constant" in text and "; none is exactly constant." in text


def test_a_difference_within_noise_is_indistinguishable_here():
    t4 = record(Y, [0, 1, 0, 1, 0, 1, 0, 1, 0, 0], pairs=[pair(False, 0.6)], conv=(True, True))
    assert t4["better"] == "logreg_raw" and t4["distinguishable"] is False
    text = " ".join(task4_text(t4, LABELS))
    assert "indistinguishable here" in text and "better input form" not in text
    assert "without converging" not in text


def test_equal_accuracy_has_no_better_form():
    t4 = record(Y, Y, pairs=[pair(False, 1.0)])
    assert t4["better"] is None and t4["difference"] is None
    assert "indistinguishable here" in task4_text(t4, LABELS)[0]


def test_one_form_only_has_no_comparison_and_still_its_section():
    t4 = record(None, Y, pairs=None)
    assert list(t4["forms"]) == ["logreg_std"] and t4["better"] is None
    text = task4_text(t4, LABELS)
    assert text[0].startswith("Only LR (standardized pixels) was run")
    assert not any("indistinguishable" in t or "points more" in t for t in text)
    m = StudyMetrics(tasks=("4",), task1={}, task4=t4)
    ev = result("logreg_std", Y, 3, True, 1.0)
    ctx = {"m": m, "classical": [{"key": "logreg_std", "ev": ev, "heading": "Task 4"}]}
    (section,) = [s for s in SECTIONS if s.anchor == "task4"]
    (shown,) = section.shown(ctx)
    assert shown.heading == "Task 4: logistic regression"
    assert StudyMetrics.from_dict(m.to_dict()).task4 == t4


def test_the_notebook_profiles_unscaled_form_is_called_raw():
    (section,) = [s for s in SECTIONS if s.anchor == "task4"]
    t4 = {"raw_scale": 1.0, "forms": {"logreg_raw": {}, "logreg_std": {}}}
    ctx = {"m": StudyMetrics(tasks=("4",), task1={}, task4=t4), "classical": [{"ev": None}]}
    assert section.title(ctx) == "Task 4: logistic regression, raw or standardized pixels?"
    ctx["m"] = StudyMetrics(tasks=("4",), task1={}, task4={**t4, "raw_scale": 1 / 255})
    assert "pixels / 255 or standardized" in section.title(ctx)


def test_a_study_shows_tasks_1_to_5_in_order_and_task_4_once(tmp_path, monkeypatch):
    spec = write_dataset(tmp_path / "data" / "synth", synthetic_arrays())
    monkeypatch.setitem(datasets.REGISTRY, "synth", spec)
    cfg = StudyConfig(
        classes=(4, 5, 6),
        dataset="synth",
        profile="quick",
        tasks=("1", "2", "3", "4", "5"),
        models=("forest", "logreg"),
        networks=({"layers": [{"kind": "dense", "width": 8}], "name": "n8", "epochs": 1},),
        network_seeds=1,
        learning_curves=False,
    )
    done = run_study(cfg, data_dir=tmp_path / "data", jobs=1)
    ctx = build_context(done, {})
    headings = [h for _a, h in ctx["toc"]]
    tasks = [h.split(":")[0] for h in headings if h.startswith("Task")]
    assert tasks == ["Task 1", "Task 2", "Task 3", "Task 4", "Task 5"]
    assert headings[:6] == ["Summary", *headings[1:6]]
    assert [a for a, _h in ctx["toc"]][:6] == [
        "summary",
        "task1",
        "task2",
        "forest",
        "task4",
        "task5",
    ]
    assert "logreg_raw" not in dict(ctx["toc"]) and ctx["task4_text"]
    t4 = done.metrics.task4
    assert set(t4["forms"]) == {"logreg_raw", "logreg_std"}
    assert t4["pixels"]["rows"] == done.metrics.models["logreg_std"].details["train_rows"]
