"""Proxy credentials are sent to the proxy and nowhere else: crawls through a real loopback
proxy that demands Basic credentials (given by --proxy, by http_proxy, and kept with a
schedule), then every file of the data directory and every output is searched for them."""
from __future__ import annotations

import base64
import gzip
import io
import json
import os
import sqlite3
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from portal_crawler.demo.server import DemoServer
from tests.support.auth_proxy import AuthProxy

CLI = [sys.executable, "-m", "portal_crawler.cli"]
ROOT = Path(__file__).resolve().parent.parent
USER, PASSWORD = "user", "s3cr3t"
TOKEN = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
SECRETS = [PASSWORD.encode(), TOKEN.encode(), TOKEN.rstrip("=").encode()]


def with_credentials(url: str) -> str:
    return url.replace("http://", f"http://{USER}:{PASSWORD}@", 1)


def run(*args, env=None) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *args], cwd=ROOT, capture_output=True, timeout=600,
                          env={**os.environ, **(env or {})})


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    base = tmp_path_factory.mktemp("secrets")
    data = base / "data"
    outputs, authorized = {}, {}
    with DemoServer() as demo, AuthProxy(demo.url, USER, PASSWORD) as proxy:
        secret_url = with_credentials(proxy.url)
        outputs["crawl --proxy"] = run("crawl", "demo-yentho", "--data", str(data), "--proxy", secret_url, "-v")
        authorized["crawl --proxy"] = proxy.authorized
        outputs["crawl http_proxy"] = run("crawl", "demo-huonglam", "--data", str(data), "-v",
                                          env={"http_proxy": secret_url, "no_proxy": ""})
        authorized["crawl http_proxy"] = proxy.authorized - authorized["crawl --proxy"]
        outputs["schedule add"] = run("schedule", "add", "demo-yentho", "--every", "daily", "--data", str(data),
                                      "-s", f"PORTAL_PROXY={secret_url}")
        before = proxy.authorized
        outputs["schedule run-due"] = run("schedule", "run-due", "--data", str(data))
        authorized["schedule run-due"] = proxy.authorized - before
        refused = proxy.refused
    outputs["schedule list"] = run("schedule", "list", "--json", "--data", str(data))
    outputs["crawls"] = run("crawls", "--json", "--data", str(data))
    outputs["export jsonl"] = run("export", "--data", str(data))
    outputs["export csv"] = run("export", "--format", "csv", "--data", str(data))
    wacz = base / "all.wacz"
    outputs["export-wacz"] = run("export-wacz", "-o", str(wacz), "--data", str(data))
    return {"data": data, "wacz": wacz, "outputs": outputs, "authorized": authorized, "refused": refused}


