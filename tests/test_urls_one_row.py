"""One article, one row: a print view with no canonical link, a Drupal-style /node/N shortlink
and the article itself are one article row whatever order they are indexed in; a category
page with a single long teaser is never an article.

The pages (tests/fixtures/views/) name no canonical URL: only what they share (title, date,
body) and the article's print link tie them together.
"""
from __future__ import annotations

import itertools
import json
import sqlite3
import subprocess
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest

from archive.index import Index
from archive.search import search
from archive.web import make_app
from tests.browser.wsgi_client import call
from portal_crawler.extract import extract
from tests.support import cli_crawl
from tests.support.loopback import PortalHandler, serving

FIXTURES = Path(__file__).parent / "fixtures" / "views"
HOST = "views.test"
ARTICLE = f"http://{HOST}/tin-tuc/hoi-nghi-tong-ket-nam-2019"
NODE = f"http://{HOST}/node/12"
PRINT = f"http://{HOST}/print/12"
CATEGORY = f"http://{HOST}/chuyen-muc/kinh-te"
PAGES = {ARTICLE: "article.html", NODE: "node.html", PRINT: "print.html", CATEGORY: "category.html"}
HEADERS = [("Content-Type", "text/html; charset=utf-8")]


def record(url: str, html: bytes | None = None) -> dict:
    return extract(html or (FIXTURES / PAGES[url]).read_bytes(), url, HEADERS).to_dict()


def index_in_order(path: Path, urls) -> Index:
    index = Index(path)
    crawl = index.start_crawl(["views"])
    for url in urls:
        rec = record(url)
        if rec["is_article"]:
            index.upsert_article(rec, site="views", crawl_id=crawl)
    return index


def article_rows(index: Index) -> list[tuple]:
    return index.conn.execute("SELECT id, url FROM articles ORDER BY id").fetchall()


@pytest.mark.parametrize("order", list(itertools.permutations([ARTICLE, NODE, PRINT])),
                         ids=lambda order: ">".join(urlsplit(u).path for u in order))
def test_views_of_one_article_are_one_row_in_any_order(tmp_path, order):
    with index_in_order(tmp_path / "index.sqlite", order) as index:
        rows = article_rows(index)
        assert [url for _, url in rows] == [ARTICLE]
        article = index.article(PRINT)
        assert article is not None and article["url"] == ARTICLE
        assert {NODE, PRINT} <= set(article["aliases"])
        assert index.article(NODE)["id"] == rows[0][0]
        hits = search(index, "nong thon moi").hits
        assert [hit.url for hit in hits] == [ARTICLE]
        assert index.conn.execute("SELECT count(*) FROM article_versions").fetchone()[0] == 1


@pytest.mark.parametrize("print_first", [True, False])
def test_a_print_view_the_article_links_is_its_alias_even_when_its_text_differs(tmp_path, print_first):
    html = (FIXTURES / "print.html").read_text(encoding="utf-8")
    short = html[:html.index("<p>Năm 2019")] + html[html.index("<p>Tác giả"):]  # the first paragraph only
    pages = [(PRINT, short.encode("utf-8")), (ARTICLE, None)]
    with Index(tmp_path / "index.sqlite") as index:
        crawl = index.start_crawl(["views"])
        for url, html_bytes in pages if print_first else pages[::-1]:
            index.upsert_article(record(url, html_bytes), site="views", crawl_id=crawl)
        assert [url for _, url in article_rows(index)] == [ARTICLE]
        assert PRINT in index.article(ARTICLE)["aliases"]
        assert [hit.url for hit in search(index, "nong thon moi").hits] == [ARTICLE]


def test_an_article_with_the_same_title_but_other_text_is_its_own_row(tmp_path):
    other = (FIXTURES / "article.html").read_bytes().replace(
        "huy động nguồn lực".encode(), "rà soát, đánh giá lại toàn bộ các tiêu chí, huy động nguồn lực".encode()
    ).replace("Năm 2019, huyện có thêm 3 xã".encode(), "Năm 2018, huyện chưa có thêm xã nào".encode()
              ).replace("thu nhập bình quân".encode(), "tổng sản phẩm".encode())
    other = other.replace(b"Ng\xc3\xa0y 14/03/2019", "Ngày 20/12/2018".encode())
    with Index(tmp_path / "index.sqlite") as index:
        crawl = index.start_crawl(["views"])
        index.upsert_article(record(ARTICLE), site="views", crawl_id=crawl)
        index.upsert_article(record(f"http://{HOST}/tin-tuc/hoi-nghi-tong-ket-nam-2018", other), site="views",
                             crawl_id=crawl)
        assert len(article_rows(index)) == 2


def test_a_category_page_with_one_long_teaser_is_not_an_article():
    assert record(CATEGORY)["is_article"] is False
    assert record(ARTICLE)["is_article"] is True


