"""The numbers of a report before the redesign (tests/data/golden), and a check that a
report made now has the same: every number and every prediction, prose and the keys
the redesign moved aside.

The golden files come from ``fmstudy run --classes 4-7 --profile quick --seed 0`` and
``fmstudy nn --arch cnn-tiny --classes 0,2,4,6 --seeds 2 --epochs 2`` made before the
redesign (metrics.json schema 1).  A later change that alters results on purpose
regenerates them and says what changed.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

GOLDEN = Path(__file__).parent / "data" / "golden"
MODEL_FIELDS = ("accuracy", "macro_f1", "confusion", "correct_per_class", "report")


def assert_same_numbers(golden: str, report: Path) -> None:
    """Every number and prediction of ``report`` equals the golden report ``golden``."""
    old = json.loads((GOLDEN / golden / "metrics.json").read_text())
    new = json.loads((report / "metrics.json").read_text())
    before = pd.read_csv(GOLDEN / golden / "predictions.csv")
    after = pd.read_csv(report / "predictions.csv")
    pd.testing.assert_frame_equal(before, after)
    assert new["schema"] == 2
    assert set(old["models"]) == set(new["models"])
    for key, was in old["models"].items():
        now = new["models"][key]
        for f in (*MODEL_FIELDS, "confused_pairs", "label", "task"):
            assert was[f] == now[f], (key, f)
        assert was["info"] == now["details"], key  # renamed: details, not info
        ci95 = old.get("comparison", {}).get("ci95", {}).get(key)
        assert ci95 == now["ci95"], key  # moved into the model
    assert set(old["networks"]) == set(new["networks"])
    for name, was in old["networks"].items():
        for f, value in was.items():
            assert new["networks"][name][f] == value, (name, f)
    old_pairs = old.get("comparison", {}).get("pairs", [])
    new_pairs = (new["comparison"] or {}).get("pairs", [])
    assert len(old_pairs) == len(new_pairs)
    for was, now in zip(old_pairs, new_pairs, strict=True):
        for f, value in was.items():
            assert now[f] == value, f
    for f in ("pca", "task1", "similar_pairs", "tasks"):
        assert old.get(f) == new.get(f), f
    # prose left metrics.json: the narrative module writes it into the report
    assert "conclusion" not in (new["comparison"] or {}) and "networks_conclusion" not in new
