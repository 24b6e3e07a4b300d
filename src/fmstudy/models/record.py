"""The record of one classifier kind (:mod:`fmstudy.models.registry` holds them all):
everything fmstudy knows of it, in one frozen value.

    record.defaults("quick", seed=0)    # its settings under a profile (a frozen dataclass)
    record.specs(settings)               # its fits as ModelSpec fields (classical.ModelSpec)
    record.build(params, n_jobs=1)       # the unfitted scikit-learn estimator
    record.fit(record, params, x, y, n_jobs)   # -> (fitted estimator, seconds, details)
    record.describe(details)             # how it was fitted, in the current language
    record.source.note(calibration, details)   # how its probabilities were made

A record's messages are marked with ``N_`` or spoken with ``_`` (:mod:`fmstudy.i18n`),
so the catalogue finds them beside the model they describe.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class ProbabilitySource:
    """How a kind's test probabilities are made (calibration's ``source`` in metrics.json)
    and the sentence that says so: ``note(calibration, details)``."""

    name: str
    note: Callable[[dict, dict], str]


def plain_fit(record: Classifier, params: dict, x, y, n_jobs: int):
    """One fit of the record's estimator on all of ``x``; its details from the fitted
    estimator (the last step of a pipeline)."""
    from sklearn.pipeline import Pipeline

    model = record.build(params, n_jobs=n_jobs)
    t0 = time.perf_counter()
    model.fit(x, y)
    seconds = time.perf_counter() - t0
    final = model[-1] if isinstance(model, Pipeline) else model
    return model, seconds, record.details(final, len(y))


def one_fit(kind: str, label_id: str, label_args: Callable[[dict], dict]):
    """The ``specs`` of a zoo kind: one fit, keyed by its kind, from its settings dict;
    ``label_args(settings)`` are the numbers its name shows."""

    def specs(settings: dict) -> list[dict]:
        return [
            {
                "key": kind,
                "label_id": label_id,
                "label_args": label_args(settings),
                "params": dict(settings),
            }
        ]

    return specs


def no_needs(params: dict, y, names: dict) -> str | None:
    """A kind that fits any rows (beyond :attr:`Classifier.two_classes`)."""
    return None


@dataclass(frozen=True)
class Classifier:
    """One classifier kind of ``--models``.

    ``task`` is "3" (the forest), "4" (the logistic regressions) or "zoo": a zoo kind's
    settings are a plain dict in the config's ``zoo``, checked by ``settings``.  ``specs``
    turns settings into its fits (dicts of ModelSpec fields: key, label_id, label_args and
    params; expected_cost when not ``cost``, model when a fit is a seed of another),
    whose model keys ``short_labels`` names.  ``build(params, n_jobs=1, n_trees=None)``
    makes the unfitted estimator; ``fit`` fits it (default :func:`plain_fit`, whose details
    come from ``details(fitted estimator, training rows)``); ``needs(params, y, names)``
    says why rows labelled ``y`` cannot be fitted; ``trusted`` are the types beyond
    skops' defaults that its saved file names."""

    kind: str
    task: str
    help: str  # its --models help, English (the CLI speaks English)
    settings: type
    defaults: Callable[[str, int | None], object]  # (profile, seed) -> settings
    specs: Callable[[object], list[dict]]
    short_labels: Mapping[str, str]  # each model key it makes -> its short name (msgid)
    cost: float  # relative fit time, to start the longest fits first
    source: ProbabilitySource
    build: Callable[..., object]
    describe: Callable[[dict], str]  # (a fit's details) -> how it was fitted, in words
    details: Callable[[object, int], dict] = lambda model, rows: {}
    fit: Callable = plain_fit
    needs: Callable[[dict, object, dict], str | None] = no_needs
    two_classes: bool = True  # it refuses rows of a single class
    trusted: tuple[str, ...] = ()

    @property
    def keys(self) -> tuple[str, ...]:
        """The model keys its fits make (metrics.json's keys)."""
        return tuple(self.short_labels)
