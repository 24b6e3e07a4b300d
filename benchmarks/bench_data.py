"""Time loading + verifying the full Fashion-MNIST, cold (empty cache) and warm.

    python benchmarks/bench_data.py [--repeat 5]

Measured in-process after imports. Targets (issue 2): warm <= 0.3 s, cold <= 2 s.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import tempfile
import time

import fmstudy
from fmstudy import load_dataset

COLD_TARGET, WARM_TARGET = 2.0, 0.3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="timed repetitions (default 5)")
    args = parser.parse_args()
    cold, warm = [], []
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory() as d:
            t = time.perf_counter()
            load_dataset("fashion-mnist", d)
            cold.append(time.perf_counter() - t)
            t = time.perf_counter()
            load_dataset("fashion-mnist", d)
            warm.append(time.perf_counter() - t)
    c, w = statistics.median(cold), statistics.median(warm)
    print(f"fmstudy {fmstudy.__version__} on {platform.machine()}, {platform.python_version()}")
    print(
        f"cold load+verify: median {c:.3f} s  (target <= {COLD_TARGET} s, ratio {c / COLD_TARGET:.2f})"
    )
    print(
        f"warm load+verify: median {w:.3f} s  (target <= {WARM_TARGET} s, ratio {w / WARM_TARGET:.2f})"
    )
    print("PASS" if c <= COLD_TARGET and w <= WARM_TARGET else "FAIL")


if __name__ == "__main__":
    main()
