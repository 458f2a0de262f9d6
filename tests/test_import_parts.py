"""The parts of `portal-archive import` that need no archive: CDX answers, the choice of
captures, restored headers, Retry-After, and the one timeline per article in the index."""
from __future__ import annotations

import json
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from archive.index import Index
from archive.warc_reader import sha1_digest
from portal_crawler.rescue.cdx import Capture, in_range, page_count, parse_page
from portal_crawler.rescue.fetch import original_headers, retry_after
from portal_crawler.rescue.select import choose, host_of, on_hosts

CLI = [sys.executable, "-m", "portal_crawler.cli"]
PAGE = "http://thoxuan.thanhhoa.test/tin-tuc/bai-viet-12.html"


def test_wayback_json_with_a_resume_key_and_pywb_json_lines():
    wayback = json.dumps([
        ["urlkey", "timestamp", "original", "mimetype", "statuscode", "digest", "length"],
        ["test,thanhhoa,thoxuan)/", "20190102030405", "http://thoxuan.thanhhoa.test/", "text/html", "200",
         "AAAA", "512"],
        ["test,thanhhoa,thoxuan)/a.png", "2020", "http://thoxuan.thanhhoa.test/a.png", "image/png", "-", "BBBB", "-"],
        [], ["next-page-key"]])
    captures, resume = parse_page(wayback)
    assert resume == "next-page-key"
    assert captures[0] == Capture("http://thoxuan.thanhhoa.test/", "20190102030405", "text/html", 200, "AAAA", 512)
    assert captures[1].timestamp == "20200000000000" and captures[1].status is None
    lines = "\n".join(json.dumps(row) for row in [
        {"urlkey": "k", "timestamp": "20210101000000", "url": PAGE, "mime": "text/html", "status": "200",
         "digest": "sha1:CCCC", "length": "900", "offset": "1234", "filename": "CC-MAIN-1.warc.gz"}])
    captures, resume = parse_page(lines)
    assert resume is None
    assert (captures[0].digest, captures[0].offset, captures[0].filename) == ("CCCC", 1234, "CC-MAIN-1.warc.gz")


def test_page_counts_of_paged_indexes_and_a_plain_listing():
    assert page_count("12\n") == 12
    assert page_count('{"pages": 3, "pageSize": 5, "blocks": 14}') == 3
    one_line = json.dumps({"urlkey": "k", "timestamp": "20210101000000", "url": PAGE, "pages": 2})
    assert page_count(one_line) is None and page_count("") is None and page_count("[]") is None


def capture(ts, digest, url=PAGE, mime="text/html", status=200):
    return Capture(url, ts, mime, status, digest)


def test_dates_read_as_the_cdx_api_reads_them():
    assert in_range("20210620101500", "2021", "2021") and in_range("20211231235959", "2021", "2021")
    assert not in_range("20201231235959", "2021", "2021") and not in_range("20220101000000", "2021", "2021")
    assert in_range("20190315083000", None, "20190315") and not in_range("20190316000000", None, "20190315")
    assert in_range("20250101000000", "2019", None)


def test_captures_of_other_hosts_are_told_apart():
    listed = [capture("20190101000000", "A"), capture("20190101000000", "B", url="http://www.thoxuan.thanhhoa.test/"),
              capture("20190101000000", "C", url="http://evil.test/thoxuan.thanhhoa.test/x"),
              capture("20190101000000", "D", url="http://thoxuan.thanhhoa.test/a\r\nSet-Cookie: x=1"),
              capture("20190101000000", "E", url="http://thoxuan.thanhhoa.test.evil.test/")]
    mine, others = on_hosts(listed, ("thoxuan.thanhhoa.test",))
    assert [c.digest for c in mine] == ["A", "B"] and [c.digest for c in others] == ["C", "D", "E"]
    assert host_of("http://x.test:8080/") == "x.test:8080" and host_of("http://x.test:80/") == "x.test"


