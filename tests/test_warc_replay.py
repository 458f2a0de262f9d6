"""Replay tools on our WARC files: cdxj-indexer's index (always), and replay in pywb (its
own venv, see .ci/pywb-check.sh: only where that venv exists, because building it needs
the package index; CI builds it in .ci/run).

Only a page's response or revisit may ever be served as the page: the metadata record
written about it (a second later when extraction is slow) must not be."""
from __future__ import annotations

import gzip
import io
import json
import os
import re
import subprocess
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from cdxj_indexer.main import CDXJIndexer

from archive.warc import HttpExchange, WarcWriter, WriterConfig, iter_records
from tests.support.recrawl import recrawled_demo
from tests.support.warc_check import warc_files

ROOT = Path(__file__).resolve().parents[1]
PYWB_VENV = Path(os.environ.get("PYWB_VENV", ROOT / ".ci" / ".pywb-venv"))
needs_pywb = pytest.mark.skipif(not (PYWB_VENV / "bin" / "wayback").exists(),
                                reason=f"no pywb environment at {PYWB_VENV}")

PAGE_URL = "http://thoxuan.thanhhoa.test/tin-tuc/bai-1.html?id=7&cat=2"
PAGE = "<html><head><title>Bài 1</title></head><body>Tin huyện Thọ Xuân</body></html>".encode()


def later(iso_date: str, seconds: int) -> str:
    moment = datetime.strptime(iso_date[:19], "%Y-%m-%dT%H:%M:%S") + timedelta(seconds=seconds)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def write_pages_with_late_metadata(warcs: Path, max_size: int = 1_000_000) -> None:
    """A page and its copy at another URL (a revisit), each followed by the metadata record
    about it, dated after the page as a slow extraction makes it; the extraction result in
    it holds the page's own words, as a real one does."""
    with WarcWriter(WriterConfig(str(warcs), max_size=max_size)) as writer:
        headers = [("Content-Type", "text/html; charset=utf-8")]
        for url in (PAGE_URL, "http://thoxuan.thanhhoa.test/ban-in/7"):
            written = writer.write_exchange(HttpExchange(url, 200, headers, PAGE))
            writer.write_metadata(url, written.response.record_id,
                                  {"site": "thoxuan", "outlinks": [url],
                                   "article": {"title": "Bài 1", "body": "Tin huyện Thọ Xuân\n\n\u2028x"}},
                                  date=later(written.date, 5))


def test_cdxj_indexer_indexes_only_page_records_under_http_keys(tmp_path):
    write_pages_with_late_metadata(tmp_path)
    [path] = warc_files(tmp_path)
    types = {ref.offset: record.rec_type for record, ref in iter_records(path)}
    assert sorted(types.values()).count("metadata") == 2
    out = io.StringIO()
    out.close = lambda: None  # cdxj-indexer closes what it writes to
    CDXJIndexer(out, [str(path)]).process_all()  # its defaults, as pywb and others run it
    lines = [line.split(" ", 2) for line in out.getvalue().splitlines()]
    indexed = [(key, json.loads(fields)) for key, _ts, fields in lines]
    assert {types[int(fields["offset"])] for _key, fields in indexed} == {"response", "revisit"}
    assert all(fields["url"].startswith("http://") for _key, fields in indexed)
    assert [key for key, _ in indexed].count("test,thanhhoa,thoxuan)/tin-tuc/bai-1.html?cat=2&id=7") == 1


@needs_pywb
def test_pywb_serves_the_page_not_its_later_metadata(tmp_path):
    write_pages_with_late_metadata(tmp_path)
    result = subprocess.run(["bash", str(ROOT / ".ci" / "pywb-check.sh"), *map(str, warc_files(tmp_path))],
                            capture_output=True, text=True, timeout=300,
                            env={**os.environ, "PYWB_VENV": str(PYWB_VENV)})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2/2 captures returned their original bytes" in result.stdout
    # /2099id_/<url>: the newest capture pywb knows of the URL is the page itself
    assert "pywb newest: 2/2 URLs" in result.stdout, result.stdout


@needs_pywb
def test_pywb_replays_original_bytes_of_responses_and_revisits(tmp_path):
    page = "<html><body>Trang chủ huyện Thọ Xuân</body></html>".encode()
    with WarcWriter(WriterConfig(str(tmp_path), max_size=2000)) as writer:
        writer.write_exchange(HttpExchange("http://thoxuan.thanhhoa.test/?p=1&q=2", 200,
                                           [("Content-Type", "text/html; charset=utf-8"),
                                            ("Content-Encoding", "gzip"), ("Set-Cookie", "a=1"),
                                            ("Set-Cookie", "b=2")], gzip.compress(page, mtime=0)))
        writer.write_exchange(HttpExchange("http://thoxuan.thanhhoa.test/copy", 200,
                                           [("Content-Type", "text/html; charset=utf-8"),
                                            ("Content-Encoding", "gzip")], gzip.compress(page, mtime=0)))
        writer.write_exchange(HttpExchange("http://thoxuan.thanhhoa.test/doc.pdf", 200,
                                           [("Content-Type", "application/pdf")], b"%PDF-1.4 \x00\xff"))
    files = warc_files(tmp_path)
    assert len(files) > 1  # the revisit's original is in another file
    result = subprocess.run(["bash", str(ROOT / ".ci" / "pywb-check.sh"), *map(str, files)],
                            capture_output=True, text=True, timeout=300,
                            env={**os.environ, "PYWB_VENV": str(PYWB_VENV)})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3/3 captures returned their original bytes" in result.stdout


@pytest.fixture(scope="module")
def recrawled(tmp_path_factory):
    """The demo portals crawled, then recrawled a day later: unchanged pages answered 304."""
    return recrawled_demo(tmp_path_factory.mktemp("recrawl") / "data")


def test_a_304_revisit_names_the_capture_it_stands_for(recrawled):
    """A server-not-modified revisit keeps the server's 304 and refers to the 200 capture."""
    responses, not_modified = {}, []
    for path in warc_files(recrawled / "warcs"):
        for record, _ref in iter_records(path):
            if record.rec_type == "response":
                responses[record.record_id] = record
            elif record.rec_type == "revisit" and record.header("WARC-Profile").endswith("/server-not-modified"):
                not_modified.append(record)
    assert not_modified
    for revisit in not_modified:
        original = responses[revisit.header("WARC-Refers-To")]
        assert revisit.http.status == 304
        assert original.http.status == 200
        assert revisit.header("WARC-Refers-To-Target-URI") == original.target_uri
        assert revisit.header("WARC-Refers-To-Date") == original.header("WARC-Date")[:19] + "Z"


@needs_pywb
def test_pywb_replays_the_page_a_304_revisit_stands_for(recrawled):
    """After a recrawl the newest record of an unchanged page is a 304 revisit: pywb, loaded
    the way the README tells archivists, serves the page at /2099id_/, not an empty 304."""
    result = subprocess.run(["bash", str(ROOT / ".ci" / "pywb-check.sh"), *map(str, warc_files(recrawled / "warcs"))],
                            capture_output=True, text=True, timeout=600,
                            env={**os.environ, "PYWB_VENV": str(PYWB_VENV)})
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    counts = re.search(r"pywb not modified: (\d+)/(\d+) revisits", result.stdout)
    assert counts and int(counts[2]) > 0 and counts[1] == counts[2], result.stdout[-4000:]
    newest = re.search(r"pywb newest: (\d+)/(\d+) URLs", result.stdout)
    assert newest and newest[1] == newest[2], result.stdout[-4000:]
