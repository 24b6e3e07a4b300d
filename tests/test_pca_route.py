"""Task 2's PCA beyond a small covariance matrix: the route chosen by cost, the exact and
randomized SVD routes against scikit-learn's full PCA, their checks, the 90 % count when
the computed components do not reach it, the route's sentence and colour component images."""

import numpy as np
import pytest
from sklearn.decomposition import PCA

from fmstudy.evaluation import pca as pca_module
from fmstudy.evaluation import pca_route
from fmstudy.evaluation.pca import run_pca
from fmstudy.evaluation.pca_route import EXACT_MAX_FEATURES, SVD_MAX_ROWS, choose_route, costs
from fmstudy.plots.components import colour_components
from fmstudy.report.narrative.pca import route_text

D = EXACT_MAX_FEATURES + 76  # just past the covariance route


def low_rank(n: int, rank: int, seed: int = 0, noise: float = 0.2):
    """Rows of D pixels: ``rank`` directions with distinct, falling spreads plus noise."""
    rng = np.random.default_rng(seed)
    spreads = np.linspace(40, 8, rank)
    basis = np.linalg.qr(rng.standard_normal((D, rank)))[0].T
    x = (rng.standard_normal((n, rank)) * spreads) @ basis + noise * rng.standard_normal((n, D))
    return x + 100, rng.integers(0, 3, n)


def forced(monkeypatch, solver: str) -> None:
    """Make run_pca take ``solver`` whatever the costs say."""
    real = pca_module.choose_route
    monkeypatch.setattr(pca_module, "choose_route", lambda *a: real(*a) | {"solver": solver})


def test_route_covariance_up_to_the_threshold_then_by_cost():
    assert choose_route(5000, EXACT_MAX_FEATURES, 50)["solver"] == "covariance"
    assert choose_route(5000, 784, 50)["reason"] == "small_pixels"
    few = choose_route(100, EXACT_MAX_FEATURES + 1, 50)  # an SVD of 100 rows is cheap
    c = costs(100, EXACT_MAX_FEATURES + 1, 50)
    assert c["svd"] <= c["randomized"] and few["solver"] == "svd"
    many = choose_route(3000, 128 * 128 * 3, 50)  # a few thousand 128 x 128 RGB images
    c = costs(3000, 128 * 128 * 3, 50)
    assert c["svd"] > c["randomized"] and many["solver"] == "randomized"
    assert many["covariance_bytes"] == 8 * 49152**2 and many["cost_flops"] == c
    # cheaper still, but more rows than the exact SVD's copies may take
    cheap = costs(SVD_MAX_ROWS + 1, 10**7, 1000)
    assert cheap["svd"] <= cheap["randomized"]
    assert choose_route(SVD_MAX_ROWS + 1, 10**7, 1000)["solver"] == "randomized"


@pytest.mark.parametrize("solver", ["svd", "randomized"])
def test_routes_agree_with_full_pca_and_keep_the_checks(monkeypatch, solver):
    x, y = low_rank(300, 12)
    forced(monkeypatch, solver)
    res = run_pca(x, y, seed=0)
    c, ref = res.checks, PCA(svd_solver="full").fit(x)
    assert res.route["solver"] == solver
    np.testing.assert_allclose(
        res.explained_variance_ratio[:12], ref.explained_variance_ratio_[:12], rtol=1e-6
    )
    assert c["pc1_variance_by_hand"] == pytest.approx(c["pc1_variance_numpy"], rel=1e-10)
    assert c["pc1_variance_by_hand"] == pytest.approx(ref.explained_variance_[0], rel=1e-9)
    assert c["pc1_eigenvalue"] == pytest.approx(c["pc1_variance_sklearn"], rel=1e-9)
    assert c["total_variance_by_hand"] == pytest.approx(c["total_variance_numpy"], rel=1e-10)
    assert c["total_variance_numpy"] == pytest.approx(np.var(x, axis=0, ddof=1).sum(), rel=1e-12)
    assert c["eig_components_compared"] == 10 and c["eig_vs_sklearn_abs_cosine_min"] > 0.9999
    assert abs(c["pc1_dot_pc2"]) < 1e-10
    assert c["pc1_variance_sklearn"] > c["random_direction_variance_max"]
    assert c["components_for_90pct"] == int(
        np.searchsorted(np.cumsum(ref.explained_variance_ratio_), 0.9) + 1
    )
    assert res.components.shape == (8, D) and res.coords.shape == (300, 2)
    assert res.reading["input"]["max"] == pytest.approx(x.max())


