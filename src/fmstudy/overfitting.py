"""Whether a network overfits, read from each seed's validation-loss curve as a student
reads it: where the loss is lowest, and whether it then ends above that by more than the
curve's own epoch-to-epoch noise."""

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
