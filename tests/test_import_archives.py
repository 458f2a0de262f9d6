"""`portal-archive import` against stand-ins of public web archives (no internet): pywb in
its own venv serving a pretend archive built from a real crawl of the demo portals, a
loopback proxy that makes it look like the Wayback Machine (prefixed headers, Wayback CDX
JSON, 429 + Retry-After), and a byte-range server over its WARC files (Common Crawl)."""
from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from urllib.parse import quote

import pytest

from archive.timeline import SOURCE_RANGE, SOURCE_URI
from archive.web.app import make_app
from portal_crawler.rescue.cdx import CdxClient
from portal_crawler.rescue.fetch import PoliteHttp, Politeness
from portal_crawler.rescue.select import choose
from warcio.timeutils import iso_date_to_timestamp
from archive.warc import iter_records
from archive.warc_reader import sha1_digest
from portal_crawler.demo.server import DemoServer
from tests.browser.wsgi_client import call
from tests.support.archive_standin import (ARTICLE_ROUNDS, EDIT_MARK, Pywb, RangeServer, WaybackProxy, build_standin,
                                           pywb_available)

ROOT = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-m", "portal_crawler.cli"]
SITES = ["demo-yentho", "demo-huonglam"]
RATE = 25.0
pytestmark = pytest.mark.skipif(not pywb_available(), reason="no pywb environment (see .ci/pywb-check.sh)")


