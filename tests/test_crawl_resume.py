"""A crawl killed with -9 at random moments and resumed, five times over, ends complete:
every demo article archived and indexed once, every WARC file valid, nothing left open."""
from __future__ import annotations

import json
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from portal_crawler.demo.server import DemoServer

CLI = [sys.executable, "-m", "portal_crawler.cli"]
DEMO_SITES = ["demo-yentho", "demo-huonglam"]


def expected_articles() -> list[dict]:
    from importlib import resources
    data = json.loads(resources.files("portal_crawler.demo").joinpath("expected.json").read_text(encoding="utf-8"))
    return data["articles"] if isinstance(data, dict) else data


def crawl(data: Path, proxy: str, resume: bool) -> subprocess.Popen:
    args = [*CLI, "crawl", *DEMO_SITES, "--data", str(data), "--proxy", proxy]
    return subprocess.Popen(args + (["--resume"] if resume else []), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)


@pytest.fixture(scope="module")
def killed_and_resumed(tmp_path_factory):
    data = tmp_path_factory.mktemp("resume") / "data"
    rng = random.Random(20261126)
    kills = 0
    with DemoServer() as server:
        proc = crawl(data, server.url, resume=False)
        while kills < 5:
            time.sleep(rng.uniform(1.0, 4.0))
            if proc.poll() is not None:  # finished before we could kill it: start over on top
                proc = crawl(data, server.url, resume=True)
                continue
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            kills += 1
            proc = crawl(data, server.url, resume=True)
        output, _ = proc.communicate(timeout=300)
    return {"data": data, "returncode": proc.returncode, "output": output.decode("utf-8", "replace"),
            "kills": kills}


def test_resumed_crawl_finishes(killed_and_resumed):
    assert killed_and_resumed["kills"] == 5
    assert killed_and_resumed["returncode"] == 0, killed_and_resumed["output"][-3000:]


def test_every_article_indexed_once(killed_and_resumed):
    db = sqlite3.connect(killed_and_resumed["data"] / "index.sqlite")
    urls = [row[0] for row in db.execute("SELECT url FROM articles")]
    assert len(urls) == len(set(urls))
    indexed = set(urls) | {row[0] for row in db.execute("SELECT url FROM aliases")}
    missing = [a["url"] for a in expected_articles() if a["url"] not in indexed]
    assert not missing, missing


def test_pages_were_not_refetched_after_resume(killed_and_resumed):
    """What a killed run archived is read back from the WARCs, not fetched again."""
    db = sqlite3.connect(killed_and_resumed["data"] / "index.sqlite")
    repeated = db.execute(
        "SELECT url, count(*) FROM captures WHERE status = 200 AND record_type = 'response'"
        " GROUP BY url HAVING count(*) > 1").fetchall()
    # a kill between writing a record and indexing it may cost one refetch per kill
    assert len(repeated) <= killed_and_resumed["kills"], repeated


def test_warc_files_valid_and_closed(killed_and_resumed):
    warcs_dir = killed_and_resumed["data"] / "warcs"
    assert not list(warcs_dir.glob("*.open"))
    warcs = sorted(warcs_dir.glob("*.warc.gz"))
    assert warcs
    warcio = Path(sys.executable).with_name("warcio")
    result = subprocess.run([str(warcio), "check", *map(str, warcs)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    db = sqlite3.connect(killed_and_resumed["data"] / "index.sqlite")
    sizes = {p.name: p.stat().st_size for p in warcs}
    for warc_file, offset, length in db.execute("SELECT warc_file, offset, length FROM captures"):
        assert warc_file in sizes, f"index points at a missing file {warc_file}"
        assert offset + length <= sizes[warc_file], "index points past the end of a file"
