"""kill -9 while records are being written: every acknowledged record survives whole,
the torn tail is cut at the next start, and every file passes `warcio check`."""
from __future__ import annotations

import http.server
import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from archive.index import Index
from archive.warc import WarcRef, iter_records, read_record, repair
from tests.support.warc_check import warc_files, warcio_check

ROOT = Path(__file__).resolve().parents[1]

WRITER_LOOP = textwrap.dedent("""
    import random, sys
    from archive.warc import HttpExchange, WarcWriter, WriterConfig
    writer = WarcWriter(WriterConfig(sys.argv[1], max_size=200_000))
    rng = random.Random(int(sys.argv[2]))
    i = 0
    while True:
        body = rng.randbytes(rng.randint(0, 60_000))  # big members: kills land mid-record
        ref = writer.write_exchange(HttpExchange(f"http://a.test/{i}", 200, [], body)).response
        print(ref.filename, ref.offset, ref.length, ref.record_id, len(body), flush=True)
        i += 1
""")


def run_and_kill(warcs_dir: Path, seed: int, records_before_kill: int) -> list[tuple[WarcRef, int]]:
    """Start the writer loop, kill -9 it after it acknowledged some records."""
    process = subprocess.Popen([sys.executable, "-c", WRITER_LOOP, str(warcs_dir), str(seed)],
                               cwd=ROOT, stdout=subprocess.PIPE, text=True)
    acknowledged = []
    try:
        for line in process.stdout:
            filename, offset, length, record_id, size = line.split()
            acknowledged.append((WarcRef(filename, int(offset), int(length), record_id), int(size)))
            if len(acknowledged) >= records_before_kill:
                break
        time.sleep(0.001 * seed)  # land the kill at varying points of the next record
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        process.stdout.close()
    return acknowledged


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_kill_9_then_repair_leaves_only_whole_records(tmp_path, seed):
    acknowledged = run_and_kill(tmp_path, seed, records_before_kill=10 + seed * 3)
    # The killed writer leaves its file open, unless the kill fell in a rollover, between
    # closing one file and opening the next: then every file is whole already.
    was_open = list(tmp_path.glob("*.open"))

    reports = repair(tmp_path)
    # A kill just after a rollover leaves a new, empty file that a live writer could still be
    # about to lock: repair leaves it for a later pass (it holds no archived byte).
    left = list(tmp_path.glob("*.open"))
    assert all(path.stat().st_size == 0 for path in left), left
    assert reports or left or not was_open
    files = warc_files(tmp_path)
    warcio_check(*files)
    for path in files:
        list(iter_records(path))  # raises on any record that is not whole
    for ref, size in acknowledged:
        record = read_record(tmp_path, ref)
        assert record.rec_type == "response" and len(record.http.body) == size


def test_repair_then_keep_writing_in_the_same_directory(tmp_path):
    first = run_and_kill(tmp_path, 7, records_before_kill=5)
    repair(tmp_path)
    second = run_and_kill(tmp_path, 8, records_before_kill=5)
    repair(tmp_path)
    names = {ref.filename for ref, _ in first} | {ref.filename for ref, _ in second}
    assert names <= {p.name for p in warc_files(tmp_path)}
    warcio_check(*warc_files(tmp_path))
    summary = json.dumps([read_record(tmp_path, ref).record_id for ref, _ in first + second])
    assert summary.count("urn:uuid") == 10


# -- a real Scrapy crawl killed with -9 -------------------------------------------------

class ManyPages(http.server.BaseHTTPRequestHandler):
    """/p/N links to the next pages; bodies of ~40 KB so kills land inside records."""

    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        n = int(self.path.rsplit("/", 1)[-1]) if self.path.startswith("/p/") else 0
        links = "".join(f"<a href='/p/{n * 3 + k}'>{k}</a>" for k in (1, 2, 3))
        body = (f"<html><body>{links}<p>" + f"trang {n} " * 5000 + "</p></body></html>").encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


CRAWL_FOREVER = textwrap.dedent("""
    import os, sys
    os.environ["TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS"] = ""
    import scrapy
    from scrapy.crawler import CrawlerProcess

    class Many(scrapy.Spider):
        name = "many"
        async def start(self):
            yield scrapy.Request(sys.argv[1] + "/p/0")
        def parse(self, response):
            yield from response.follow_all(css="a")

    process = CrawlerProcess({"PORTAL_ARCHIVE_DATA": sys.argv[2],
                              "EXTENSIONS": {"portal_crawler.recorder.WarcRecorder": 100},
                              "WARC_MAX_SIZE": 300_000, "ROBOTSTXT_OBEY": False,
                              "TELNETCONSOLE_ENABLED": False, "LOG_LEVEL": "ERROR"})
    process.crawl(Many)
    process.start()
""")


@pytest.fixture(scope="module")
def many_pages():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), ManyPages)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def capture_rows(data: Path) -> list[dict]:
    if not (data / "index.sqlite").exists():
        return []
    with Index(data / "index.sqlite") as index:
        return [dict(row) for row in index.conn.execute("SELECT * FROM captures")]


@pytest.mark.parametrize("kill_after", [5, 23])
def test_crawl_killed_with_9_leaves_an_index_of_whole_records(many_pages, tmp_path, kill_after):
    data = tmp_path / "data"
    process = subprocess.Popen([sys.executable, "-c", CRAWL_FOREVER, many_pages, str(data)], cwd=ROOT)
    try:
        for _ in range(600):
            try:
                if len(capture_rows(data)) >= kill_after:
                    break
            except sqlite3.OperationalError:  # the schema is being created right now
                pass
            time.sleep(0.05)
        else:
            pytest.fail("the crawl archived nothing")
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait()

    repair(data / "warcs")
    files = warc_files(data / "warcs")
    warcio_check(*files)
    rows = capture_rows(data)
    assert len(rows) >= kill_after
    for row in rows:
        record = read_record(data / "warcs", WarcRef(row["warc_file"], row["offset"], row["length"], row["record_id"]))
        assert record.target_uri == row["url"] and record.rec_type == row["record_type"]