def run(*args, check=True, timeout=600):
    result = subprocess.run([*CLI, *map(str, args)], capture_output=True, text=True, timeout=timeout,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    if check:
        assert result.returncode == 0, result.stdout + result.stderr
    return result


@pytest.fixture(scope="module")
def crawl(tmp_path_factory):
    data = tmp_path_factory.mktemp("crawl") / "data"
    with DemoServer() as server:
        run("crawl", *SITES, "--data", data, "--proxy", server.url)
    return data


@pytest.fixture(scope="module")
def standin(crawl, tmp_path_factory):
    base = tmp_path_factory.mktemp("standin")
    made = build_standin(sorted((crawl / "warcs").glob("*.warc.gz")), base / "warcs")
    with Pywb(made.warcs, base / "pywb") as pywb:
        made.pywb = pywb
        yield made


def imported(data: Path):
    """(record, ref) of every imported record in the data directory's WARC files."""
    for path in sorted((data / "warcs").glob("*.warc.gz")):
        for record, ref in iter_records(path):
            if record.header(SOURCE_URI):
                yield record, ref


def export(data: Path) -> dict:
    out = run("export", "--format", "jsonl", "--data", data).stdout
    return {row["url"]: row for row in map(json.loads, out.splitlines())}


def newest_capture(standin, url: str) -> str:
    stamp = max(ts for (u, ts) in standin.payloads if u == url)
    return f"{stamp[:4]}-{stamp[4:6]}-{stamp[6:8]}T{stamp[8:10]}:{stamp[10:12]}:{stamp[12:14]}Z"


def test_import_from_a_wayback_machine_lookalike(standin, tmp_path):
    data = tmp_path / "data"
    with WaybackProxy(standin.pywb.url, min_gap=0.25 / RATE, throttle_every=17, retry_after=1) as wayback:
        result = run("import", *SITES, "--cdx", f"{wayback.url}/cdx/search/cdx", "--replay", f"{wayback.url}/web/",
                     "-s", f"IMPORT_RATE={RATE}", "-s", "IMPORT_BACKOFF=0.2", "--data", data)
        arrivals = list(wayback.arrivals)
    assert "import 1: ok" in result.stdout

    # payloads byte for byte, capture times kept, the page's own headers restored
    records = list(imported(data))
    assert len(records) >= len(standin.texts) * 2
    for record, _ in records:
        stamp = record.date.replace("-", "").replace(":", "").replace("T", "")[:14]
        original = standin.payloads[(record.target_uri, stamp)]
        if record.rec_type == "response":
            assert record.http.body == original
        else:
            assert record.rec_type == "revisit"
            assert record.header("WARC-Payload-Digest") == sha1_digest(original)
        assert record.header("WARC-Source-Digest") == sha1_digest(original)
        assert "id_/" in record.header(SOURCE_URI)
        names = [name.lower() for name, _ in record.http.headers]
        assert "server" in names and not any(n.startswith("x-archive-orig-") for n in names)
        assert "memento-datetime" not in names

    # every article once per distinct text, captured = its newest capture, versions' sources
    rows = export(data)
    for url, texts in standin.texts.items():
        row = rows[url]
        assert row["versions"] == len(texts), url
        assert row["captured"] == newest_capture(standin, url)
        assert [s["source"] for s in row["sources"]] == [f"{wayback.url}/web/"] * len(texts)
        assert row["sources"][0]["captured"].startswith(ARTICLE_ROUNDS[0][:4])
    for url in standin.edited:
        assert EDIT_MARK in rows[url]["body"]  # the newest text is the later, edited one

    # politeness: no request closer than the rate allows, Retry-After obeyed
    statuses = Counter(a.status for a in arrivals)
    assert statuses[429] == len(arrivals) // 17  # only the scheduled ones: none came too soon
    times = [a.at for a in arrivals]
    assert max(sum(1 for t in times if start <= t < start + 1.0) for start in times) <= RATE + 2
    for before, after in zip(arrivals, arrivals[1:]):
        if before.status == 429:
            assert after.at - before.at >= 0.9
    # holes: the articles left out of the stand-in on purpose, with titles from the links
    report = json.loads(next((data / "reports").glob("import-demo-*-1.json")).read_text())
    holes = {}
    for path in (data / "reports").glob("import-*-1.json"):
        holes.update({h["url"]: h for h in json.loads(path.read_text())["holes"]})
    assert set(holes) == set(standin.removed)
    assert all(h["title"] and h["linked_from"] for h in holes.values())
    assert report["captures_per_year"]
    assert "no archive holds" in result.stdout

    runs = json.loads(run("crawls", "--json", "--data", data).stdout)
    assert runs[0]["targets"] == SITES and runs[0]["outcome"] == "ok" and runs[0]["pages"] == len(records)

    # a second import adds nothing: every payload is held
    again = run("import", *SITES, "--cdx", f"{standin.pywb.url}/c/cdx", "--replay", f"{standin.pywb.url}/c/",
                "-s", f"IMPORT_RATE={RATE}", "--data", data)
    assert "fetched    0" in again.stdout
    assert len(list(imported(data))) == len(records)


def test_pywb_replays_the_imported_records(standin, tmp_path):
    data = tmp_path / "data"
    source = ["--cdx", f"{standin.pywb.url}/c/cdx", "--replay", f"{standin.pywb.url}/c/", "-s", f"IMPORT_RATE={RATE}"]
    first = run("import", "demo-huonglam", *source, "--limit", "5", "--data", data)
    assert "fetched    5 " in first.stdout and len(list(imported(data))) == 5
    rest = run("import", "demo-huonglam", *source, "--data", data)
    assert "5 imported before" in rest.stdout
    files = sorted((data / "warcs").glob("*.warc.gz"))
    check = subprocess.run(["bash", str(ROOT / ".ci" / "pywb-check.sh"), *map(str, files)], capture_output=True,
                           text=True, timeout=300)
    assert check.returncode == 0, check.stdout + check.stderr
    # a WACZ of the imported captures validates (what ReplayWeb.page opens)
    run("export-wacz", "-o", tmp_path / "imported.wacz", "--data", data)
    validate = subprocess.run([str(Path(sys.executable).parent / "wacz"), "validate", "-f",
                               str(tmp_path / "imported.wacz")], capture_output=True, text=True, timeout=300)
    assert validate.returncode == 0, validate.stdout + validate.stderr


def test_kill_during_import_and_resume_fetches_nothing_twice(standin, tmp_path):
    data = tmp_path / "data"
    kills = 0
    with WaybackProxy(standin.pywb.url) as wayback:
        args = [*CLI, "import", *SITES, "--cdx", f"{wayback.url}/cdx/search/cdx", "--replay", f"{wayback.url}/web/",
                "-s", "IMPORT_RATE=15", "--data", str(data)]
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        for stop_at in (12, 40):
            process = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            deadline = time.monotonic() + 120
            while len(wayback.mementos()) < stop_at and time.monotonic() < deadline and process.poll() is None:
                time.sleep(0.05)
            assert process.poll() is None, "the import ended before it could be killed"
            os.kill(process.pid, signal.SIGKILL)
            process.wait()
            kills += 1
        final = subprocess.run(args, env=env, capture_output=True, text=True, timeout=600)
        assert final.returncode == 0, final.stdout + final.stderr
        fetched = Counter(wayback.mementos())
    stored = Counter(record.header(SOURCE_URI) for record, _ in imported(data))
    assert max(stored.values()) == 1  # no capture stored twice
    assert set(stored) == set(fetched)
    # only a fetch in flight at a kill is repeated
    assert sum(n - 1 for n in fetched.values()) <= kills
    rows = export(data)
    for url, texts in standin.texts.items():
        assert rows[url]["versions"] == len(texts)
    db = sqlite3.connect(data / "index.sqlite")
    assert db.execute("SELECT count(*) FROM captures WHERE source IS NOT NULL").fetchone()[0] == len(stored)
    runs = json.loads(run("crawls", "--json", "--data", data).stdout)
    assert [r["outcome"] for r in runs] == ["ok", "failed", "failed"]
    assert sum(r["pages"] for r in runs) == len(stored)


def test_import_into_a_crawled_archive_adds_what_it_lacks_in_time_order(standin, crawl, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(crawl, data)
    before = export(data)
    result = run("import", *SITES, "--cdx", f"{standin.pywb.url}/c/cdx", "--replay", f"{standin.pywb.url}/c/",
                 "-s", f"IMPORT_RATE={RATE}", "--data", data)
    assert "import 2: ok" in result.stdout
    records = list(imported(data))
    by_url = {}
    for record, _ in records:
        by_url.setdefault(record.target_uri, []).append(record)
    # every article's oldest capture is recorded even though the crawl holds its payload,
    # dating the first sighting (2019, not the 2026 crawl): whole, as a revisit of the 2026
    # record would be one of the future; the middle captures of a held payload are not
    # fetched, the edited texts are
    crawl_payloads = {r.header("WARC-Payload-Digest") for p in (crawl / "warcs").glob("*.warc.gz")
                      for r, _ in iter_records(p)}
    for url in standin.texts:
        oldest = min(by_url[url], key=lambda r: r.date)
        assert oldest.date.startswith(ARTICLE_ROUNDS[0][:4]), url
        assert oldest.rec_type == "response" and oldest.header("WARC-Payload-Digest") in crawl_payloads
        if url not in standin.edited:
            assert len(by_url[url]) == 1, url
    assert not any(r.date.startswith(ARTICLE_ROUNDS[1][:4]) for r, _ in records)
    rows = export(data)
    pywb = f"{standin.pywb.url}/c/"
    for url in standin.texts:
        row = rows[url]
        assert row["sources"][0]["source"] == pywb and row["sources"][0]["captured"].startswith(ARTICLE_ROUNDS[0][:4])
        assert row["body"] == before[url]["body"] and row["captured"] == before[url]["captured"]
        if url not in standin.edited:
            assert row["versions"] == 1
    for url in standin.edited:
        row = rows[url]
        # 2019 (the crawl's text, first seen then), 2023 (the edit), 2026 (our crawl: the
        # text again): the newest text is still the crawl's
        assert row["versions"] == 3
        assert [s["source"] for s in row["sources"]] == [pywb, pywb, "crawl"]
        assert [s["captured"] for s in row["sources"]] == sorted(s["captured"] for s in row["sources"])
    # the web app shows each version's source, and the citation of an imported capture says it
    app = make_app(data)
    url = standin.edited[0]
    page = call(app, "/article?url=" + quote(url, safe="")).text
    assert f">{standin.pywb.url}/c/</a>" in page and "bản thu của chúng tôi" in page
    db = sqlite3.connect(data / "index.sqlite")
    capture_id, memento = db.execute("SELECT id, source_uri FROM captures WHERE source IS NOT NULL"
                                     " AND url = ? AND record_type = 'response'", (url,)).fetchone()
    citation = json.loads(call(app, f"/api/citation?capture={capture_id}").body)
    assert citation["memento"] == memento and citation["source"] == f"{standin.pywb.url}/c/"
    assert f"Nhập từ: {standin.pywb.url}/c/ ({memento})" in citation["text"]
    # and the rebuild from the WARC files alone gives the same timeline
    run("index", "--rebuild", "--data", data)
    rebuilt = export(data)
    for url in standin.edited:
        assert rebuilt[url]["sources"] == rows[url]["sources"]
        assert rebuilt[url]["body"] == rows[url]["body"]


def test_import_byte_ranges_keeps_the_source_records(standin, tmp_path):
    data = tmp_path / "data"
    # Common Crawl's index: JSON lines with filename/offset/length, in pages
    with RangeServer(standin.pywb.collection_path) as ranges, \
            WaybackProxy(standin.pywb.url, lines=True, page_size=40) as index_server:
        run("import", "demo-huonglam", "--cdx", f"{index_server.url}/cdx/search/cdx",
            "-s", f"IMPORT_WARC_URL={ranges.url}/", "-s", f"IMPORT_RATE={RATE}",
            "-s", "IMPORT_CDX_FILTER=!mime:warc/revisit", "--data", data)
        assert ranges.ranges
        pages = [a.path for a in index_server.arrivals if "page=" in a.path]
        assert all("filter=%21mime%3Awarc%2Frevisit" in a.path for a in index_server.arrivals)
    listed = CdxClient(f"{standin.pywb.url}/c/cdx", PoliteHttp(Politeness(rate=RATE))).captures(
        "demo-huonglam.hatinh.test")
    assert len(pages) == -(-len(listed) // 40) > 1  # every page read
    expected = {(c.url, c.timestamp) for c in choose(listed).chosen}
    originals = {}
    for path in standin.warcs:
        for record, _ in iter_records(path):
            originals[record.record_id] = record
    records = list(imported(data))
    assert {(r.target_uri, iso_date_to_timestamp(r.date)) for r, _ in records} == expected
    for record, _ in records:
        original = originals[record.record_id]
        assert record.block == original.block
        for name in ("WARC-Date", "WARC-Target-URI", "WARC-Payload-Digest", "WARC-Block-Digest"):
            assert record.header(name) == original.header(name)
        assert record.header(SOURCE_RANGE).startswith("bytes=")
        assert record.header("WARC-Source-Warcinfo-ID") == original.header("WARC-Warcinfo-ID")
    check = subprocess.run([str(Path(sys.executable).parent / "warcio"), "check",
                            *map(str, (data / "warcs").glob("*.warc.gz"))], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    rows = export(data)
    huonglam = [u for u in standin.texts if "huonglam" in u]
    assert huonglam and all(rows[u]["versions"] == len(standin.texts[u]) for u in huonglam)
    # each version names its record: the WARC file's URL and the record's range in it
    mementos = [s["memento"] for u in huonglam for s in rows[u]["sources"]]
    assert all(m.startswith(f"{ranges.url}/") and " bytes=" in m for m in mementos)
    assert len(set(mementos)) == len(mementos) > len({m.split(" ")[0] for m in mementos})


def test_a_date_range_is_kept_though_pywb_lists_everything(standin, tmp_path):
    data = tmp_path / "data"
    result = run("import", "demo-huonglam", "--cdx", f"{standin.pywb.url}/c/cdx", "--replay", f"{standin.pywb.url}/c/",
                 "--from", "2021", "--to", "2021", "-s", f"IMPORT_RATE={RATE}", "--data", data)
    records = list(imported(data))
    assert records and all(r.date.startswith("2021") for r, _ in records)
    assert "captures per year 2021: " in result.stdout and "2019" not in result.stdout
