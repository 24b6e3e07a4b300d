"""Whether a model overfits, read as a student reads its curves.  A network: from each
seed's validation-loss curve, where the loss is lowest and whether it then ends above that
by more than the curve's own epoch-to-epoch noise.  A classical model: from its learning
curve, whether its accuracy on the rows it was trained on exceeds its accuracy on the
held-out folds by more than that gap's own fold-to-fold noise."""

from __future__ import annotations

import numpy as np

OVERFIT_FACTOR = 2  # a rise counts when above this many times the curve's noise


def overfitting(val_losses: list[list[float]]) -> dict:
    """Task 5's overfitting verdicts, per seed, as a student reads each validation-loss curve.

    A seed's curve is lowest at epoch E (its first minimum, 1-based); its noise is the
    median absolute epoch-to-epoch change over the whole curve; it overfits when the loss
    at its last epoch lies more than OVERFIT_FACTOR times that noise above the minimum (a
    curve lowest at its last epoch does not).  ``overfits`` is True when more than half of
    the seeds overfit (with two, both); ``marked_epoch`` is the mean curve's minimum over
    the epochs every seed ran (the figure's dotted line)."""
    n = min(len(v) for v in val_losses)
    curves = [np.asarray(v, dtype=float) for v in val_losses]
    lows = [int(np.argmin(c)) for c in curves]
    rises = [float(c[-1] - c[low]) for c, low in zip(curves, lows, strict=True)]
    noise = [float(np.median(np.abs(np.diff(c)))) if len(c) > 1 else 0.0 for c in curves]
    seeds = [
        low < len(c) - 1 and rise > OVERFIT_FACTOR * spread
        for c, low, rise, spread in zip(curves, lows, rises, noise, strict=True)
    ]
    return {
        "marked_epoch": int(np.argmin(np.mean([c[:n] for c in curves], axis=0))) + 1,
        "overfit_epochs": [low + 1 for low in lows],
        "overfit_rises": rises,
        "overfit_noise": noise,
        "overfit_seeds": seeds,
        "overfits": 2 * sum(seeds) > len(seeds),
    }


def train_gap(train, val, *, memorises: bool = False) -> dict:
    """A classical model's learning curve read for overfitting, from its per-fold scores
    (``train`` and ``val``: one row per training size, one column per fold; held-out
    folds of the training rows, never the test set).

    Each fold's gap is its training accuracy minus its held-out accuracy; ``gaps`` and
    ``gap_sds`` are their mean and fold-to-fold sd at each size.  ``overfits``: the gap
    at the largest size exceeds OVERFIT_FACTOR times its sd.  ``gap_narrows``: the gap at
    the largest size lies below the one at the smallest by more than OVERFIT_FACTOR times
    the larger of their sds (more rows curb it).  A model that ``memorises`` (fully grown
    trees: training accuracy ~1 whatever it does on new rows) gets no overfitting verdict
    (None): its gap is one minus its held-out accuracy, so the rule would call it on any
    data."""
    gaps = np.asarray(train, dtype=float) - np.asarray(val, dtype=float)
    mean = gaps.mean(axis=1)
    sd = gaps.std(axis=1, ddof=1)
    return {
        "gaps": [float(v) for v in mean],
        "gap_sds": [float(v) for v in sd],
        "overfits": None if memorises else bool(mean[-1] > OVERFIT_FACTOR * sd[-1]),
        "gap_narrows": bool(mean[0] - mean[-1] > OVERFIT_FACTOR * max(sd[0], sd[-1])),
        "memorises": memorises,
    }
