"""Task 3's random forest: grown by out-of-bag accuracy or with fixed trees, with seeds."""

from __future__ import annotations

import time

from fmstudy.i18n import N_, ngettext
from fmstudy.models.classifiers.sources import VOTES
from fmstudy.models.record import Classifier
from fmstudy.models.settings import ForestSettings

TREE = "sklearn.tree._tree.Tree"  # a fitted tree, as skops names it


def defaults(profile: str, seed: int | None) -> ForestSettings:
    """``notebook``: the notebook's 1000 trees, random_state=42 whatever the seed;
    ``standard``: grown to 400 by OOB accuracy with three seeds; ``quick``: 30 trees on
    6,000 rows."""
    if profile == "notebook":
        return ForestSettings(n_estimators=1000, random_state=42)
    if profile == "quick":
        return ForestSettings(n_estimators=30, random_state=seed, max_train_rows=6000)
    return ForestSettings(
        n_estimators=400,
        random_state=seed,
        oob_steps=(50, 100, 200, 400),
        oob_tolerance=0.006,
        seeds=3,
    )


def specs(f: ForestSettings) -> list[dict]:
    """The forest with each of its seeds (random_state, random_state + 1, ...)."""
    params = {
        "n_estimators": f.n_estimators,
        "random_state": f.random_state,
        "oob_steps": list(f.oob_steps),
        "oob_tolerance": f.oob_tolerance,
        "max_train_rows": f.max_train_rows,
    }
    label = (
        N_("Random forest (up to {trees} trees, OOB-sized)")
        if f.oob_steps
        else N_("Random forest ({trees} trees)")
    )
    base = f.random_state or 0
    return [
        {
            "key": "forest" if i == 0 else f"forest-seed{i}",
            "label_id": label,
            "params": {**params, "random_state": f.random_state if i == 0 else base + i},
            "model": "forest",
            "label_args": {"trees": f.n_estimators},
        }
        for i in range(f.seeds)
    ]


def build(p: dict, n_jobs: int = 1, n_trees: int | None = None):
    """``n_trees`` overrides the tree count (the count its out-of-bag growth chose)."""
    from sklearn.ensemble import RandomForestClassifier

    return RandomForestClassifier(
        n_estimators=n_trees or p["n_estimators"], random_state=p["random_state"], n_jobs=n_jobs
    )


def fit(record: Classifier, p: dict, x, y, n_jobs: int):
    """Grown in ``oob_steps`` until a doubling adds less than ``oob_tolerance`` out-of-bag
    accuracy (or fitted once); its trees, OOB accuracy and OOB curve."""
    steps = p["oob_steps"] or [p["n_estimators"]]
    grow = len(steps) > 1
    model = build(p, n_jobs=n_jobs, n_trees=steps[0])
    # Out-of-bag accuracy always: each row scored by the trees that never saw it, the
    # forest's own estimate of accuracy on new images (its training accuracy is ~1).
    model.set_params(oob_score=True, warm_start=grow)
    curve = []
    t0 = time.perf_counter()
    for n in steps:
        model.set_params(n_estimators=n)
        model.fit(x, y)
        if grow:
            curve.append((n, float(model.oob_score_)))
            # Stop growing once doubling the trees no longer buys OOB accuracy.
            if len(curve) > 1 and curve[-1][1] - curve[-2][1] < p["oob_tolerance"]:
                break
    seconds = time.perf_counter() - t0
    info = {"n_trees": len(model.estimators_), "oob_curve": curve}
    info["oob_accuracy"] = float(model.oob_score_)
    return model, seconds, info


def describe(d: dict) -> str:
    """One forest (a forest with seeds is said by the report, over its seeds)."""
    return ngettext(
        "One forest of {trees} tree with a fixed random_state: the same seed grows the same tree.",
        "One forest of {trees} trees with a fixed random_state: the same seed grows the "
        "same trees.",
        d["n_trees"],
    ).format(trees=d["n_trees"])


RECORD = Classifier(
    kind="forest",
    task="3",
    help="random forest",
    settings=ForestSettings,
    defaults=defaults,
    specs=specs,
    short_labels={"forest": N_("Random forest")},
    cost=6.0,
    source=VOTES,
    build=build,
    fit=fit,
    describe=describe,
    two_classes=False,
    trusted=(TREE,),
)
