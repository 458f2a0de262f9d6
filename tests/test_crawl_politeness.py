"""Crawl limits and politeness against a loopback proxy for a `.test` portal: the document
size cap is counted, robots.txt's Crawl-delay and Disallow are obeyed, the user agent names
the tool."""
from __future__ import annotations

import json
import sqlite3
import subprocess
import sys

import pytest

from tests.support.portal_proxy import portal_proxy

CLI = [sys.executable, "-m", "portal_crawler.cli"]
HOST = "limits.test"
ARTICLE = ("<html><head><meta charset='utf-8'><title>Tin</title></head><body><h1>Hội nghị tổng kết</h1>"
           "<p>Ngày 14/03/2019 15:41:05</p><p>" + "Nội dung bài viết về nông thôn mới. " * 20 + "</p>"
           "<p><a href='/files/big.pdf'>Kế hoạch số 45</a></p><p><a href='/private/x.html'>x</a></p>"
           "<p><a href='/tin/2.html'>Tin 2</a></p><p>Thùy Dung</p></body></html>")
PAGES = {
    "/robots.txt": ("text/plain", b"User-agent: *\nCrawl-delay: 1\nDisallow: /private/\n"),
    "/": ("text/html; charset=utf-8", ARTICLE.encode("utf-8")),
    "/tin/2.html": ("text/html; charset=utf-8", ARTICLE.replace("/tin/2.html", "/").encode("utf-8")),
    "/files/big.pdf": ("application/pdf", b"%PDF-1.4\n" + b"0" * 200_000),
    "/private/x.html": ("text/html", b"<html>secret</html>"),
}


@pytest.fixture(scope="module")
def crawl(tmp_path_factory):
    data = tmp_path_factory.mktemp("limits") / "data"
    with portal_proxy(HOST, PAGES) as server:
        result = subprocess.run([*CLI, "crawl", f"http://{HOST}/", "--data", str(data), "--proxy", server.proxy_url,
                                 "-s", "PORTAL_DOCUMENT_MAX_SIZE=50000"], capture_output=True, text=True,
                                timeout=300)
    db = sqlite3.connect(data / "index.sqlite")
    stats = json.loads(db.execute("SELECT stats FROM crawls").fetchone()[0])["stats"]
    return {"result": result, "log": server.log, "stats": stats}


def test_crawl_finishes(crawl):
    assert crawl["result"].returncode == 0, crawl["result"].stderr[-2000:]


def test_document_over_the_cap_is_counted_not_archived(crawl):
    assert crawl["stats"].get("documents/size_capped") == 1


def test_robots_disallow_obeyed(crawl):
    paths = [p for _, p, _ in crawl["log"]]
    assert "/robots.txt" in paths
    assert "/private/x.html" not in paths


def test_crawl_delay_obeyed(crawl):
    pages = [t for t, p, _ in crawl["log"] if p != "/robots.txt"]
    gaps = [b - a for a, b in zip(pages, pages[1:])]
    assert len(pages) >= 3
    assert min(gaps) >= 0.9, gaps


def test_user_agent_names_the_tool(crawl):
    agents = {ua for _, _, ua in crawl["log"]}
    assert all(ua.startswith("portal-archive/") and "+http" in ua for ua in agents), agents
