import numpy as np
import pytest
from sklearn.decomposition import PCA

from fmstudy.evaluation.pca import run_pca


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(1)
    # Correlated features with a dominant direction, like pixels of similar images.
    base = rng.normal(size=(400, 3)) * np.array([9.0, 4.0, 1.0])
    mix = rng.normal(size=(3, 60))
    x = base @ mix + rng.normal(scale=0.3, size=(400, 60)) + 5
    y = rng.integers(0, 4, 400)
    return x, y


def test_variance_by_hand_equals_numpy_and_sklearn(data):
    x, y = data
    c = run_pca(x, y, seed=0).checks
    ref = PCA(n_components=5).fit(x)
    assert c["pc1_variance_by_hand"] == pytest.approx(c["pc1_variance_numpy"], rel=1e-10)
    assert c["pc1_variance_by_hand"] == pytest.approx(ref.explained_variance_[0], rel=1e-10)
    assert c["pc1_variance_sklearn"] == pytest.approx(ref.explained_variance_[0], rel=1e-12)
    assert c["total_variance_by_hand"] == pytest.approx(np.var(x, axis=0, ddof=1).sum(), rel=1e-10)
    assert c["pc1_eigenvalue"] == pytest.approx(c["pc1_variance_sklearn"], rel=1e-8)


def test_ratios_eigen_and_orthogonality(data):
    x, y = data
    res = run_pca(x, y, seed=0)
    c = res.checks
    ref = PCA().fit(x)
    assert c["pc1_ratio"] == pytest.approx(ref.explained_variance_ratio_[0], rel=1e-10)
    assert c["pc2_ratio"] == pytest.approx(ref.explained_variance_ratio_[1], rel=1e-10)
    assert c["eig_vs_sklearn_abs_cosine_min"] >= 0.9999
    assert abs(c["pc1_dot_pc2"]) < 1e-10
    assert c["pc1_variance_sklearn"] > c["random_direction_variance_max"]
    # Scores are the centred data on the axes, as numpy's SVD says (up to sign).
    u, s, vt = np.linalg.svd(x - x.mean(axis=0), full_matrices=False)
    assert np.allclose(np.abs(res.coords[:, 0]), np.abs(u[:, 0] * s[0]), atol=1e-8)
    assert res.coords.shape == (400, 2) and res.components.shape[1] == 60


def test_deterministic(data):
    x, y = data
    a, b = run_pca(x, y, seed=3), run_pca(x, y, seed=3)
    assert a.checks == b.checks and np.array_equal(a.coords, b.coords)
