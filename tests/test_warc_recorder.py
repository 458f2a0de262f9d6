"""The Scrapy recorder end to end: real crawls (in subprocesses) of a loopback server,
real WARC files checked with warcio, a real SQLite index, snapshots read back."""
from __future__ import annotations

import gzip
import http.server
import json
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from archive.index import Index
from archive.snapshot import snapshot, snapshot_capture
from archive.warc import PROFILE_IDENTICAL, PROFILE_NOT_MODIFIED, WarcRef, iter_records, read_record
from archive.warc_metadata import decode_metadata
from tests.support.warc_check import warc_files, warcio_check

ROOT = Path(__file__).resolve().parents[1]
SAME = b"<html><body><p>" + "Cùng một nội dung. ".encode() * 200 + b"</p></body></html>"
GZ_TEXT = "<html><body>Trang nén gzip, gửi từng khúc</body></html>".encode()
HOME = (b"<html><body><a href='/a?x=1&y=2&z=%C3%A1'>a</a><a href='/gz'>gz</a>"
        b"<a href='/same1'>1</a><a href='/same2'>2</a><a href='/old'>old</a>"
        b"<a href='/etag'>etag</a></body></html>")


class PortalHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _send(self, status, body=b"", headers=()):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if status != 304:
            self.wfile.write(body)

    def do_GET(self):
        html = [("Content-Type", "text/html; charset=utf-8")]
        if self.path == "/":
            self._send(200, HOME, html)
        elif self.path.startswith("/a?"):
            self._send(200, b"<html>page a " + self.path.encode() + b"</html>", html)
        elif self.path in ("/same1", "/same2"):
            self._send(200, SAME, html)
        elif self.path == "/old":
            self._send(301, b"", [("Location", "/a?x=1&y=2&z=%C3%A1")])
        elif self.path == "/etag":
            if self.headers.get("If-None-Match") == '"v1"':
                self._send(304, headers=[("ETag", '"v1"')])
            else:
                self._send(200, b"<html>etag page</html>", html + [("ETag", '"v1"')])
        elif self.path == "/gz":
            self.send_response(200)
            for name, value in html + [("Content-Encoding", "gzip"), ("Transfer-Encoding", "chunked"),
                                       ("Set-Cookie", "a=1; Path=/"), ("Set-Cookie", "b=2; Path=/")]:
                self.send_header(name, value)
            self.end_headers()
            packed = gzip.compress(GZ_TEXT, mtime=0)  # same bytes every time
            for part in (packed[:7], packed[7:30], packed[30:]):
                self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
            self.wfile.write(b"0\r\n\r\n")
        else:
            self._send(404, b"not here", html)


CRAWL = textwrap.dedent("""
    import json, os, sys
    os.environ["TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS"] = ""
    import scrapy
    from scrapy.crawler import CrawlerProcess

    base, data, conditional = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
    seen = []

    class Site(scrapy.Spider):
        name = "site"
        custom_settings = {"HTTPERROR_ALLOWED_CODES": [304, 404]}

        async def start(self):
            yield scrapy.Request(base + "/", dont_filter=True)

        def parse(self, response):
            from portal_crawler.recorder import WarcRecorder
            recorder = self.crawler.get_extension(WarcRecorder)
            assert recorder is not None
            meta = response.meta
            ref = meta.get("warc_ref")
            links = response.css("a::attr(href)").getall()
            metadata = recorder.write_metadata(response.url, ref.record_id, {"outlinks": links})
            seen.append({"metadata": metadata and [metadata.filename, metadata.offset, metadata.length],"url": response.url, "status": response.status,
                         "ref": ref and [ref.filename, ref.offset, ref.length, ref.record_id],
                         "capture_id": meta.get("capture_id"), "revisit": meta.get("revisit"),
                         "payload_digest": meta.get("payload_digest")})
            for href in links:
                headers = {"If-None-Match": '"v1"'} if conditional and href == "/etag" else {}
                yield response.follow(href, headers=headers)

    process = CrawlerProcess({
        "PORTAL_ARCHIVE_DATA": data, "WARC_OPERATOR": "tests", "PORTAL_CRAWL_ID": 1,
        "EXTENSIONS": {"portal_crawler.recorder.WarcRecorder": 100},
        "ROBOTSTXT_OBEY": False, "TELNETCONSOLE_ENABLED": False, "LOG_LEVEL": "WARNING",
        "COOKIES_ENABLED": True})
    process.crawl(Site)
    process.start()
    print(json.dumps(seen))
""")


