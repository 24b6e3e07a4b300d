"""Task 2 read from the numbers: the PCA's record names the classes PC1 and PC2 pull
apart and the pair that overlaps most, the sentence words those, and the variance
figure reaches the number of components needed for 90 %."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from fmstudy.evaluation.pca import class_reading, image_reading, run_pca
from fmstudy.i18n import language
from fmstudy.plots.figures import pca_variance
from fmstudy.report import narrative
from fmstudy.report.narrative.pca import pca_reading_text, score_digits, variance_digits

NAMES = {0: "Sandal", 1: "Trouser", 2: "Coat", 3: "Shirt"}


@pytest.fixture(scope="module")
def known():
    """Sandal and Trouser far apart along pixel 0 (PC1); Coat and Shirt drawn from one
    distribution, away from both along pixel 1 (PC2): they overlap."""
    rng = np.random.default_rng(0)
    means = np.zeros((4, 12))
    means[0, 0], means[1, 0] = 60, -60
    means[2:, 1] = 25
    y = np.repeat(np.arange(4), 80)
    x = means[y] + rng.normal(scale=3, size=(len(y), 12)) + 100
    return run_pca(x, y, seed=0, n_random=20)


def test_the_stored_pairs_are_the_known_ones(known):
    r = known.reading
    assert {r["pc1_apart"]["low"], r["pc1_apart"]["high"]} == {0, 1}
    assert r["pc1_apart"]["separation"] > 20
    assert {r["plane_overlap"]["a"], r["plane_overlap"]["b"]} == {2, 3}
    assert r["plane_overlap"]["separation"] < 0.5 and r["plane_overlap"]["overlaps"]
    pc2 = {r["pc2_apart"]["low"], r["pc2_apart"]["high"]}
    assert len(pc2 & {2, 3}) == 1 and len(pc2 & {0, 1}) == 1
    assert {r["pc1_ends"]["low"], r["pc1_ends"]["high"]} == {0, 1}
    by = {c["label"]: c for c in r["classes"]}
    assert by[r["pc1_apart"]["high"]]["pc1_mean"] > by[r["pc1_apart"]["low"]]["pc1_mean"]
    assert by[0]["pc1_sd"] == pytest.approx(known.coords[known.labels == 0, 0].std())
    assert r["input"]["standardized"] is False
    assert r["input"]["min"] < 100 < r["input"]["max"]
    json.dumps(r, allow_nan=False)  # metrics.json can hold it


def test_one_class_has_no_pairs():
    r = class_reading(np.arange(10.0).reshape(5, 2), np.zeros(5, int))
    assert r["pc1_apart"] is None and r["plane_overlap"] is None
    assert r["pc1_ends"] == {"low": 0, "high": 0}


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_the_sentences_name_the_pairs(known, lang):
    pca = {"checks": known.checks, "reading": known.reading}
    with language(lang):
        text = narrative.pca_text(pca, NAMES)
    apart = next(t for t in text if "PC1" in t and "Trouser" in t and "Sandal" in t)
    assert "PC2" in apart
    overlap = next(t for t in text if "Coat" in t and "Shirt" in t and "Sandal" not in t)
    assert overlap.index("Coat") < overlap.index("Shirt")
    scale = next(t for t in text if "255" in t or str(round(known.reading["input"]["max"])) in t)
    assert ("standardized" if lang == "en" else "standardiserade") in scale
    if lang == "sv":
        assert "pulls" not in " ".join(text)  # translated


def test_an_old_record_reads_as_before(known):
    old = narrative.pca_text({"checks": known.checks})
    assert len(old) == 4 and not any("Sandal" in t for t in old)


def test_the_variance_figure_reaches_the_90_percent_count():
    x = np.random.default_rng(1).normal(size=(200, 100))  # no structure: ~80 components for 90 %
    res = run_pca(x, np.zeros(200, int), seed=0, n_random=10)
    k90 = res.checks["components_for_90pct"]
    assert k90 > 50 and len(res.spectrum) == k90
    assert np.cumsum(res.spectrum)[-1] >= 0.9 > np.cumsum(res.spectrum)[-2]
    assert res.spectrum[:50] == pytest.approx(res.explained_variance_ratio)
    fig = pca_variance(res.spectrum, k90)
    ax = fig.axes[0]
    assert ax.get_xlim()[1] >= k90
    assert any(line.get_xdata()[0] == k90 for line in fig.axes[1].get_lines())


def _scores(means: dict, sd: float, n: int = 200, seed: int = 0):
    """PC1/PC2 scores with each class's known means (pc1, pc2) and spread ``sd``."""
    rng = np.random.default_rng(seed)
    y = np.repeat(list(means), n)
    coords = np.array([means[c] for c in y], float) + rng.normal(scale=sd, size=(len(y), 2))
    return coords, y


def _reading_text(reading, pc1_variance=1e4):
    checks = {"pc1_variance_sklearn": pc1_variance, "total_variance_numpy": 2 * pc1_variance}
    with language("en"):
        return " ".join(pca_reading_text({"checks": checks, "reading": reading}, NAMES)[1:])


