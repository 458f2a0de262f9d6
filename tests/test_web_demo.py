"""Every page of the web app over the archive a real crawl makes (`portal-archive demo`)."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from urllib.parse import quote

import pytest

from archive.index import Index
from archive.web import make_app
from tests.browser.wsgi_client import call

LIVE_LINK = re.compile(r"""\s(?:src|href|action)=["']?(https?://[^"'\s>]+)""", re.IGNORECASE)
FRAME_SRC = re.compile(r'<iframe[^>]* src="([^"]+)"')


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    data = tmp_path_factory.mktemp("web-demo") / "data"
    run = subprocess.run([sys.executable, "-m", "portal_crawler.cli", "demo", "--data", str(data)],
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    with Index(data / "index.sqlite", readonly=True) as index:
        articles = [dict(row) for row in index.iter_articles()]
    assert len(articles) >= 10
    return make_app(data), articles


def test_every_article_page_snapshot_and_citation_renders(demo):
    app, articles = demo
    for article in articles:
        target = quote(article["url"], safe="")
        page = call(app, f"/article?url={target}")
        assert page.status == 200, article["url"]
        assert page.text.count('<tr class="capture') >= 1
        snapshot = call(app, f"/snapshot?url={target}")
        assert snapshot.status == 200
        frame = call(app, FRAME_SRC.search(snapshot.text).group(1).replace("&amp;", "&"))
        assert frame.status == 200 and frame.header("Content-Security-Policy").startswith("sandbox ")
        # nothing in the archived page points at the live web any more
        assert LIVE_LINK.findall(frame.text) == [], article["url"]
        citation = json.loads(call(app, f"/api/citation?url={target}").body)
        assert citation["sha256"].startswith("sha256:") and citation["record_id"].startswith("<urn:uuid:")


def test_archived_article_images_are_served(demo):
    app, articles = demo
    served = 0
    for article in articles:
        page = call(app, "/article?url=" + quote(article["url"], safe="")).text
        for source in re.findall(r'<img src="(/raw/[^"]+)"', page):
            image = call(app, source.replace("&amp;", "&"))
            assert image.status == 200 and image.header("Content-Type").startswith("image/"), source
            served += 1
    assert served > 0


def test_search_over_the_demo(demo):
    app, _ = demo
    plain = json.loads(call(app, "/api/search?q=nong+thon+moi").body)
    marked = json.loads(call(app, "/api/search?q=" + quote("nông thôn mới")).body)
    assert plain["total"] > 0 and marked["total"] > 0
    assert {hit["url"] for hit in marked["hits"]} <= {hit["url"] for hit in plain["hits"]}