class Portal(PortalHandler):
    def do_GET(self):  # noqa: N802
        parts = urlsplit(self.path)
        url = f"http://{parts.hostname}{parts.path}"
        if parts.path == "/robots.txt":
            body, status = b"User-agent: *\n", 200
        elif parts.path == "/":
            # the print view and the shortlink come first: the article is reached last
            body = ("<html><head><meta charset='utf-8'><title>Huyện Yên Thọ</title></head><body>"
                    "<a href='/print/12'>In</a> <a href='/node/12'>Tin</a> <a href='/chuyen-muc/kinh-te'>Kinh tế</a>"
                    "</body></html>").encode("utf-8")
            status = 200
        elif url in PAGES:
            body, status = (FIXTURES / PAGES[url]).read_bytes(), 200
        else:
            body, status = b"not found", 404
        self.answer(status, body)


def test_a_crawl_gives_one_row_and_no_listing_row(tmp_path):
    data = tmp_path / "data"
    with serving(Portal) as server:
        cli_crawl.crawl([f"http://{HOST}/"], data, server.url)
    db = sqlite3.connect(data / "index.sqlite")
    try:
        urls = [url for (url,) in db.execute("SELECT url FROM articles")]
        aliases = {url for (url,) in db.execute("SELECT url FROM aliases")}
    finally:
        db.close()
    assert urls == [ARTICLE]
    assert {NODE, PRINT} <= aliases
    app = make_app(data)
    for url in (NODE, PRINT, ARTICLE + "?sid=1a2b3c"):
        answer = call(app, "/api/article?url=" + quote(url, safe=""))
        assert answer.status == 200 and json.loads(answer.text)["url"] == ARTICLE
    hits = json.loads(call(app, "/api/search?q=nong+thon+moi").text)
    assert [hit["url"] for hit in hits["hits"]] == [ARTICLE]
    rebuild = subprocess.run([*cli_crawl.CLI, "index", "--rebuild", "--data", str(data)], capture_output=True,
                             text=True)
    assert rebuild.returncode == 0, rebuild.stderr
    db = sqlite3.connect(data / "index.sqlite")
    try:
        assert [url for (url,) in db.execute("SELECT url FROM articles")] == [ARTICLE]
        assert {url for (url,) in db.execute("SELECT url FROM aliases")} == aliases
    finally:
        db.close()


def test_an_alias_never_fetched_finds_the_articles_capture(tmp_path):
    with Index(tmp_path / "index.sqlite") as index:
        crawl = index.start_crawl(["views"])
        capture = index.add_capture(url=ARTICLE, timestamp="2024-03-01T10:00:00Z", status=200, mime="text/html",
                                    payload_digest="sha1:X", warc_file="a.warc.gz", offset=0, length=10,
                                    record_id="<urn:uuid:1>", crawl_id=crawl)
        index.upsert_article(record(ARTICLE), site="views", capture_id=capture, crawl_id=crawl)
        assert index.nearest_capture(PRINT) is None
        assert index.capture_of_any_form(PRINT)["id"] == capture
        assert index.capture_of_any_form(PRINT, at="2030-01-01")["id"] == capture


def test_a_front_page_named_as_shortlink_is_not_taken(tmp_path):
    html = (FIXTURES / "article.html").read_bytes().replace(b'href="/node/12"', b'href="/"')
    with Index(tmp_path / "index.sqlite") as index:
        index.upsert_article(record(ARTICLE, html), site="views", crawl_id=index.start_crawl(["views"]))
        assert index.article(f"http://{HOST}/") is None
        assert PRINT in index.article(ARTICLE)["aliases"]


@pytest.mark.parametrize("print_first", [True, False])
def test_the_articles_own_page_gives_the_text_not_its_print_view(tmp_path, print_first):
    html = (FIXTURES / "print.html").read_text(encoding="utf-8")
    short = html[:html.index("<p>Phát biểu")] + html[html.index("<p>Tác giả"):]  # a paragraph short
    pages = [(PRINT, short.encode("utf-8")), (ARTICLE, None)]
    with Index(tmp_path / "index.sqlite") as index:
        for day in (1, 2):  # a second crawl sees the same pages again
            crawl = index.start_crawl(["views"])
            for url, html_bytes in pages if print_first else pages[::-1]:
                capture = index.add_capture(url=url, timestamp=f"2024-03-0{day}T10:00:00Z", status=200,
                                            mime="text/html", payload_digest=f"sha1:{url}", warc_file="a.warc.gz",
                                            offset=0, length=10, record_id=f"<{url}{day}>", crawl_id=crawl)
                index.upsert_article(record(url, html_bytes), site="views", capture_id=capture, crawl_id=crawl)
        article = index.article(ARTICLE)
        assert article["body"] == record(ARTICLE)["body"]
        assert article["versions"] == 1
        assert index.capture(article["capture_id"])["url"] == ARTICLE


@pytest.mark.parametrize("url, rank", [
    (ARTICLE, 0), (NODE, 1), (PRINT, 2), (f"http://{HOST}/in-bai-viet/hoi-nghi-12.html", 2),
    (f"http://{HOST}/Pages/tin.aspx?print=1", 2), (f"http://{HOST}/vi/tin-tuc?id=5542", 0),
    (f"http://{HOST}/tin-tuc/xay-dung-nha-in-moi.html", 0),
])
def test_which_url_names_the_article(url, rank):
    from archive.aliases import url_rank
    assert url_rank(url) == rank
