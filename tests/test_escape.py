"""Whatever a user hands in is shown as text in every output it reaches: HTML, Markdown
(tables included), the notebook's markdown and code, matplotlib's labels."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from PIL import Image

from fmstudy import escape
from fmstudy.cli.main import main
from fmstudy.course import notebook
from fmstudy.study.config import StudyConfig

HOSTILE = (
    "<img src=x onerror=alert(1)>",
    "a|b",
    "$x^$",
    "*b* `c` [l](u) _i_",
    "# not a heading",
)


def test_html_escapes_markup():
    assert escape.html("<a href='x'>&</a>") == "&lt;a href=&#39;x&#39;&gt;&amp;&lt;/a&gt;"


@pytest.mark.parametrize(
    "text, shown",
    [
        ("<script>alert(1)</script>", "&lt;script>alert(1)&lt;/script>"),
        ("a|b", r"a\|b"),
        ("one\ntwo\r\nthree", "one two three"),
        ("x\n%% code\nimport os", "x %% code import os"),
        ("# title", r"\# title"),
        ("- item", r"\- item"),
        ("1. item", r"1\. item"),
        ("-0.5", "-0.5"),
        ("*b* _i_ `c` [l](u) $m$ ~s~", r"\*b\* \_i\_ \`c\` \[l\](u) \$m\$ \~s\~"),
        ("a & b", "a &amp; b"),
        ("back\\slash", "back\\\\slash"),
    ],
)
def test_markdown_is_one_line_of_text(text, shown):
    assert escape.markdown(text) == shown


def test_markdown_values_pass_raw_and_none():
    assert escape.markdown_value(escape.Raw("**x**")) == "**x**"
    assert escape.markdown_value(None) == ""
    assert escape.markdown_value(0.5) == "0.5"


def test_code_spans_and_blocks_cannot_be_closed_from_inside():
    assert escape.code_span("plain") == "`plain`"
    assert escape.code_span("a`b") == "`` a`b ``"
    assert escape.code_span("a\nb") == "`a b`"
    block = escape.code_block('{"name": "```x"}', "json")
    assert block.startswith("````json\n") and block.endswith("\n````")


def test_matplotlib_text_is_never_mathtext():
    from matplotlib.figure import Figure

    from fmstudy.plots import figures

    assert escape.mpl("$x^$") == r"\$x^\$"
    fig = figures.confusion_heatmap(np.eye(2, dtype=int), ["$x^$", "$\\frac{"], "$bad")
    fig.savefig(__import__("io").BytesIO(), format="png")  # mathtext would raise here
    assert isinstance(fig, Figure)
    shown = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert shown == [r"\$x^\$", r"\$\frac{"]


def _table_rows_are_whole(md: str) -> None:
    """Every row of every Markdown table has as many cells as its header."""
    lines = md.splitlines()
    cells = lambda line: len(re.split(r"(?<!\\)\|", line.strip())) - 2  # noqa: E731
    for i, line in enumerate(lines):
        if line.startswith("|---") and i > 0:
            width = cells(lines[i - 1])
            j = i + 1
            while j < len(lines) and lines[j].startswith("|"):
                assert cells(lines[j]) == width, (lines[i - 1], lines[j])
                j += 1


def _folder(root, names, per_class=12):
    rng = np.random.default_rng(0)
    for k, name in enumerate(names):
        (root / name).mkdir(parents=True)
        for i in range(per_class):
            img = rng.integers(0, 80, (8, 8), dtype=np.uint8) + np.uint8(40 * k)
            Image.fromarray(img).save(root / name / f"{i}.png")
    return root


@pytest.fixture(scope="module")
def hostile_report(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hostile")
    folder = _folder(tmp / "photos", HOSTILE)
    out = tmp / "report"
    argv = ["run", "--dataset", str(folder), "--classes", "0-4", "--profile", "quick"]
    argv += ["--tasks", "1-4", "--out", str(out), "--data-dir", str(tmp / "data")]
    assert main(argv) == 0
    return folder, out


def test_hostile_class_names_are_text_in_the_report(hostile_report):
    _, out = hostile_report
    html = (out / "index.html").read_text()
    md = (out / "report.md").read_text()
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<img src=x" not in md and "&lt;img src=x onerror=alert(1)>" in md
    assert r"a\|b" in md and r"\$x^\$" in md and "\n# not a heading" not in md
    _table_rows_are_whole(md)
    names = json.loads((out / "metrics.json").read_text())["task1"]["class_names"]
    assert names == sorted(HOSTILE)  # metrics.json keeps the names as they are
    assert (out / "figures" / "examples.png").stat().st_size > 1000  # drawn, not crashed


def test_hostile_class_names_stay_markdown_text_in_the_notebook(hostile_report):
    folder, _ = hostile_report
    cfg = StudyConfig(classes=(0, 1, 2, 3, 4), dataset=str(folder), profile="quick")
    nb = notebook.build_notebook(cfg)
    title = nb.cells[0].source.splitlines()[0]
    assert "<img" not in title and "&lt;img src=x onerror=alert(1)>" in title
    assert r"a\|b" in title


def test_no_name_can_add_a_code_cell_to_the_notebook(monkeypatch):
    """Even a name with line breaks that spell a cell marker stays in the title."""
    cfg = StudyConfig(classes=(4, 5), profile="quick")
    plain = notebook.build_notebook(cfg)
    evil = "x\n%% code\nimport os; os.system('touch /tmp/pwned')\n%% markdown\n"
    monkeypatch.setattr(notebook, "cfg_class_names", lambda cfg: [evil, "<b>y</b>"])
    nb = notebook.build_notebook(cfg, exercise=True)
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    assert not any("os.system" in source for source in code)
    assert len(nb.cells) == len(notebook.build_notebook(cfg, exercise=True).cells)
    assert "study: x %% code import os" in nb.cells[0].source.splitlines()[0]
    assert [c.cell_type for c in nb.cells][1:] == [
        c.cell_type for c in notebook.build_notebook(cfg, exercise=True).cells
    ][1:]
    assert len(plain.cells) > 10


def test_a_data_set_path_is_a_literal_in_the_notebooks_code(tmp_path):
    folder = _folder(tmp_path / "x'); import os; os.system('echo pwned') #", ["a", "b"])
    cfg = StudyConfig(classes=(0, 1), dataset=str(folder), profile="quick")
    nb = notebook.build_notebook(cfg)
    setup = next(c.source for c in nb.cells if "DATASET = " in c.source)
    line = next(x for x in setup.splitlines() if x.startswith("DATASET = "))
    assert eval(line.removeprefix("DATASET = ")) == str(folder)  # one string literal
    assert "`` " in nb.cells[0].source or "`fmstudy notebook" in nb.cells[0].source


def test_an_error_naming_a_file_with_a_line_break_stays_one_line(tmp_path, capsys, monkeypatch):
    from badinput import check_bad_input

    def photos(p):
        folder = _folder(p / "photos", ["a", "b"], per_class=3)
        (folder / "a" / "x\n\x1b[31m.png").write_bytes(b"not an image")
        return folder

    line = check_bad_input(
        ["data", "--dataset", photos], "cannot read", tmp_path, capsys, monkeypatch
    )
    assert "x\\n\\x1b[31m.png" in line
