"""A proxy that fails is named once in the report, each failed request is one log line,
and nothing prints a traceback: a closed port, and a proxy refusing wrong credentials."""
from __future__ import annotations

import json
import re
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

from archive.warc import iter_records
from portal_crawler.demo.server import DemoServer
from tests.support.auth_proxy import AuthProxy
from tests.support.warc_check import warc_files

CLI = [sys.executable, "-m", "portal_crawler.cli"]
ROOT = Path(__file__).resolve().parent.parent


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]     # nothing listens there once the socket is closed


def crawl(data: Path, proxy: str, *extra) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, "crawl", "demo-yentho", "--data", str(data), "--proxy", proxy, *extra],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)


def log_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.strip()]


def test_a_dead_proxy_fails_the_crawl_in_one_line_per_request(tmp_path):
    port = closed_port()
    result = crawl(tmp_path / "data", f"http://127.0.0.1:{port}")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout
    assert result.stdout.startswith("crawl 1: failed")
    # robots.txt, the start page and the sitemap: three requests, three lines
    assert f"proxy      127.0.0.1:{port} refused connection: 3 requests failed" in result.stdout, result.stdout
    lines = log_lines(result.stderr)
    assert len(lines) == 3, lines
    assert all("refused" in line.lower() for line in lines), lines
    runs = json.loads(subprocess.run([*CLI, "crawls", "--json", "--data", str(tmp_path / "data")], cwd=ROOT,
                                     capture_output=True, text=True, timeout=60).stdout)
    assert runs[0]["outcome"] == "failed" and runs[0]["pages"] == 0


def test_a_dead_proxy_shows_no_traceback_in_the_verbose_log_either(tmp_path):
    result = crawl(tmp_path / "data", f"http://127.0.0.1:{closed_port()}", "-v")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr


def test_wrong_proxy_credentials_are_named_in_the_report(tmp_path):
    with DemoServer() as demo, AuthProxy(demo.url, "user", "s3cr3t") as proxy:
        result = crawl(tmp_path / "data", proxy.url.replace("http://", "http://user:wrong@"), "--max-pages", "5")
        assert proxy.refused > 0 and proxy.authorized == 0
    address = proxy.url.split("//")[1]
    assert result.returncode == 1 and result.stdout.startswith("crawl 1: failed"), result.stdout
    assert f"proxy      {address} refused the credentials (407): " in result.stdout, result.stdout
    assert "Traceback" not in result.stderr and "wrong" not in result.stdout + result.stderr
    # the proxy's 407 is not the portal's answer: no WARC record and no capture of it
    statuses = [record.http.status for path in warc_files(tmp_path / "data" / "warcs")
                for record, _ in iter_records(path) if record.rec_type == "response"]
    assert 407 not in statuses, statuses
    db = sqlite3.connect(tmp_path / "data" / "index.sqlite")
    assert db.execute("SELECT count(*) FROM captures WHERE status = 407").fetchone()[0] == 0
    lines = log_lines(result.stderr)
    urls = [re.search(r"http://[^\s:]+(?::\d+)?[^\s:]*", line).group(0) for line in lines]
    assert len(urls) == len(set(urls)), lines      # still one line a failed request (-v says more)
