"""A print view refetched with no validators and a per-request visitor counter makes no version.

A loopback portal serves articles, their print views (``?print=1`` and ``/in-bai-viet/<slug>``,
neither naming a canonical) and a visitor counter in every page that changes on every request,
with no ETag or Last-Modified.  Crawled, then recrawled twice on later days with
``--recheck all``: every article keeps exactly one version (its page's text; the print view is
an alias, and the counter line is chrome in either layout)."""
from __future__ import annotations

import re
import sqlite3
from datetime import timedelta

import pytest

from tests.support import cli_crawl
from tests.support.loopback import PortalHandler, serving

HOST = "printview.test"
TEXT = ("Sáng nay, Ủy ban nhân dân huyện tổ chức hội nghị tổng kết công tác xây dựng nông thôn mới "
        "năm qua và giao nhiệm vụ cho các xã trong năm tới. ")
SLUGS = {1: "hoi-nghi-nong-thon-moi-1", 2: "tap-huan-chuyen-doi-so-2", 3: "khai-giang-nam-hoc-3"}


def counter(server) -> str:
    server.visits += 1
    return f'<div class="counter">Lượt truy cập: {server.visits}</div>'


def article(n: int, server) -> bytes:
    slug = SLUGS[n]
    return (f"<html><head><meta charset='utf-8'><title>Tin {n} - Cổng thông tin</title></head><body>"
            f"<div class='menu'><a href='/'>Trang chủ</a> <a href='/gioi-thieu.html'>Giới thiệu</a></div>"
            f"<div class='content'><h1>Bài viết số {n} về {slug}</h1><p>Ngày 14/03/2019</p>"
            f"<p>{TEXT * 4}Bài {n}.</p><p>Thùy Dung</p>"
            f"<a href='/tin/{slug}.html?print=1'>In bài</a> <a href='/in-bai-viet/{slug}.html'>Bản in</a></div>"
            f"<div class='footer'>Cổng thông tin điện tử huyện</div>{counter(server)}</body></html>").encode()


def print_view(n: int, server, layout: str) -> bytes:
    """The print layout: its own header and footer; one names the article by rel=canonical,
    the other only in a footer line (as two real portals do)."""
    url = f"http://{HOST}/tin/{SLUGS[n]}.html"
    head = f"<link rel='canonical' href='{url}'>" if layout == "canonical" else ""
    foot = f"URL của bài viết: {url}" if layout == "canonical" else f"Địa chỉ bài viết: {url}"
    return (f"<html><head><meta charset='utf-8'><title>Tin {n} - Cổng thông tin</title>{head}</head>"
            f"<body onload='window.print();'><div class='print-header'>CỔNG THÔNG TIN HUYỆN</div>"
            f"<h1>Bài viết số {n} về {SLUGS[n]}</h1><div class='time'>14/03/2019</div>"
            f"<div class='hometext'><strong>{TEXT}</strong></div>"
            f"<div class='bodytext'><p>{TEXT * 3}Bài {n}.</p><p>Thùy Dung</p></div>"
            f"<div class='print-footer'>{foot}</div>{counter(server)}</body></html>").encode()


class Portal(PortalHandler):
    host = HOST

    def respond(self, parts):
        server = self.server
        if parts.path == "/":
            links = "".join(f"<li><a href='/tin/{s}.html'>Tin {n}</a></li>" for n, s in SLUGS.items())
            return self.answer(200, f"<html><body><ul>{links}</ul>{counter(server)}</body></html>".encode())
        by_slug = {s: n for n, s in SLUGS.items()}
        match = re.fullmatch(r"/(tin|in-bai-viet)/([a-z0-9-]+)\.html", parts.path)
        if not match or match[2] not in by_slug:
            return self.answer(404, b"<html><body>Not found</body></html>")
        n = by_slug[match[2]]
        if match[1] == "in-bai-viet":
            return self.answer(200, print_view(n, server, "canonical"))
        if parts.query == "print=1":
            return self.answer(200, print_view(n, server, "footer"))
        return self.answer(200, article(n, server))


@pytest.fixture
def portal():
    with serving(Portal, visits=0) as server:
        yield server


def crawl(portal, data, *args, later: timedelta | None = None):
    return cli_crawl.crawl([f"http://{HOST}/"], data, portal.url, *args, later=later)


def test_print_views_and_a_counter_make_no_new_version(portal, tmp_path):
    data = tmp_path / "data"
    crawl(portal, data)
    assert any("print=1" in p for p in portal.requests) and any("/in-bai-viet/" in p for p in portal.requests)
    for days in (1, 2):
        crawl(portal, data, "--recheck", "all", later=timedelta(days=days))
    db = sqlite3.connect(data / "index.sqlite")
    rows = db.execute("SELECT a.url, a.body, count(v.id) FROM articles a"
                      " JOIN article_versions v ON v.article_id = a.id GROUP BY a.id ORDER BY a.url").fetchall()
    assert [url for url, _, _ in rows] == [f"http://{HOST}/tin/{s}.html" for s in sorted(SLUGS.values())], rows
    assert all(count == 1 for _, _, count in rows), rows
    bodies = [body for _, body, _ in rows]
    assert not any("Lượt truy cập" in body for body in bodies), bodies


def test_a_visitor_counter_line_is_never_the_body():
    from portal_crawler.extract import extract
    # a print view of an article with no text of its own: the counter is the only line left
    page = ("<!DOCTYPE html><html lang='vi'><head><meta charset='utf-8'><title>Khắc phục hậu quả mưa lớn"
            "</title></head><body class='print'><div class='print-header'>CỔNG THÔNG TIN ĐIỆN TỬ HUYỆN</div>"
            "<h1>Khắc phục hậu quả mưa lớn</h1><div class='cx-date'>Cập nhật ngày: 14-03-2024</div>"
            "<div class='ms-rtestate-field'></div><div class='print-footer'>Địa chỉ bài viết: "
            f"http://{HOST}/tin/khac-phuc.html</div><div class='counter'>Lượt truy cập: 12345</div></body></html>")
    article = extract(page.encode(), f"http://{HOST}/tin/khac-phuc.html?print=1")
    assert "truy cập" not in (article.body or ""), article.body
