"""Requests go out as the portal linked them; the canonical form is only the already-seen
key, and every lookup finds a capture from any spelling of its URL.

A loopback portal links one article with its parameters in a non-sorted order, then again
sorted, with a session id and with a fragment; it answers any order (as real servers do)
and logs what it was asked for.
"""
from __future__ import annotations

import json
import subprocess
import zipfile
from urllib.parse import parse_qsl, quote, urlsplit

import pytest
from warcio.archiveiterator import ArchiveIterator

from archive.index import Index
from archive.snapshot import snapshot
from archive.web import make_app
from tests.browser.wsgi_client import call
from tests.support import cli_crawl
from tests.support.loopback import PortalHandler, serving

HOST = "linked.test"
LINKED = f"http://{HOST}/index.asp?module=tintuc&task=chitiet&id=3359&cat=3"
SORTED = f"http://{HOST}/index.asp?cat=3&id=3359&module=tintuc&task=chitiet"
WITH_SID = f"http://{HOST}/index.asp?module=tintuc&task=chitiet&id=3359&cat=3&sid=9f8e7d6c"
OTHER_ORDER = f"http://LINKED.test:80/index.asp?task=chitiet&cat=3&module=tintuc&id=3359#binh-luan"
# a path a browser percent-encodes (space, Vietnamese letters) before sending it
SPACED = f"http://{HOST}/tin tức/Hội nghị 3360.html"
SPACED_SENT = f"http://{HOST}/tin%20t%E1%BB%A9c/H%E1%BB%99i%20ngh%E1%BB%8B%203360.html"
TITLE = "Hội nghị tổng kết công tác xây dựng nông thôn mới năm 2019"
BODY = "Sáng ngày 14/3, huyện tổ chức hội nghị tổng kết công tác xây dựng nông thôn mới. " * 8


def page(title: str, body: str, links: str = "") -> bytes:
    return (f"<html><head><meta charset='utf-8'><title>{title}</title></head><body>"
            f"<h1>{title}</h1><p>Ngày 14/03/2019 15:41:05</p><p>{body}</p><p>Thùy Dung</p>"
            f"{links}<p><a href='/'>Trang chủ</a></p></body></html>").encode("utf-8")


HOME = ("<html><head><meta charset='utf-8'><title>Huyện Yên Thọ</title></head><body>"
        f"<a href='/index.asp?module=tintuc&amp;task=chitiet&amp;id=3359&amp;cat=3'>{TITLE}</a>"
        f"<a href='/index.asp?cat=3&amp;id=3359&amp;module=tintuc&amp;task=chitiet'>{TITLE}</a>"
        f"<a href='index.asp?module=tintuc&amp;task=chitiet&amp;id=3359&amp;cat=3&amp;sid=9f8e7d6c'>x</a>"
        f"<a href='/index.asp?module=tintuc&amp;task=chitiet&amp;id=3359&amp;cat=3#binh-luan'>y</a>"
        f"<a href='/tin tức/Hội nghị 3360.html'>Hội nghị 3360</a>"
        "</body></html>").encode("utf-8")


class Portal(PortalHandler):
    def do_GET(self):  # noqa: N802
        self.server.requests.append(self.path)
        parts = urlsplit(self.path)
        query = {k: v for k, v in parse_qsl(parts.query) if k != "sid"}
        if parts.hostname != HOST:
            body, status = b"", 502
        elif parts.path == "/robots.txt":
            body, status = b"User-agent: *\nDisallow: /admin/\n", 200
        elif parts.path == "/":
            body, status = HOME, 200
        elif parts.path == "/index.asp" and query == {"module": "tintuc", "task": "chitiet", "id": "3359",
                                                     "cat": "3"}:
            body, status = page(TITLE, BODY), 200
        elif parts.path == "/tin%20t%E1%BB%A9c/H%E1%BB%99i%20ngh%E1%BB%8B%203360.html":
            body, status = page("Hội nghị 3360 về chuyển đổi số", BODY.replace("nông thôn", "đô thị")), 200
        else:
            body, status = b"not here", 404
        self.answer(status, body)


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    data = tmp_path_factory.mktemp("as-linked") / "data"
    with serving(Portal, requests=[]) as server:
        cli_crawl.crawl([f"http://{HOST}/"], data, server.url)
    return {"data": data, "requests": list(server.requests)}


