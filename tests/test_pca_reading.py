"""Task 2 read from the numbers: the PCA's record names the classes PC1 and PC2 pull
apart and the pair that overlaps most, the sentence words those, and the variance
figure reaches the number of components needed for 90 %."""

from __future__ import annotations

import json

import numpy as np
import pytest

from fmstudy.evaluation.pca import class_reading, run_pca
from fmstudy.i18n import language
from fmstudy.plots.figures import pca_variance
from fmstudy.report import narrative

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
    assert r["plane_overlap"]["separation"] < 0.5
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