def test_randomized_grows_its_components_until_90_percent(monkeypatch):
    x, y = low_rank(300, 90, noise=0.05)  # 90 % needs more than the first 50 components
    forced(monkeypatch, "randomized")
    res = run_pca(x, y, seed=0)
    full = np.cumsum(PCA(svd_solver="full").fit(x).explained_variance_ratio_)
    assert np.searchsorted(full, 0.9) + 1 > 50
    assert res.route["components"] == 100 and res.route["reached_90pct"]
    assert res.checks["components_for_90pct"] == np.searchsorted(full, 0.9) + 1
    assert len(res.spectrum) == res.checks["components_for_90pct"]  # as far as the figure draws


def test_randomized_short_of_90_percent_says_so(monkeypatch):
    x, y = low_rank(300, 200, noise=0.05)  # 90 % needs well over 60 components
    forced(monkeypatch, "randomized")
    monkeypatch.setattr(pca_route, "MAX_COMPONENTS", 60)
    res = run_pca(x, y, seed=0)
    assert res.route["components"] == 60 and not res.route["reached_90pct"]
    assert res.checks["components_for_90pct"] is None
    share = PCA(svd_solver="full").fit(x).explained_variance_ratio_[:60].sum()
    # no 60 directions hold more than the first 60 components; these come close
    assert 0.98 * share < res.route["computed_share"] <= share + 1e-12 and share < 0.9
    assert len(res.spectrum) == 50  # the shares known, none invented beyond
    text = route_text(res.route)
    assert "randomized SVD" in text[0] and "first 60 components" in text[0]
    assert "not known" in text[1]


def test_route_sentence_only_where_the_covariance_was_not_built(monkeypatch):
    x, y = low_rank(120, 5)
    assert route_text(run_pca(x[:, :784], y, seed=0).route) == []
    forced(monkeypatch, "svd")
    text = route_text(run_pca(x, y, seed=0).route)
    assert len(text) == 1 and "exact SVD of the 120 × 1,100" in text[0]
    assert "9.2 MiB" in text[0]  # the 1,100 x 1,100 float64 matrix never built
    big = choose_route(3000, 49152, 50) | {
        "solver": "randomized",
        "components": 50,
        "computed_share": 0.934,
        "reached_90pct": True,
    }
    (text,) = route_text(big)
    assert "49,152 × 49,152 covariance matrix would take 18.0 GiB" in text
    assert "first 50 components, which explain 93.4 %" in text


def test_colour_components_one_panel_per_channel():
    rng = np.random.default_rng(0)
    comps = rng.standard_normal((3, 4 * 5 * 3))
    fig = colour_components(comps, [0.5, 0.2, 0.1], (4, 5, 3))
    assert len(fig.axes) == 9
    for i in range(3):
        picture = comps[i].reshape(4, 5, 3)
        for c in range(3):
            shown = fig.axes[c * 3 + i].images[0].get_array()
            np.testing.assert_array_equal(shown, picture[..., c])
    assert [fig.axes[c * 3].get_ylabel() for c in range(3)] == ["R", "G", "B"]
    assert "one row per colour channel (R, G, B)" in fig._suptitle.get_text()


def test_colour_components_are_said_in_the_caption():
    """The report's caption says how a colour image's axes are shown; grey ones keep the
    plain caption."""
    from fmstudy.report.sections import SECTIONS, Shown

    task2 = next(s for s in SECTIONS if s.anchor == "task2")
    shown = Shown(task2, "task2", "Task 2", False)
    colour = shown.figure("pca_components", colour=True)["caption"]
    assert "one image per colour channel (R, G, B)" in colour
    assert shown.figure("pca_components")["caption"] == "PCA: the first principal axes"
