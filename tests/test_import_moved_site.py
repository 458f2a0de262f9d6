"""A portal that now redirects to another host: the crawl archives the redirect, stays
off the other host, and marks the site redirected; the registry's status fields load."""
from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest

from portal_crawler.sites.registry import RegistryError, load_file, load_registry
from tests.support.warc_check import warc_files

CLI = [sys.executable, "-m", "portal_crawler.cli"]
PROVINCE = "http://tinhmoi.thanhhoa.test/"


class Moved(BaseHTTPRequestHandler):
    """old.thanhhoa.test answers everything with a 301 to the provincial portal."""
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        host = urlsplit(self.path).hostname if "://" in self.path else self.headers.get("Host", "")
        self.server.hosts.append(host)
        if host == "old.thanhhoa.test":
            body, status, headers = b"moved", 301, [("Location", PROVINCE)]
        else:
            body = f'<html><body><a href="{PROVINCE}tin-tuc/bai-1.html">Bai 1</a></body></html>'.encode()
            status, headers = 200, [("Content-Type", "text/html; charset=utf-8")]
        if urlsplit(self.path).path == "/robots.txt":
            body, status, headers = b"User-agent: *\nAllow: /\n", 200, [("Content-Type", "text/plain")]
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def proxy():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Moved)
    server.hosts = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_a_crawl_of_a_moved_portal_records_the_redirect_and_stays(proxy, tmp_path):
    data = tmp_path / "data"
    result = subprocess.run([*CLI, "crawl", "http://old.thanhhoa.test/", "--data", str(data), "--proxy",
                             f"http://127.0.0.1:{proxy.server_address[1]}"], capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"redirects to {PROVINCE}" in result.stdout
    assert "tinhmoi.thanhhoa.test" not in proxy.hosts  # never wandered into the provincial portal
    db = sqlite3.connect(data / "index.sqlite")
    assert db.execute("SELECT status, redirects_to FROM sites WHERE id = 'old.thanhhoa.test'").fetchone() == \
        ("redirected", PROVINCE)
    assert db.execute("SELECT status FROM captures WHERE url = 'http://old.thanhhoa.test/'").fetchone() == (301,)
    assert warc_files(data / "warcs")


def test_registry_status_fields(tmp_path):
    profile = load_registry().get("thanhhoa-dongson")
    assert profile.status == "unknown" and profile.successor and profile.status_checked.startswith("unverified")
    path = tmp_path / "sites.toml"
    path.write_text('[[site]]\nid = "x"\nname = "X"\nhosts = ["x.test"]\nstart_urls = ["http://x.test/"]\n'
                    'status = "redirected"\nredirects_to = "http://tinh.test/"\n', encoding="utf-8")
    assert load_file(path)[0].redirects_to == "http://tinh.test/"
    path.write_text('[[site]]\nid = "x"\nname = "X"\nhosts = ["x.test"]\nstart_urls = ["http://x.test/"]\n'
                    'status = "moved"\n', encoding="utf-8")
    with pytest.raises(RegistryError, match="status"):
        load_file(path)
