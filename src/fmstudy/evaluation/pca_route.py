"""How Task 2's PCA is computed for the data's size, and the routes for many pixels.

    route = choose_route(n_rows, n_pixels)   # {"solver": "covariance" | "svd" | "randomized", ...}
    fit = fit_without_covariance(x, 50, route["solver"], seed=0, n_random=1000)

Up to EXACT_MAX_FEATURES pixels the d x d covariance matrix is small, and
:func:`fmstudy.evaluation.pca.run_pca` eigen-decomposes it as it always has.  Beyond, that
matrix (d² numbers, d³ time) is never built: scikit-learn's exact SVD of the n x d centred
data (PCA ``svd_solver="full"``) where it costs less than a randomized one (few images),
else scikit-learn's randomized SVD, grown until its components explain 90 % of the
variance or MAX_COMPONENTS are computed.  The total variance is summed pixel by pixel, so
each computed component's share is exact either way; the covariance matrix's leading
eigenvectors for the comparison come from Lanczos iteration on C·v = Xᵀ(Xv) / (n − 1).
Memory: one float64 copy of the data, plus the exact SVD's copies on its route.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.sparse.linalg import LinearOperator, eigsh
from sklearn.decomposition import PCA
from sklearn.utils.extmath import randomized_svd

EXACT_MAX_FEATURES = 1024  # up to 32 x 32 grey: an 8 MiB covariance matrix, eigen-decomposed
SVD_MAX_ROWS = 2048  # the exact SVD keeps copies of the n x d data; beyond, randomized only
MAX_COMPONENTS = 400  # the most components the randomized route grows to
POWER_ITERATIONS = 7  # scikit-learn's "auto" for few components, counted in its cost
OVERSAMPLES = 10
CHECKED = 10  # leading components compared with the covariance matrix's eigenvectors
_CHUNK = 4096  # pixels (or random directions) per block, to bound temporary arrays


def costs(n: int, d: int, k: int) -> dict:
    """Floating-point operations each route needs for ``k`` components of ``n`` rows of
    ``d`` pixels, as the usual estimates: the covariance matrix and its eigen-decomposition,
    a thin SVD of the data, a randomized SVD with POWER_ITERATIONS passes."""
    return {
        "covariance": 2 * n * d * d + 9 * d**3,
        "svd": 4 * n * n * d + 22 * n**3 if n <= d else 4 * n * d * d + 22 * d**3,
        "randomized": 4 * (POWER_ITERATIONS + 1) * n * d * (k + OVERSAMPLES),
    }


def choose_route(n: int, d: int, k: int) -> dict:
    """The route for ``n`` rows of ``d`` pixels and ``k`` components, and why: the
    covariance matrix where d is at most EXACT_MAX_FEATURES (``small_pixels``), else the
    exact SVD where it costs no more than the randomized one and n is at most SVD_MAX_ROWS
    (``svd_cheaper``), else the randomized SVD (``randomized_cheaper``)."""
    cost = costs(n, d, k)
    if d <= EXACT_MAX_FEATURES:
        solver, reason = "covariance", "small_pixels"
    elif n <= SVD_MAX_ROWS and cost["svd"] <= cost["randomized"]:
        solver, reason = "svd", "svd_cheaper"
    else:
        solver, reason = "randomized", "randomized_cheaper"
    return {
        "solver": solver,
        "reason": reason,
        "rows": n,
        "pixels": d,
        "exact_max_pixels": EXACT_MAX_FEATURES,
        "covariance_bytes": 8 * d * d,
        "cost_flops": cost,
    }


@dataclass(frozen=True)
class LargeFit:
    """What :func:`fit_without_covariance` computed: the components and their variances,
    the centred data, and the checks' numbers on them."""

    centred: np.ndarray  # (n, d) float64
    components: np.ndarray  # (k, d)
    variances: np.ndarray  # (k,) explained variance of each computed component
    ratios: np.ndarray  # (k,) its exact share of the total variance
    total_by_hand: float
    pixel_var: np.ndarray  # (d,) numpy's np.var(ddof=1) of each pixel
    eig_values: np.ndarray  # the covariance matrix's leading eigenvalues (Lanczos)
    eig_vectors: np.ndarray  # (d, CHECKED) their eigenvectors
    random_vars: np.ndarray  # variance along each random unit direction
    reached_90: bool  # the computed components explain at least 90 %


def fit_without_covariance(x: np.ndarray, k: int, solver: str, *, seed: int, n_random: int):
    """PCA of the rows ``x`` by ``solver`` ("svd" or "randomized"), at least ``k``
    components (the randomized route doubles them until 90 % or MAX_COMPONENTS)."""
    n, d = x.shape
    pixel_var = np.concatenate(
        [np.var(x[:, j : j + _CHUNK], axis=0, ddof=1) for j in range(0, d, _CHUNK)]
    )
    total = float(pixel_var.sum())
    centred = np.array(x, dtype=np.float64)
    centred -= centred.mean(axis=0)
    total_by_hand = float(np.einsum("ij,ij->", centred, centred) / (n - 1))
    if solver == "svd":
        pca = PCA(svd_solver="full", copy=False).fit(centred)  # every component: exact
        components, variances = pca.components_, pca.explained_variance_
    else:
        components, variances = _randomized(centred, k, total, seed)
    ratios = variances / total
    n_cmp = min(CHECKED, len(components), n - 1)
    start = np.random.default_rng([seed, 1]).standard_normal(d)
    operator = LinearOperator(
        (d, d), matvec=lambda v: centred.T @ (centred @ v) / (n - 1), dtype=np.float64
    )
    eig_values, eig_vectors = eigsh(operator, k=n_cmp, which="LA", v0=start, tol=1e-12)
    order = np.argsort(eig_values)[::-1]
    return LargeFit(
        centred=centred,
        components=components,
        variances=variances,
        ratios=ratios,
        total_by_hand=total_by_hand,
        pixel_var=pixel_var,
        eig_values=eig_values[order],
        eig_vectors=eig_vectors[:, order],
        random_vars=_random_directions(centred, n_random, seed),
        reached_90=bool(ratios.sum() >= 0.9),
    )


def _randomized(centred: np.ndarray, k: int, total: float, seed: int):
    """scikit-learn's randomized SVD of the centred rows: ``k`` components, doubled until
    they explain 90 % of ``total`` or reach MAX_COMPONENTS (or the data's rank bound)."""
    n, d = centred.shape
    cap = max(k, min(MAX_COMPONENTS, n - 1, d))
    while True:
        _, s, vt = randomized_svd(
            centred, k, n_oversamples=OVERSAMPLES, n_iter="auto", random_state=seed
        )
        variances = s**2 / (n - 1)
        if variances.sum() / total >= 0.9 or k >= cap:
            return vt, variances
        k = min(2 * k, cap)


def _random_directions(centred: np.ndarray, n_random: int, seed: int) -> np.ndarray:
    """The variance of the data along ``n_random`` random unit directions, drawn in blocks."""
    rng = np.random.default_rng(seed)
    out = []
    for start in range(0, n_random, _CHUNK // 16):
        dirs = rng.standard_normal((min(_CHUNK // 16, n_random - start), centred.shape[1]))
        dirs /= np.linalg.norm(dirs, axis=1, keepdims=True)
        out.append(np.var(centred @ dirs.T, axis=0, ddof=1))
    return np.concatenate(out) if out else np.zeros(0)
