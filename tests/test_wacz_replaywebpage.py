"""Our WACZ in ReplayWeb.page itself: its static files and service worker served on loopback
with one WACZ of a real crawl, driven by headless Chromium.

ReplayWeb.page comes from the npm registry (`.ci/replaywebpage.sh` unpacks it into
.cache/replaywebpage/); tests never download, so this file skips when it is absent.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest

from archive.index import Index
from archive.wacz import export_wacz
from portal_crawler.reindex import reindex
from tests.browser import chromium
from tests.support.legacy_warc import write_legacy_warc
from tests.support.range_server import range_server
from tests.support.recrawl import recrawled_demo

ROOT = Path(__file__).resolve().parents[1]
RWP_VERSION = "2.5.3"
RWP_DIR = Path(os.environ.get("REPLAYWEBPAGE_DIR", ROOT / ".cache" / "replaywebpage" / RWP_VERSION / "package"))
NOT_FOUND = "Archived Page Not Found"

pytestmark = [
    pytest.mark.skipif(chromium.unavailable_reason() is not None, reason=chromium.unavailable_reason() or ""),
    pytest.mark.skipif(not (RWP_DIR / "sw.js").is_file(),
                       reason=f"no ReplayWeb.page at {RWP_DIR} (run .ci/replaywebpage.sh)"),
]

# The documents of every frame reachable from the top page: ReplayWeb.page draws its UI in
# shadow DOM and the archived page in iframes (same origin: the service worker serves them).
FRAME_TEXTS = r"""
const found = [];
function visit(node) {
  if (!node) return;
  if (node.shadowRoot) visit(node.shadowRoot);
  if (node.tagName === 'IFRAME') {
    let doc = null;
    try { doc = node.contentDocument; } catch (e) {}
    if (doc && doc.documentElement) {
      found.push({href: String(doc.location.href), title: doc.title,
                  text: doc.body ? doc.body.innerText : ''});
      visit(doc.documentElement);
    }
  }
  for (const child of node.children || []) visit(child);
}
visit(document.documentElement);
return found;
"""


def squeeze(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def cli(*args: str) -> None:
    run = subprocess.run([sys.executable, "-m", "portal_crawler.cli", *args],
                         capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert run.returncode == 0, run.stderr[-2000:]


@pytest.fixture(scope="module")
def crawl_wacz(tmp_path_factory):
    """WACZ files exported (CLI) from a real crawl of the bundled demo portal: of everything,
    and of one article only (the web app's download: its records copied into a new WARC)."""
    work = tmp_path_factory.mktemp("rwp")
    data = work / "data"
    cli("demo", "--data", str(data))
    with Index(data / "index.sqlite", readonly=True) as index:
        articles = [dict(row) for row in index.iter_articles()]
    # an article with a few paragraphs, so the text checked is the article's, not a listing's
    article = max(articles, key=lambda a: len((a.get("body") or "").split("\n\n")))
    assert article["title"] and article["body"]
    cli("export-wacz", "-o", str(work / "all.wacz"), "--data", str(data))
    cli("export-wacz", "-o", str(work / "one.wacz"), "--url", article["url"], "--data", str(data))
    return {"all": work / "all.wacz", "one": work / "one.wacz"}, article


def replay_in_replaywebpage(wacz: Path, url: str, wanted: list[str]) -> None:
    """Open url from wacz in ReplayWeb.page; the archived page's own frame must show every
    wanted text (whitespace squeezed)."""
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.support.ui import WebDriverWait

    def shows_page(frame) -> bool:
        return frame["href"].endswith(url) and "mp_/" in frame["href"] and all(
            w in squeeze(frame["text"]) for w in wanted)

    def not_found(frame) -> bool:
        return NOT_FOUND in (frame["title"] or "") or NOT_FOUND in frame["text"]

    with range_server(RWP_DIR, {"/archive.wacz": wacz}) as base:
        driver = chromium.start_driver("vi")
        try:
            source = quote(f"{base}/archive.wacz", safe="")
            driver.get(f"{base}/?source={source}#view=replay&url={quote(url, safe='')}")
            frames = []

            def settled(d) -> bool:  # a "not found" page is a final answer too
                frames[:] = d.execute_script(FRAME_TEXTS)
                return any(shows_page(f) or not_found(f) for f in frames)

            try:
                WebDriverWait(driver, 90, poll_frequency=0.5).until(settled)
            except TimeoutException:
                pass  # the assertions below show what the frames held
        finally:
            driver.quit()
    answer = [(f["href"], f["title"], f["text"][:300]) for f in frames]
    assert not any(not_found(f) for f in frames), answer
    assert any(shows_page(f) for f in frames), answer


@pytest.mark.parametrize("export", ["all", "one"])
def test_replaywebpage_replays_an_archived_article(crawl_wacz, export):
    waczs, article = crawl_wacz
    paragraphs = [squeeze(p) for p in article["body"].split("\n\n") if p.strip()]
    replay_in_replaywebpage(waczs[export], article["url"],
                            [squeeze(article["title"]), paragraphs[0], paragraphs[-1]])


def test_replaywebpage_replays_the_page_of_an_old_warc_with_a_later_json_metadata_record(tmp_path):
    """Our WARCs of before held `application/json` metadata records: one dated after its
    page must not be what ReplayWeb.page finds for the page."""
    data = tmp_path / "data"
    url = "http://thoxuan.thanhhoa.test/tin-tuc/bai-cu.html"
    html = "<html><head><title>Bài cũ</title></head><body><p>Nội dung bài viết cũ của huyện.</p></body></html>"
    write_legacy_warc(data / "warcs" / "portal-archive-20240506070809000-00001-old.warc.gz", [(url, html)], "thoxuan")
    reindex(data)
    with Index(data / "index.sqlite") as index:
        export_wacz(data / "warcs", index, tmp_path / "old.wacz")
    replay_in_replaywebpage(tmp_path / "old.wacz", url, ["Nội dung bài viết cũ của huyện."])


def test_replaywebpage_replays_an_article_whose_newest_capture_is_a_304(tmp_path):
    """After a recrawl the newest record of an unchanged article is a 304 revisit (the server
    said so, and the WARC keeps it): its WACZ replays the article, not an empty page."""
    data = recrawled_demo(tmp_path / "data")
    with Index(data / "index.sqlite", readonly=True) as index:
        def newest_is_304(article) -> bool:
            captures = index.captures(article["url"])
            return bool(captures) and max(captures, key=lambda c: c["timestamp"])["status"] == 304
        articles = [dict(row) for row in index.iter_articles() if newest_is_304(row)]
    assert articles, "the recrawl recorded no 304 for an article"
    article = max(articles, key=lambda a: len((a.get("body") or "").split("\n\n")))
    cli("export-wacz", "-o", str(tmp_path / "recrawl.wacz"), "--data", str(data))
    paragraphs = [squeeze(p) for p in article["body"].split("\n\n") if p.strip()]
    replay_in_replaywebpage(tmp_path / "recrawl.wacz", article["url"],
                            [squeeze(article["title"]), paragraphs[0], paragraphs[-1]])
