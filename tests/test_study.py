"""study.py end to end on the real data (the shared quick report, fmstudy nn, reruns,
resuming after an interrupt, the Python API)."""

import json
import re

import numpy as np
import pandas as pd
import pytest
from golden import assert_same_numbers
from markupsafe import escape
from sklearn.metrics import log_loss, roc_auc_score

from fmstudy.api import run_study
from fmstudy.cli.main import main
from fmstudy.evaluation.probabilities import VOTE_CLIP, usable
from fmstudy.i18n import pvalue
from fmstudy.models import classical
from fmstudy.report import narrative
from fmstudy.report.narrative.pca import variance_digits
from fmstudy.report.write import MARKER
from fmstudy.results import StudyMetrics
from fmstudy.study.config import StudyConfig

FIGURES = {
    "examples",
    "pca_scatter",
    "pca_variance",
    "pca_components",
    "comparison",
    "confusion_forest",
    "confusion_logreg_raw",
    "confusion_logreg_std",
    "errors_forest",
    "errors_logreg_raw",
    "errors_logreg_std",
    "curves_nn-notebook-1",
    "confusion_nn-notebook-1",
    "curves_nn-cnn-tiny",
    "confusion_nn-cnn-tiny",
}
MODELS = {"forest", "logreg_raw", "logreg_std", "nn-notebook-1", "nn-cnn-tiny"}
FIGURES |= {f"proba_{m}" for m in MODELS} | {"confident_mistakes", "learning_curves"}


def test_every_output_exists_and_is_complete(quick_report):
    out, proc = quick_report
    for name in (
        "index.html",
        "report.md",
        "metrics.json",
        "timings.json",
        "config.json",
        "predictions.csv",
        "probabilities.npz",
        MARKER,
    ):
        assert (out / name).stat().st_size > 0, name
    assert {p.stem for p in (out / "figures").glob("*.png")} == FIGURES
    for png in (out / "figures").glob("*.png"):
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    cfg = json.loads((out / "config.json").read_text())
    assert cfg["config"]["classes"] == [4, 5, 6, 7] and cfg["config"]["seed"] == 0
    assert cfg["manifest"]["data_sha256"]["train-images"].startswith("c59f468a")
    assert "scikit-learn" in cfg["manifest"]["packages"]
    assert cfg["manifest"]["device"] == "cpu"  # --device auto, on a machine without CUDA
    preds = pd.read_csv(out / "predictions.csv")
    assert len(preds) == 4000 and set(preds["true"]) == {4, 5, 6, 7}
    assert MODELS | {"true_name"} <= set(preds.columns)
    timings = json.loads((out / "timings.json").read_text())
    assert set(timings["models"]) == MODELS
    assert len(timings["networks"]["cnn-tiny"]["1"]["epoch_seconds"]) == 4
    for name in ("notebook-1", "cnn-tiny"):
        saved = {p.name for p in (out / "models" / name).iterdir()}
        assert saved == {"model.safetensors", "spec.json"}
    assert "Report:" in proc.stdout and "accuracy" in proc.stdout
    # The HTML is self-contained: every image is embedded, nothing is fetched.
    html = (out / "index.html").read_text()
    assert html.count('src="data:image/png;base64,') == len(FIGURES)
    assert not re.search(r'src="(?!data:)', html)


def test_every_model_keeps_probabilities_that_agree_with_its_predictions(quick_report):
    out, _ = quick_report
    preds = pd.read_csv(out / "predictions.csv")
    metrics = json.loads((out / "metrics.json").read_text())
    with np.load(out / "probabilities.npz", allow_pickle=False) as npz:
        assert npz["classes"].tolist() == [4, 5, 6, 7]
        assert np.array_equal(npz["test_index"], preds["test_index"])
        for key in MODELS:
            p = npz[key]
            assert p.shape == (4000, 4) and np.allclose(p.sum(axis=1), 1) and (p >= 0).all()
            assert np.array_equal(npz["classes"][p.argmax(axis=1)], preds[key]), key
            m = metrics["models"][key]
            y = preds["true"].to_numpy()
            source = "votes" if key == "forest" else None
            want = log_loss(y, usable(p, source) if source else p, labels=[4, 5, 6, 7])
            assert m["log_loss"] == pytest.approx(want, rel=1e-9), key
            auc = roc_auc_score(y, p, multi_class="ovr", labels=[4, 5, 6, 7])
            assert m["roc_auc"]["macro"] == pytest.approx(auc, rel=1e-9), key
            assert 0 <= m["ece"] <= 1 and np.isfinite(m["log_loss"])
    assert metrics["models"]["forest"]["calibration"]["clip"] == VOTE_CLIP
    assert metrics["models"]["forest"]["details"]["train_accuracy"] > 0.99
    curves = metrics["learning_curves"]
    assert set(curves) == {"forest", "logreg_raw", "logreg_std"}
    assert (
        curves["forest"]["oob_accuracy"] == metrics["models"]["forest"]["details"]["oob_accuracy"]
    )
    html = (out / "index.html").read_text()
    assert "out-of-bag accuracy of the study" in html and "Learning curves" in html


