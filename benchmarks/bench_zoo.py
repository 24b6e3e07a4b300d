"""The classifier zoo on all ten Fashion-MNIST classes (issue 18), against the
benchmark of Xiao et al. (2017), Table 3.

    python benchmarks/bench_zoo.py [--out zoo-report] [--budget 600] [--skip-networks]

1. How an exact RBF SVC's time grows with the training rows: the standard profile's SVC
   (C = 10, gamma 'scale', Platt calibration on 3 folds) fitted on stratified samples of
   2,500, 5,000, 10,000 and 20,000 rows, each timed (fit, and predicting the 10,000 test
   images), and the slope of log(time) against log(rows) over the last doubling (the
   slope steepens with the rows: an SVC's support vectors grow with them).
2. The largest row count, in steps of 5,000, whose extrapolated time (fit, predicting
   the test set, and the training accuracy on at most 10,000 rows) stays within
   ``--budget`` seconds (10 minutes): the SVC of the study learns from that many.
3. One study, one model after another from an empty cache (``--fresh``): tasks 1, 3, 4
   and 5 on classes 0-9, standard profile, ``--models all``, the networks mlp-512-256
   (the standard profile's MLP with the best record) and cnn-small with one seed each,
   learning curves off.  The report goes to ``--out``.
4. A table per model: training rows, fit and predict seconds, test accuracy with its
   95 % bootstrap interval, Table 3's figure and the difference.

Do not run two benchmarks at once.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

GROWTH_ROWS = (2500, 5000, 10000, 20000)
TABLE3 = {  # Xiao et al. 2017, Table 3: best test accuracy over each classifier's grid
    "forest": 0.873,
    "logreg_raw": 0.842,
    "logreg_std": 0.842,
    "svc": 0.897,
    "knn": 0.854,
    "hgb": 0.880,
    "nn-mlp-512-256": 0.871,
}


def svc_growth(sub) -> list[dict]:
    """The standard SVC fitted on growing stratified samples of the training rows."""
    from fmstudy.models.classical import fit_model
    from fmstudy.models.zoo import zoo_defaults, zoo_specs

    x_train = sub.x_train.reshape(len(sub.x_train), -1)
    x_test = sub.x_test.reshape(len(sub.x_test), -1)
    out = []
    for rows in GROWTH_ROWS:
        settings = {**zoo_defaults("standard", 0)["svc"], "max_train_rows": rows}
        (spec,) = zoo_specs(("svc",), {"svc": settings})
        fit = fit_model(spec, x_train, sub.y_train, x_test, n_jobs=2)
        acc = float(np.mean(fit.y_pred == sub.y_test))
        out.append(
            {
                "rows": rows,
                "fit_s": round(fit.fit_seconds, 1),
                "predict_s": round(fit.predict_seconds, 1),
                "accuracy": round(acc, 4),
            }
        )
        print(json.dumps(out[-1]), flush=True)
    return out


def largest_rows(growth: list[dict], budget: float, limit: int) -> tuple[int, dict]:
    """Log-log slopes of the fit and predict times over the last doubling, and the most rows (a multiple of
    5,000, at most ``limit``) whose extrapolated time is within ``budget``: the fit, the
    test predictions and the training accuracy (at most 10,000 rows: about one more
    prediction of the test set)."""
    last = growth[-2:]  # the local slope: it steepens with the rows
    rows = np.log([g["rows"] for g in last])
    fit = np.polyfit(rows, np.log([g["fit_s"] for g in last]), 1)
    pred = np.polyfit(rows, np.log([g["predict_s"] for g in last]), 1)

    def seconds(n: int) -> float:
        return float(np.exp(np.polyval(fit, np.log(n))) + 2 * np.exp(np.polyval(pred, np.log(n))))

    best = 5000
    for n in range(5000, limit + 1, 5000):
        if seconds(n) <= budget:
            best = n
    return best, {
        "fit_slope": round(float(fit[0]), 2),
        "predict_slope": round(float(pred[0]), 2),
        "predicted_s": round(seconds(best), 1),
        "predicted_all_rows_s": round(seconds(limit), 1),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=Path("zoo-report"))
    ap.add_argument("--budget", type=float, default=600.0, help="seconds for the SVC")
    ap.add_argument("--skip-networks", action="store_true")
    args = ap.parse_args()

    from fmstudy.api import run_report
    from fmstudy.data.loading import load_dataset, resolve_data_dir
    from fmstudy.data.subsets import select_classes
    from fmstudy.nets.presets import get_preset
    from fmstudy.study.config import StudyConfig

    classes = tuple(range(10))
    sub = select_classes(load_dataset("fashion-mnist", resolve_data_dir(None)), classes)
    t0 = time.perf_counter()
    growth = svc_growth(sub)
    rows, slope = largest_rows(growth, args.budget, len(sub.y_train))
    print(f"SVC: {rows} rows fit in {args.budget:.0f} s: {json.dumps(slope)}", flush=True)
    nets = () if args.skip_networks else ("mlp-512-256", "cnn-small")
    cfg = StudyConfig(
        classes=classes,
        profile="standard",
        tasks=("1", "3", "4", "5") if nets else ("1", "3", "4"),
        models=("forest", "logreg", "svc", "knn", "hgb", "extra-trees"),
        zoo={"svc": {"max_train_rows": rows}} if rows < len(sub.y_train) else None,
        networks=tuple(get_preset(n).to_dict() for n in nets),
        network_seeds=1,
        learning_curves=False,
    )
    t1 = time.perf_counter()
    result = run_report(cfg, args.out, force=True, fresh=True)
    study_s = time.perf_counter() - t1
    m, timings = result.metrics, result.timings["models"]
    table = []
    for key in m.ranked():
        ev = m.models[key]
        t = timings[key]
        ref = TABLE3.get(key)
        table.append(
            {
                "model": key,
                "rows": ev.details.get("train_rows", len(sub.y_train)),
                "fit_s": t["fit_seconds"],
                "all_seeds_fit_s": t.get("all_seeds_fit_seconds", t["fit_seconds"]),
                "predict_s": t["predict_seconds"],
                "accuracy": round(ev.accuracy, 4),
                "ci95": [round(v, 4) for v in ev.ci95],
                "table3": ref,
                "points": None if ref is None else round((ev.accuracy - ref) * 100, 2),
            }
        )
        print(json.dumps(table[-1]), flush=True)
    summary = {
        "svc_growth": growth,
        "svc_extrapolation": slope,
        "svc_rows": rows,
        "study_seconds": round(study_s, 1),
        "total_seconds": round(time.perf_counter() - t0, 1),
        "models": table,
    }
    (args.out / "bench_zoo.json").write_text(json.dumps(summary, indent=2))
    print(json.dumps({k: v for k, v in summary.items() if k != "models"}, indent=2))


if __name__ == "__main__":
    main()
