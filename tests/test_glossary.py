"""The report's terms: each defined once, under the section that first uses it, and listed
in the glossary at the end only when the report uses it; user data is never a term."""

from __future__ import annotations

import html
import re
from dataclasses import replace

import pytest

from fmstudy import escape
from fmstudy.api import run_study
from fmstudy.data import registry as datasets
from fmstudy.report.figures import Figures
from fmstudy.report.narrative.glossary import LAYERS, TERMS, first_uses, glossary
from fmstudy.report.write import report_pages
from fmstudy.study.config import StudyConfig

TERM = {t.key: t for t in TERMS}


def _keys(found: dict) -> dict[str, list[str]]:
    return {anchor: [t.key for t in terms] for anchor, terms in found.items()}


def test_a_term_is_defined_once_where_it_first_appears():
    texts = [
        ("", "A stratified sample."),  # before the first section: the first section's
        ("summary", "macro F1 and a bootstrap interval"),
        ("forest", "log-loss 0.24, macro one-vs-rest ROC AUC 0.98; stratified again"),
        ("evaluation", "log-loss, ROC AUC and ECE again; McNemar's test after Holm's"),
    ]
    assert _keys(first_uses(texts)) == {
        "summary": ["stratified", "bootstrap", "f1"],
        "forest": ["ovr", "logloss", "auc"],
        "evaluation": ["calibration", "mcnemar", "holm"],
    }
    g = glossary(texts)
    names = [name for name, _text in g["entries"]]
    assert len(names) == len(set(names)) == 9
    assert names == sorted(names, key=str.lower)
    assert sum(len(v) for v in g["by_anchor"].values()) == 9


def test_only_the_terms_a_report_uses_are_listed():
    g = glossary([("summary", "Network notebook-1 (100-100), softmax outputs")])
    names = [name for name, _text in g["entries"]]
    assert names == ["layer notation (e.g. c16-p-c32-p-64)", "softmax"]
    assert not any("one-cycle" in n or "McNemar" in n for n in names)
    assert glossary([("task1", "nothing to define")]) == {"by_anchor": {}, "entries": []}


@pytest.mark.parametrize(
    "text", ["c16-p-c32-p-64", "100-100", "100-512:d0.3-1024:d0.2", "c32:d0.1-p-256"]
)
def test_the_layer_notation_is_found(text):
    assert re.search(LAYERS, f"Network x ({text}) trains")


@pytest.mark.parametrize(
    "text",
    ["0.9091–0.9265", "x86_64", "SHA-256", "PC1-PC2", "Linux-6.18.44-fc", "p-values", "1,000"],
)
def test_other_dashes_are_not_the_layer_notation(text):
    assert not re.search(LAYERS, text)


def test_a_class_named_like_a_term_is_not_the_term():
    user = ["<b>AUC</b>", "McNemar", "Holm"]
    texts = [
        ("task1", "| 4 <b>AUC</b> | 5 McNemar | " + escape.markdown("<b>AUC</b>") + " Holm |"),
        ("forest", "macro one-vs-rest ROC AUC 0.99"),
    ]
    assert _keys(first_uses(texts, user)) == {"forest": ["ovr", "auc"]}


def test_words_inside_other_words_are_not_terms():
    assert first_uses([("summary", "Holmberg's pooled data; resampled F10")], ["Holmberg"]) == {}
    assert TERM["holm"].regex().search("Holm p")


@pytest.fixture
def odd_classes(tmp_path, monkeypatch, synthetic):
    """The synthetic data set with classes named like terms, one of them HTML."""
    spec, data_dir = synthetic
    classes = list(spec.classes)
    classes[4], classes[5] = "<b>AUC</b>", "McNemar"
    monkeypatch.setitem(
        datasets.REGISTRY, "synth", replace(spec, classes=tuple(classes), translated_classes={})
    )
    return data_dir