@pytest.fixture(scope="module")
def portal():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), PortalHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def crawl(base: str, data: Path, conditional: bool = False) -> dict[str, dict]:
    result = subprocess.run([sys.executable, "-c", CRAWL, base, str(data), "1" if conditional else "0"],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    return {page["url"]: page for page in json.loads(result.stdout.strip().splitlines()[-1])}


@pytest.fixture(scope="module")
def two_crawls(portal, tmp_path_factory):
    data = tmp_path_factory.mktemp("data")
    first = crawl(portal, data)
    first_files = warc_files(data / "warcs")
    first_bytes = sum(p.stat().st_size for p in first_files)
    second = crawl(portal, data, conditional=True)
    return data, first, second, first_files, first_bytes


def test_every_exchange_is_archived_whole_and_indexed(portal, two_crawls):
    data, first, _, first_files, _ = two_crawls
    warcio_check(*warc_files(data / "warcs"))
    assert not list((data / "warcs").glob("*.open"))
    with Index(data / "index.sqlite") as index:
        for url, page in first.items():
            ref = WarcRef(*page["ref"])
            record = read_record(data / "warcs", ref)
            assert record.target_uri == url
            [capture] = [c for c in index.captures(url) if c["record_id"] == ref.record_id]
            assert capture["id"] == page["capture_id"]
            assert (capture["warc_file"], capture["offset"], capture["length"]) == \
                (ref.filename, ref.offset, ref.length)
            assert capture["crawl_id"] == 1


def test_query_string_status_and_repeated_headers_kept(portal, two_crawls):
    data, first, _, _, _ = two_crawls
    page = first[portal + "/a?x=1&y=2&z=%C3%A1"]
    record = read_record(data / "warcs", WarcRef(*page["ref"]))
    assert record.http.start_line == "HTTP/1.1 200 OK"
    assert record.http.body.endswith(b"/a?x=1&y=2&z=%C3%A1</html>")
    gz = read_record(data / "warcs", WarcRef(*first[portal + "/gz"]["ref"]))
    assert gz.http.header_list("Set-Cookie") == ["a=1; Path=/", "b=2; Path=/"]
    assert gz.http.header("Transfer-Encoding") is None  # the body is stored de-chunked
    assert gzip.decompress(gz.http.body) == GZ_TEXT  # still content-encoded, as received


def test_request_records_hold_what_was_sent(portal, two_crawls):
    data, first, _, _, _ = two_crawls
    page = first[portal + "/same2"]
    with Index(data / "index.sqlite") as index:
        capture = index.capture(page["capture_id"])
    ref = WarcRef(*page["ref"])
    records = {r.record_id: r for r, _ in iter_records(data / "warcs" / ref.filename)}
    [request] = [r for r in records.values()
                 if r.rec_type == "request" and r.header("WARC-Concurrent-To") == ref.record_id]
    assert request.http.start_line == "GET /same2 HTTP/1.1"
    assert request.http.header("Host") == portal.split("//")[1]
    assert request.http.header("Referer") == portal + "/"
    # headers added by downloader middlewares are what went over the wire
    assert request.http.header("User-Agent") and "gzip" in request.http.header("Accept-Encoding")
    assert capture["url"] == portal + "/same2"


def test_identical_payload_becomes_a_revisit_and_snapshot_follows_it(portal, two_crawls):
    data, first, _, _, _ = two_crawls
    one, two = first[portal + "/same1"], first[portal + "/same2"]
    assert one["payload_digest"] == two["payload_digest"]
    assert [one["revisit"], two["revisit"]].count(True) == 1
    revisit = one if one["revisit"] else two
    original = two if revisit is one else one
    record = read_record(data / "warcs", WarcRef(*revisit["ref"]))
    assert record.rec_type == "revisit" and record.header("WARC-Profile") == PROFILE_IDENTICAL
    assert record.header("WARC-Refers-To") == original["ref"][3]
    assert record.header("WARC-Refers-To-Target-URI") == original["url"]
    with Index(data / "index.sqlite") as index:
        status, headers, body = snapshot(index, data / "warcs", revisit["url"], at="2000-01-01")
    assert status == "HTTP/1.1 200 OK" and body == SAME


def test_snapshot_decodes_the_body_and_shows_headers(portal, two_crawls):
    data, *_ = two_crawls
    with Index(data / "index.sqlite") as index:
        status, headers, body = snapshot(index, data / "warcs", portal + "/gz")
    assert body == GZ_TEXT
    assert [v for k, v in headers if k == "Set-Cookie"] == ["a=1; Path=/", "b=2; Path=/"]
    assert ("Content-Encoding", "gzip") in headers


def test_recrawl_of_unchanged_site_adds_few_bytes(portal, two_crawls):
    data, first, second, first_files, first_bytes = two_crawls
    new_files = [p for p in warc_files(data / "warcs") if p not in first_files]
    added = sum(p.stat().st_size for p in new_files)
    assert set(second) == set(first)
    pages_with_body = [p for p in second.values() if p["status"] == 200]
    assert all(p["revisit"] for p in pages_with_body)
    # no payload stored twice: only empty bodies (the 301) are written again in full;
    # the byte ratio on realistic pages is measured in bench/warc_bench.py
    stored = [r for path in new_files for r, _ in iter_records(path) if r.rec_type == "response"]
    assert stored and all(r.http.body == b"" for r in stored)
    assert added < first_bytes * 1.5
    warcio_check(*new_files)


def test_304_is_a_server_not_modified_revisit(portal, two_crawls):
    data, first, second, _, _ = two_crawls
    page = second[portal + "/etag"]
    assert page["status"] == 304 and page["revisit"]
    record = read_record(data / "warcs", WarcRef(*page["ref"]))
    assert record.header("WARC-Profile") == PROFILE_NOT_MODIFIED
    assert record.header("WARC-Refers-To") == first[portal + "/etag"]["ref"][3]
    with Index(data / "index.sqlite") as index:
        capture = index.capture(page["capture_id"])
        assert capture["record_type"] == "revisit" and capture["status"] == 304
        status, _, body = snapshot_capture(index, data / "warcs", capture)
    assert body == b"<html>etag page</html>" and status == "HTTP/1.1 200 OK"


def test_metadata_records_explain_pages_once(portal, two_crawls):
    data, first, second, _, _ = two_crawls
    home = first[portal + "/"]
    record = read_record(data / "warcs", WarcRef(*home["metadata"], ""))
    assert record.rec_type == "metadata" and record.target_uri.startswith("metadata://127.0.0.1:")
    assert record.header("WARC-Concurrent-To") == home["ref"][3]
    assert decode_metadata(record.header("Content-Type"), record.block)["outlinks"][0] == "/a?x=1&y=2&z=%C3%A1"
    assert all(page["metadata"] for page in first.values() if not page["revisit"])
    # an identical payload at the same URL: the original's metadata record still explains it
    copies = {portal + "/same1", portal + "/same2"}
    unchanged = [p for url, p in second.items() if p["revisit"] and p["status"] == 200 and url not in copies]
    assert unchanged and all(p["metadata"] is None for p in unchanged)
    # the same payload at another URL: links resolve differently, so it gets its own record
    assert sorted(bool(second[url]["metadata"]) for url in copies) == [False, True]
