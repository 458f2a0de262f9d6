"""The web app in a real browser (headless Chromium): search, article, snapshot, sandbox.

Screenshots of every page are taken into a temporary directory and checked; with
UPDATE_SCREENSHOTS=1 they are also written to docs/screenshots/ for the README.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.browser import chromium
from tests.browser.archive_fixture import (DONGDA_TITLE, DONGDA_URL, FILLER_COUNT, IMAGE_WIDTH, NTM_URL,
                                           REMOVED_URL, build_archive)

pytestmark = pytest.mark.skipif(chromium.unavailable_reason() is not None,
                                reason=chromium.unavailable_reason() or "")

SCREENSHOTS = Path(__file__).resolve().parents[1] / "docs" / "screenshots"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    archive = build_archive(tmp_path_factory.mktemp("web-browser") / "data")
    with chromium.served(archive.data_dir) as base_url:
        yield base_url


@pytest.fixture(scope="module")
def browser():
    driver = chromium.start_driver("vi")
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def shots(tmp_path_factory):
    directory = tmp_path_factory.mktemp("screenshots")
    yield directory
    if os.environ.get("UPDATE_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        for png in directory.glob("*.png"):
            shutil.copyfile(png, SCREENSHOTS / png.name)


def screenshot(driver, shots: Path, name: str, viewport_only: bool = False) -> None:
    data = chromium.full_page_screenshot(driver, shots / f"{name}.png", viewport_only)
    assert data.startswith(PNG_MAGIC) and len(data) > 5000


def image_width(driver, image) -> int:
    """naturalWidth once the image has finished loading (0 if it failed)."""
    from selenium.webdriver.support.ui import WebDriverWait
    WebDriverWait(driver, 20).until(lambda d: d.execute_script("return arguments[0].complete", image))
    return driver.execute_script("return arguments[0].naturalWidth", image)


def click_and_wait(driver, element) -> None:
    """Click something that loads a new page, and wait until the new page is there."""
    from selenium.webdriver.support.ui import WebDriverWait
    # A mark on the old page's window: a new document comes with a new window object.
    # (Waiting for an old element to go stale trips a chromedriver inspector error.)
    driver.execute_script("window.__before_click = true")
    element.click()
    WebDriverWait(driver, 30).until(lambda d: d.execute_script("return window.__before_click === undefined"))
    wait_loaded(driver)


def wait_loaded(driver) -> None:
    """Until the current document (and so its frames and stylesheets) has finished loading."""
    from selenium.webdriver.support.ui import WebDriverWait
    WebDriverWait(driver, 30).until(lambda d: d.execute_script("return document.readyState") == "complete")


def search(driver, base_url: str, words: str) -> list[str]:
    driver.get(base_url + "/")
    box = driver.find_element("id", "q")
    box.clear()
    box.send_keys(words)
    click_and_wait(driver, driver.find_element("css selector", ".search-form button[type=submit]"))
    return [link.text for link in driver.find_elements("css selector", ".hit-title a")]


def test_search_with_and_without_diacritics(site, browser, shots):
    with_marks = search(browser, site, "nông thôn mới")
    total = int(browser.find_element("id", "result-count").get_attribute("data-total"))
    assert total == FILLER_COUNT + 1
    assert len(with_marks) == 20  # the first page
    assert browser.find_elements("css selector", ".pagination a[rel=next]")
    highlighted = {mark.text.lower() for mark in browser.find_elements("css selector", ".snippet mark")}
    assert {"nông", "thôn", "mới"} <= highlighted
    screenshot(browser, shots, "search")

    without_marks = search(browser, site, "nong thon moi")
    assert int(browser.find_element("id", "result-count").get_attribute("data-total")) == total
    assert set(without_marks) <= set(with_marks) | set(without_marks)

    browser.find_element("name", "since").send_keys("01/03/2019")
    browser.find_element("name", "until").send_keys("31/03/2019")
    click_and_wait(browser, browser.find_element("css selector", ".search-form button[type=submit]"))
    assert browser.find_element("id", "result-count").get_attribute("data-total") == "1"
    assert browser.find_element("name", "since").get_attribute("value") == "01/03/2019"

    titles = search(browser, site, "dong da")
    assert titles and titles[0] == DONGDA_TITLE
    assert "Đống" in {mark.text for mark in browser.find_elements("css selector", "mark")}

    search(browser, site, "nông thôn mới")
    click_and_wait(browser, browser.find_element("css selector", ".pagination a[rel=next]"))
    assert len(browser.find_elements("css selector", ".hit")) == FILLER_COUNT + 1 - 20
    assert browser.find_element("css selector", ".pagination strong").text == "2"


def test_open_article_from_results(site, browser, shots):
    search(browser, site, "nong thon moi 2019")
    click_and_wait(browser, browser.find_element("css selector", ".hit-title a"))
    assert browser.find_element("css selector", "h1.article-title").text.startswith("Xây dựng nông thôn mới năm 2019")
    # the title contains a literal <b>: shown as text, never as markup
    assert "<b>" in browser.find_element("css selector", "h1.article-title").text
    assert not browser.find_elements("css selector", "h1.article-title b")
    meta = browser.find_element("css selector", ".article-meta").text
    assert "14/03/2019 15:41" in meta and "Nông Linh" in meta
    assert len(browser.find_elements("css selector", "#captures tbody tr")) == 2
    assert image_width(browser, browser.find_element("css selector", ".images img")) == IMAGE_WIDTH
    diff = browser.find_element("css selector", ".version[open] .diff")
    assert diff.find_element("tag name", "del").text == "18"
    assert diff.find_element("tag name", "ins").text == "19"
    citation = browser.find_element("id", "citation-text").get_attribute("value")
    assert NTM_URL in citation and "sha256:" in citation and "urn:uuid:" in citation
    screenshot(browser, shots, "article")

    click_and_wait(browser, browser.find_element("css selector", "a[href^='/citation?capture=']"))
    assert browser.find_element("id", "citation-text").get_attribute("value").startswith("“Xây dựng")
    screenshot(browser, shots, "citation")


def test_snapshot_renders_archived_page_and_scripts_never_run(site, browser, shots):
    browser.get(f"{site}/article?url={quote(NTM_URL, safe='')}")
    title_before = browser.title
    click_and_wait(browser, browser.find_element("css selector", ".article-links a[href^='/snapshot']"))
    banner = browser.find_element("id", "snapshot-banner").text
    assert NTM_URL in banner and "sha1:" in banner
    frame = browser.find_element("id", "snapshot-frame")
    browser.switch_to.frame(frame)
    wait_loaded(browser)
    # the archived page, its archived image and stylesheet, all from the archive
    assert browser.find_element("css selector", "h1.title").text == "Xây dựng nông thôn mới năm 2019"
    image = browser.find_element("id", "main-image")
    assert image_width(browser, image) == IMAGE_WIDTH
    assert browser.find_element("css selector", "h1.title").value_of_css_property("color") == "rgba(0, 90, 160, 1)"
    html = browser.find_element("tag name", "html")
    script_ran = html.get_attribute("data-script-ran"), html.get_attribute("data-onload-ran")
    browser.switch_to.default_content()
    screenshot(browser, shots, "snapshot", viewport_only=True)

    # nothing the archived script tried reached the app's origin
    assert "archived_script" not in browser.execute_script("return document.cookie")
    assert browser.execute_script("return window.localStorage.getItem('archived_script')") is None
    assert browser.title != "HACKED" and "HACKED" not in title_before
    assert browser.find_element("tag name", "body").get_attribute("data-hacked") is None
    assert script_ran == (None, None)
    assert frame.get_attribute("sandbox") == "allow-top-navigation-by-user-activation"


def test_archived_page_opened_alone_still_sandboxed(site, browser):
    browser.get(f"{site}/snapshot?url={quote(NTM_URL, safe='')}")
    raw_url = browser.find_element("id", "snapshot-frame").get_attribute("src")
    browser.get(raw_url)
    assert browser.find_element("css selector", "h1.title").text
    assert browser.find_element("tag name", "html").get_attribute("data-script-ran") is None
    browser.get(site + "/")
    assert "archived_script" not in browser.execute_script("return document.cookie")
    assert browser.execute_script("return window.localStorage.getItem('archived_script')") is None


def test_gone_article_and_language_switch(site, browser, shots):
    browser.get(f"{site}/article?url={quote(REMOVED_URL, safe='')}")
    status = browser.find_element("id", "article-status")
    assert "status-gone" in status.get_attribute("class") and "404" in status.text
    screenshot(browser, shots, "article-gone")
    click_and_wait(browser, browser.find_element("css selector", ".langs a[hreflang=en]"))
    assert browser.find_element("tag name", "html").get_attribute("lang") == "en"
    assert "Gone from the portal" in browser.find_element("id", "article-status").text
    assert browser.current_url.startswith(f"{site}/article?url=")
    search(browser, site, "nong thon moi")
    assert "results" in browser.find_element("id", "result-count").text
    screenshot(browser, shots, "search-en")
    click_and_wait(browser, browser.find_element("css selector", ".langs a[hreflang=vi]"))
    assert browser.find_element("tag name", "html").get_attribute("lang") == "vi"


def test_browser_language_preference_and_friendly_errors(site, shots):
    driver = chromium.start_driver("en-US,en")
    try:
        driver.get(site + "/")
        assert driver.find_element("tag name", "html").get_attribute("lang") == "en"
        driver.get(site + "/article?url=http%3A%2F%2Fnowhere.test%2Fmissing")
        assert driver.find_element("css selector", ".error-page h1").text == "Not found"
        assert "nowhere.test/missing" in driver.find_element("css selector", ".error-message").text
        screenshot(driver, shots, "error")
    finally:
        driver.quit()


def test_link_in_archived_page_opens_its_snapshot_view(site, browser):
    browser.get(f"{site}/snapshot?url={quote(NTM_URL, safe='')}&at=20190314")
    browser.switch_to.frame(browser.find_element("id", "snapshot-frame"))
    wait_loaded(browser)
    from selenium.webdriver.support.ui import WebDriverWait
    browser.find_element("link text", "tin khác").click()
    browser.switch_to.default_content()
    WebDriverWait(browser, 30).until(lambda d: quote(DONGDA_URL, safe="") in d.current_url)
    assert browser.current_url.startswith(f"{site}/snapshot?url=")
    assert DONGDA_URL in browser.find_element("id", "snapshot-url").text
    assert "archived_script" not in browser.execute_script("return document.cookie")
    # a javascript: link aimed at the top window does nothing either
    browser.get(f"{site}/snapshot?url={quote(NTM_URL, safe='')}")
    browser.switch_to.frame(browser.find_element("id", "snapshot-frame"))
    wait_loaded(browser)
    browser.find_element("id", "js-link").click()
    browser.switch_to.default_content()
    assert "js_link" not in browser.execute_script("return document.cookie")


def test_token_mode_in_a_browser(tmp_path_factory, browser):
    """With a token, the sandboxed frame (which sends no cookie) still shows the archived page
    and its image, and a click on one of its links stays signed in."""
    archive = build_archive(tmp_path_factory.mktemp("web-token") / "data")
    with chromium.served(archive.data_dir, token="s3cret") as base_url:
        browser.get(base_url + "/?q=dong+da")
        assert browser.find_element("css selector", ".error-page h1").text == "Cần mã truy cập"
        browser.get(base_url + "/?q=dong+da&token=s3cret")
        assert "token" not in browser.current_url
        assert browser.find_element("id", "result-count").get_attribute("data-total") == "1"
        browser.get(f"{base_url}/snapshot?url={quote(NTM_URL, safe='')}&at=20190314")
        browser.switch_to.frame(browser.find_element("id", "snapshot-frame"))
        wait_loaded(browser)
        assert image_width(browser, browser.find_element("id", "main-image")) == IMAGE_WIDTH
        from selenium.webdriver.support.ui import WebDriverWait
        browser.find_element("link text", "tin khác").click()
        browser.switch_to.default_content()
        WebDriverWait(browser, 30).until(lambda d: quote(DONGDA_URL, safe="") in d.current_url)
        assert DONGDA_URL in browser.find_element("id", "snapshot-url").text


EVIL_JS = "http://langgiang.bacgiang.test/js/evil.js"


def test_archived_script_injected_into_an_app_page_cannot_run(tmp_path_factory, browser):
    """Suppose an archived page's markup reached an app page: its <script src="/raw/...js">
    (same origin) must not run there. The app's own script and stylesheet still work."""
    from selenium.webdriver.support.ui import WebDriverWait

    from tests.browser.archive_fixture import HOST, build_single_article
    url = HOST + "/vi/news/co-script-1.html"
    article = {"url": url, "canonical": url, "title": "Trang có script", "published": "2019-03-14",
               "author": None, "body": "Trang có script ngoài.", "images": [], "attachments": []}
    html = f'<html><head><script src="{EVIL_JS}"></script></head><body><p>Trang có script ngoài.</p></body></html>'
    archive = build_single_article(tmp_path_factory.mktemp("web-evil") / "data", article, html.encode(),
                                   ((EVIL_JS, b"window.top.evilRan = true; document.title = 'EVIL';",
                                     "application/javascript"),))
    with chromium.served(archive.data_dir) as base_url:
        browser.get(f"{base_url}/citation?url={quote(url, safe='')}")
        # the app's own nonced script ran (it shows the copy button) and its stylesheet applies
        assert browser.find_element("css selector", "button.copy-button").is_displayed()
        assert browser.find_element("css selector", ".topbar").value_of_css_property("display") == "flex"
        raw_page = f"/raw/20190314084105/{url}"
        browser.execute_script("""
            window.cspBlocked = [];
            document.addEventListener("securitypolicyviolation", e => window.cspBlocked.push(e.blockedURI));
            window.scriptLoaded = false;
            const html = arguments[0];
            const fragment = document.createRange().createContextualFragment(html);
            fragment.querySelectorAll("script").forEach(s => s.addEventListener("load", () => { window.scriptLoaded = true; }));
            document.body.appendChild(fragment);
        """, _raw_html(base_url, raw_page))
        injected = browser.find_elements("css selector", "body > script[src*='/raw/']")
        assert injected, "the archived page's script element is in the app page"
        WebDriverWait(browser, 20).until(
            lambda d: d.execute_script("return window.cspBlocked.length > 0 || window.scriptLoaded || !!window.evilRan"))
        assert browser.execute_script("return window.evilRan") is None
        assert browser.title != "EVIL"
        assert any("/raw/" in blocked for blocked in browser.execute_script("return window.cspBlocked"))


def _raw_html(base_url: str, path: str) -> str:
    """The archived page as the app serves it under /raw/ (rewritten to point into the archive)."""
    import urllib.request
    with urllib.request.urlopen(base_url + path, timeout=30) as response:
        return response.read().decode("utf-8")