def test_the_report_defines_its_terms_and_escapes_user_data(odd_classes):
    result = run_study(
        StudyConfig(classes=(4, 5), dataset="synth", tasks=("1",)), data_dir=odd_classes
    )
    images = {key: f"data:{key}" for key in Figures(result)}
    page, markdown = report_pages(result, images, "en")
    definition = TERM["sha256"].definition
    for out in (page, markdown):
        assert "<b>AUC</b>" not in out  # the class name, escaped like any user data
        words = html.unescape(out.replace("\\", ""))
        assert words.count(definition) == 2  # under task 1, where it is used; the glossary
        assert "Terms used here:" in words and "Glossary" in words
        assert "ROC AUC" not in words and "McNemar's test" not in words
    assert '<section id="glossary"' in page and '<a id="glossary"></a>' in markdown
    assert "&lt;b&gt;AUC&lt;/b&gt;" in page
    task1 = page.split('<section id="task1"')[1].split("</section>")[0]
    assert definition in html.unescape(task1)


@pytest.mark.parametrize(
    ("key", "text"),
    [
        ("wilson", "95 % Wilson interval 0.90–0.92"),
        ("wilson", "the Wilson score intervals for a proportion"),
        ("pvalue", "(Holm-corrected p 2.54·10⁻⁴)"),
        ("pvalue", "| pair | p | Holm p | verdict |"),
        ("pvalue", "the p-values of the pairs"),
        ("paired", "95 % paired bootstrap interval of the difference"),
        ("points", "Network x (−2.23 points), forest (−2.97 points)"),
        ("points", "| difference (points) |"),
        ("points", "within 1 point"),
        ("points", "a gap in percentage points"),
        ("epoch", "the networks train for at most 4 epochs"),
        ("validation", "the seed with the median validation accuracy"),
        ("overfitting", "consistent with it overfitting more"),
        ("overfitting", "A seed overfits when its validation loss rises"),
        ("seed", "profile quick · seed 0"),
        ("seed", "with 2 seeds"),
        ("bfloat16", "forward passes in bfloat16 (weights in float32)"),
    ],
)
def test_each_new_term_is_found_as_the_report_writes_it(key, text):
    assert TERM[key].regex().search(text)


@pytest.mark.parametrize(
    ("key", "text"),
    [
        ("points", "their points lie on top of each other; Points are means over the folds"),
        ("pvalue", "Network x (c16-p-c32-p-64); a pooled spread; PCA; P 3"),
        ("validation", "3-fold stratified cross-validation on the training rows"),
        ("seed", "the images seem alike"),
    ],
)
def test_look_alikes_are_not_the_new_terms(key, text):
    assert not TERM[key].regex().search(text)


def test_the_new_terms_are_defined_where_the_visible_text_first_uses_them():
    texts = [
        ("", "profile quick · seed 0; the networks train for at most 4 epochs"),
        ("summary", "median validation accuracy; Different from it at 0.05: x (−2.2 points)"),
        ("task2", "their points lie on top of each other, orthogonal"),
        ("forest", "Test accuracy 0.91 (95 % Wilson interval 0.90–0.92)"),
        ("task4", "95 % paired bootstrap interval; McNemar's test (Holm-corrected p 0.01)"),
        ("task5", "validation loss; overfits when it rises"),
        ("evaluation", "cross-validation; it overfits"),
    ]
    assert _keys(first_uses(texts)) == {
        "summary": ["seed", "epoch", "validation", "points"],
        "task2": ["orthogonal"],
        "forest": ["wilson"],
        "task4": ["bootstrap", "mcnemar", "holm", "pvalue", "paired"],
        "task5": ["overfitting"],
        "evaluation": ["crossval"],
    }


def test_a_figure_is_searched_by_its_words_not_its_embedded_bytes(synthetic):
    """An embedded PNG's base64 once put ROC AUC and ECE under Task 2 (PCA): "+aucq",
    "/ece" in its bytes read as the terms' word starts."""
    spec, data_dir = synthetic
    result = run_study(
        StudyConfig(classes=(4, 5), dataset="synth", tasks=("1", "2")), data_dir=data_dir
    )
    images = {
        key: "data:image/png;base64,C2qt+aucqd9nz/ROC+YqmG/ecefluoV" for key in Figures(result)
    }
    page, markdown = report_pages(result, images, "en")
    for out in (page, markdown):
        words = html.unescape(out.replace("\\", ""))
        assert "ROC AUC" not in words and "calibration, ECE" not in words
        assert words.count(TERM["covariance"].definition) == 2  # task 2 still defines its own