def test_the_oldest_capture_of_a_held_page_is_chosen_when_older_than_what_is_held():
    key = "thoxuan.thanhhoa.test/tin-tuc/bai-viet-12.html"
    captures = [capture("20190101000000", "A"), capture("20200101000000", "A"), capture("20210101000000", "A")]
    held = {(key, "A")}
    # held since 2026 (a crawl): 2019 dates the first sighting; the middle and newest are held
    first = choose(captures, held, held_since={key: "20260101000000"})
    assert [c.timestamp[:4] for c in first.chosen] == ["2019"] and first.held == 2
    # held since 2019 already (an earlier import from elsewhere): nothing to add
    again = choose(captures, held, held_since={key: "20190101000000"})
    assert again.chosen == [] and again.held == 3
    # not for images and documents: a page's first sighting is what dates an article
    image = [capture("20190101000000", "I", url="http://thoxuan.thanhhoa.test/a.png", mime="image/png")]
    assert choose(image, {("thoxuan.thanhhoa.test/a.png", "I")}, held_since={"thoxuan.thanhhoa.test/a.png": "20260101000000"}).chosen == []


def test_choice_one_capture_a_payload_plus_the_newest_and_nothing_held():
    captures = [capture("20190101000000", "A"), capture("20200101000000", "A"), capture("20210101000000", "B"),
                capture("20220101000000", "A"), capture("20230101000000", "A"),
                capture("20190101000000", "S", url="http://thoxuan.thanhhoa.test/site.css", mime="text/css"),
                capture("20190101000000", None, url="http://thoxuan.thanhhoa.test/gone.html", status=404),
                capture("20240101000000", "A", mime="warc/revisit", status=None)]
    chosen = choose(captures).chosen
    assert [(c.timestamp[:4], c.digest) for c in chosen] == [("2019", "A"), ("2021", "B"), ("2024", "A")]
    held = choose(captures, held={("thoxuan.thanhhoa.test/tin-tuc/bai-viet-12.html", "A")})
    assert [c.digest for c in held.chosen] == ["B"] and held.held == 5
    assert len(choose(captures, everything=True).chosen) == len(captures)


def test_headers_restored_from_the_prefixed_originals():
    wayback = [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", "11"),
               ("X-Archive-Orig-Server", "Microsoft-IIS/8.5"), ("X-Archive-Orig-Set-Cookie", "a=1"),
               ("X-Archive-Orig-Set-Cookie", "b=2"), ("Content-Encoding", "gzip"),
               ("Memento-Datetime", "Fri, 15 Mar 2019 08:30:00 GMT"), ("Link", "<...>; rel=original")]
    assert original_headers(wayback, 11) == [
        ("Content-Type", "text/html; charset=utf-8"), ("Content-Length", "11"), ("Content-Encoding", "gzip"),
        ("Server", "Microsoft-IIS/8.5"), ("Set-Cookie", "a=1"), ("Set-Cookie", "b=2")]
    # a length the body does not have is the replay's, not the page's
    assert ("Content-Length", "11") not in original_headers(wayback, 12)
    plain = [("Content-Type", "text/html"), ("Memento-Datetime", "x"), ("Vary", "Accept-Encoding")]
    assert original_headers(plain, 0) == [("Content-Type", "text/html"), ("Vary", "Accept-Encoding")]


def test_retry_after_seconds_or_date():
    assert retry_after("7") == 7.0
    assert retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0
    assert retry_after("soon") is None and retry_after(None) is None


def article(body: str) -> dict:
    return {"url": PAGE, "canonical": PAGE, "title": "Bài viết", "published": "2019-01-01", "author": None,
            "body": body, "is_article": True}


