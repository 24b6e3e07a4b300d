"""The grading key's expected answers: for one group, what each task's answer is in its
study's stored records (metrics.json), copied out task by task.

    key = expected_answers(result.metrics)
    key["task2"]["pc1"], key["task4"]["better"], key["task5"]["nets"]["nn-cnn-small"]

Nothing is decided here that the study did not already decide and store: the PCA's
groups, Task 4's verdict and each network's overfitting verdict are the records' own.
The only numbers made here are each model's lowest and highest test accuracy over its
seeds and the number of test images (the sum of the stored per-class counts), so that
the key can say what range of answers to accept.  A task the study did not run is None.
"""

from __future__ import annotations

from fmstudy.results import ModelResult, NetworkResult, StudyMetrics


def expected_answers(m: StudyMetrics) -> dict:
    """Task by task (``task1`` ... ``task5``) the answers ``m`` holds, and per model what
    range of test accuracy to accept (``accept``)."""
    per_seed = {n.key: n.test_acc for n in m.networks.values()}
    return {
        "task1": _task1(m.task1),
        "task2": _task2(m.pca),
        "task3": _task3(m.models.get("forest")),
        "task4": _task4(m.task4),
        "task5": _task5(m.networks),
        "accept": {
            key: _accept(ev, per_seed.get(key) or ev.details.get("test_acc_per_seed") or [])
            for key, ev in m.models.items()
        },
    }


def network_seeds(key: dict) -> list:
    """The seeds task 5's networks ran with, in a key from :func:`expected_answers`."""
    nets = (key.get("task5") or {}).get("nets", {})
    return sorted({seed for n in nets.values() for seed in n["seeds"]})


def _task1(t1: dict) -> dict:
    splits = t1.get("splits") or {}
    counts = {s: (splits.get(s) or {}).get("per_class") for s in ("train", "test")}
    return {
        "classes": list(t1["classes"]),
        "train": counts["train"],
        "test": counts["test"],
        "test_images": sum(counts["test"].values()) if counts["test"] else None,
    }


def _task2(pca: dict | None) -> dict | None:
    if not pca:
        return None
    checks = pca.get("checks") or {}
    groups = (pca.get("reading") or {}).get("pc1_groups")
    return {
        "pc1": checks.get("pc1_ratio"),
        "pc2": checks.get("pc2_ratio"),
        "for_90": checks.get("components_for_90pct"),
        # the classes on each side of PC1's split (None: no split found); None: no reading
        "pc1_groups": {"low": groups["low"], "high": groups["high"]} if groups else None,
    }


def _task3(forest: ModelResult | None) -> dict | None:
    if forest is None:
        return None
    return {
        "accuracy": forest.accuracy,
        "ci95": list(forest.ci95) if forest.ci95 else None,
        "pair": (forest.confused_pairs or [None])[0],
    }


def _task4(t4: dict | None) -> dict | None:
    if not t4:
        return None
    return {
        "better": t4.get("better"),
        "difference": t4.get("difference"),  # [difference, low, high] of the better form
        "distinguishable": t4.get("distinguishable"),
        "p_holm": t4.get("p_holm"),
        "forms": {
            k: {f: v.get(f) for f in ("test_accuracy", "converged", "n_iter", "max_iter")}
            for k, v in t4["forms"].items()
        },
    }


def _task5(nets: dict[str, NetworkResult]) -> dict | None:
    if not nets:
        return None
    return {
        "nets": {
            n.key: {
                "mean": n.test_acc_mean,
                "sd": n.test_acc_sd if len(n.test_acc) > 1 else None,
                "seeds": list(n.seeds),
                "overfits": n.overfits if n.overfit_seeds else None,  # None: no verdict stored
                "overfit_seeds": sum(n.overfit_seeds),
                "marked_epoch": n.marked_epoch,  # the mean validation loss is lowest here
                "epochs": min(len(h["val_loss"]) for h in n.histories) if n.histories else 0,
            }
            for n in nets.values()
        }
    }


def _accept(ev: ModelResult, seeds: list) -> dict:
    """A model's test accuracy's 95 % interval and, with several seeds, their range."""
    return {
        "ci95": list(ev.ci95) if ev.ci95 else None,
        "seed_range": [min(seeds), max(seeds)] if len(seeds) > 1 else None,
        "seeds": len(seeds),
    }