def test_metrics_agree_with_the_report(quick_report):
    out, _ = quick_report
    m = json.loads((out / "metrics.json").read_text())
    html = (out / "index.html").read_text()
    md = (out / "report.md").read_text()
    preds = pd.read_csv(out / "predictions.csv")
    for key, ev in m["models"].items():
        assert ev["accuracy"] == pytest.approx(np.mean(preds[key] == preds["true"]))
        assert f"{ev['accuracy']:.4f}" in html and f"{ev['accuracy']:.4f}" in md
        assert f"{ev['macro_f1']:.4f}" in html
        for row in ev["confusion"]:
            for v in row:
                assert str(v) in html
    for p in m["comparison"]["pairs"]:
        assert pvalue(p["p_holm"]) in html  # 3 significant digits, below 0.001 as 2.60·10⁻⁸
    typed = StudyMetrics.from_dict(m)
    labels = {k: ev.label for k, ev in typed.models.items()}
    summary = narrative.comparison_summary(typed, labels)
    assert escape(summary) in html and summary in md
    assert m["comparison"]["pairs"] and html.count(escape(summary)) == 1  # said once
    c = m["pca"]["checks"]
    digits = variance_digits(c)  # each Task 2 variance printed one way: 1,871,027
    assert f"{c['pc1_variance_by_hand']:,.{digits}f}" in html
    assert c["eig_vs_sklearn_abs_cosine_min"] >= 0.9999
    assert c["pc1_variance_sklearn"] > c["random_direction_variance_max"]
    assert m["task1"]["splits"]["train"]["kept"] == 24000
    assert "24,000" in html and "40.0 %" in html
    seeds = ", ".join(map(str, next(iter(m["networks"].values()))["seeds"]))
    intro = f"Profile quick trains {len(m['networks'])} architectures with 2 seeds each ({seeds})"
    assert intro in html and intro in md
    for n in m["networks"].values():
        assert f"{n['test_acc_mean']:.4f} ± {n['test_acc_sd']:.4f}" in html
        assert len(n["test_acc"]) == 2 and len(n["histories"]) == 2
        # the representative is the lower-median seed by validation, not by test accuracy
        vals = n["val_acc_at_best"]
        low = sorted(range(2), key=lambda i: (vals[i], i))[0]
        assert n["representative_seed"] == n["seeds"][low]
        assert m["models"][n["key"]]["accuracy"] == pytest.approx(n["test_acc"][low])
    for line in narrative.network_conclusion(typed.networks, typed.task1):
        assert escape(line) in html and line in md
    banner = narrative.reduced_budget(typed, labels)  # from what metrics.json says was cut
    assert banner.startswith("Reduced budget (profile quick)") and escape(banner) in html
    assert html.index(escape(banner)) < html.index("Summary")  # before any result


def test_a_small_network_beats_085(quick_report):
    out, _ = quick_report
    m = json.loads((out / "metrics.json").read_text())
    assert max(n["test_acc_mean"] for n in m["networks"].values()) > 0.85
    assert m["networks"]["cnn-tiny"]["params"] > 0
    assert len(m["comparison"]["pairs"]) == 10  # 5 models, every pair