def test_an_older_capture_takes_its_place_in_time_not_the_newest(tmp_path):
    index = Index(tmp_path / "index.sqlite")
    crawl, imported = index.start_crawl(["thoxuan"]), index.start_crawl(["thoxuan"])
    assert index.upsert_article(article("Bản năm 2026."), captured="2026-01-01T00:00:00Z", crawl_id=crawl) == "new"
    index.mark_gone(PAGE, crawl)
    assert index.upsert_article(article("Bản gốc 2019."), captured="2019-01-01T00:00:00Z",
                                crawl_id=imported) == "changed"
    assert index.upsert_article(article("Bản sửa 2021."), captured="2021-01-01T00:00:00Z",
                                crawl_id=imported) == "changed"
    # the 2026 text seen already in 2023: that version starts then, no new one
    assert index.upsert_article(article("Bản năm 2026."), captured="2023-01-01T00:00:00Z",
                                crawl_id=imported) == "unchanged"
    # the text in force in 2020 was 2019's
    assert index.upsert_article(article("Bản gốc 2019."), captured="2020-01-01T00:00:00Z",
                                crawl_id=imported) == "unchanged"
    row = index.article(PAGE)
    assert row["body"] == "Bản năm 2026." and row["versions"] == 3 and row["gone"] is not None
    assert row["first_captured"] == "2019-01-01T00:00:00Z"
    versions = index.article_versions(row["id"])
    assert [(v["version"], v["captured"][:4], v["body"]) for v in versions] == [
        (1, "2019", "Bản gốc 2019."), (2, "2021", "Bản sửa 2021."), (3, "2023", "Bản năm 2026.")]
    assert [v["changed"] for v in versions] == [None, ["body"], ["body"]]


def test_one_page_at_two_times_in_one_run_gives_two_versions(tmp_path):
    index = Index(tmp_path / "index.sqlite")
    run = index.start_crawl(["thoxuan"])
    index.upsert_article(article("Bản gốc."), captured="2019-01-01T00:00:00Z", crawl_id=run)
    assert index.upsert_article(article("Bản sửa."), captured="2020-01-01T00:00:00Z", crawl_id=run) == "changed"
    # a print view of it in the same run is still the same version
    view = dict(article("Bản in."), url=PAGE + "?print=1")
    assert index.upsert_article(view, captured="2020-01-01T00:00:01Z", crawl_id=run) == "unchanged"
    # nor when the print view was captured first but is indexed later (merged worker files)
    assert index.upsert_article(view, captured="2019-12-31T00:00:00Z", crawl_id=run) == "unchanged"
    assert index.article(PAGE)["versions"] == 2


def test_bad_import_arguments_get_one_line(tmp_path):
    for args in (["thoxuan.thanhhoa.test", "--from", "last year"], ["no such site"],
                 ["thoxuan.thanhhoa.test", "-s", "IMPORT_RATE=0"], ["thoxuan.thanhhoa.test", "-s", "NOPE=1"],
                 ["thoxuan.thanhhoa.test", "--cdx", "ftp://x"], ["thoxuan.thanhhoa.test", "--limit", "0"],
                 # an inverted range; a replay with the Wayback Machine's listing; a CDX
                 # whose replay cannot be known (not a pywb collection's .../COLL/cdx)
                 ["thoxuan.thanhhoa.test", "--from", "2025", "--to", "2019"],
                 ["thoxuan.thanhhoa.test", "--replay", "http://127.0.0.1:9/c/"],
                 ["thoxuan.thanhhoa.test", "--cdx", "http://127.0.0.1:9/cdx/search/cdx"],
                 ["thoxuan.thanhhoa.test", "--cdx", "http://127.0.0.1:9/c/cdx?x=1"]):
        result = subprocess.run([*CLI, "import", *args, "--data", str(tmp_path / "d")], capture_output=True,
                                text=True, timeout=60)
        assert result.returncode == 2, (args, result.stderr)
        assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


