"""A model that did not learn (issue 26, point 5) is flagged on its record, said so in
its section and under the summary table, and left out of the verdicts against the best
and of the groups, in English and Swedish, in HTML and Markdown alike."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest

from fmstudy.api import run_study
from fmstudy.course.all_groups import group_summary
from fmstudy.evaluation.compare import compare_results, learning_verdict, model_result
from fmstudy.i18n import language
from fmstudy.report import narrative
from fmstudy.report.figures import Figures
from fmstudy.report.write import report_pages
from fmstudy.results import StudyMetrics
from fmstudy.study.config import StudyConfig

CLASSES, NAMES = (4, 6), ["Coat", "Shirt"]
T1 = {"classes": [4, 6], "class_names": NAMES, "splits": {"test": {"kept": 10}}}
Y = np.array([4, 6] * 5)  # ten test images, half of each class
GOOD = np.array([4, 6, 4, 6, 4, 6, 4, 6, 6, 4])  # 8 of 10 right
ALSO = np.array([4, 6, 4, 6, 4, 6, 4, 4, 6, 4])  # 7 of 10
ONE_CLASS = np.full(10, 6)  # 5 of 10: Shirt for every image


def _result(key, pred, y=Y):
    return model_result(key, key.title(), "3", y, pred, CLASSES, NAMES)


def test_a_one_class_model_is_flagged_with_its_class():
    assert learning_verdict(Y, ONE_CLASS) == {"learned": False, "not_learned": {"one_class": 6}}
    r = _result("dead", ONE_CLASS)
    assert r.learned is False and r.not_learned == {"one_class": 6}


def test_a_model_no_better_than_the_majority_class_is_flagged():
    y = np.array([4] * 7 + [6] * 3)  # Coat is 70 % of the test images
    pred = np.array([4] * 5 + [6] * 2 + [6, 4, 4])  # both classes predicted, 6 of 10 right
    assert learning_verdict(y, pred) == {
        "learned": False,
        "not_learned": {"majority_rate": 0.7, "majority_class": 4},
    }
    tie = np.array([4] * 6 + [6] + [6, 4, 4])  # 7 of 10: equal to the majority rate
    assert learning_verdict(y, tie)["learned"] is False
    better = np.array([4] * 7 + [6, 6, 4])  # 9 of 10
    assert learning_verdict(y, better) == {"learned": True, "not_learned": None}


def test_a_model_that_learnt_is_not_flagged_and_metrics_json_carries_the_flag():
    good, dead = _result("good", GOOD), _result("dead", ONE_CLASS)
    assert good.learned is True and good.not_learned is None
    m = StudyMetrics(tasks=("1",), task1=T1, models={"good": good, "dead": dead})
    data = json.loads(json.dumps(m.to_dict()))
    assert data["models"]["good"]["learned"] is True
    assert data["models"]["dead"]["learned"] is False
    assert data["models"]["dead"]["not_learned"] == {"one_class": 6}
    back = StudyMetrics.from_dict(data).models["dead"]
    assert back.learned is False and back.not_learned == {"one_class": 6}


def _compared(flag=True):
    """good (0.8), also (0.7) and dead (0.5, one class) on ten images: McNemar cannot
    separate any pair.  ``flag`` False: dead's record as made before the rule."""
    preds = {"good": GOOD, "also": ALSO, "dead": ONE_CLASS}
    models = {k: _result(k, p) for k, p in preds.items()}
    if not flag:
        models["dead"] = replace(models["dead"], learned=None, not_learned=None)
    m = compare_results(models, preds, Y, n_boot=50, seed=0)
    return replace(m, task1=T1), {k: mo.label for k, mo in models.items()}


