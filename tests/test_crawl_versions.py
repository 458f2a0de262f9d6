"""Recrawls: an article whose text changed gets a new version, an unchanged one does not, and
an unchanged page answered 304 is archived as a revisit."""
from __future__ import annotations

import email.utils
import hashlib
import sqlite3
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest

CLI = [sys.executable, "-m", "portal_crawler.cli"]
HOST = "versions.test"
MODIFIED = email.utils.formatdate(1552552865, usegmt=True)


def article(body: str, n: int) -> bytes:
    return (f"<html><head><meta charset='utf-8'><title>Tin {n}</title></head><body>"
            f"<h1>Hội nghị số {n} về nông thôn mới</h1><p>Ngày 14/03/2019 15:41:05</p>"
            f"<p>{body}</p><p>Thùy Dung</p><p><a href='/'>Trang chủ</a></p></body></html>").encode("utf-8")


class Portal(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802
        parts = urlsplit(self.path)
        pages = self.server.pages
        if parts.hostname != HOST or parts.path not in pages:
            self.send_error(404 if parts.hostname == HOST else 502)
            return
        body = pages[parts.path]
        etag = '"%s"' % hashlib.sha1(body).hexdigest()[:16]
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", MODIFIED)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def portal():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Portal)
    long_text = "Sáng nay, huyện tổ chức hội nghị tổng kết công tác xây dựng nông thôn mới. " * 6
    server.pages = {
        "/robots.txt": b"User-agent: *\nDisallow: /admin/\n",
        "/": ("<html><head><meta charset='utf-8'><title>Huyện</title></head><body>"
              "<a href='/tin/1.html'>Hội nghị số 1 về nông thôn mới</a>"
              "<a href='/tin/2.html'>Hội nghị số 2 về nông thôn mới</a></body></html>").encode("utf-8"),
        "/tin/1.html": article(long_text, 1),
        "/tin/2.html": article(long_text, 2),
    }
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()


def crawl(server, data):
    result = subprocess.run([*CLI, "crawl", f"http://{HOST}/", "--data", str(data), "--proxy",
                             f"http://127.0.0.1:{server.server_address[1]}",
                             # revalidate every page: no freshness window between these crawls
                             "-s", "PORTAL_ARTICLE_RECHECK_HOURS=0"], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr[-2000:]
    return result.stdout


def versions(data) -> dict[str, int]:
    db = sqlite3.connect(data / "index.sqlite")
    return dict(db.execute("SELECT a.url, count(v.id) FROM articles a JOIN article_versions v"
                           " ON v.article_id = a.id GROUP BY a.url"))


def test_changed_text_makes_a_version_unchanged_does_not(portal, tmp_path):
    data = tmp_path / "data"
    first = crawl(portal, data)
    assert "2 new" in first
    one, two = f"http://{HOST}/tin/1.html", f"http://{HOST}/tin/2.html"
    assert versions(data) == {one: 1, two: 1}

    portal.pages["/tin/2.html"] = article("Nội dung đã được sửa: hội nghị lùi sang tuần sau. " * 6, 2)
    second = crawl(portal, data)
    assert "1 changed" in second and "1 unchanged" in second, second
    assert versions(data) == {one: 1, two: 2}

    third = crawl(portal, data)
    assert "0 changed" in third, third
    assert versions(data) == {one: 1, two: 2}
    db = sqlite3.connect(data / "index.sqlite")
    body = db.execute("SELECT body FROM articles WHERE url = ?", (two,)).fetchone()[0]
    assert "lùi sang tuần sau" in body
    revisits = db.execute("SELECT count(*) FROM captures WHERE url = ? AND record_type = 'revisit'",
                          (one,)).fetchone()[0]
    assert revisits == 2  # answered 304 in the second and third crawls
