"""Every sentence of the report, built from the study's numbers in one place.

    narrative.pca_text(metrics.pca)                   # task 2's explanation
    narrative.comparison_summary(metrics)             # the most accurate model, verdicts
    narrative.network_conclusion(metrics.networks, metrics.task1)   # task 5

Both templates (HTML and Markdown) print these sentences; they never compose one
themselves from numbers.  Nothing here computes a result: it only words the
records of :mod:`fmstudy.results`.  The study's sentences (data, PCA, models, the
comparison, the budget) are in :mod:`.models`, task 5's and the search's in
:mod:`.networks`, the deeper evaluation's (probabilities, learning curves, --cv,
--compare) in :mod:`.evaluation`.
"""

from fmstudy.narrative.evaluation import (
    cv_text,
    five_by_two_text,
    learning_curve_text,
    learning_curves_intro,
    probability_note,
)
from fmstudy.narrative.models import (
    MIN_PAIR_MISTAKES,
    comparison_summary,
    counted,
    discussion,
    fit_note,
    leaderboard_note,
    pca_text,
    reduced_budget,
    verdict,
    verdict_rule,
)
from fmstudy.narrative.networks import (
    KERAS_NOTEBOOK_3,
    NOTEBOOK,
    network_conclusion,
    network_description,
    networks_intro,
    notebook_applies,
    notebook_reference,
    overfitting_sentence,
    search_conclusion,
)

__all__ = [
    "KERAS_NOTEBOOK_3",
    "MIN_PAIR_MISTAKES",
    "NOTEBOOK",
    "comparison_summary",
    "counted",
    "cv_text",
    "five_by_two_text",
    "learning_curve_text",
    "learning_curves_intro",
    "probability_note",
    "discussion",
    "fit_note",
    "leaderboard_note",
    "network_conclusion",
    "network_description",
    "networks_intro",
    "notebook_applies",
    "notebook_reference",
    "overfitting_sentence",
    "pca_text",
    "reduced_budget",
    "search_conclusion",
    "verdict",
    "verdict_rule",
]