def test_nn_and_evaluate_commands(tmp_path, real_data_dir, capsys):
    out = tmp_path / "nn"
    rc = main(
        [
            "nn",
            "--arch",
            "64:d0.1",
            "--classes",
            "4-7",
            "--epochs",
            "2",
            "--seeds",
            "2",
            "--mixup",
            "0.2",
            "--tta",
            "--refit",
            "--out",
            str(out),
            "--data-dir",
            str(real_data_dir),
        ]
    )
    assert rc == 0
    m = json.loads((out / "metrics.json").read_text())
    assert list(m["networks"]) == ["custom"] and m["tasks"] == ["1", "5"]
    net = m["networks"]["custom"]
    assert net["epochs_run"] == [2, 2]
    timing = json.loads((out / "timings.json").read_text())["models"]["nn-custom"]
    assert timing["refit_seconds"] > 0 and timing["seconds_per_epoch"] > 0
    assert (net["spec"]["mixup"], net["spec"]["tta"], net["spec"]["refit"]) == (0.2, True, True)
    assert "retrained on every training row" in (out / "index.html").read_text()
    assert "This run trains 1 architecture with 2 seeds (0, 1)" in (out / "report.md").read_text()
    capsys.readouterr()
    assert (
        main(
            ["evaluate", str(out / "models" / "custom"), "--json", "--data-dir", str(real_data_dir)]
        )
        == 0
    )
    ev = json.loads(capsys.readouterr().out)
    assert ev["classes"] == [4, 5, 6, 7]
    assert ev["accuracy"] == pytest.approx(m["models"]["nn-custom"]["accuracy"])
    assert main(["nn", "--list"]) == 0 and "notebook-3" in capsys.readouterr().out


def test_same_seed_gives_identical_metrics_and_config_reruns(quick_report, tmp_path, real_data_dir):
    out, _ = quick_report
    again = tmp_path / "again"
    rc = main(
        [
            "run",
            "--config",
            str(out / "config.json"),
            "--out",
            str(again),
            "--data-dir",
            str(real_data_dir),
            "--fresh",
        ]
    )
    assert rc == 0
    assert (again / "metrics.json").read_bytes() == (out / "metrics.json").read_bytes()
    assert (again / "predictions.csv").read_bytes() == (out / "predictions.csv").read_bytes()


def test_interrupted_run_resumes_and_rerun_retrains_nothing(tmp_path, monkeypatch, real_data):
    data_dir, out = tmp_path / "data", tmp_path / "out"
    cfg = StudyConfig(classes=(4, 5, 6, 7), profile="quick", tasks=("1", "3", "4", "5"), seed=5)
    real_fit, calls = classical.fit_model, []

    def flaky(spec, *args, **kwargs):
        calls.append(spec.key)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real_fit(spec, *args, **kwargs)

    monkeypatch.setattr("fmstudy.study.fit_classical.fit_model", flaky)
    with pytest.raises(KeyboardInterrupt):
        run_study(cfg, data_dir=data_dir, jobs=1).save(out)
    assert not out.exists()  # nothing half-written
    first = calls[0]
    calls.clear()

    def counting(spec, *args, **kwargs):
        calls.append(spec.key)
        return real_fit(spec, *args, **kwargs)

    monkeypatch.setattr("fmstudy.study.fit_classical.fit_model", counting)
    res = run_study(cfg, data_dir=data_dir, jobs=1)
    assert first not in calls and len(calls) == 2
    assert res.timings["models"][first]["cached"] is True
    calls.clear()
    res2 = run_study(cfg, data_dir=data_dir, jobs=1)
    assert calls == [] and res2.metrics == res.metrics
    assert all(t["cached"] for per in res2.timings["networks"].values() for t in per.values())
    assert all(t["cached"] for t in res2.timings["models"].values())


def test_python_api_returns_figures(tmp_path, real_data):
    from matplotlib.figure import Figure

    res = run_study(
        StudyConfig(classes=(0, 1), profile="quick", tasks=("1", "2")), data_dir=tmp_path
    )
    assert isinstance(res.figures["pca_scatter"], Figure)
    assert res.metrics.task1["classes"] == [0, 1] and res.metrics.models == {}
    res.save(tmp_path / "rep")
    assert (tmp_path / "rep" / "index.html").is_file()


def test_the_quick_report_has_the_golden_numbers(quick_report):
    """Every number and prediction equals the golden report (tests/golden.py)."""
    assert_same_numbers("quick-4-7", quick_report[0])


def test_rerun_of_a_saved_network_report_is_the_same(tmp_path, real_data_dir):
    """fmstudy nn gives the golden numbers and predictions."""
    out = tmp_path / "nn"
    args = ["nn", "--arch", "cnn-tiny", "--classes", "0,2,4,6", "--seeds", "2", "--epochs", "2"]
    assert main([*args, "--out", str(out), "--data-dir", str(real_data_dir)]) == 0
    assert_same_numbers("nn-cnn-tiny", out)
