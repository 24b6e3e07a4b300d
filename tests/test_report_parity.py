"""The report's HTML and Markdown say the same things: both are rendered from one list of
sections (report/sections.py) through the shared macros of templates/sections.j2. This
renders both for a tiny synthetic study that shows every section, in English and Swedish,
and compares their words section by section.

Intended differences, and all of them:
- the HTML embeds each figure (a data URI), the Markdown links it (figures/KEY.png):
  image sources and link targets are not compared; image texts and captions are;
- the HTML's <head> (the page title, the styles) has no Markdown counterpart;
- the Markdown writes its contents as a bulleted list (the HTML's <ul>), puts an
  <a id> before each heading that has an anchor, names a code block's language (json)
  and rules off the footer (---);
- markup (tables, bold, boxes, details, escapes): only the words are compared.
"""

from __future__ import annotations

import difflib
import html
import re
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import synthetic_arrays, write_dataset

from fmstudy.api import run_study
from fmstudy.data import registry as datasets
from fmstudy.i18n import gettext, language
from fmstudy.report.context import build_context
from fmstudy.report.figures import Figures
from fmstudy.report.sections import SECTIONS, figure_key
from fmstudy.report.write import report_pages, with_glossary
from fmstudy.results import network_key, network_name
from fmstudy.study.config import StudyConfig

TEMPLATES = Path(__file__).parents[1] / "src" / "fmstudy" / "report" / "templates"
REPORT_TEMPLATES = ("report.html.j2", "report.md.j2", "sections.j2", "html.j2", "markdown.j2")
EVERY_SECTION = [
    "summary",
    "task1",
    "task2",
    "forest",
    "task4",
    "task5",
    "search",
    "knn",
    "comparison",
    "evaluation",
    "glossary",
]


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    """Every section: PCA, the three classical tasks, a network, the search, the pairwise
    comparison, learning curves, --cv and --compare 5x2cv; fake images by figure key."""
    work = tmp_path_factory.mktemp("parity")
    spec = write_dataset(work / "data" / "synth", synthetic_arrays())
    with pytest.MonkeyPatch.context() as mp:
        mp.setitem(datasets.REGISTRY, "synth", spec)
        cfg = StudyConfig(
            classes=(4, 5, 6),
            dataset="synth",
            profile="quick",
            tasks=("1", "2", "3", "4", "5", "search"),
            models=("forest", "logreg", "knn"),
            networks=({"layers": [{"kind": "dense", "width": 8}], "name": "n8", "epochs": 1},),
            network_seeds=1,
            learning_curves=True,
            cv=2,
            cv_repeats=1,
            compare="5x2cv",
            search={"study_name": "s", "trials": 2, "max_epochs": 1, "conv": False},
        )
        storage = f"sqlite:///{work / 's.db'}"
        result = run_study(cfg, data_dir=work / "data", search_storage=storage, jobs=1)
        images = {key: f"data:image/png;base64,{key}" for key in Figures(result)}
        yield result, images


class _Words(HTMLParser):
    """The text of an HTML page's body, image texts included, by section (the part before
    the first is ""; the footer is "footer")."""

    def __init__(self):
        super().__init__()
        self.parts: dict[str, list[str]] = {"": []}
        self.part, self.skip = "", 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.skip += tag == "head"
        if tag in ("section", "footer"):
            self.part = a.get("id", tag)
            self.parts[self.part] = []
        if tag == "img":
            self.parts[self.part].append(a["alt"])

    def handle_endtag(self, tag):
        self.skip -= tag == "head"

    def handle_data(self, data):
        if not self.skip:
            self.parts[self.part].append(data)


def _counted(parts: dict[str, list[str]]) -> dict[str, Counter]:
    return {k: Counter(re.findall(r"\w+", " ".join(v))) for k, v in parts.items()}


def html_words(page: str) -> dict[str, Counter]:
    parser = _Words()
    parser.feed(page)
    return _counted(parser.parts)


