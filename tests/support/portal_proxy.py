"""A loopback HTTP proxy that answers for one `.test` host from a dict of pages, and logs
what it was asked: the portal of crawl tests that need no generated site."""
from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit


class _Portal(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802
        parts = urlsplit(self.path)
        self.server.log.append((time.monotonic(), parts.path, self.headers.get("User-Agent", "")))
        if parts.hostname != self.server.host:
            self.send_error(502)
            return
        ctype, body = self.server.pages.get(parts.path, ("text/html", None))
        if body is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@contextmanager
def portal_proxy(host: str, pages: dict[str, tuple[str, bytes]]):
    """Serves `pages` (path -> (content type, body)) for `host`; yields the server, whose
    `proxy_url` goes to `crawl --proxy` and whose `log` lists (time, path, user agent)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Portal)
    server.host, server.pages, server.log = host, pages, []
    server.proxy_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
