"""The report's languages: complete, current catalogues; numbers in the language's
format; a Swedish quick report with no English sentence left and the same metrics."""

from __future__ import annotations

import html
import io
import json
import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from matplotlib.backends.backend_agg import FigureCanvasAgg

from fmstudy.i18n import gettext as _
from fmstudy.i18n import grouped, language, ngettext, num, pct, pvalue, sig
from fmstudy.plots import figures

ROOT = Path(__file__).parents[1]
LOCALE = ROOT / "src" / "fmstudy" / "locale"
PLACEHOLDER = re.compile(r"\{[a-z_0-9]*\}|%\([a-z_]+\)s")


def _catalogue(lang: str):
    with (LOCALE / lang / "LC_MESSAGES" / "fmstudy.po").open("rb") as fh:
        return read_po(fh)


def _used_messages() -> set:
    """Every message the package's code and templates use, extracted as babel.cfg says."""
    method_map = [("**.py", "python"), ("templates/**.j2", "jinja2")]
    options = {"templates/**.j2": {"extensions": "jinja2.ext.i18n"}}
    keywords = {"_": None, "N_": None, "ngettext": (1, 2)}
    found = extract_from_dir(
        ROOT / "src" / "fmstudy", method_map, options, keywords=keywords, comment_tags=()
    )
    return {msg if isinstance(msg, str) else tuple(msg) for _f, _l, msg, _c, _x in found}


def test_the_swedish_catalogue_translates_every_message_in_use():
    cat = _catalogue("sv")
    have = {(m.id if isinstance(m.id, str) else tuple(m.id)): m for m in cat if m.id}
    used = _used_messages()
    assert len(used) > 250
    missing = sorted(str(m)[:70] for m in used if m not in have)
    assert missing == [], "run pybabel extract/update (src/fmstudy/locale/README.md)"
    empty = [
        str(k)[:70]
        for k in used
        if not all(have[k].string if isinstance(k, tuple) else [have[k].string])
    ]
    assert empty == []


def test_every_translation_keeps_its_placeholders():
    for m in _catalogue("sv"):
        if not m.id:
            continue
        ids = [m.id] if isinstance(m.id, str) else list(m.id)
        strings = [m.string] if isinstance(m.string, str) else list(m.string)
        for i, s in enumerate(strings):
            source = ids[min(i, len(ids) - 1)]
            assert set(PLACEHOLDER.findall(s)) == set(PLACEHOLDER.findall(source)), m.id


def test_the_compiled_catalogue_is_current():
    """The .mo that ships is the .po compiled: nobody edited one without the other."""
    buf = io.BytesIO()
    write_mo(buf, _catalogue("sv"))
    assert (LOCALE / "sv" / "LC_MESSAGES" / "fmstudy.mo").read_bytes() == buf.getvalue()


def test_numbers_take_the_languages_format():
    with language("sv"):
        assert num(0.918) == "0,9180" and num(-2.5, 1, sign=True) == "−2,5"
        assert grouped(24000) == "24\xa0000" and pct(0.4) == "40,0 %"
        assert (
            sig(0.0123) == "0,0123"
            and sig(0.5) == "0,5"
            and sig(2.4321e-7) == "2,43·10⁻⁷"
            and sig(9.9996e-5) == "1·10⁻⁴"
            and pvalue(2.6e-8) == "2,60·10⁻⁸"
            and pvalue(0.0798) == "0,0798"
            and sig(-3e-16) == "−3·10⁻¹⁶"
            and sig(-0.25) == "−0,25"
        )
        assert _("Summary") == "Sammanfattning"
        assert ngettext("{n} seed", "{n} seeds", 2).format(n=2) == "2 frön"
    # the language ends with its block: nothing leaks into English
    assert num(0.918) == "0.9180" and grouped(24000) == "24,000" and _("Summary") == "Summary"
    assert num(1.5, 2, sign=True) == "+1.50" and sig(6.254e-4) == "6.25·10⁻⁴"


def _tick_texts(fig) -> list[str]:
    FigureCanvasAgg(fig).draw()
    return [t.get_text() for ax in fig.axes for t in ax.get_yticklabels() if t.get_text()]


