"""A page longer than extraction reads (dom.MAX_CHARS): the cut is logged, flagged on the
article, counted in the crawl report, and the archived bytes stay whole."""
from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
import subprocess
import sys
from urllib.parse import urlsplit

import pytest

from portal_crawler.extract import extract
from portal_crawler.extract.dom import MAX_CHARS
from tests.support.portal_proxy import portal_proxy

HOST = "bigpage.test"
URL = f"http://{HOST}/tin-tuc/hoi-nghi-tong-ket-123.html"
ARTICLE = ("<html><head><meta charset='utf-8'><title>Hội nghị tổng kết</title></head><body>"
           "<h1>Hội nghị tổng kết năm 2023</h1><p>Ngày 14/03/2024 15:41:05</p><p>"
           + "Huyện tổ chức hội nghị tổng kết công tác xây dựng nông thôn mới. " * 12 + "</p><p>Thùy Dung</p>")
PADDING = 20 * 1024 * 1024  # a 20 MB page: a portal that inlines a huge data blob in a comment


def big_page(size: int) -> bytes:
    head = ARTICLE.encode("utf-8")
    tail = b"--></body></html>"
    return head + b"<!--" + b"x" * (size - len(head) - len(tail) - 4) + tail


def test_extraction_of_a_page_over_the_cap_warns_and_says_so(caplog):
    body = big_page(MAX_CHARS + 1000)
    with caplog.at_level(logging.WARNING, logger="portal_crawler.extract"):
        article = extract(body, URL, {"Content-Type": "text/html; charset=utf-8"})
    assert article.text_truncated and article.to_dict()["text_truncated"] is True
    assert article.title.startswith("Hội nghị tổng kết")  # what comes before the cut is read
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any(URL in message and str(MAX_CHARS) in message and "archived bytes are whole" in message
               for message in warnings), warnings
    small = extract(ARTICLE.encode("utf-8"), URL, {"Content-Type": "text/html; charset=utf-8"})
    assert small.text_truncated is False


@pytest.fixture(scope="module")
def crawl(tmp_path_factory):
    page = big_page(PADDING)
    pages = {"/": ("text/html", b"<html><body><a href='/tin-tuc/hoi-nghi-tong-ket-123.html'>Tin</a></body></html>"),
             "/robots.txt": ("text/plain", b"User-agent: *\n"),
             urlsplit(URL).path: ("text/html; charset=utf-8", page)}
    data = tmp_path_factory.mktemp("bigpage") / "data"
    with portal_proxy(HOST, pages) as server:
        result = subprocess.run([sys.executable, "-m", "portal_crawler.cli", "crawl", f"http://{HOST}/",
                                 "--data", str(data), "--proxy", server.proxy_url],
                                capture_output=True, text=True, timeout=600)
    return {"result": result, "data": data, "page": page}


def test_crawl_reports_the_cut_and_archives_every_byte(crawl):
    from warcio.archiveiterator import ArchiveIterator
    result = crawl["result"]
    assert result.returncode == 0, result.stderr[-2000:]
    assert "page-text 1" in result.stdout  # the report's "capped" line
    db = sqlite3.connect(crawl["data"] / "index.sqlite")
    summary = json.loads(db.execute("SELECT stats FROM crawls").fetchone()[0])
    assert summary["capped"]["page-text"] == 1 and summary["stats"]["extract/text_truncated"] == 1
    payloads = []
    for path in sorted((crawl["data"] / "warcs").glob("*.warc.gz")):
        with open(path, "rb") as stream:
            for record in ArchiveIterator(stream):
                if record.rec_type == "response" and record.rec_headers.get_header("WARC-Target-URI") == URL:
                    payloads.append(record.content_stream().read())
    assert len(payloads) == 1
    page = crawl["page"]
    assert len(payloads[0]) == len(page) and hashlib.sha256(payloads[0]).digest() == hashlib.sha256(page).digest()
    title = db.execute("SELECT title FROM articles WHERE url = ?", (URL,)).fetchone()
    assert title and title[0].startswith("Hội nghị tổng kết")
