"""One's own images (issue 17): an image folder's first and cached load, and digits end
to end.

    python benchmarks/bench_own.py --target folder    # 20,000 PNGs of 28x28
    python benchmarks/bench_own.py --target digits    # fmstudy run --dataset digits, standard

``folder`` writes 20,000 Fashion-MNIST training images (2,000 per class) as PNG files in
``PATH/<class>/``, then times ``load_dataset(PATH)`` in this process: from an empty data
folder (every file decoded with Pillow, hashed, split, cached) and again (the verified
cache).  ``digits`` runs ``fmstudy run --dataset digits --classes 0-9 --profile
standard`` from an empty data folder in a subprocess and prints its time and accuracies.
Do not run two benchmarks at once.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

PER_CLASS = 2000


def folder(work: Path) -> dict:
    from PIL import Image

    import fmstudy

    ds = fmstudy.load_dataset("fashion-mnist")
    root = work / "clothes"
    for c, name in enumerate(ds.class_names):
        d = root / name.replace("/", "-")
        d.mkdir(parents=True)
        for i in np.flatnonzero(ds.y_train == c)[:PER_CLASS]:
            Image.fromarray(ds.x_train[i]).save(d / f"{i}.png")
    n = sum(1 for _ in root.rglob("*.png"))
    t0 = time.perf_counter()
    first = fmstudy.load_dataset(str(root), work / "data")
    cold = time.perf_counter() - t0
    t0 = time.perf_counter()
    again = fmstudy.load_dataset(str(root), work / "data")
    warm = time.perf_counter() - t0
    assert again.sha256 == first.sha256
    return {
        "target": f"image folder, {n} PNGs of 28x28, 10 classes",
        "first_load_s": round(cold, 2),
        "first_target_s": 20,
        "first_ratio": round(cold / 20, 3),
        "cached_load_s": round(warm, 3),
        "cached_target_s": 2,
        "cached_ratio": round(warm / 2, 3),
        "train_test": [len(first.y_train), len(first.y_test)],
        "duplicates": first.info["duplicates"],
    }


def digits(work: Path) -> dict:
    cmd = [sys.executable, "-m", "fmstudy", "run", "--dataset", "digits", "--classes", "0-9"]
    cmd += ["--profile", "standard", "--out", "digits", "--data-dir", str(work / "data")]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=work, capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    if proc.returncode:
        sys.exit(proc.stderr[-3000:])
    metrics = json.loads((work / "digits" / "metrics.json").read_text())
    timings = json.loads((work / "digits" / "timings.json").read_text())
    return {
        "target": "fmstudy run --dataset digits --classes 0-9 --profile standard (empty cache)",
        "seconds": round(seconds, 1),
        "models": {
            k: {
                "accuracy": round(m["accuracy"], 4),
                "fit_s": timings["models"][k]["fit_seconds"],
            }
            for k, m in sorted(metrics["models"].items(), key=lambda kv: -kv[1]["accuracy"])
        },
        "networks_mean_sd": {
            n: [round(v["test_acc_mean"], 4), round(v["test_acc_sd"], 4)]
            for n, v in metrics["networks"].items()
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--target", choices=["folder", "digits"], required=True)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="fmstudy-bench-own-") as tmp:
        result = (folder if args.target == "folder" else digits)(Path(tmp))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
