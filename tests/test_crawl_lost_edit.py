"""An article edited between two visits keeps its newest text, whatever order its canonical
URL and its alias (a Drupal /node/N shortlink) answer in, and whatever the alias answers
(200 with the new text, a stale 304, 404, a redirect to the canonical URL).

Real crawls (the CLI) against a loopback portal; the second visit runs a day later on the
crawl's clock (PORTAL_NOW), under the default revisit policy, then the index is rebuilt
from the WARC files and must say the same."""
from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

import pytest

from archive.index import Index
from archive.snapshot import snapshot_capture
from tests.support.loopback import PortalHandler, serving

CLI = [sys.executable, "-m", "portal_crawler.cli"]
HOST = "edits.test"
CANONICAL = f"http://{HOST}/tin-tuc/hoi-nghi-nong-thon-moi.html"
ALIAS_PATH = "/node/17"
OLD = "Sáng nay, huyện tổ chức hội nghị tổng kết công tác xây dựng nông thôn mới năm nay. " * 5
NEW = "Nội dung đã được sửa: hội nghị lùi sang thứ Hai tuần sau vì mưa bão kéo dài. " * 5
TODAY = datetime.now(timezone(timedelta(hours=7))).strftime("%d/%m/%Y 08:30:00")


def article_page(text: str) -> bytes:
    return (f"<html><head><meta charset='utf-8'><title>Hội nghị nông thôn mới</title>"
            f"<link rel='canonical' href='{CANONICAL}'></head><body>"
            f"<h1>Hội nghị tổng kết nông thôn mới</h1><p>Ngày {TODAY}</p><p>{text}</p><p>Thùy Dung</p>"
            f"<p><a href='{ALIAS_PATH}'>Đường dẫn rút gọn</a> <a href='/'>Trang chủ</a></p></body></html>").encode()


class Portal(PortalHandler):
    """`self.server.plan`: first (which URL the home page links), text, alias and canonical
    modes: "200" (serve the current text), "304" (answer 304 to any validator: a server
    whose validator does not follow edits), "404", "301" (redirect to the canonical URL)."""

    host = HOST

    def respond(self, parts):
        plan = self.server.plan
        if parts.path == "/":
            first = CANONICAL if plan["first"] == "canonical" else ALIAS_PATH
            return self.answer(200, f"<html><body><a href='{first}'>Hội nghị</a></body></html>".encode())
        mode = {ALIAS_PATH: plan["alias"], urlsplit(CANONICAL).path: plan["canonical"]}.get(parts.path)
        if mode is None or mode == "404":
            return self.answer(404, b"<html><body>Not found</body></html>")
        if mode == "301":
            return self.answer(301, mime=None, Location=CANONICAL)
        body = article_page(plan["text"])
        etag = '"%s"' % hashlib.sha1(body).hexdigest()[:12]
        asked = self.headers.get("If-None-Match")
        if asked and (mode == "304" or asked == etag):
            return self.answer(304, ETag=asked)
        self.answer(200, body, ETag=etag)


@pytest.fixture(scope="module")
def portal():
    with serving(Portal) as server:
        yield server


def run(portal, *args):
    result = subprocess.run([*CLI, *args, "--proxy", portal.url]
                            if args[0] == "crawl" else [*CLI, *args], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    return result.stdout


def current_and_versions(data):
    """The article's text, its versions, and the archived page its row points at (what the
    web app and citations show as the article's capture)."""
    index = Index(data / "index.sqlite")
    try:
        rows = index.conn.execute("SELECT id, url, body, capture_id FROM articles").fetchall()
        assert [r["url"] for r in rows] == [CANONICAL]
        _, _, page = snapshot_capture(index, data / "warcs", index.capture(rows[0]["capture_id"]))
        return rows[0]["body"], index.article_versions(rows[0]["id"]), page.decode("utf-8")
    finally:
        index.close()


# every order the two URLs can answer in on the second visit
ORDERS = [(first, alias, "200") for first in ("canonical", "alias") for alias in ("200", "304", "404", "301")]
ORDERS += [(first, "200", "304") for first in ("canonical", "alias")]


@pytest.mark.parametrize("first,alias,canonical", ORDERS)
def test_the_newest_text_wins_in_any_order(portal, tmp_path, first, alias, canonical):
    data = tmp_path / "data"
    portal.plan = {"first": "canonical" if first == "alias" else "alias", "text": OLD, "alias": "200",
                   "canonical": "200"}
    out = run(portal, "crawl", f"http://{HOST}/", "--data", str(data))
    assert "1 new" in out, out

    portal.plan = {"first": first, "text": NEW, "alias": alias, "canonical": canonical}
    tomorrow = (datetime.now(timezone.utc) + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    out = run(portal, "crawl", f"http://{HOST}/", "--data", str(data), "-s", f"PORTAL_NOW={tomorrow}")
    assert "1 changed" in out, out

    body, versions, page = current_and_versions(data)
    assert "lùi sang thứ Hai" in body and "lùi sang thứ Hai" in page
    assert [v["version"] for v in versions] == [1, 2]
    assert all(v["body"] for v in versions), versions
    assert "tổng kết công tác" in versions[0]["body"]
    assert "lùi sang thứ Hai" in versions[1]["body"] and "body" in versions[1]["changed"]

    rebuilt = tmp_path / "rebuilt"
    shutil.copytree(data / "warcs", rebuilt / "warcs")
    run(portal, "index", "--rebuild", "--data", str(rebuilt))
    body_after, versions_after, page_after = current_and_versions(rebuilt)
    assert body_after == body and page_after == page
    assert [(v["version"], v["body"], v["changed"]) for v in versions_after] == \
        [(v["version"], v["body"], v["changed"]) for v in versions]
