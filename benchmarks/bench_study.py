"""Tasks 1-4 the notebook's way against ``fmstudy run``, side by side (issue 3).

    python benchmarks/bench_study.py --target all        # ~25 min on 2 cores
    python benchmarks/bench_study.py --target quick      # each target on its own
    python benchmarks/bench_study.py --target standard --tasks 1-5 --before ../old

Targets: ``notebook-way`` (RF 1000 trees without n_jobs, LogReg max_iter=5000 on
raw and on standardized pixels, one after another, as the notebook did),
``notebook``, ``standard`` and ``quick`` (``fmstudy run --profile P --fresh`` in a
subprocess).  Peak memory is the largest summed RSS of the process tree, worker
processes included, sampled every 0.1 s.  Do not run two benchmarks at once.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

NOTEBOOK_WAY_PREDICTIONS = Path(tempfile.gettempdir()) / "fmstudy-bench-notebook-way.json"


ISSUE29 = {"standard": 300, "quick": 30}  # seconds for tasks 1-5 from an empty cache


def tree_rss(pid: int) -> int:
    """Summed resident memory (bytes) of a process and all its descendants."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            ppid, pages = int(fields[1]), int(fields[21])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry))
        rss[int(entry)] = pages * os.sysconf("SC_PAGE_SIZE")
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        total += rss.get(p, 0)
        todo.extend(children.get(p, []))
    return total


class PeakMemory:
    def __init__(self, pid: int):
        self.pid, self.peak, self._stop = pid, 0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, tree_rss(self.pid))
            time.sleep(0.1)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def notebook_way() -> dict:
    """The notebook's code path, inlined: pandas frames, default sklearn, sequential."""
    import pandas as pd
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import accuracy_score
    from sklearn.preprocessing import StandardScaler

    import fmstudy

    times, preds, accs = {}, {}, {}
    with PeakMemory(os.getpid()) as mem:
        t0 = time.perf_counter()
        ds = fmstudy.load_dataset()
        train, test = ds.frames()
        both = pd.concat([train.assign(split="train"), test.assign(split="test")], axis=0)
        train = both[(both.split == "train") & both.target.isin([4, 5, 6, 7])]
        test = both[(both.split == "test") & both.target.isin([4, 5, 6, 7])]
        x_tr, y_tr = train.drop(columns=["target", "split"]), train.target
        x_te, y_te = test.drop(columns=["target", "split"]), test.target
        from sklearn.decomposition import PCA

        PCA(n_components=2).fit_transform(x_tr)
        times["data+pca"] = time.perf_counter() - t0
        for key, make, scale in (
            ("forest", lambda: RandomForestClassifier(n_estimators=1000, random_state=42), False),
            ("logreg_raw", lambda: LogisticRegression(max_iter=5000, random_state=42), False),
            ("logreg_std", lambda: LogisticRegression(max_iter=5000, random_state=42), True),
        ):
            t = time.perf_counter()
            a, b = x_tr, x_te
            if scale:
                sc = StandardScaler().fit(x_tr)
                a, b = sc.transform(x_tr), sc.transform(x_te)
            model = make().fit(a, y_tr)
            preds[key] = model.predict(b).tolist()
            times[key] = time.perf_counter() - t
            accs[key] = float(accuracy_score(y_te, preds[key]))
            print(f"  {key}: {times[key]:.1f} s, accuracy {accs[key]:.4f}", flush=True)
        times["total"] = time.perf_counter() - t0
    NOTEBOOK_WAY_PREDICTIONS.write_text(
        json.dumps({"times": times, "predictions": preds, "accuracy": accs, "peak_bytes": mem.peak})
    )
    return {"seconds": times["total"], "peak_bytes": mem.peak, "times": times}


