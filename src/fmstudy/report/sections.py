"""The report's sections in order, and the figures each shows: the one list that drives
the table of contents and both outputs (``templates/report.html.j2`` and ``report.md.j2``
render each shown section with the macro of ``templates/sections.j2`` that it names).

    with language("sv"):
        for s in shown(ctx):            # ctx: what report.context.build_context returns
            s.anchor, s.heading         # "task2", "Uppgift 2: PCA"

A figure's key (its file ``figures/KEY.png``) is :func:`figure_key`: the kind, and for one
model's figure the model's key after an underscore (``confusion_forest``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from fmstudy.i18n import N_
from fmstudy.i18n import gettext as _
from fmstudy.plots.figures import PCA_PER_CLASS


def figure_key(kind: str, model: str = "") -> str:
    """The key of a figure of ``kind``: the kind alone, or ``KIND_MODEL`` for one model's."""
    return f"{kind}_{model}" if model else kind


@dataclass(frozen=True)
class Figure:
    """A figure a section shows: its kind, its caption and the image's text (messages)."""

    kind: str
    caption: str
    alt: str = ""  # the image's text when it differs from the caption
    per_model: bool = False  # one figure per model, keyed KIND_MODEL
    args: dict = field(default_factory=dict)  # the caption's own placeholders
    colour: str = ""  # the caption for colour images, when it differs


@dataclass(frozen=True)
class Shown:
    """A section as shown in one report: its anchor and heading in the report's language,
    its figures by kind, and the model it reports on (a model's own section)."""

    section: Section
    anchor: str
    heading: str
    new_page: bool
    item: dict | None = None  # the model's entry of the context, for a model's section
    parts: dict[str, tuple[str, str]] = field(default_factory=dict)  # key -> anchor, heading

    @property
    def macro(self) -> str:
        return self.section.macro

    def figure(self, kind: str, model: str = "", colour: bool = False, **args) -> dict:
        """The figure of ``kind`` here: its key, its caption (formatted with ``args``;
        its colour caption for ``colour`` images) and its image's text, in the current
        language."""
        fig = self.section.figures[kind]
        args = {**fig.args, **args}
        message = fig.colour if colour and fig.colour else fig.caption
        caption = _(message) % args if args else _(message)
        return {
            "key": figure_key(kind, model if fig.per_model else ""),
            "caption": caption,
            "alt": _(fig.alt) if fig.alt else caption,
        }


@dataclass(frozen=True)
class Section:
    """One section of the report: where it links to, its heading, which task it reports,
    its figures, when it is shown and the macro of ``sections.j2`` that renders it.

    ``title`` is a message, or a function of the context giving one; a model's section
    (``per_model``) is shown once for each classical model of its task, under the
    model's key and label."""

    anchor: str
    title: str | Callable[[dict], str]
    task: str  # "1", "2", "3", "4", "zoo", "5", "search"; "" for all
    macro: str
    figures: dict[str, Figure] = field(default_factory=dict)
    when: Callable[[dict], bool] = lambda ctx: True
    parts: tuple[tuple[str, str, str], ...] = ()  # subsections: key, anchor, heading
    new_page: bool = True  # printed from a new page
    per_model: bool = False

    def shown(self, ctx: dict) -> list[Shown]:
        """This section as shown for ``ctx``: none, one, or one per classical model of
        its task."""
        if not self.when(ctx):
            return []
        parts = {key: (anchor, _(title)) for key, anchor, title in self.parts}
        if self.per_model:
            return [
                Shown(self, mo["key"], model_heading(mo, ctx), bool(mo["heading"]), mo, parts)
                for mo in ctx["classical"]
                if mo["ev"].task == self.task
            ]
        title = self.title(ctx) if callable(self.title) else self.title
        return [Shown(self, self.anchor, _(title), self.new_page, None, parts)]


def model_heading(mo: dict, ctx: dict) -> str:
    """A classical model's heading: its task's heading (for the first of a task) and label."""
    label = ctx["labels"][mo["key"]]
    return f"{mo['heading']}: {label}" if mo["heading"] else label


def _figures(*figures: Figure) -> dict[str, Figure]:
    return {f.kind: f for f in figures}


PROBABILITIES = Figure(
    "proba",
    N_("One-vs-rest ROC and precision-recall curves on the test set, and the reliability diagram"),
    N_("ROC, precision-recall and reliability"),
    per_model=True,
)


MODEL_FIGURES = _figures(
    Figure(
        "confusion",
        N_("Confusion matrix (rows: true class, columns: predicted)"),
        N_("confusion matrix"),
        per_model=True,
    ),
    Figure(
        "errors",
        N_("The most confident mistakes of the most confused pair"),
        N_("misclassified images"),
        per_model=True,
    ),
    PROBABILITIES,
    Figure(
        "oob",
        N_(
            "The trees were doubled until a doubling gained less than %(tol)s points "
            "of out-of-bag accuracy: %(steps)s."
        ),
        N_("out-of-bag accuracy"),
        per_model=True,
    ),
)  # a classical model's figures, in its own section or in Task 4's


