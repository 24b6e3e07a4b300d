"""The rows a 5x2cv pair is resampled on, and its ten halves, as row numbers.

    plan = pair_rows(specs, y)                             # {(a, b): PairRows}
    folds = pair_folds(plan["forest", "svc"].index, y, seed=0)   # 10 x (fit rows, score rows)

A model with ``max_train_rows`` learns from its own stratified sample of the training
rows, so two models are compared on the rows both learn from: their own rows when they
are the same ("same"); else the sample of the model with fewer rows (the first model's
when they hold as many), which is the rows the two share when it lies within the other
model's sample ("within"), and otherwise rows the other model's cap allows but of which
its own sample holds only some ("partly").  Both models of a pair are then fitted on the
same halves of those rows.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from sklearn.model_selection import StratifiedKFold

from fmstudy.models.classical import ModelSpec, subsample


@dataclass(frozen=True)
class PairRows:
    """The training rows (their numbers) a pair is resampled on, the model whose own
    sample they are (None: both models' own rows) and why: "same", "within", "partly"."""

    index: np.ndarray
    on: str | None
    reason: str


def own_rows(spec: ModelSpec, y) -> np.ndarray:
    """The numbers of the training rows (labelled ``y``) that ``spec``'s model learns from:
    all of them, or its stratified ``max_train_rows`` sample."""
    p = spec.params
    n = len(y)
    return subsample(np.arange(n), np.asarray(y), p.get("max_train_rows"), p.get("random_state"))[0]


def pair_rows(specs: dict[str, ModelSpec], y) -> dict[tuple[str, str], PairRows]:
    """The rows each pair of ``specs`` (in their order) is resampled on."""
    own = {key: own_rows(spec, y) for key, spec in specs.items()}
    out = {}
    for a, b in itertools.combinations(specs, 2):
        if np.array_equal(own[a], own[b]):
            out[a, b] = PairRows(own[a], None, "same")
            continue
        on, other = (a, b) if len(own[a]) <= len(own[b]) else (b, a)
        within = np.isin(own[on], own[other]).all()
        out[a, b] = PairRows(own[on], on, "within" if within else "partly")
    return out


def halves(y, seed: int):
    """The 5x2cv splits of rows labelled ``y``: five stratified 2-fold splits (seeds
    ``seed`` ... ``seed + 4``), as (replication, its split's (fit, score) positions)."""
    for i in range(5):
        cv = StratifiedKFold(2, shuffle=True, random_state=seed + i)
        yield i, cv.split(np.zeros(len(y)), y)


def pair_folds(index: np.ndarray, y, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """The ten (fit rows, score rows) halves of the training rows numbered ``index``,
    replication by replication, as numbers of the training rows labelled ``y``."""
    y = np.asarray(y)
    return [(index[f], index[s]) for _, split in halves(y[index], seed) for f, s in split]