def markdown_words(page: str, anchors: list[str]) -> dict[str, Counter]:
    """The words of a Markdown page by section: a section starts at its anchor, the footer
    at the rule (---)."""
    parts: dict[str, list[str]] = {"": []}
    part, code = "", False
    for line in page.splitlines():
        anchor = re.fullmatch(r'<a id="([^"]*)"></a>', line)
        if anchor and html.unescape(anchor[1]) in anchors:
            part = html.unescape(anchor[1])
        elif line == "---" and not code:
            part = "footer"
        elif line.startswith("```"):
            code = not code
            continue  # a fence and its language
        if part not in parts:
            parts[part] = []
        if not code:
            line = re.sub(r'<a id="[^"]*"></a>', "", line)
            line = re.sub(r"\]\([^)]*\)", "]", line)  # a link's or an image's target
            line = re.sub(r"^- \[", "[", line)  # the contents' bullets
            line = html.unescape(line.replace("\\", ""))
        parts[part].append(line)
    return _counted(parts)


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_html_and_markdown_carry_the_same_words_in_each_section(study, lang):
    result, images = study
    page, markdown = report_pages(result, images, lang)
    with language(lang):
        toc = with_glossary(build_context(result, images))["toc"]
    anchors = [anchor for anchor, _heading in toc]
    assert anchors == EVERY_SECTION  # the fixture shows every kind of section
    in_html, in_markdown = html_words(page), markdown_words(markdown, anchors)
    assert list(in_html) == list(in_markdown) == ["", *anchors, "footer"]
    for part, words in in_html.items():
        assert words, part
        missing, extra = words - in_markdown[part], in_markdown[part] - words
        assert (part, missing, extra) == (part, Counter(), Counter())


def test_each_section_and_figure_is_shown_where_the_list_says(study):
    """The contents list each section once, under its heading; each section's anchor is
    in both outputs; every figure drawn is one a section shows, and is shown."""
    result, images = study
    page, markdown = report_pages(result, images, "en")
    ctx = build_context(result, images)
    for anchor, heading in ctx["toc"]:
        assert page.count(f'<section id="{anchor}"') == 1
        assert markdown.count(f'<a id="{anchor}"></a>') == 1
        assert f"<h2>{html.escape(heading, quote=False)}</h2>" in page
        assert f"## {heading}\n" in markdown.replace("\\", "")
    kinds = {(f.kind, f.per_model) for s in SECTIONS for f in s.figures.values()}
    models = list(result.metrics.models) + [""]
    for key in images:
        assert any(
            figure_key(k, m) == key
            for k, per_model in kinds
            for m in models
            if per_model == bool(m)
        ), key
        assert f'src="{images[key]}"' in page and f"](figures/{key}.png)" in markdown


def test_no_section_title_or_anchor_is_typed_in_a_template():
    """The list in sections.py is the only place a section's title and anchor are written."""
    text = "\n".join((TEMPLATES / name).read_text() for name in REPORT_TEMPLATES)
    for s in SECTIONS:
        if isinstance(s.title, str) and s.title:
            assert s.title not in text
        if s.anchor:
            assert f'id="{s.anchor}"' not in text and f"#{s.anchor}" not in text
        for _key, anchor, title in s.parts:
            assert title not in text and f'"{anchor}"' not in text


def test_a_study_of_task_1_alone_shows_task_1_alone(tmp_path, synthetic):
    _, data_dir = synthetic
    result = run_study(
        StudyConfig(classes=(4, 5), dataset="synth", tasks=("1",)), data_dir=data_dir
    )
    images = {key: f"data:{key}" for key in Figures(result)}
    page, markdown = report_pages(result, images, "sv")
    with language("sv"):
        toc = with_glossary(build_context(result, images))["toc"]
        assert toc == [("task1", gettext("Task 1: the data")), ("glossary", gettext("Glossary"))]
    assert (
        list(html_words(page))
        == list(markdown_words(markdown, ["task1", "glossary"]))
        == ["", "task1", "glossary", "footer"]
    )  # the glossary defines the one term task 1 uses (SHA-256)