def _task4_title(ctx: dict) -> str:
    """Task 4's question, naming the input forms as they were: the notebook's raw
    pixels, or pixels / 255."""
    t4 = ctx["m"].task4
    if not t4 or len(t4["forms"]) < 2:
        return N_("Task 4: logistic regression")
    if t4["raw_scale"] == 1:
        return N_("Task 4: logistic regression, raw or standardized pixels?")
    return N_("Task 4: logistic regression, pixels / 255 or standardized?")


def _evaluation_title(ctx: dict) -> str:
    m = ctx["m"]
    if m.cv or (m.five_by_two and m.five_by_two["tests"]):
        return N_("Beyond accuracy: probabilities, learning curves, algorithms")
    return N_("Beyond accuracy: probabilities and learning curves")


SECTIONS = (
    Section(
        "summary", N_("Summary"), "", "summary", when=lambda c: bool(c["models"]), new_page=False
    ),
    Section(
        "task1",
        N_("Task 1: the data"),
        "1",
        "task1",
        _figures(Figure("examples", N_("Example images per class"))),
    ),
    Section(
        "task2",
        N_("Task 2: PCA"),
        "2",
        "task2",
        _figures(
            Figure(
                "pca_scatter",
                N_(
                    "PCA: the training data on PC1 and PC2, at most %(n)s random images of "
                    "each class, drawn in random order"
                ),
                args={"n": PCA_PER_CLASS},
            ),
            Figure("pca_variance", N_("PCA: explained variance")),
            Figure(
                "pca_components",
                N_("PCA: the first principal axes"),
                colour=N_(
                    "PCA: the first principal axes, each shown as one image per colour "
                    "channel (R, G, B) on one scale per axis"
                ),
            ),
        ),
        when=lambda c: bool(c["m"].pca),
    ),
    Section("", "", "3", "model", MODEL_FIGURES, per_model=True),
    Section(
        "task4",
        _task4_title,
        "4",
        "task4",
        MODEL_FIGURES,
        when=lambda c: any(mo["ev"].task == "4" for mo in c["classical"]),
    ),
    Section(
        "task5",
        N_("Task 5: neural networks"),
        "5",
        "task5",
        _figures(
            Figure(
                "curves",
                N_("Loss and accuracy per epoch, mean over seeds with the range shaded"),
                N_("training curves"),
                per_model=True,
            ),
            Figure(
                "confusion",
                N_("Confusion matrix on the test set"),
                N_("confusion matrix"),
                per_model=True,
            ),
            PROBABILITIES,
        ),
        when=lambda c: bool(c["networks"]),
    ),
    Section(
        "search",
        N_("Architecture search (Optuna)"),
        "search",
        "search",
        _figures(
            Figure(
                "search_history",
                N_("Search: validation accuracy of each trial and the best so far"),
            ),
            Figure(
                "search_importances", N_("Search: which parameters mattered (fANOVA importance)")
            ),
            Figure(
                "search_curves",
                N_("Search: validation accuracy per epoch of every trial (pruned ones stop early)"),
            ),
            Figure(
                "confusion",
                N_("The best spec on the test set"),
                N_("confusion matrix"),
                per_model=True,
            ),
            PROBABILITIES,
        ),
        when=lambda c: bool(c["search_data"]),
    ),
    Section("", "", "zoo", "model", MODEL_FIGURES, per_model=True),
    Section(
        "comparison",
        N_("Which model is better, and is the difference real?"),
        "",
        "comparison",
        _figures(
            Figure(
                "comparison",
                N_(
                    "Each model's test accuracy minus the best model's, with its 95 % paired "
                    "bootstrap interval"
                ),
            )
        ),
        when=lambda c: bool(c["pair_rows"]),
    ),
    Section(
        "evaluation",
        _evaluation_title,
        "",
        "evaluation",
        _figures(
            Figure(
                "confident_mistakes",
                N_(
                    "The test images the most accurate model got wrong with the highest "
                    "probability for the wrong class"
                ),
            ),
            Figure(
                "learning_curves",
                N_(
                    "Accuracy against training rows, cross-validated on the training rows "
                    "(bands: ±1 sd over the folds)"
                ),
            ),
        ),
        when=lambda c: c["evaluation_data"]["any"],
        parts=(
            ("learning_curves", "learning-curves", N_("Learning curves")),
            ("cv_scores", "cv", N_("Cross-validated accuracy (--cv)")),
            (
                "five_by_two",
                "five-by-two",
                N_("Comparing algorithms: 5x2cv combined F-test (--compare 5x2cv)"),
            ),
        ),
    ),
    Section(
        "glossary",
        N_("Glossary"),
        "",
        "glossary_section",
        when=lambda c: bool(c.get("glossary") and c["glossary"]["entries"]),
    ),
)


def shown(ctx: dict) -> list[Shown]:
    """The sections a report with context ``ctx`` shows, in order, in the current language."""
    return [s for section in SECTIONS for s in section.shown(ctx)]


def toc(sections: list[Shown]) -> list[tuple[str, str]]:
    """The table of contents: (anchor, heading) of each shown section."""
    return [(s.anchor, s.heading) for s in sections]
