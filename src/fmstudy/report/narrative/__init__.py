"""Every sentence of the report, built from the study's numbers in one place.

    with language("sv"):                              # fmstudy.i18n: the report's language
        narrative.pca_text(metrics.pca)               # task 2's explanation
        narrative.comparison_summary(metrics, labels) # the most accurate model, verdicts
        narrative.network_conclusion(metrics.networks, metrics.task1)   # task 5

Both templates (HTML and Markdown) print these sentences; they never compose one
themselves from numbers.  Each sentence is a gettext message with named placeholders,
in the language current when it is made, its numbers in that language's format.
Nothing here computes a result or decides a verdict: it only words the records of
:mod:`fmstudy.results`, where the network chosen on validation, the seed statistics,
the calibration verdicts and what a budget cut are made (tests/
test_narrative_decides_nothing.py keeps thresholds out of these modules).  The study's
sentences (data, PCA, models, the comparison, the budget) are in :mod:`.models`, task
5's and the search's in :mod:`.networks`, the deeper evaluation's (probabilities,
learning curves, --cv, --compare) in :mod:`.evaluation`, a model that did not learn's in
:mod:`.learned`.
"""

from fmstudy.report.narrative.comparison import (
    comparison_summary,
    leaderboard_note,
    seed_stability,
    seeds_same,
    verdict,
    verdict_rule,
)
from fmstudy.report.narrative.data import (
    data_source,
    duplicates_note,
    near_duplicates_note,
    uneven_note,
)
from fmstudy.report.narrative.evaluation import (
    calibration_text,
    cv_text,
    five_by_two_text,
    learning_curve_text,
    learning_curves_intro,
    probability_note,
)
from fmstudy.report.narrative.groups import (
    accuracy_cell,
    accuracy_note,
    best_text,
    chosen_by,
    hardest_pair_text,
    overview_budget,
    overview_intro,
)
from fmstudy.report.narrative.learned import MARK, learned_note, not_learned_key
from fmstudy.report.narrative.models import (
    CLASSICAL_TASKS,
    MIN_PAIR_MISTAKES,
    cache_note,
    discussion,
    fit_note,
    label_of,
    pca_text,
    reduced_budget,
    short_label,
)
from fmstudy.report.narrative.networks import (
    extras,
    network_conclusion,
    network_description,
    networks_intro,
    overfitting_sentence,
    search_conclusion,
    search_files_note,
    search_intro,
    seeds_counted,
    space_text,
)
from fmstudy.report.narrative.notebook import accuracy_text, kept_text
from fmstudy.report.narrative.reference import notebook_applies, notebook_reference
from fmstudy.report.narrative.zoo import (
    TABLE3,
    clipped_note,
    saved_note,
    table3_applies,
    table3_note,
)

__all__ = [
    "cache_note",
    "CLASSICAL_TASKS",
    "TABLE3",
    "saved_note",
    "clipped_note",
    "table3_applies",
    "table3_note",
    "data_source",
    "duplicates_note",
    "near_duplicates_note",
    "uneven_note",
    "accuracy_text",
    "kept_text",
    "accuracy_cell",
    "accuracy_note",
    "best_text",
    "chosen_by",
    "hardest_pair_text",
    "overview_budget",
    "overview_intro",
    "MIN_PAIR_MISTAKES",
    "comparison_summary",
    "extras",
    "calibration_text",
    "cv_text",
    "five_by_two_text",
    "learning_curve_text",
    "learning_curves_intro",
    "probability_note",
    "discussion",
    "fit_note",
    "label_of",
    "learned_note",
    "MARK",
    "not_learned_key",
    "leaderboard_note",
    "seed_stability",
    "seeds_same",
    "network_conclusion",
    "network_description",
    "networks_intro",
    "notebook_applies",
    "notebook_reference",
    "overfitting_sentence",
    "pca_text",
    "reduced_budget",
    "search_conclusion",
    "search_files_note",
    "search_intro",
    "short_label",
    "seeds_counted",
    "space_text",
    "verdict",
    "verdict_rule",
]
