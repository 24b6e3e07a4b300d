"""Study task 2: PCA of the training pixels, and the numbers behind its explanation.

    res = run_pca(x_train_flat, y_train, seed=0)
    res.coords            # (n, 2) scores for the scatter plot
    res.checks            # variance by hand == numpy == sklearn, eig == SVD, ...
    res.reading           # class means and spread on PC1/PC2, the pairs apart and overlapping,
                          # the groups along each axis, the class images each axis resembles

Fitted on the raw pixels (0-255, not standardized), as the notebook did.  Every claim the report makes
about PCA (variance, explained-variance ratio, PC1 as the direction of largest
variance, PC1 orthogonal to PC2) is a number computed here on this data.  It needs two
pixels and some variance (:func:`pca_problem`); at most as many components as there are
rows or pixels.  Up to 1,024 pixels the d x d covariance matrix is eigen-decomposed as
always; beyond, :mod:`.pca_route` never builds it (an exact or randomized SVD, chosen by
cost) and ``res.route`` says which, why and how many components were computed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.decomposition import PCA

from fmstudy.errors import FmstudyError
from fmstudy.evaluation.pca_route import choose_route, fit_without_covariance

N_COMPONENTS = 50
GROUP_GAP = 1.0  # pooled sds between neighbouring class means that split an axis into groups


@dataclass(frozen=True)
class PCAResult:
    coords: np.ndarray  # (n, 2) scores on PC1, PC2
    labels: np.ndarray  # class label of each row of coords
    explained_variance_ratio: np.ndarray  # first N_COMPONENTS
    components: np.ndarray  # (k, 784) first principal axes, for the 28x28 pictures
    checks: dict
    spectrum: np.ndarray  # explained variance ratio of each component, up to the 90 % count
    reading: dict  # :func:`class_reading` and the input's scale
    route: dict  # how it was computed: :func:`fmstudy.evaluation.pca_route.choose_route`


def pca_problem(x: np.ndarray) -> str | None:
    """Why the flat training rows ``x`` have no PC1 and PC2 to show (None when they have):
    fewer than two pixels, or every image the same."""
    if x.shape[1] < 2:
        return f"the images have {x.shape[1]} pixel, and PCA's two components need 2"
    if not np.ptp(x, axis=0).any():
        return f"all {len(x)} training images are the same, so there is no variance to explain"
    return None


def run_pca(x: np.ndarray, y: np.ndarray, *, seed: int, n_random: int = 1000) -> PCAResult:
    """PCA with sklearn, cross-checked by hand and by eigen-decomposition, by the route
    :func:`.pca_route.choose_route` picks; one line (FmstudyError) where
    :func:`pca_problem` finds none to make."""
    problem = pca_problem(x)
    if problem:
        raise FmstudyError(f"PCA: {problem}")
    k = min(N_COMPONENTS, *x.shape)
    route = choose_route(*x.shape, k)
    if route["solver"] != "covariance":
        return _run_without_covariance(x, np.asarray(y), k, route, seed=seed, n_random=n_random)
    x = x.astype(np.float64)
    pca = PCA(n_components=k, random_state=seed).fit(x)
    scores = pca.transform(x)

    centred = x - x.mean(axis=0)
    n = len(x)
    # Variance of the data along PC1, by the definition: sum of squared deviations / (n - 1).
    pc1 = pca.components_[0]
    proj = centred @ pc1
    var_by_hand = float(np.sum((proj - proj.mean()) ** 2) / (n - 1))
    var_numpy = float(np.var(proj, ddof=1))
    total_by_hand = float(np.sum(centred**2) / (n - 1))

    cov = centred.T @ centred / (n - 1)
    eigvals, eigvecs = np.linalg.eigh(cov)
    order = np.argsort(eigvals)[::-1]
    eigvals, eigvecs = eigvals[order], eigvecs[:, order]
    n_cmp = min(10, k, n - 1)  # beyond rank n - 1 the axes have no variance and no direction
    cosines = np.abs(np.sum(eigvecs[:, :n_cmp] * pca.components_[:n_cmp].T, axis=0))

    rng = np.random.default_rng(seed)
    dirs = rng.standard_normal((n_random, x.shape[1]))
    dirs /= np.linalg.norm(dirs, axis=1, keepdims=True)
    random_vars = np.var(centred @ dirs.T, axis=0, ddof=1)

    checks = {
        "n_samples": n,
        "n_features": int(x.shape[1]),
        "pc1_variance_by_hand": var_by_hand,
        "pc1_variance_numpy": var_numpy,
        "pc1_variance_sklearn": float(pca.explained_variance_[0]),
        "pc2_variance_sklearn": float(pca.explained_variance_[1]),
        "pc1_eigenvalue": float(eigvals[0]),
        "total_variance_by_hand": total_by_hand,
        "total_variance_numpy": float(np.var(x, axis=0, ddof=1).sum()),
        "pc1_ratio": float(pca.explained_variance_ratio_[0]),
        "pc2_ratio": float(pca.explained_variance_ratio_[1]),
        "eig_vs_sklearn_abs_cosine_min": float(cosines.min()),
        "eig_components_compared": n_cmp,
        "random_directions": n_random,
        "random_direction_variance_max": float(random_vars.max()),
        "random_direction_variance_mean": float(random_vars.mean()),
        "pc1_dot_pc2": float(pc1 @ pca.components_[1]),
        "components_for_90pct": int(np.searchsorted(np.cumsum(eigvals) / eigvals.sum(), 0.9) + 1),
    }
    route |= {"components": len(eigvals), "reached_90pct": True}
    ratios = np.clip(eigvals, 0, None) / eigvals.sum()
    pixel_sd = x.std(axis=0, ddof=1)
    reading = class_reading(scores[:, :2], np.asarray(y))
    reading |= image_reading(x, np.asarray(y), pca.components_[:2])
    reading["input"] = {
        "standardized": False,  # the pixels as loaded: no scaling, no standardizing
        "min": float(x.min()),
        "max": float(x.max()),
        "pixel_sd_min": float(pixel_sd.min()),
        "pixel_sd_max": float(pixel_sd.max()),
    }
    return PCAResult(
        coords=scores[:, :2],
        labels=np.asarray(y),
        explained_variance_ratio=pca.explained_variance_ratio_,
        components=pca.components_[:8],
        checks=checks,
        spectrum=ratios[: max(k, checks["components_for_90pct"])],
        reading=reading,
        route=route,
    )


def _run_without_covariance(
    x: np.ndarray, y: np.ndarray, k: int, route: dict, *, seed: int, n_random: int
) -> PCAResult:
    """:func:`run_pca` on the svd or randomized route (:mod:`.pca_route`): the same checks,
    made on the components computed; ``components_for_90pct`` is None where they explain
    less than 90 % (the route's ``reached_90pct``)."""
    fit = fit_without_covariance(x, k, route["solver"], seed=seed, n_random=n_random)
    n, centred, comps = len(x), fit.centred, fit.components
    proj = centred @ comps[0]
    n_cmp = len(fit.eig_values)
    cosines = np.abs(np.sum(fit.eig_vectors * comps[:n_cmp].T, axis=0))
    cumulative = np.cumsum(fit.ratios)
    for_90 = int(np.searchsorted(cumulative, 0.9) + 1) if fit.reached_90 else None
    checks = {
        "n_samples": n,
        "n_features": int(x.shape[1]),
        "pc1_variance_by_hand": float(np.sum((proj - proj.mean()) ** 2) / (n - 1)),
        "pc1_variance_numpy": float(np.var(proj, ddof=1)),
        "pc1_variance_sklearn": float(fit.variances[0]),
        "pc2_variance_sklearn": float(fit.variances[1]),
        "pc1_eigenvalue": float(fit.eig_values[0]),
        "total_variance_by_hand": fit.total_by_hand,
        "total_variance_numpy": float(fit.pixel_var.sum()),
        "pc1_ratio": float(fit.ratios[0]),
        "pc2_ratio": float(fit.ratios[1]),
        "eig_vs_sklearn_abs_cosine_min": float(cosines.min()),
        "eig_components_compared": n_cmp,
        "random_directions": n_random,
        "random_direction_variance_max": float(fit.random_vars.max()),
        "random_direction_variance_mean": float(fit.random_vars.mean()),
        "pc1_dot_pc2": float(comps[0] @ comps[1]),
        "components_for_90pct": for_90,
    }
    route |= {
        "components": len(comps),
        "reached_90pct": fit.reached_90,
        "computed_share": float(cumulative[-1]),
    }
    scores = centred @ comps[:2].T
    reading = class_reading(scores, y)
    reading |= image_reading(centred, y, comps[:2])
    reading["input"] = {
        "standardized": False,
        "min": float(x.min()),
        "max": float(x.max()),
        "pixel_sd_min": float(np.sqrt(fit.pixel_var.min())),
        "pixel_sd_max": float(np.sqrt(fit.pixel_var.max())),
    }
    return PCAResult(
        coords=scores,
        labels=y,
        explained_variance_ratio=fit.ratios[:k],
        components=comps[:8],
        checks=checks,
        spectrum=fit.ratios[: max(k, for_90 or 0)],
        reading=reading,
        route=route,
    )


def _separation(gap: float, spread: float) -> float:
    """A distance in units of spread (0 when both are 0)."""
    return float(gap / spread) if spread > 0 else (0.0 if gap == 0 else float(np.finfo(float).max))


def class_reading(coords: np.ndarray, y: np.ndarray) -> dict:
    """What the PC1-PC2 scatter shows, as numbers: each class's mean and standard
    deviation of its scores on PC1 and PC2; the pair of classes furthest apart along
    each (difference of means over the pooled sd, sqrt((sd_a² + sd_b²) / 2)); and the
    pair that overlaps most in the plane (smallest distance between means over the
    pooled spread, the root mean square of both classes' sds on both axes; ``overlaps``
    when that is at most GROUP_GAP, else even this pair is apart); and the
    classes with the lowest and highest mean on each axis (its blue and red ends in the
    pictures of the axes); the groups along each axis (:func:`axis_groups`), and inside
    each of PC1's groups of two or more classes the pair furthest apart on PC2
    (``pc2_in_pc1_groups``, empty without a PC1 split).  Pairs are None with fewer than
    two classes."""
    labels = np.unique(y)
    classes = []
    for c in labels:
        s = coords[y == c]
        mean, sd = s.mean(axis=0), s.std(axis=0)
        classes.append(
            {
                "label": int(c),
                "n": len(s),
                "pc1_mean": float(mean[0]),
                "pc1_sd": float(sd[0]),
                "pc2_mean": float(mean[1]),
                "pc2_sd": float(sd[1]),
            }
        )
    best: dict = {"pc1_apart": None, "pc2_apart": None, "plane_overlap": None}
    for i, a in enumerate(classes):
        for b in classes[i + 1 :]:
            for axis in ("pc1", "pc2"):
                pooled = np.sqrt((a[f"{axis}_sd"] ** 2 + b[f"{axis}_sd"] ** 2) / 2)
                sep = _separation(abs(a[f"{axis}_mean"] - b[f"{axis}_mean"]), pooled)
                if best[f"{axis}_apart"] is None or sep > best[f"{axis}_apart"]["separation"]:
                    low, high = sorted((a, b), key=lambda r: r[f"{axis}_mean"])
                    best[f"{axis}_apart"] = {
                        "low": low["label"],
                        "high": high["label"],
                        "separation": sep,
                    }
            gap = float(np.hypot(a["pc1_mean"] - b["pc1_mean"], a["pc2_mean"] - b["pc2_mean"]))
            spread = float(
                np.sqrt(
                    (a["pc1_sd"] ** 2 + a["pc2_sd"] ** 2 + b["pc1_sd"] ** 2 + b["pc2_sd"] ** 2) / 4
                )
            )
            sep = _separation(gap, spread)
            if best["plane_overlap"] is None or sep < best["plane_overlap"]["separation"]:
                best["plane_overlap"] = {
                    "a": a["label"],
                    "b": b["label"],
                    "distance": gap,
                    "spread": spread,
                    "separation": sep,
                    # within one pooled spread their points lie on top of each other
                    "overlaps": bool(sep <= GROUP_GAP),
                }
    ends = {
        f"{axis}_ends": {
            "low": min(classes, key=lambda r: r[f"{axis}_mean"])["label"],
            "high": max(classes, key=lambda r: r[f"{axis}_mean"])["label"],
        }
        for axis in ("pc1", "pc2")
    }
    groups = {f"{axis}_groups": axis_groups(classes, axis) for axis in ("pc1", "pc2")}
    split = groups["pc1_groups"] and groups["pc1_groups"]["low"]
    by_label = {r["label"]: r for r in classes}
    inside = [
        _furthest_apart([by_label[c] for c in g], "pc2")
        for g in ((groups["pc1_groups"]["low"], groups["pc1_groups"]["high"]) if split else ())
        if len(g) > 1
    ]
    return {"classes": classes, **best, **ends, **groups, "pc2_in_pc1_groups": inside}


def _furthest_apart(classes: list[dict], axis: str) -> dict:
    """The pair of ``classes`` whose means on ``axis`` are furthest apart in pooled sds."""
    pairs = [(a, b) for i, a in enumerate(classes) for b in classes[i + 1 :]]
    seps = [
        _separation(abs(a[f"{axis}_mean"] - b[f"{axis}_mean"]), _pooled(a, b, axis))
        for a, b in pairs
    ]
    a, b = pairs[int(np.argmax(seps))]
    low, high = sorted((a, b), key=lambda r: r[f"{axis}_mean"])
    return {"low": low["label"], "high": high["label"], "separation": max(seps)}


def _pooled(a: dict, b: dict, axis: str) -> float:
    """Two classes' pooled sd on an axis: the root of the mean of their variances."""
    return float(np.sqrt((a[f"{axis}_sd"] ** 2 + b[f"{axis}_sd"] ** 2) / 2))


def axis_groups(classes: list[dict], axis: str) -> dict | None:
    """How the classes group along ``axis`` ("pc1" or "pc2"): the labels sorted by their
    mean score (``order``), each gap between neighbouring means in the pooled sd of those
    two classes (``gaps``), and the split at the largest such gap when it is more than
    GROUP_GAP pooled sds (``low`` and ``high``: the labels below and above it; both None
    without such a gap).  ``within``: the gaps between neighbours inside the groups
    (``tight`` when none is more than GROUP_GAP).  None with fewer than two classes."""
    order = sorted(classes, key=lambda r: r[f"{axis}_mean"])
    if len(order) < 2:
        return None
    gaps = [
        _separation(b[f"{axis}_mean"] - a[f"{axis}_mean"], _pooled(a, b, axis))
        for a, b in zip(order, order[1:], strict=False)
    ]
    at = int(np.argmax(gaps))
    split = gaps[at] > GROUP_GAP
    within = [
        {"a": a["label"], "b": b["label"], "separation": gap}
        for i, (a, b, gap) in enumerate(zip(order, order[1:], gaps, strict=False))
        if split and i != at
    ]
    labels = [r["label"] for r in order]
    return {
        "order": labels,
        "gaps": gaps,
        "threshold": GROUP_GAP,
        "low": labels[: at + 1] if split else None,
        "high": labels[at + 1 :] if split else None,
        "within": within,
        "tight": all(w["separation"] <= GROUP_GAP for w in within),
    }


def image_reading(x: np.ndarray, y: np.ndarray, components: np.ndarray) -> dict:
    """What PC1's and PC2's images resemble: the Pearson correlation r of each axis (a row
    of ``components``) with each class's mean image minus the mean of all images, and the
    classes with the highest and the lowest r (``high``/``low``, with ``high_r``/``low_r``).
    An r is None where a centred class mean is constant (one class: its mean is the
    overall mean); the axis's entry is None when no r is defined."""
    overall = x.mean(axis=0)
    centred = {int(c): x[y == c].mean(axis=0) - overall for c in np.unique(y)}
    out: dict = {}
    for i, axis in enumerate(("pc1", "pc2")):
        comp = components[i]
        rs = {c: _corr(comp, m) for c, m in centred.items()}
        known = {c: r for c, r in rs.items() if r is not None}
        out[f"{axis}_image"] = (
            {
                "r": [{"label": c, "r": r} for c, r in rs.items()],
                "high": max(known, key=known.get),
                "high_r": max(known.values()),
                "low": min(known, key=known.get),
                "low_r": min(known.values()),
            }
            if known
            else None
        )
    return out


def _corr(a: np.ndarray, b: np.ndarray) -> float | None:
    """Pearson's r of two images (None when either is constant)."""
    if not np.ptp(a) or not np.ptp(b):
        return None
    return float(np.corrcoef(a, b)[0, 1])
