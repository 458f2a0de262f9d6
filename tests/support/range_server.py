"""A loopback static file server that answers byte ranges, as ReplayWeb.page needs.

ReplayWeb.page reads a WACZ by HTTP ranges (the zip directory first, then each record it
replays) and registers its service worker only when sw.js comes with a JavaScript type;
Python's http.server answers neither ranges nor .wacz, so this small handler does.
"""
from __future__ import annotations

import mimetypes
import re
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from tests.browser.chromium import in_thread

RANGE = re.compile(r"bytes=(\d*)-(\d*)$")
TYPES = {".js": "application/javascript", ".html": "text/html; charset=utf-8",
         ".json": "application/json", ".wacz": "application/wacz", ".svg": "image/svg+xml",
         ".gz": "application/octet-stream", ".wasm": "application/wasm"}


def _content_type(path: Path) -> str:
    return TYPES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"


def _handler(routes: dict[str, Path], root: Path | None):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):  # quiet: the test reports what it needs
            pass

        def _resolve(self) -> Path | None:
            path = unquote(urlsplit(self.path).path)
            if path in routes:
                return routes[path]
            if root is None:
                return None
            candidate = (root / path.lstrip("/")).resolve()
            if candidate.is_dir():
                candidate = candidate / "index.html"
            if root.resolve() not in candidate.parents or not candidate.is_file():
                return None
            return candidate

        def do_HEAD(self):
            self._answer(body=False)

        def do_GET(self):
            self._answer(body=True)

        def _answer(self, body: bool) -> None:
            path = self._resolve()
            if path is None:
                self.send_error(404)
                return
            size = path.stat().st_size
            start, end, status = 0, size - 1, 200
            wanted = self.headers.get("Range")
            if wanted:
                match = RANGE.match(wanted.strip())
                if not match or not (match.group(1) or match.group(2)):
                    self.send_error(416)
                    return
                first, last = match.groups()
                if first:
                    start, end = int(first), min(int(last), size - 1) if last else size - 1
                else:  # a suffix range: the last N bytes
                    start = max(size - int(last), 0)
                if start >= size or start > end:
                    self.send_response(416)
                    self.send_header("Content-Range", f"bytes */{size}")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                status = 206
            self.send_response(status)
            self.send_header("Content-Type", _content_type(path))
            self.send_header("Accept-Ranges", "bytes")
            self.send_header("Content-Length", str(end - start + 1))
            if status == 206:
                self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            if not body:
                return
            with open(path, "rb") as fh:
                fh.seek(start)
                left = end - start + 1
                while left > 0:
                    chunk = fh.read(min(left, 1 << 16))
                    if not chunk:
                        break
                    self.wfile.write(chunk)
                    left -= len(chunk)

    return Handler


@contextmanager
def range_server(root: Path | None = None, routes: dict[str, Path] | None = None):
    """Serve root's files (and routes: URL path -> file) on 127.0.0.1:<free port>;
    yields the base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(dict(routes or {}), root))
    server.daemon_threads = True
    with in_thread(server) as base_url:
        yield base_url