def fmstudy_run(profile: str, tasks: str = "1-4", source: str | None = None) -> dict:
    """``fmstudy run`` of classes 4-7 in a subprocess, from an empty cache; with ``source``
    (a checkout of other code, e.g. a worktree of the commit before a change) that code
    runs instead of this one."""
    env = dict(os.environ)
    if source:
        env["PYTHONPATH"] = str(Path(source).resolve() / "src")
    with tempfile.TemporaryDirectory() as d:
        out = Path(d) / "report"
        cmd = [
            sys.executable,
            "-m",
            "fmstudy",
            "run",
            "--classes",
            "4-7",
            "--profile",
            profile,
            "--tasks",
            tasks,
            "--out",
            str(out),
            "--fresh",
            "--data-dir",
            # FMSTUDY_BENCH_DATA keeps the data dir (and so the fits, for later reports)
            os.environ.get("FMSTUDY_BENCH_DATA") or str(Path(d) / "data"),
        ]
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, env=env)
        with PeakMemory(proc.pid) as mem:
            rc = proc.wait()
        seconds = time.perf_counter() - t0
        if rc:
            raise SystemExit(f"fmstudy run --profile {profile} failed with exit code {rc}")
        metrics = json.loads((out / "metrics.json").read_text())
        if os.environ.get("FMSTUDY_BENCH_KEEP"):  # keep the report to read (not timed)
            import shutil

            shutil.copytree(out, os.environ["FMSTUDY_BENCH_KEEP"], dirs_exist_ok=True)
        import pandas as pd

        preds = pd.read_csv(out / "predictions.csv")
    acc = {k: v["accuracy"] for k, v in metrics["models"].items()}
    return {
        "seconds": seconds,
        "peak_bytes": mem.peak,
        "accuracy": acc,
        "predictions": {k: preds[k].tolist() for k in acc},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--target",
        default="all",
        choices=["all", "notebook-way", "notebook", "standard", "quick"],
        help="what to measure (default all, in that order)",
    )
    parser.add_argument(
        "--tasks", default="1-4", help="study tasks to run (default 1-4; 1-5 adds the networks)"
    )
    parser.add_argument(
        "--before",
        metavar="DIR",
        help="a checkout of the code before (git worktree add DIR COMMIT): each fmstudy "
        "target runs there first, then here, and the ratio is printed (issue 29)",
    )
    args = parser.parse_args()
    targets = (
        ["notebook-way", "notebook", "standard", "quick"] if args.target == "all" else [args.target]
    )
    print(f"machine: {os.cpu_count()} cores, {sys.platform}, Python {sys.version.split()[0]}")
    base = (
        json.loads(NOTEBOOK_WAY_PREDICTIONS.read_text())
        if NOTEBOOK_WAY_PREDICTIONS.exists()
        else None
    )
    for target in targets:
        print(f"== {target}", flush=True)
        if target == "notebook-way":
            r = notebook_way()
            base = json.loads(NOTEBOOK_WAY_PREDICTIONS.read_text())
        else:
            if args.before:
                old = fmstudy_run(target, args.tasks, args.before)
                print(
                    f"  before ({args.before}): {old['seconds']:.1f} s, peak memory "
                    f"{old['peak_bytes'] / 2**30:.2f} GiB",
                    flush=True,
                )
            r = fmstudy_run(target, args.tasks)
            if args.before:
                print(f"  ratio after / before: {r['seconds'] / old['seconds']:.2f}")
            if args.tasks == "1-5" and target in ISSUE29:
                limit = ISSUE29[target]
                verdict = "PASS" if r["seconds"] <= limit else "FAIL"
                print(f"  issue 29 target <= {limit} s for tasks 1-5: {verdict}")
        print(
            f"  time {r['seconds']:.1f} s, peak memory {r['peak_bytes'] / 2**30:.2f} GiB "
            f"(target <= 2 GiB: {'PASS' if r['peak_bytes'] <= 2**31 else 'FAIL'})"
        )
        if target == "notebook-way" or base is None:
            if target != "notebook-way":
                print("  (run --target notebook-way first for the speed-up ratios)")
            continue
        speedup = base["times"]["total"] / r["seconds"]
        print(f"  speed-up over the notebook's way: {speedup:.2f}x")
        for key, acc in r["accuracy"].items():
            same = np.array_equal(base["predictions"][key], r["predictions"][key])
            gap = (acc - base["accuracy"][key]) * 100
            ok = "identical predictions" if same else f"{gap:+.2f} points vs notebook's way"
            print(f"  {key}: accuracy {acc:.4f} ({ok})")
        if target == "notebook":
            print(f"  target >= 1.5x: {'PASS' if speedup >= 1.5 else 'FAIL'}")
        if target == "standard":
            print(f"  target >= 15x: {'PASS' if speedup >= 15 else 'FAIL'}")
        if target == "quick":
            print(f"  target <= 60 s: {'PASS' if r['seconds'] <= 60 else 'FAIL'}")


if __name__ == "__main__":
    main()