def test_a_networks_key_is_made_and_read_back_by_one_helper(study):
    result, images = study
    page, _markdown = report_pages(result, images, "en")
    for name, n in result.metrics.networks.items():
        assert n.key == network_key(name) and network_name(n.key) == name
        assert f'<h3 id="{network_key(name)}">' in page
        assert figure_key("curves", network_key(name)) in images
    assert network_name("forest") is None and network_name("search-best") is None


BLOCKS = {"p", "li", "td", "th", "figcaption", "h1", "h2", "h3", "pre", "summary", "nav", "div"}


class _Units(HTMLParser):
    """The HTML body's text units in order: each paragraph, list item, table cell,
    heading, caption, code block and image text on its own."""

    def __init__(self):
        super().__init__()
        self.units: list[str] = []
        self.now: list[str] = []
        self.skip = 0

    def flush(self):
        self.units.append("".join(self.now))
        self.now = []

    def handle_starttag(self, tag, attrs):
        self.skip += tag == "head"
        if tag in BLOCKS:
            self.flush()
        if tag == "img":
            self.flush()
            self.units.append(dict(attrs)["alt"])

    def handle_endtag(self, tag):
        self.skip -= tag == "head"
        if tag in BLOCKS:
            self.flush()

    def handle_data(self, data):
        if not self.skip:
            self.now.append(data)


def _markdown_units(page: str) -> list[str]:
    """The Markdown page's text units: a paragraph (lines up to a blank one), each table
    cell, heading, image text, caption and code block; markup and escapes removed."""
    units, para, code = [], [], None
    for line in page.splitlines() + [""]:
        if code is not None:
            if line.startswith("```"):
                units.append("\n".join(code))
                code = None
            else:
                code.append(line)
            continue
        if line.startswith("```"):
            code = []
        elif line.startswith("|"):
            if not re.fullmatch(r"\|(---\|)+", line):
                units += re.split(r"(?<!\\)\|", line)[1:-1]
        elif line.startswith("![") or line.startswith("- ["):
            units.append(re.sub(r"^-? ?!?\[(.*)\]\([^)]*\)$", r"\1", line))
        elif re.fullmatch(r'<a id="[^"]*"></a>|---', line):
            continue
        elif line.strip():
            para.append(re.sub(r"^(#+|>) ", "", line))
            continue
        units.append(" ".join(para))
        para = []
    return [u.replace("\\", "").replace("**", "").strip("*") for u in units]


def sentences(units: list[str]) -> list[str]:
    """The units' sentences in order, whitespace and a closing colon normalised."""
    found = []
    for unit in units:
        text = " ".join(html.unescape(unit).replace("`", "").split()).rstrip(":")
        found += [s for s in re.split(r"(?<=[.!?])\s+(?=[A-ZÅÄÖ(])", text) if s]
    return found


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_html_and_markdown_say_the_same_sentences(study, lang):
    """Sentence by sentence, not only word by word: the HTML's sentences (prose, table
    cells, headings, figures' texts and captions) are the Markdown's, in the same order."""
    result, images = study
    page, markdown = report_pages(result, images, lang)
    parser = _Units()
    parser.feed(page)
    in_html, in_markdown = sentences(parser.units), sentences(_markdown_units(markdown))
    assert len(set(in_html)) > 200  # the measure reads the whole page
    if in_html != in_markdown:
        diff = difflib.unified_diff(in_html, in_markdown, "html", "markdown", lineterm="", n=1)
        pytest.fail("\n".join(list(diff)[:40]))


def test_a_sentence_moved_between_units_is_caught():
    """The measure: a sentence split over two table cells differs from one cell."""
    parser = _Units()
    parser.feed("<p>One. Two three.</p><table><tr><td>4.5</td><td>a b</td></tr></table>")
    assert sentences(parser.units) == sentences(_markdown_units("One. Two three.\n\n| 4.5 | a b |"))
    assert sentences(parser.units) != sentences(_markdown_units("One. Two three.\n\n| 4.5 a | b |"))
    assert sentences(parser.units) != sentences(_markdown_units("Two three. One.\n\n| 4.5 | a b |"))