def test_a_one_class_model_is_never_called_indistinguishable_from_the_best():
    unflagged, labels = _compared(flag=False)
    assert not any(p.significant for p in unflagged.pairs)  # the test cannot separate them
    assert "Dead (" in narrative.comparison_summary(unflagged, labels)  # it would be called so
    m, labels = _compared()
    assert "dead" not in m.groups and set(m.groups) == {"good", "also"}
    text = narrative.comparison_summary(m, labels)
    assert "Indistinguishable from the best model here: Also (−10.00 points)." in text
    assert (
        "Left out of these verdicts and of the groups, because it did not learn: "
        "Dead (one class for every test image)." in text
    )
    assert "The 2 models form 1 group" in text
    with language("sv"):
        sv = narrative.comparison_summary(m, labels)
    assert "eftersom modellen inte har lärt sig: Dead (en klass för varje testbild)." in sv


def test_the_all_groups_overview_never_calls_it_indistinguishable_either():
    assert group_summary("A-G", _compared(flag=False)[0]).indistinguishable == ["also", "dead"]
    assert group_summary("A-G", _compared()[0]).indistinguishable == ["also"]


def test_the_models_sentence_in_english_and_swedish():
    dead = _result("dead", ONE_CLASS)
    names = dict(zip(CLASSES, NAMES, strict=True))
    en = narrative.learned_note(dead, "Dead", names, compared=True)
    assert en.startswith("Dead did not learn: it predicts Shirt for every test image")
    assert "(0.5000)" in en and "left out of the verdicts against the best" in en
    alone = narrative.learned_note(dead, "Dead", names)  # a report with nothing compared
    assert "(0.5000)" in alone and "verdicts" not in alone and "groups" not in alone
    y = np.array([4] * 7 + [6] * 3)
    rate = _result("rate", np.array([4] * 5 + [6] * 2 + [6, 4, 4]), y)
    assert "most common class, Coat, would score (0.7000)" in narrative.learned_note(
        rate, "Rate", names
    )
    with language("sv"):
        assert narrative.learned_note(dead, "Dead", names).startswith(
            "Dead har inte lärt sig: modellen svarar Shirt för varje testbild"
        )
        assert "vanligaste klass, Coat (0,7000)" in narrative.learned_note(rate, "Rate", names)
    assert narrative.learned_note(_result("good", GOOD), "Good", names) == ""


@pytest.fixture(scope="module")
def flagged_study(tmp_path_factory):
    """A tiny study (forest, both logistic regressions) whose raw logistic regression's
    record is made to say it predicts one class."""
    from conftest import synthetic_arrays, write_dataset

    from fmstudy.data import registry as datasets

    work = tmp_path_factory.mktemp("flagged")
    spec = write_dataset(work / "data" / "synth", synthetic_arrays())
    with pytest.MonkeyPatch.context() as mp:
        mp.setitem(datasets.REGISTRY, "synth", spec)
        cfg = StudyConfig(
            classes=(4, 5, 6),
            dataset="synth",
            profile="quick",
            tasks=("1", "3", "4"),
            models=("forest", "logreg"),
            learning_curves=False,
        )
        result = run_study(cfg, data_dir=work / "data", jobs=1)
    m = result.metrics
    assert all(mo.learned is True for mo in m.models.values())  # each learnt: none flagged
    dead = replace(m.models["logreg_raw"], learned=False, not_learned={"one_class": 5})
    groups = {k: v for k, v in m.groups.items() if k != "logreg_raw"}
    result = replace(
        result, metrics=replace(m, models={**m.models, "logreg_raw": dead}, groups=groups)
    )
    return result, {key: f"data:{key}" for key in Figures(result)}


@pytest.mark.parametrize(
    ("lang", "said", "key"),
    [
        (
            "en",
            "did not learn: it predicts Sandal for every test image",
            "† Did not learn: predicts one class",
        ),
        (
            "sv",
            "har inte lärt sig: modellen svarar Sandal för varje testbild",
            "† Har inte lärt sig: svarar en och samma",
        ),
    ],
)
def test_html_and_markdown_both_flag_it(flagged_study, lang, said, key):
    result, images = flagged_study
    page, markdown = report_pages(result, images, lang)
    with language(lang):
        marked = narrative.label_of(result.metrics.models["logreg_raw"]) + " †"
    for text in (page.replace("&#39;", "'"), markdown.replace("\\", "")):
        assert said in text  # the model's own section
        assert marked in text  # its row of the summary table
        assert key in text  # the mark's explanation under the table
