"""The report's figures, drawn from a study's records when they are asked for, in the
report's language: a study run in English can be saved in Swedish.

    figs = Figures(result, "sv")          # result: a study.run.StudyRecord
    figs["pca_scatter"].savefig("pca.png")
    for key, fig in figs.items(): ...     # each drawn as it comes

:func:`figure_list` is the one list of the report's figures (key -> the function that
draws it from the typed records); the titles are worded here, with the narrative's
names of models and seeds, and :mod:`fmstudy.plots` draws.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping
from functools import partial

from matplotlib.figure import Figure

from fmstudy.data.own import dataset_spec, is_path
from fmstudy.errors import FmstudyError
from fmstudy.i18n import current, language, num
from fmstudy.i18n import gettext as _
from fmstudy.plots import evaluation as eval_figures
from fmstudy.plots import figures as figs
from fmstudy.plots.components import colour_components
from fmstudy.report.narrative import label_of, seeds_counted
from fmstudy.report.sections import figure_key


class Figures(Mapping):
    """A study's figures by key, each drawn when it is asked for, in ``lang`` (default:
    the config's); the search's are drawn together, when the mapping is made."""

    def __init__(self, result, lang: str | None = None):
        self.lang = lang or result.config.lang
        with language(self.lang):
            self._draw = figure_list(result)

    def __getitem__(self, key: str) -> Figure:
        with language(self.lang):
            return self._draw[key]()

    def __iter__(self) -> Iterator[str]:
        return iter(self._draw)

    def __len__(self) -> int:
        return len(self._draw)


def class_names(result) -> dict[int, str]:
    """The study's classes by label, named in the current language (the recorded English
    names where the data set is no longer known)."""
    t1 = result.metrics.task1
    shown = None
    with contextlib.suppress(FmstudyError):  # own data: as loaded (--class-names)
        if not is_path(t1["dataset"]):
            shown = dataset_spec(t1["dataset"]).class_names(current().code)
    return {
        int(c): shown[int(c)] if shown else name
        for c, name in zip(t1["classes"], t1["class_names"], strict=True)
    }


def figure_list(result) -> dict[str, Callable[[], Figure]]:
    """Every figure of the report of ``result``: key -> a function that draws it."""
    m, data = result.metrics, result.figure_data
    names = class_names(result)
    out: dict[str, Callable[[], Figure]] = {
        "examples": lambda: figs.example_grid(
            data.examples, data.example_labels, list(names), list(names.values())
        )
    }
    if data.pca is not None:
        pca, ratios = data.pca, data.pca.explained_variance_ratio
        shape = data.examples.shape[1:]
        out["pca_scatter"] = lambda: figs.pca_scatter(pca.coords, pca.labels, names, ratios)
        out["pca_variance"] = lambda: figs.pca_variance(
            pca.spectrum, m.pca["checks"]["components_for_90pct"]
        )
        draw = colour_components if len(shape) == 3 else figs.pca_components
        out["pca_components"] = lambda: draw(pca.components, ratios, shape)
    for key, ev in m.models.items():
        out[figure_key("confusion", key)] = partial(_confusion, result, key, names)
        if key in data.pair_mistakes:
            out[figure_key("errors", key)] = partial(
                _pair_mistakes, ev, data.pair_mistakes[key], names
            )
        if ev.details.get("oob_curve"):
            out[figure_key("oob", key)] = partial(figs.oob_curve, ev.details["oob_curve"])
    if m.learning_curves:
        out["learning_curves"] = lambda: eval_figures.learning_curves(
            list(m.learning_curves.values()), [label_of(m.models[k]) for k in m.learning_curves]
        )
    for name, n in m.networks.items():
        title = f"{name} ({n.layers}), {seeds_counted(len(n.seeds))}"
        out[figure_key("curves", n.key)] = partial(
            figs.training_curves, n.histories, n.marked_epoch, title
        )
    if m.from_best:
        out["comparison"] = partial(_comparison, m)
    y_test = result.predictions["true"].to_numpy()
    for key, proba in result.probabilities.items():
        ev = m.models[key]
        out[figure_key("proba", key)] = partial(
            eval_figures.probability_panels,
            y_test,
            proba,
            list(names),
            list(names.values()),
            ev,
            label_of(ev),
        )
    if data.confident_mistakes is not None:
        out["confident_mistakes"] = partial(_confident_mistakes, m, data.confident_mistakes, names)
    if data.search_trials:
        for key, fig in _search_figures(data.search_trials).items():
            out[key] = lambda fig=fig: fig
    return out


def _confusion(result, key: str, names: dict[int, str]) -> Figure:
    """A model's confusion matrix, titled as its task names it."""
    ev = result.metrics.models[key]
    nets = {n.key: (name, n) for name, n in result.metrics.networks.items()}
    if key in nets:
        name, n = nets[key]
        title = _("{name}, seed {seed}: accuracy {acc}").format(
            name=name, seed=n.representative_seed, acc=num(ev.accuracy)
        )
    elif ev.task == "search":
        title = _("{model}: test confusion matrix").format(model=label_of(ev))
    else:
        title = _("{model}: accuracy {acc}").format(model=label_of(ev), acc=num(ev.accuracy))
    return figs.confusion_heatmap(ev.confusion, list(names.values()), title)


def _pair_mistakes(ev, gallery, names: dict[int, str]) -> Figure:
    a, b = gallery.pair
    title = _(
        "{model}: the most confident mistakes between {a} and {b} (true → predicted, probability)"
    ).format(model=label_of(ev), a=names[a], b=names[b])
    return _gallery(gallery, names, title)


def _confident_mistakes(m, gallery, names: dict[int, str]) -> Figure:
    title = _("{model}: its most confident mistakes (true → predicted, probability)").format(
        model=label_of(m.models[gallery.model])
    )
    return _gallery(gallery, names, title)


def _gallery(gallery, names: dict[int, str], title: str) -> Figure:
    return eval_figures.mistakes_gallery(
        gallery.images, gallery.true, gallery.pred, gallery.confidence, names, title
    )


def _comparison(m) -> Figure:
    """Each model's accuracy minus the best one's (the best by test accuracy)."""
    best, *others = m.ranked()
    return figs.difference_from_best(
        label_of(m.models[best]),
        [label_of(m.models[k]) for k in others],
        [m.from_best[k] for k in others],
    )


def _search_figures(trials: list) -> dict[str, Figure]:
    """The search's figures, drawn by :func:`fmstudy.search.results.figures` from its
    trials put in a study in memory (optuna's message about it silenced, then restored)."""
    import optuna

    from fmstudy.search.results import figures as search_figures

    verbosity = optuna.logging.get_verbosity()
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    try:
        study = optuna.create_study(direction="maximize")
    finally:
        optuna.logging.set_verbosity(verbosity)
    study.add_trials(trials)
    return search_figures(study)