def target_uris(data) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in sorted((data / "warcs").glob("*.warc.gz")):
        with open(path, "rb") as stream:
            for record in ArchiveIterator(stream):
                found.setdefault(record.rec_type, []).append(record.rec_headers.get_header("WARC-Target-URI"))
    return found


def test_the_request_is_the_link_as_written(crawled):
    assert f"http://{HOST}/index.asp?module=tintuc&task=chitiet&id=3359&cat=3" in crawled["requests"]
    uris = target_uris(crawled["data"])
    assert LINKED in uris["response"] and LINKED in uris["request"]
    assert SORTED not in uris["response"] + uris["request"]


def test_a_browser_encodes_the_path_and_so_does_the_crawler(crawled):
    assert SPACED_SENT in target_uris(crawled["data"])["response"]


def test_spellings_of_one_url_are_fetched_once(crawled):
    article = [r for r in crawled["requests"] if r.startswith(f"http://{HOST}/index.asp")]
    assert len(article) == 1, article


@pytest.mark.parametrize("url", [LINKED, SORTED, WITH_SID, OTHER_ORDER])
def test_snapshot_finds_the_capture_from_any_spelling(crawled, url):
    with Index(crawled["data"] / "index.sqlite") as index:
        status, _, body = snapshot(index, crawled["data"] / "warcs", url)
    assert " 200 " in status and TITLE.encode() in body


def test_snapshot_cli_by_sorted_form(crawled):
    run = subprocess.run([*cli_crawl.CLI, "snapshot", SORTED, "--data", str(crawled["data"])], capture_output=True)
    assert run.returncode == 0, run.stderr
    assert TITLE.encode() in run.stdout


def test_index_keeps_the_url_as_linked(crawled):
    with Index(crawled["data"] / "index.sqlite") as index:
        captures = index.captures(SORTED)
        assert [c["url"] for c in captures] == [LINKED]
        assert index.article(SORTED) is not None and index.article(WITH_SID) is not None


@pytest.mark.parametrize("url", [SORTED, WITH_SID, SPACED])
def test_web_app_and_api_find_it(crawled, url):
    app = make_app(crawled["data"])
    captures = call(app, "/api/captures?url=" + quote(url, safe=""))
    assert captures.status == 200, captures.text
    assert any(c["url"] in (LINKED, SPACED_SENT) for c in json.loads(captures.text))
    citation = call(app, "/api/citation?url=" + quote(url, safe=""))
    assert citation.status == 200, citation.text
    assert json.loads(citation.text)["url"] in (LINKED, SPACED_SENT)


def test_export_wacz_by_sorted_form(crawled, tmp_path):
    out = tmp_path / "one.wacz"
    run = subprocess.run([*cli_crawl.CLI, "export-wacz", "-o", str(out), "--url", SORTED,
                          "--data", str(crawled["data"])], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    with zipfile.ZipFile(out) as wacz:
        pages = wacz.read("pages/pages.jsonl").decode("utf-8")
        index = "".join(wacz.read(n).decode("utf-8", "replace") for n in wacz.namelist() if n.startswith("indexes/"))
    assert "id=3359" in pages
    assert "id=3359" in index


def test_an_older_index_is_rekeyed_and_finds_captures_by_any_spelling(tmp_path):
    path = tmp_path / "index.sqlite"
    with Index(path) as index:
        index.add_capture(url=LINKED, timestamp="2024-03-01T10:00:00Z", status=200, mime="text/html",
                          payload_digest="sha1:X", warc_file="a.warc.gz", offset=0, length=10, record_id="<r1>")
        # as an index written before captures were keyed canonically, before article keys
        index.conn.execute("UPDATE captures SET url_key = ?", ("linked.test/index.asp?module=tintuc&task=chitiet"
                                                              "&id=3359&cat=3",))
        index.conn.execute("DELETE FROM schema_migrations WHERE component = 'index' AND version >= 4")
        index.conn.execute("DROP TABLE article_keys")
        assert index.nearest_capture(SORTED) is None
    with Index(path) as index:
        assert index.nearest_capture(SORTED)["url"] == LINKED
        assert index.conn.execute("SELECT count(*) FROM article_keys").fetchone()[0] == 0