def test_two_tight_pairs_far_apart_on_pc1_are_its_groups():
    """Sandal, Trouser at -100 ± 0.3 and Coat, Shirt at +100 ± 0.3 on PC1 (sd 1); on PC2 Sandal
    and Trouser 10 apart, Coat and Shirt together."""
    coords, y = _scores({0: (-100.3, -5), 1: (-99.7, 5), 2: (99.7, 0), 3: (100.3, 0)}, sd=1)
    r = class_reading(coords, y)
    g = r["pc1_groups"]
    assert g["order"] == [0, 1, 2, 3] and g["low"] == [0, 1] and g["high"] == [2, 3]
    assert max(g["gaps"]) == pytest.approx(198, rel=0.05) and g["threshold"] == 1.0
    assert g["tight"] and {(w["a"], w["b"]) for w in g["within"]} == {(0, 1), (2, 3)}
    assert all(0.3 < w["separation"] < 1 for w in g["within"])
    inside = {(p["low"], p["high"]): p["separation"] for p in r["pc2_in_pc1_groups"]}
    assert inside[(0, 1)] == pytest.approx(10, rel=0.2) and inside[(2, 3)] < 1
    text = _reading_text(r | {"input": INPUT})
    assert re.search(
        r"PC1 separates Sandal and Trouser from Coat and Shirt: a gap of 2\d\d\.\d\d ", text
    )
    assert "between Trouser and Coat" in text and "more than 1 pooled sd" in text
    assert "Within the groups the means are close" in text
    assert "PC2 sets Sandal and Trouser 9" in text or "PC2 sets Sandal and Trouser 10" in text


def test_no_gap_claims_no_groups():
    coords, y = _scores({0: (0, 0), 1: (1, 1), 2: (2, 2), 3: (3, 3)}, sd=5)
    r = class_reading(coords, y)
    assert r["pc1_groups"]["low"] is None and r["pc1_groups"]["within"] == []
    assert max(r["pc1_groups"]["gaps"]) < 1 and r["pc2_in_pc1_groups"] == []
    text = _reading_text(r | {"input": INPUT})
    assert "separates" not in text
    assert "PC1 shows no such gap (the largest is 0." in text


def test_a_split_with_loose_groups_says_so():
    """Gaps of 3 and 2 sd: the split is at 3, and the 2 inside a group is not called close."""
    coords, y = _scores({0: (0, 0), 1: (2, 0), 2: (5, 0)}, sd=0.001, n=2)
    r = class_reading(coords, y)
    assert r["pc1_groups"]["low"] == [0, 1] and not r["pc1_groups"]["tight"]
    text = _reading_text(r | {"input": INPUT})
    assert "close" not in text and "some neighbours are more than 1 pooled sd apart" in text


INPUT = {"min": 0.0, "max": 255.0, "pixel_sd_min": 0.1, "pixel_sd_max": 100.0}


def test_each_axis_image_is_compared_with_the_centred_class_means():
    """Three classes lit in different pixels; PC1 given as Sandal's centred mean minus
    Coat's: it correlates most with Sandal, least with Coat."""
    rng = np.random.default_rng(0)
    means = np.zeros((3, 9))
    means[0, :3], means[1, 3:6], means[2, 6:] = 10, 10, 10
    y = np.repeat(np.arange(3), 20)
    x = means[y] + rng.normal(scale=0.1, size=(60, 9))
    centred = [x[y == c].mean(axis=0) - x.mean(axis=0) for c in range(3)]
    comps = np.stack([centred[0] - centred[2], centred[1]])
    r = image_reading(x, y, comps)
    assert (r["pc1_image"]["high"], r["pc1_image"]["low"]) == (0, 2)
    rs = {e["label"]: e["r"] for e in r["pc1_image"]["r"]}
    assert rs[0] == pytest.approx(np.corrcoef(comps[0], centred[0])[0, 1])
    assert r["pc1_image"]["high_r"] == rs[0] > 0.8 and r["pc1_image"]["low_r"] == rs[2] < -0.8
    assert r["pc2_image"]["high"] == 1 and r["pc2_image"]["high_r"] == pytest.approx(1)
    reading = class_reading(np.zeros((60, 2)) + y[:, None], y) | r | {"input": INPUT}
    text = _reading_text(reading)
    hi, lo = f"{rs[0]:.2f}", f"{-rs[2]:.2f}"
    assert (
        f"PC1 correlates most with the Sandal mean (r = {hi}) and least with the Coat mean (r = −{lo})"
        in text
    )
    one = image_reading(x, np.zeros(60, int), comps)  # one class: its mean is the overall one
    assert one == {"pc1_image": None, "pc2_image": None}


def test_each_variance_and_score_is_printed_one_way(known):
    """PC1's variance and the total, wherever they appear, with one precision; negative
    scores with a true minus."""
    checks = dict(known.checks)
    checks |= dict.fromkeys(
        ["pc1_variance_by_hand", "pc1_variance_numpy", "pc1_variance_sklearn"], 1871027.159
    )
    checks |= dict.fromkeys(["total_variance_by_hand", "total_variance_numpy"], 4136878.849)
    checks |= {"random_direction_variance_max": 30236.19, "random_direction_variance_mean": 5349.1}
    checks["pc1_dot_pc2"] = 3e-17  # sig's own sign is not this test's
    with language("en"):
        text = " ".join(narrative.pca_text({"checks": checks, "reading": known.reading}, NAMES))
    assert text.count("1,871,027") == 5 and not re.search(r"1,871,027\.\d", text)
    assert text.count("4,136,879") == 3 and "4,136,878" not in text
    assert "30,236 " in text or "30,236," in text
    assert re.search(r"-\d", text) is None and "−" in text  # the Sandal's negative PC1 mean
    assert variance_digits({"pc1_variance_sklearn": 12.3456}) == 2
    assert score_digits({"pc1_variance_sklearn": 1871027.0}) == 0


def test_the_closest_pair_is_said_to_overlap_only_when_it_does():
    """Four classes far apart in the plane: the closest pair is not called overlapping."""
    coords, y = _scores({4: (0, 0), 5: (40, 0), 6: (0, 40), 7: (40, 40)}, sd=1.0)
    r = class_reading(coords, y)
    assert not r["plane_overlap"]["overlaps"] and r["plane_overlap"]["separation"] > 1
    text = _reading_text(r | {"input": INPUT})
    assert "overlap only in part" in text and "cannot tell them apart" not in text
