"""A hostile portal in front of portalgen's serve.py: no validators, a visitor counter in every page.

A loopback HTTP proxy (stdlib, one thread per connection): each absolute-URI request is
forwarded to serve.py (itself a proxy for `.test` hosts) without If-None-Match or
If-Modified-Since, so it never answers 304; ETag and Last-Modified are dropped from the
answer; every HTML page gets `<div class="counter">Lượt truy cập: N</div>` before `</body>`,
N growing on every request, so no two fetches of a page are byte-identical (gzip kept when
serve.py sent it, Content-Length fixed).
"""
from __future__ import annotations

import gzip
import http.client
import itertools
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

DROP_REQUEST = {"if-none-match", "if-modified-since", "connection", "proxy-connection", "keep-alive",
                "proxy-authorization", "te", "upgrade"}
DROP_RESPONSE = {"etag", "last-modified", "content-length", "connection", "keep-alive", "transfer-encoding"}


class CounterHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 60

    def log_message(self, fmt, *args):
        pass

    def do_GET(self):  # noqa: N802
        self._forward("GET")

    def do_HEAD(self):  # noqa: N802
        self._forward("HEAD")

    def _upstream(self) -> http.client.HTTPConnection:
        if getattr(self, "_conn", None) is None:
            self._conn = http.client.HTTPConnection(*self.server.upstream, timeout=60)
        return self._conn

    def _fetch(self, method: str):
        headers = {k: v for k, v in self.headers.items() if k.lower() not in DROP_REQUEST}
        for attempt in (1, 2):  # a kept-alive upstream connection may have been closed meanwhile
            conn = self._upstream()
            try:
                conn.request(method, self.path, headers=headers)
                response = conn.getresponse()
                return response, response.read()
            except (http.client.HTTPException, ConnectionError):
                conn.close()
                self._conn = None
                if attempt == 2:
                    raise

    def _forward(self, method: str):
        if not urlsplit(self.path).scheme:
            return self.send_error(400, "absolute-URI proxy requests only")
        response, body = self._fetch(method)
        headers = [(k, v) for k, v in response.getheaders() if k.lower() not in DROP_RESPONSE]
        ctype = (response.getheader("Content-Type") or "").lower()
        if method == "GET" and ctype.startswith("text/html") and body:
            body = self._with_counter(body, (response.getheader("Content-Encoding") or "").lower() == "gzip")
        self.send_response(response.status, response.reason)
        for k, v in headers:
            self.send_header(k, v)
        if method == "GET":
            self.send_header("Content-Length", str(len(body)))
        elif response.getheader("Content-Length"):  # HEAD: the page's own length, counter aside
            self.send_header("Content-Length", response.getheader("Content-Length"))
        self.end_headers()
        if method == "GET" and body:
            self.wfile.write(body)

    def _with_counter(self, body: bytes, gzipped: bool) -> bytes:
        raw = gzip.decompress(body) if gzipped else body
        counter = f'<div class="counter">Lượt truy cập: {next(self.server.visits)}</div></body>'.encode("utf-8")
        at = raw.rfind(b"</body>")
        raw = raw[:at] + counter + raw[at + len(b"</body>"):] if at >= 0 else raw + counter
        return gzip.compress(raw, mtime=0) if gzipped else raw


class CounterProxy(ThreadingHTTPServer):
    """Serves on a free loopback port in a thread; use as a context manager."""
    daemon_threads = True
    request_queue_size = 64

    def __init__(self, upstream_url: str):
        super().__init__(("127.0.0.1", 0), CounterHandler)
        parts = urlsplit(upstream_url)
        self.upstream = (parts.hostname, parts.port)
        self.visits = itertools.count(1)
        self.url = f"http://127.0.0.1:{self.server_address[1]}"
        self._thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.25}, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self.shutdown()
        self.server_close()
        self._thread.join(timeout=10)