def expanded(name: str, blob: bytes):
    """(name, bytes) of a file and of everything inside it: gzip members, zip entries."""
    yield name, blob
    if blob[:2] == b"\x1f\x8b":
        yield from expanded(name + "!gunzip", gzip.GzipFile(fileobj=io.BytesIO(blob)).read())
    elif blob[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(io.BytesIO(blob)) as archive:
            for entry in archive.namelist():
                yield from expanded(f"{name}!{entry}", archive.read(entry))


def holding_secret(items) -> list[str]:
    return sorted({name for name, blob in items if any(s in blob for s in SECRETS)})


def test_every_command_succeeded(crawled):
    for name, result in crawled["outputs"].items():
        assert result.returncode == 0, (name, result.stderr[-2000:])
    assert b"schedule 1: ok" in crawled["outputs"]["schedule run-due"].stdout


def test_the_proxy_got_the_credentials_on_every_crawl(crawled):
    assert crawled["refused"] == 0
    for crawl, count in crawled["authorized"].items():
        assert count > 0, (crawl, crawled["authorized"])


def test_no_file_of_the_data_directory_holds_the_secret(crawled):
    data = crawled["data"]
    files = [p for p in data.rglob("*") if p.is_file() and p.name != "proxy-credentials"]
    assert any(p.name.endswith(".warc.gz") for p in files)
    items = [item for p in files for item in expanded(str(p.relative_to(data)), p.read_bytes())]
    assert any(name.endswith("!gunzip") for name, _ in items)
    assert holding_secret(items) == []


def test_no_text_in_the_index_holds_the_secret(crawled):
    conn = sqlite3.connect(crawled["data"] / "index.sqlite")
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        values = []
        for table in tables:
            for row in conn.execute(f'SELECT * FROM "{table}"'):
                values += [(table, v.encode() if isinstance(v, str) else v) for v in row
                           if isinstance(v, (str, bytes))]
    finally:
        conn.close()
    assert any(t == "crawls" for t, _ in values)
    assert holding_secret(values) == []


def test_no_output_holds_the_secret(crawled):
    items = [(f"{name} {stream}", getattr(result, stream))
             for name, result in crawled["outputs"].items() for stream in ("stdout", "stderr")]
    wacz = crawled["wacz"]
    items += list(expanded(wacz.name, wacz.read_bytes()))
    assert any(".warc.gz!gunzip" in name for name, _ in items)
    assert holding_secret(items) == []


def test_the_proxy_is_still_named_without_its_credentials(crawled):
    runs = json.loads(crawled["outputs"]["crawls"].stdout)
    data = crawled["data"]
    conn = sqlite3.connect(data / "index.sqlite")
    try:
        settings = [json.loads(r[0]) for r in conn.execute("SELECT settings FROM crawls ORDER BY id")]
    finally:
        conn.close()
    assert len(runs) == 3
    proxies = [s.get("PORTAL_PROXY") for s in settings]
    assert proxies[0].startswith("http://127.0.0.1:") and "@" not in proxies[0]
    schedule = json.loads(crawled["outputs"]["schedule list"].stdout)[0]
    assert schedule["settings"]["PORTAL_PROXY"] == proxies[0]


def test_a_schedules_credentials_are_kept_apart_readable_by_the_owner_only(crawled):
    path = crawled["data"] / "proxy-credentials"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert PASSWORD in path.read_text(encoding="utf-8")


def test_archived_requests_keep_what_the_origin_received(crawled):
    from warcio.archiveiterator import ArchiveIterator
    names = set()
    for path in (crawled["data"] / "warcs").glob("*.warc.gz"):
        with open(path, "rb") as stream:
            for record in ArchiveIterator(stream):
                if record.rec_type == "request":
                    names.update(n.lower() for n, _ in record.http_headers.headers)
    assert "user-agent" in names and "accept" in names
    assert not names & {"proxy-authorization", "proxy-connection"}, names


@pytest.mark.parametrize("proxy", ["ftp://127.0.0.1:3128", "http://user:s3cr3t@127.0.0.1:99999", "127.0.0.1"])
def test_a_malformed_proxy_url_is_one_line_without_its_credentials(tmp_path, proxy):
    result = run("crawl", "demo-yentho", "--data", str(tmp_path / "data"), "--proxy", proxy)
    assert result.returncode == 2
    lines = result.stderr.decode().strip().splitlines()
    assert len(lines) == 1 and "proxy URL" in lines[0], result.stderr
    assert PASSWORD not in lines[0]


def test_a_credentials_file_others_can_read_is_refused(tmp_path):
    data = tmp_path / "data"
    (data / "warcs").mkdir(parents=True)
    path = data / "proxy-credentials"
    path.write_text("http://user:s3cr3t@127.0.0.1:3128\n", encoding="utf-8")
    path.chmod(0o644)
    result = run("crawl", "demo-yentho", "--data", str(data), "--proxy", "http://127.0.0.1:3128")
    assert result.returncode == 2
    assert result.stderr.decode().strip().endswith(f"`chmod 600 {path}`"), result.stderr
    assert PASSWORD.encode() not in result.stderr


def test_credentials_are_looked_up_by_proxy_and_replaced_not_repeated(tmp_path):
    from portal_crawler.proxy import proxy_settings, store_credentials
    assert store_credentials(tmp_path, "http://a:one@proxy.test:3128") == "http://proxy.test:3128"
    store_credentials(tmp_path, "http://b:two@other.test:8080")
    store_credentials(tmp_path, "http://a:three@PROXY.test:3128")
    lines = (tmp_path / "proxy-credentials").read_text(encoding="utf-8").split()
    assert lines == ["http://b:two@other.test:8080", "http://a:three@proxy.test:3128"]
    settings = proxy_settings("http://proxy.test:3128", tmp_path)
    assert settings["PORTAL_PROXY"] == "http://proxy.test:3128"
    assert settings["PORTAL_PROXY_CREDENTIALS"].url_for("http://proxy.test:3128") == "http://a:three@proxy.test:3128"
    assert "three" not in repr(settings) and "three" not in str(settings)
    assert proxy_settings("http://proxy.test:3129", tmp_path)["PORTAL_PROXY_CREDENTIALS"] is None