def test_a_swedish_figure_writes_decimal_commas():
    curve = [(50, 0.931), (100, 0.9385), (200, 0.94)]
    with language("sv"):
        fig = figures.oob_curve(curve)
    ticks = _tick_texts(fig)
    assert ticks and all("," in t and "." not in t for t in ticks), ticks
    assert fig.axes[0].get_ylabel() == "out-of-bag-träffsäkerhet"
    assert all("." in t for t in _tick_texts(figures.oob_curve(curve)))


def _text(path: Path) -> str:
    """What a reader sees: the page's text without markup, images, styles and code."""
    s = path.read_text()
    s = re.sub(r"<(style|pre|code)[^>]*>.*?</\1>", " ", s, flags=re.S)
    s = re.sub(r"<[^>]+>", " ", s)
    return re.sub(r"\s+", " ", html.unescape(s))


def _fragments(message: str) -> list[str]:
    """The fixed words of a message between its placeholders, long enough to be English
    prose rather than a shared term (two words or more, 12 characters or more)."""
    parts = PLACEHOLDER.split(message.replace("%%", "%"))
    return [p.strip(" .,;:()") for p in parts if len(p.strip()) >= 12 and " " in p.strip()]


def test_a_swedish_report_has_no_english_sentence_left(swedish_report):
    page = _text(swedish_report / "index.html")
    markdown = (swedish_report / "report.md").read_text()
    assert '<html lang="sv">' in (swedish_report / "index.html").read_text()
    checked = 0
    for m in _catalogue("sv"):
        if not m.id:
            continue
        ids = [m.id] if isinstance(m.id, str) else list(m.id)
        strings = [m.string] if isinstance(m.string, str) else list(m.string)
        strings = [t.replace("%%", "%") for t in strings]
        for source in ids:
            for fragment in _fragments(source):
                if any(fragment in t for t in strings):
                    continue  # the same words in both languages (a name, a formula)
                checked += 1
                whole = re.compile(rf"(?<!\w){re.escape(fragment)}(?!\w)")
                assert not whole.search(page), fragment
                assert not whole.search(markdown), fragment
    assert checked > 300
    for swedish in (
        "Sammanfattning",
        "Uppgift 3: Slumpskog",
        "Kappa",
        "Skjorta",
        "Inlärningskurvor",
    ):
        assert swedish in page


def test_a_swedish_report_writes_numbers_the_swedish_way(swedish_report, quick_report):
    page = (swedish_report / "index.html").read_text()
    summary = page[page.index('id="summary"') : page.index('id="task1"')]
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", summary)  # td.n: a number's cell
    decimals = [c for c in cells if re.fullmatch(r"[−+]?\d+[.,]\d+", c)]
    assert decimals and all("," in c for c in decimals), decimals
    metrics = json.loads((quick_report[0] / "metrics.json").read_text())
    acc = metrics["models"]["forest"]["accuracy"]
    assert f"{acc:.4f}".replace(".", ",") in summary
    assert "24\xa0000" in page  # training rows grouped with a (no-break) space


def test_the_language_changes_the_words_not_the_numbers(swedish_report, quick_report):
    en, sv = (
        json.loads((p / "metrics.json").read_text()) for p in (quick_report[0], swedish_report)
    )
    for key in ("task1", "pca", "models", "networks", "comparison", "groups", "from_best"):
        assert en[key] == sv[key], key
    cfg = json.loads((swedish_report / "config.json").read_text())["config"]
    assert cfg["lang"] == "sv"
    assert json.loads((quick_report[0] / "config.json").read_text())["config"]["lang"] == "en"
    en_preds = (quick_report[0] / "predictions.csv").read_text()
    assert en_preds == (swedish_report / "predictions.csv").read_text()
    for name in ("confusion_forest", "proba_forest", "learning_curves"):
        assert (swedish_report / "figures" / f"{name}.png").stat().st_size > 10_000


def test_an_unknown_language_is_refused():
    from fmstudy.cli.main import main

    assert main(["run", "--classes", "4-7", "--lang", "de", "--out", "/tmp/x"]) == 2
