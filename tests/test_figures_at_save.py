"""Figures are drawn from the study's records when the report is written: a study run in
English saves in Swedish, figures and sentences, with the same numbers."""

from __future__ import annotations

import json
from dataclasses import replace

import optuna
import pytest
from conftest import synthetic_arrays, write_dataset
from matplotlib.figure import Figure
from matplotlib.text import Text

from fmstudy.api import StudyConfig, run_study
from fmstudy.data import registry
from fmstudy.i18n import gettext, language, num
from fmstudy.report.figures import Figures
from fmstudy.report.narrative import label_of, seeds_counted

NET = {"layers": [{"kind": "dense", "width": 8}], "name": "tiny", "epochs": 2}


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """One tiny English study (tasks 1-5: a forest and a network, little resampling) saved
    as it ran and again in Swedish."""
    root = tmp_path_factory.mktemp("figures-at-save")
    with pytest.MonkeyPatch.context() as mp:
        mp.setitem(registry.REGISTRY, "synth", write_dataset(root / "synth", synthetic_arrays()))
        cfg = StudyConfig(
            classes=(0, 1, 2),
            dataset="synth",
            profile="quick",
            tasks=("1", "2", "3", "4", "5"),
            networks=(NET,),
            network_seeds=1,
            models=("forest",),
            learning_curves=False,
            bootstrap=10,
            pca_random_directions=10,
        )
        result = run_study(cfg, data_dir=root)
        yield result, result.save(root / "en"), result.save(root / "sv", lang="sv")


def texts(fig: Figure) -> str:
    """Every piece of text drawn in a figure, one a line."""
    return "\n".join(t.get_text() for t in fig.findobj(Text) if t.get_text())


def sv(message: str) -> str:
    with language("sv"):
        return gettext(message)


def test_the_numbers_are_the_same_in_both_languages(saved):
    result, en, sv_dir = saved
    for name in ("metrics.json", "predictions.csv", "probabilities.npz", "timings.json"):
        assert (en / name).read_bytes() == (sv_dir / name).read_bytes(), name
    assert json.loads((en / "config.json").read_text())["config"]["lang"] == "en"
    assert json.loads((sv_dir / "config.json").read_text())["config"]["lang"] == "sv"
    assert result.config.lang == "en"  # saving in Swedish left the result as it was
    pngs = sorted(p.name for p in (en / "figures").iterdir())
    assert pngs == sorted(p.name for p in (sv_dir / "figures").iterdir())
    assert pngs == sorted(f"{k}.png" for k in result.figures)
    for name in ("confusion_forest.png", "pca_scatter.png", "curves_nn-tiny.png"):
        assert (en / "figures" / name).read_bytes() != (sv_dir / "figures" / name).read_bytes()


def test_each_report_speaks_its_language(saved):
    _, en, sv_dir = saved
    english, swedish = "Random forest", sv("Random forest")
    assert english != swedish
    for folder, shown, other in ((en, english, swedish), (sv_dir, swedish, english)):
        for page in ("report.md", "index.html"):
            text = (folder / page).read_text()
            assert shown in text and other not in text, (folder.name, page)
    assert 'lang="sv"' in (sv_dir / "index.html").read_text()


def test_figures_are_drawn_in_the_language_asked_for(saved):
    result, _, _ = saved
    ev = result.metrics.models["forest"]
    swedish = Figures(result, "sv")
    assert list(swedish) == list(result.figures)  # the same figures, other words
    drawn = texts(swedish["confusion_forest"])
    with language("sv"):
        title = gettext("{model}: accuracy {acc}").format(model=label_of(ev), acc=num(ev.accuracy))
    assert title in drawn and sv("predicted class") in drawn
    assert "predicted class" not in drawn and "Random forest" not in drawn
    english = texts(result.figures["confusion_forest"])  # the config's language: English
    assert "predicted class" in english and "Random forest" in english
    assert sv("Training images on the first two principal components") in texts(
        swedish["pca_scatter"]
    )
    curves = texts(swedish["curves_nn-tiny"])
    with language("sv"):
        assert gettext("validation") in curves and seeds_counted(1) in curves


def test_the_search_figures_are_redrawn_from_its_trials(saved):
    """The search keeps its trials; its figures are drawn from them in the report's
    language (trials made by hand here: no search needs to run)."""
    result, _, _ = saved
    dist = {"lr": optuna.distributions.FloatDistribution(1e-4, 1e-1, log=True)}
    trials = [
        optuna.trial.create_trial(
            params={"lr": 10.0 ** -(i + 1)},
            distributions=dist,
            value=0.5 + i / 10,
            intermediate_values={0: 0.4, 1: 0.5 + i / 10},
        )
        for i in range(3)
    ]
    for number, t in enumerate(trials):
        t.number = number
    searched = replace(result, figure_data=replace(result.figure_data, search_trials=trials))
    figs = Figures(searched, "sv")
    assert {"search_history", "search_curves"} <= set(figs)
    assert "search_importances" not in figs  # 3 trials say nothing about importance
    history = texts(figs["search_history"])
    assert sv("Search: validation accuracy per trial") in history
    assert "Search: validation accuracy per trial" not in history
