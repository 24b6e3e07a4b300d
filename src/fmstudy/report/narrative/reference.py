"""The course's reference notebook's network results, quoted only on the data it ran on
(Fashion-MNIST, classes 4-7); the numbers are :mod:`fmstudy.nets.notebook_reference`'s.

    if notebook_applies(task1):
        lines.append(notebook_reference())
"""

from __future__ import annotations

from fmstudy.i18n import gettext as _
from fmstudy.i18n import num
from fmstudy.nets.notebook_reference import KERAS_NOTEBOOK_3, NOTEBOOK_RUNS, applies
from fmstudy.nets.presets import get_preset
from fmstudy.report.narrative.models import listed


def notebook_applies(task1: dict) -> bool:
    """The notebook's numbers are quoted only for the data it ran on: Fashion-MNIST 4-7."""
    return applies(task1["dataset"], task1["classes"])


def notebook_reference() -> str:
    """The course's reference notebook's network results, labelled as what they are, each
    network with its layers (the presets of the same names rebuild them)."""
    runs = listed(
        f"{name} ({get_preset(name).layer_string}) {num(r.accuracy, r.digits)}"
        for name, r in NOTEBOOK_RUNS.items()
    )
    return _(
        "For reference, the networks of the course's reference notebook were single runs on "
        "these classes: {runs}. notebook-3's {n3} does not reproduce from the configuration "
        "the notebook states: Keras with its layers and settings gets {keras} over three "
        "seeds (measured by fmstudy's developers, outside this run)."
    ).format(
        runs=runs,
        n3=num(*NOTEBOOK_RUNS["notebook-3"]),
        keras=f"{num(KERAS_NOTEBOOK_3[0])} ± {num(KERAS_NOTEBOOK_3[1])}",
    )
