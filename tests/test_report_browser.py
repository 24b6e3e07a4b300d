"""The HTML report in headless Chromium: every image loads, no console error, a screenshot."""

import shutil

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

from fmstudy.config import StudyConfig
from fmstudy.study import run_study

CHROMIUM, DRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    base = tmp_path_factory.mktemp("browser")
    cfg = StudyConfig(classes=(0, 1, 2, 3), profile="quick", surname="Berg")
    run_study(cfg, data_dir=base / "data").save(base / "report")
    return base / "report"


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    assert shutil.which("chromium") or shutil.which(CHROMIUM), "install chromium (.ci/run does)"
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1100,900",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}",
    ):
        opts.add_argument(flag)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(DRIVER), options=opts)
    yield driver
    driver.quit()


def test_report_renders_every_image_without_console_errors(report, browser, tmp_path):
    browser.get((report / "index.html").as_uri())
    images = browser.execute_script(
        "return Array.from(document.images).map(i => [i.alt, i.complete, i.naturalWidth]);"
    )
    assert len(images) >= 10
    broken = [alt for alt, complete, width in images if not (complete and width > 0)]
    assert broken == []
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == []
    assert "Task 2: PCA" in browser.find_element("tag name", "body").text
    height = browser.execute_script("return document.body.scrollHeight")
    browser.set_window_size(1100, min(height, 16000))
    shot = tmp_path / "report.png"
    assert browser.save_screenshot(str(shot))
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 50_000
