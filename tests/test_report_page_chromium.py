"""The real quick report's page in headless Chromium, English and Swedish (issue 27): at
700 and 1280 CSS px no table scrolls sideways and the page is no wider than the window,
no number or one-word cell breaks across lines; printed on A4, the summary's conclusion is on page 1.

Slow (a real report each language, a browser): ``pytest -m slow tests/test_report_page_chromium.py``.
"""

from __future__ import annotations

import pytest
from test_report import browser  # noqa: F401  (headless Chromium, module-scoped)

MM = 96 / 25.4  # CSS pixels per millimetre
A4_TEXT = ((210 - 2 * 14) * MM, (297 - 2 * 16) * MM)  # report.html.j2's @page margins

WIDE = """
return {
  page: [document.documentElement.scrollWidth, window.innerWidth],
  tables: Array.from(document.querySelectorAll('table'))
    .filter(t => t.scrollWidth > t.clientWidth)
    .map(t => t.textContent.trim().slice(0, 60)),
  broken: Array.from(document.querySelectorAll('td.n, td.w')).filter(td => {
    const range = document.createRange();
    range.selectNodeContents(td);
    const tops = new Set(Array.from(range.getClientRects()).map(r => Math.round(r.top)));
    return tops.size > 1;  // the number's text lies on more than one line
  }).map(td => td.textContent),
  numbers: document.querySelectorAll('td.n').length,
};
"""

CONCLUSION = """
const box = document.querySelector('section#summary .conclusion');
return box ? box.getBoundingClientRect().bottom + window.scrollY : null;
"""


def _show(browser, folder, width: int, media: str = "screen") -> None:  # noqa: F811
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": False},
    )
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": media})
    browser.get((folder / "index.html").as_uri())


@pytest.mark.parametrize("width", [700, 1280])
def test_tables_fit_and_numbers_never_break(quick_report, swedish_report, browser, width):  # noqa: F811
    for folder in (quick_report[0], swedish_report):
        _show(browser, folder, width)
        found = browser.execute_script(WIDE)
        assert found["numbers"] > 20, folder  # the measure sees the report's numbers
        assert found["page"][0] <= found["page"][1], (folder, found["page"])
        assert found["tables"] == [], (folder, width)
        assert found["broken"] == [], (folder, width)
    browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def test_the_summary_conclusion_prints_on_page_one(quick_report, swedish_report, browser):  # noqa: F811
    """Print media at the A4 text width: the conclusion box ends within the first page's
    height (nothing before it may break to a new page: no forced breaks in print)."""
    for folder in (quick_report[0], swedish_report):
        _show(browser, folder, round(A4_TEXT[0]), media="print")
        bottom = browser.execute_script(CONCLUSION)
        assert bottom is not None, folder
        assert bottom <= A4_TEXT[1], (folder, bottom, A4_TEXT[1])
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
    browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
