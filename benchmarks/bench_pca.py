"""Task 2's PCA on large colour images (issue 28): time and peak memory of ``run_pca``.

    python benchmarks/bench_pca.py                          # 3,000 RGB 128x128 and 24,000 28x28
    python benchmarks/bench_pca.py --images 1000 --skip-grey

Generates smooth random images in memory (Gaussian-blurred noise, channels sharing most
of their structure, two classes of different brightness), so the spectrum falls as a
photo's does: ``--images`` of ``--size`` x ``--size`` x 3 (d = 49,152 at 128), and, for
comparison, 24,000 grey 28 x 28 images (d = 784, the quick study's four classes of
Fashion-MNIST).  For each it prints the route taken, the components computed, the
90 % count, seconds, the peak of numpy's arrays during ``run_pca`` (tracemalloc) and the
process's peak resident memory (ru_maxrss) before and after.  Do not run two benchmarks
at once.
"""

from __future__ import annotations

import argparse
import json
import resource
import time
import tracemalloc

import numpy as np
from scipy.ndimage import gaussian_filter

from fmstudy.evaluation.pca import run_pca


def smooth_images(n: int, size: int, channels: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``n`` uint8 images (n, size, size[, channels]) of blurred noise, made in blocks."""
    rng = np.random.default_rng(seed)
    shape = (n, size, size, channels) if channels > 1 else (n, size, size)
    out = np.empty(shape, dtype=np.uint8)
    y = rng.integers(0, 2, n)
    sigma = size / 10
    for start in range(0, n, 250):
        m = min(250, n - start)
        base = gaussian_filter(rng.standard_normal((m, size, size)), (0, sigma, sigma))
        block = base[..., None] if channels > 1 else base
        if channels > 1:
            own = rng.standard_normal((m, size, size, channels))
            block = block + 0.4 * gaussian_filter(own, (0, sigma / 2, sigma / 2, 0))
        block = (
            block / block.std() * 40
            + 110
            + 30 * y[start : start + m].reshape(-1, *[1] * (block.ndim - 1))
        )
        out[start : start + m] = np.clip(block, 0, 255).astype(np.uint8)
    return out, y


def measure(x: np.ndarray, y: np.ndarray) -> dict:
    """``run_pca`` on the flat rows of ``x``: route, counts, seconds and memory."""
    flat = x.reshape(len(x), -1)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**10
    tracemalloc.start()
    t = time.perf_counter()
    res = run_pca(flat, y, seed=0)
    seconds = time.perf_counter() - t
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    route = res.route
    return {
        "images": len(x),
        "pixels": flat.shape[1],
        "data_mib": round(flat.nbytes / 2**20, 1),
        "solver": route["solver"],
        "reason": route["reason"],
        "components": route["components"],
        "components_for_90pct": res.checks["components_for_90pct"],
        "eig_vs_sklearn_abs_cosine_min": res.checks["eig_vs_sklearn_abs_cosine_min"],
        "seconds": round(seconds, 1),
        "numpy_peak_mib": round(peak / 2**20),
        "maxrss_before_mib": round(rss_before),
        "maxrss_after_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**10),
        "covariance_would_take_gib": round(route["covariance_bytes"] / 2**30, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--images", type=int, default=3000)
    parser.add_argument("--size", type=int, default=128)
    parser.add_argument("--skip-grey", action="store_true", help="no 28x28 comparison")
    args = parser.parse_args()
    print(json.dumps(measure(*smooth_images(args.images, args.size, 3))), flush=True)
    if not args.skip_grey:
        print(json.dumps(measure(*smooth_images(24000, 28, 1, seed=1))), flush=True)


if __name__ == "__main__":
    main()
