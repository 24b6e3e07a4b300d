"""Task 4's answer measured: which input form of the logistic regression did better on
the test set, by how much (paired bootstrap, as the comparison's), whether the
comparison's McNemar verdict calls it a difference, and the evidence for why: each
fit's iterations and convergence, training against test accuracy, and what
standardizing does to the nearly constant pixels of the training rows.

    task4_record(models, predictions, y_test, pairs, pixels=pixel_evidence(x_fit, x_test),
                 max_iter=100, scale=1 / 255, n_boot=300, seed=0)
"""

from __future__ import annotations

import numpy as np

from fmstudy.evaluation.compare import difference_from_best
from fmstudy.results import ModelResult, PairTest

FORMS = ("logreg_raw", "logreg_std")  # the pixels times a scale; standardized pixels
NEAR_CONSTANT = 0.01  # nearly constant: sd below 1 % of the training rows' value range
LARGE_Z = 10.0  # a standardized test value beyond ±10 sd is "blown up"


def pixel_evidence(x_fit: np.ndarray, x_test: np.ndarray) -> dict:
    """The nearly constant pixels of the rows a fit learnt from (sd below
    ``NEAR_CONSTANT`` of their value range, largest minus smallest pixel value), and what
    standardizing as scikit-learn's StandardScaler does (a zero sd divides by 1) makes of
    the test images there."""
    x_fit = np.asarray(x_fit, dtype=float).reshape(len(x_fit), -1)
    x_test = np.asarray(x_test, dtype=float).reshape(len(x_test), -1)
    mean, sd = x_fit.mean(axis=0), x_fit.std(axis=0)
    value_range = float(x_fit.max() - x_fit.min())
    near = sd < NEAR_CONSTANT * value_range
    z = (x_test[:, near] - mean[near]) / np.where(sd[near] > 0, sd[near], 1.0)
    over = np.abs(z) > LARGE_Z
    return {
        "pixels": int(x_fit.shape[1]),
        "rows": int(len(x_fit)),
        "value_range": value_range,
        "sd_threshold": NEAR_CONSTANT * value_range,
        "near_constant": int(near.sum()),
        "constant": int((sd == 0).sum()),
        "z_threshold": LARGE_Z,
        "max_abs_z": float(np.abs(z).max()) if z.size else 0.0,
        "test_values_over": int(over.sum()),
        "test_images_over": int(over.any(axis=1).sum()),
    }


def form_evidence(ev: ModelResult, max_iter: int) -> dict:
    """One form's fit: iterations against the cap, convergence, training and test accuracy."""
    d = ev.details
    train = d.get("train_accuracy")
    return {
        "n_iter": d.get("n_iter"),
        "max_iter": max_iter,
        "converged": d.get("converged"),
        "train_accuracy": train,
        "test_accuracy": ev.accuracy,
        "gap": None if train is None else train - ev.accuracy,
    }


def task4_record(
    models: dict[str, ModelResult],
    predictions: dict[str, np.ndarray],
    y_test,
    pairs: list[PairTest] | None,
    *,
    pixels: dict | None,
    max_iter: int,
    scale: float,
    n_boot: int,
    seed: int,
) -> dict | None:
    """metrics.json's ``task4``: the forms run, each one's evidence, and with both the
    one whose training-test gap is larger (``larger_gap``), the better one (None at
    equal accuracy), its accuracy minus the other's with the 95 %
    paired bootstrap interval of that difference, and the comparison's Holm-corrected McNemar verdict
    (``distinguishable``; None when no comparison was made).  None without a form."""
    run = [k for k in FORMS if k in models]
    if not run:
        return None
    out = {
        "raw_scale": scale,
        "forms": {k: form_evidence(models[k], max_iter) for k in run},
        "pixels": pixels if "logreg_std" in run else None,
        "better": None,
        "larger_gap": None,
        "difference": None,
        "distinguishable": None,
        "p_holm": None,
    }
    if len(run) < 2:
        return out
    gaps = [out["forms"][k]["gap"] for k in FORMS]
    if None not in gaps and gaps[0] != gaps[1]:
        out["larger_gap"] = FORMS[0] if gaps[0] > gaps[1] else FORMS[1]
    raw, std = (models[k].accuracy for k in FORMS)
    if raw != std:
        better = FORMS[0] if raw > std else FORMS[1]
        other = FORMS[1] if better == FORMS[0] else FORMS[0]
        diff = difference_from_best(
            y_test, {k: predictions[k] for k in FORMS}, better, n_boot=n_boot, seed=seed
        )
        d, lo, hi = diff[other]  # the other minus the better
        out["better"] = better
        out["difference"] = [-d, -hi, -lo]
    pair = next((p for p in pairs or [] if {p.a, p.b} == set(FORMS)), None)
    if pair is not None:
        out["distinguishable"] = bool(pair.significant)
        out["p_holm"] = float(pair.p_holm)
    return out
