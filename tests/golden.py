"""Reference reports (tests/data/golden) and a check that a report made now has the same
numbers and predictions.

The golden files come from ``fmstudy run --classes 4-7 --profile quick --seed 0`` and
``fmstudy nn --arch cnn-tiny --classes 0,2,4,6 --seeds 2 --epochs 2``.  A change that
alters results on purpose regenerates them and says in its commit what changed
(history: the redesign kept every number; the honest-conclusions change regenerated
them: stratified subsamples, the validation-median seed, verdicts over seed pairs; the
deeper evaluation added probability scores and learning curves, schema 3, and the report's
languages each model's translatable name, label_id and label_args; one's own images
added each model's balanced_accuracy and task 1's "uneven"; none of them changed an
earlier number).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

GOLDEN = Path(__file__).parent / "data" / "golden"


def assert_same_numbers(golden: str, report: Path) -> None:
    """Every number and prediction of ``report`` equals the golden report ``golden``."""
    old = json.loads((GOLDEN / golden / "metrics.json").read_text())
    new = json.loads((report / "metrics.json").read_text())
    before = pd.read_csv(GOLDEN / golden / "predictions.csv")
    after = pd.read_csv(report / "predictions.csv")
    pd.testing.assert_frame_equal(before, after)
    assert set(old) == set(new)
    for key in old:
        assert old[key] == new[key], key
