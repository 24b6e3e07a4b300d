"""Every classifier kind fmstudy fits, one record each (:class:`~fmstudy.models.record.Classifier`).

    get("svc").build(params)             # a kind's record; an unknown kind: one line
    for_key("logreg_std").short_labels   # the record of a model key of metrics.json
    parse_models("forest,svc")           # --models, checked: ('forest', 'svc')
    MODEL_CHOICES, models_help()         # --models' choices and its help
    source("votes").note(cal, details)   # how a kind's probabilities were made
    trusted()                            # the types their saved files may name

Adding a classifier is one record: a module in :mod:`fmstudy.models.classifiers` (its
settings, profile defaults, builder, fit details, sentences) listed in :data:`RECORDS`,
plus its messages in the catalogue.  Its settings live in the config's ``zoo``.
"""

from __future__ import annotations

from fmstudy.errors import FmstudyError
from fmstudy.models.classifiers import extra_trees, forest, hgb, knn, logreg, svc
from fmstudy.models.record import Classifier, ProbabilitySource

RECORDS: tuple[Classifier, ...] = tuple(
    m.RECORD for m in (forest, logreg, svc, knn, hgb, extra_trees)
)
BY_KIND = {r.kind: r for r in RECORDS}
MODEL_CHOICES = tuple(BY_KIND)
DEFAULT_MODELS = ("forest", "logreg")  # the course's tasks 3 and 4
ZOO = tuple(r.kind for r in RECORDS if r.task == "zoo")  # kinds whose settings are config.zoo


def get(kind: str, where: str = "") -> Classifier:
    """The record of ``kind``; an unknown kind is one line (after ``where``) naming the
    known ones."""
    try:
        return BY_KIND[kind]
    except (KeyError, TypeError):
        raise FmstudyError(
            f"{where}unknown classifier kind {kind!r}: fmstudy knows {', '.join(MODEL_CHOICES)}"
        ) from None


def for_key(key: str) -> Classifier:
    """The record whose fits make the model key ``key`` (e.g. logreg_raw: logreg)."""
    for record in RECORDS:
        if key in record.keys:
            return record
    raise FmstudyError(
        f"unknown classical model {key!r}: fmstudy knows "
        f"{', '.join(k for r in RECORDS for k in r.keys)}"
    )


def source(name: str) -> ProbabilitySource:
    """The probability source ``name`` of a classical kind (not a network's softmax)."""
    for record in RECORDS:
        if record.source.name == name:
            return record.source
    known = dict.fromkeys(r.source.name for r in RECORDS)
    raise FmstudyError(f"unknown probability source {name!r}: fmstudy knows {', '.join(known)}")


def trusted() -> tuple[str, ...]:
    """The types beyond skops' defaults that a saved model of any kind may name."""
    return tuple(dict.fromkeys(t for r in RECORDS for t in r.trusted))


def models_help() -> str:
    """--models' help: each kind and what it is."""
    kinds = ", ".join(f"{r.kind} ({r.help})" for r in RECORDS)
    return (
        f"The classical models to compare, comma-separated: {kinds}; or all [default: the "
        f"profile's, {','.join(DEFAULT_MODELS)}]. They run with tasks 3 and 4."
    )


def parse_models(text: str | tuple | list) -> tuple[str, ...]:
    """``forest,logreg,svc`` (or ``all``) into model names in the order given, each once."""
    items = text.split(",") if isinstance(text, str) else list(text)
    names = [str(t).strip().lower() for t in items if str(t).strip()]
    if names == ["all"]:
        return MODEL_CHOICES
    bad = [n for n in names if n not in MODEL_CHOICES]
    if bad or not names:
        raise FmstudyError(
            f"--models: unknown model {bad[0] if bad else text!r}; choose from "
            f"{', '.join(MODEL_CHOICES)} (comma-separated) or all"
        )
    return tuple(dict.fromkeys(names))
