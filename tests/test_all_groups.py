"""``fmstudy run --all-groups`` on the real data: three reports and a grading key whose
numbers are the reports' own."""

import json
import urllib.parse

import numpy as np
import pytest
from conftest import run_cli

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def course(tmp_path_factory, real_data_dir, quick_report):
    """All three groups, quick profile, seed 0 (group H-M's fits come from the cache the
    shared quick report filled)."""
    out = tmp_path_factory.mktemp("course") / "course"
    proc = run_cli(
        *("run", "--all-groups", "--profile", "quick", "--seed", "0"),
        *("--out", out, "--data-dir", real_data_dir),
    )
    assert proc.returncode == 0, proc.stderr
    return out, proc


def _per_seed(metrics: dict, key: str) -> list:
    nets = {n["key"]: n for n in metrics["networks"].values()}
    if key in nets:
        return nets[key]["test_acc"]
    return metrics["models"][key]["details"].get("test_acc_per_seed") or [
        metrics["models"][key]["accuracy"]
    ]


def test_three_reports_and_an_overview_with_their_numbers(course):
    out, proc = course
    overview = json.loads((out / "overview.json").read_text())
    assert overview["rule"] == "A-G:0-3,H-M:4-7,N-Ö:6-9"
    groups = overview["groups"]
    assert [g["group"] for g in groups] == ["A-G", "H-M", "N-Ö"]
    assert [g["classes"] for g in groups] == [[0, 1, 2, 3], [4, 5, 6, 7], [6, 7, 8, 9]]
    markdown = (out / "index.md").read_text()
    html = (out / "index.html").read_text()
    for g in groups:
        metrics = json.loads((out / g["group"] / "metrics.json").read_text())
        config = json.loads((out / g["group"] / "config.json").read_text())["config"]
        assert config["group"] == g["group"] and config["classes"] == g["classes"]
        assert set(g["models"]) == set(metrics["models"])
        for key, gm in g["models"].items():
            seeds = _per_seed(metrics, key)
            assert gm["accuracy"] == metrics["models"][key]["accuracy"]
            assert gm["seeds"] == len(seeds)
            assert gm["mean"] == pytest.approx(np.mean(seeds), rel=1e-12)
            if len(seeds) > 1:
                assert gm["sd"] == pytest.approx(np.std(seeds, ddof=1), rel=1e-12)
                assert f"{gm['mean']:.4f} ± {gm['sd']:.4f}" in markdown
            else:
                assert f"{gm['accuracy']:.4f}" in markdown
        ranked = sorted(metrics["models"], key=lambda k: -metrics["models"][k]["accuracy"])
        assert metrics["models"][g["best"]]["accuracy"] == metrics["models"][ranked[0]]["accuracy"]
        pairs = {frozenset((p["a"], p["b"])): p for p in metrics["comparison"]["pairs"]}
        for key in g["indistinguishable"]:
            assert not pairs[frozenset((g["best"], key))]["significant"]
        for key in g["different"]:
            assert pairs[frozenset((g["best"], key))]["significant"]
        assert len(g["indistinguishable"]) + len(g["different"]) == len(g["models"]) - 1
        assert g["hardest_pair"] == metrics["models"][g["best"]]["confused_pairs"][0]
        key = g["key"]  # the grading key's expected answers are the report's numbers
        assert key["task2"]["pc1"] == metrics["pca"]["checks"]["pc1_ratio"]
        assert key["task2"]["for_90"] == metrics["pca"]["checks"]["components_for_90pct"]
        assert key["task3"]["accuracy"] == metrics["models"]["forest"]["accuracy"]
        assert key["task4"]["better"] == metrics["task4"]["better"]
        assert key["task4"]["distinguishable"] == metrics["task4"]["distinguishable"]
        for net in metrics["networks"].values():
            assert key["task5"]["nets"][net["key"]]["mean"] == net["test_acc_mean"]
            assert key["task5"]["nets"][net["key"]]["overfit_seeds"] == sum(net["overfit_seeds"])
        link = urllib.parse.quote(g["group"]) + "/index.html"
        assert f'href="{link}"' in html
        assert (out / urllib.parse.unquote(link)).is_file()
    assert "Reduced budget (profile quick)" in markdown
    assert "Overview:" in proc.stdout


def test_group_h_m_is_the_surname_report_of_the_same_seed(course, quick_report):
    out, _ = course
    ours = json.loads((out / "H-M" / "metrics.json").read_text())
    lind = json.loads((quick_report[0] / "metrics.json").read_text())
    assert ours == lind


def test_the_overview_speaks_swedish(course):
    from fmstudy.course.all_groups import AllGroups
    from fmstudy.i18n import language
    from fmstudy.report.write import overview_pages

    out, _ = course
    overview = AllGroups.from_dict(json.loads((out / "overview.json").read_text()))
    with language("sv"):
        html, markdown = overview_pages(overview)
    assert '<html lang="sv">' in html and "Rättningsnyckel" in markdown
    forest = overview.groups[1].models["forest"]
    assert f"{forest.accuracy:.4f}".replace(".", ",") in markdown  # Swedish decimals
    assert "Kappa, 5 Sandal, 6 Skjorta" in markdown
