"""The course's commands (issue 16): the notebook run end to end, and every surname group.

    python benchmarks/bench_course.py --target notebook     # ~1 min on 2 cores
    python benchmarks/bench_course.py --target all-groups   # ~1 hour on 2 cores

``notebook``: ``fmstudy notebook --surname Lind --profile quick`` (run with nbclient,
the default), from an empty data folder.  ``all-groups``: ``fmstudy run --all-groups
--profile standard`` from an empty data folder (nothing cached: every group's fits
are made), with each group's time and most accurate model.  Each runs in a
subprocess; peak memory is the summed RSS of its process tree (the notebook's kernel
and the study's workers included).  Do not run two benchmarks at once.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_study import PeakMemory


def timed(cmd: list[str], cwd: Path) -> tuple[float, float, str]:
    """Seconds, peak GiB and stdout of one fmstudy command."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    with PeakMemory(proc.pid) as mem:
        out, _ = proc.communicate()
    seconds = time.perf_counter() - t0
    if proc.returncode:
        sys.exit(f"{' '.join(cmd)} failed:\n{out[-3000:]}")
    return seconds, mem.peak / 2**30, out


def notebook(work: Path) -> dict:
    cmd = [sys.executable, "-m", "fmstudy", "notebook", "--surname", "Lind", "--profile", "quick"]
    cmd += ["--out", "study.ipynb", "--data-dir", str(work / "data")]
    seconds, peak, _ = timed(cmd, work)
    nb = json.loads((work / "study.ipynb").read_text())
    cells = [c for c in nb["cells"] if c["cell_type"] == "code"]
    return {
        "target": "notebook --profile quick --execute",
        "seconds": round(seconds, 1),
        "peak_gib": round(peak, 2),
        "cells": len(nb["cells"]),
        "code_cells_run": sum(bool(c.get("execution_count")) for c in cells),
    }


def all_groups(work: Path) -> dict:
    cmd = [sys.executable, "-m", "fmstudy", "run", "--all-groups", "--profile", "standard"]
    cmd += ["--out", "course", "--data-dir", str(work / "data")]
    seconds, peak, log = timed(cmd, work)
    starts = [m.start() for m in re.finditer(r"^Group ", log, flags=re.M)]
    overview = json.loads((work / "course" / "overview.json").read_text())
    groups = {}
    for g in overview["groups"]:
        timings = json.loads((work / "course" / g["group"] / "timings.json").read_text())
        best = g["models"][g["best"]]
        groups[g["group"]] = {
            "seconds": timings["total_seconds"],
            "best": best["label"],
            "best_accuracy": best["accuracy"],
            "indistinguishable_from_best": len(g["indistinguishable"]),
        }
    return {
        "target": "run --all-groups --profile standard (empty cache)",
        "seconds": round(seconds, 1),
        "peak_gib": round(peak, 2),
        "groups_started": len(starts),
        "groups": groups,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--target", choices=["notebook", "all-groups"], required=True)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="fmstudy-bench-course-") as tmp:
        result = (notebook if args.target == "notebook" else all_groups)(Path(tmp))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
