"""Reference reports (tests/data/golden) and a check that a report made now has the same
numbers and predictions.

The golden files come from ``fmstudy run --classes 4-7 --profile quick --seed 0`` and
``fmstudy nn --arch cnn-tiny --classes 0,2,4,6 --seeds 2 --epochs 2``.  A change that
alters results on purpose regenerates them and says in its commit what changed
(history: the redesign kept every number; the honest-conclusions change regenerated
them: stratified subsamples, the validation-median seed, verdicts over seed pairs; the
deeper evaluation added probability scores and learning curves, schema 3, and the report's
languages each model's translatable name, label_id and label_args; one's own images
added each model's balanced_accuracy and task 1's "uneven"; the right answers added
learned/not_learned, the validation split made, the PCA reading and the per-seed
overfitting verdict, dropping the old late_rise fields; none of them changed an earlier
number, until one rule for verdicts and letters changed, on purpose and nothing else:
Wilson intervals (ci95), the comparison of the runs shown (the forest vs notebook-1
pair's counts and p; per-seed-index p and verdicts beside), the two regressions' labels,
and added Task 4's record; the reference machine's files got the ``task4`` key from an
avx2-haswell run, as only keys and accuracies are compared there; issue 29's
channels-last convolutions moved the conv network and nothing else: cnn-tiny in the quick
report by 19 of 4,000 predictions (accuracy 0.94775 -> 0.9485), in the 2-epoch nn run by
103 (0.81575 -> 0.81875)).

Floating-point results depend on the processor's vector kernels (torch's CPU capability,
OpenBLAS's core type): a network or an unconverged logistic regression can end a few
predictions apart on another kind of machine.  So the golden files are kept per kind of
machine: ``GOLDEN/<name>/`` is the first reference machine's, ``GOLDEN/<name>/machines/
<kind>/`` another's (e.g. ``avx2-haswell``).  On a kind that has its own files the check
is exact; on a kind with none it compares against the reference within what kernels
can move (every model's predictions agree on at least 97 % of the test images, its
accuracy within 2 points, the same keys everywhere) and says so, so that a new kind of
machine gets its own files (``python tests/golden.py``).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

GOLDEN = Path(__file__).parent / "data" / "golden"


def machine() -> str:
    """This machine's kind for the golden files: torch's CPU capability and OpenBLAS's
    core type, e.g. ``avx2-haswell``, and ``-bf16`` where networks of precision ``auto``
    train in bfloat16 (fmstudy.nets.devices.precision_used): their numbers differ there."""
    import threadpoolctl
    import torch

    from fmstudy.nets.devices import precision_used
    from fmstudy.nets.presets import get_preset

    blas = [i.get("architecture") for i in threadpoolctl.threadpool_info() if i.get("architecture")]
    kind = f"{torch.backends.cpu.get_cpu_capability()}-{blas[0] if blas else 'blas'}".lower()
    return kind + ("-bf16" if precision_used(get_preset("cnn-tiny"), "cpu") == "bfloat16" else "")


def golden_folder(golden: str) -> tuple[Path, bool]:
    """The golden files for this machine's kind (True), else the reference's (False)."""
    own = GOLDEN / golden / "machines" / machine()
    return (own, True) if own.is_dir() else (GOLDEN / golden, False)


def assert_same_numbers(golden: str, report: Path) -> None:
    """Every number and prediction of ``report`` equals the golden report ``golden`` made
    on this kind of machine; on a kind without its own files, the same within what
    vector kernels can move (see the module's docstring)."""
    folder, exact = golden_folder(golden)
    old = json.loads((folder / "metrics.json").read_text())
    new = json.loads((report / "metrics.json").read_text())
    before = pd.read_csv(folder / "predictions.csv")
    after = pd.read_csv(report / "predictions.csv")
    assert set(old) == set(new)
    if exact:
        pd.testing.assert_frame_equal(before, after)
        for key in old:
            assert old[key] == new[key], key
        return
    assert list(before.columns) == list(after.columns) and len(before) == len(after)
    pd.testing.assert_frame_equal(before.iloc[:, :3], after.iloc[:, :3])  # the test rows
    for column in before.columns[3:]:
        agree = (before[column] == after[column]).mean()
        assert agree >= 0.97, f"{column}: {agree:.4f} of predictions as golden ({machine()})"
    for key, model in old.get("models", {}).items():
        assert abs(model["accuracy"] - new["models"][key]["accuracy"]) <= 0.02, key


if __name__ == "__main__":  # golden files for this kind of machine, from two fresh runs
    import subprocess
    import sys
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        runs = {
            "quick-4-7": ["run", "--surname", "Lind", "--profile", "quick", "--seed", "0"],
            "nn-cnn-tiny": ["nn", "--arch", "cnn-tiny", "--classes", "0,2,4,6", "--seeds", "2"]
            + ["--epochs", "2"],
        }
        for name, args in runs.items():
            out = Path(tmp) / name
            cmd = [sys.executable, "-m", "fmstudy", *args, "--out", str(out), "--fresh"]
            subprocess.run([*cmd, "--data-dir", str(Path(tmp) / "data")], check=True)
            target = GOLDEN / name / "machines" / machine()
            target.mkdir(parents=True, exist_ok=True)
            for file in ("metrics.json", "predictions.csv"):
                (target / file).write_bytes((out / file).read_bytes())
            print(f"wrote {target}")