def test_an_imported_404_does_not_mark_an_article_gone(tmp_path):
    from archive.timeline import SOURCE_ARCHIVE, SOURCE_URI
    from archive.warc import HttpExchange, WarcWriter, WriterConfig
    from portal_crawler.rescue.importer import IMPORT_PREFIX, index_files
    index = Index(tmp_path / "index.sqlite")
    index.upsert_article(article("Còn trên cổng."), captured="2026-01-01T00:00:00Z", crawl_id=index.start_crawl(["x"]))
    with WarcWriter(WriterConfig(str(tmp_path / "warcs"), prefix=IMPORT_PREFIX)) as writer:
        writer.write_imported(HttpExchange(PAGE, 404, [("Content-Type", "text/html")], b"not found"),
                              "2019-01-01T00:00:00Z", {SOURCE_URI: f"http://archive.test/web/2019id_/{PAGE}",
                                                       SOURCE_ARCHIVE: "http://archive.test/web/"})
    files = sorted((tmp_path / "warcs").glob("*.warc.gz"))
    index_files(index, files, set(files))
    assert index.article(PAGE)["gone"] is None
    assert index.captures(PAGE)[0]["source"] == "http://archive.test/web/"


class FakeArchive(BaseHTTPRequestHandler):
    """A pywb-shaped archive: `/c/cdx` answers JSON lines (ignoring from/to, as pywb does
    for a showNumPages probe) and `/c/{ts}id_/{url}` the payloads."""
    lines: list[dict] = []
    bodies: dict[str, bytes] = {}
    asked: list[str] = []

    def log_message(self, *args):
        pass

    def do_GET(self):
        self.asked.append(self.path)
        if self.path.startswith("/c/cdx?"):
            body = "\n".join(json.dumps(line) for line in self.lines).encode()
            status, mime = 200, "text/plain"
        else:
            url = self.path.split("id_/", 1)[-1]
            status, body, mime = (200, self.bodies[url], "text/html") if url in self.bodies else (404, b"", "text/plain")
        self.send_response(status)
        self.send_header("Content-Type", mime)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def test_other_hosts_in_a_listing_are_dropped_and_the_replay_derived_from_a_pywb_cdx(tmp_path):
    from archive.timeline import SOURCE_URI
    from archive.warc import iter_records
    page = b"<html><head><title>B\xc3\xa0i</title></head><body><p>N\xe1\xbb\x99i dung.</p></body></html>"
    evil = "http://thoxuan.thanhhoa.test/x\r\nSet-Cookie: a=1"
    line = {"urlkey": "k", "mime": "text/html", "status": "200", "length": "100"}
    FakeArchive.lines = [dict(line, timestamp="20190101000000", url=PAGE, digest=sha1_digest(page)[5:]),
                         dict(line, timestamp="20190101000000", url="http://other.test/a.html", digest="X"),
                         dict(line, timestamp="20190101000000", url=evil, digest="Y")]
    FakeArchive.bodies, FakeArchive.asked = {PAGE: page}, []
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeArchive)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        result = subprocess.run([*CLI, "import", "thoxuan.thanhhoa.test", "--cdx",
                                 f"http://127.0.0.1:{server.server_port}/c/cdx", "-s", "IMPORT_RATE=50",
                                 "--data", str(tmp_path / "d")], capture_output=True, text=True, timeout=120)
    finally:
        server.shutdown()
        server.server_close()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 other hosts" in result.stdout
    # the replay is the collection's: .../c/cdx -> .../c/
    assert [p for p in FakeArchive.asked if "id_/" in p] == [f"/c/20190101000000id_/{PAGE}"]
    stored = [r.target_uri for path in (tmp_path / "d" / "warcs").glob("*.warc.gz")
              for r, _ in iter_records(path) if r.header(SOURCE_URI)]
    assert stored == [PAGE]
    # the dropped URL is logged escaped, and what each site does is shown
    assert repr(evil) in result.stderr and "\r" not in result.stderr
    assert "thoxuan.thanhhoa.test: 1 captures listed, 1 chosen to fetch" in result.stderr
