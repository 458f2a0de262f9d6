"""A small loopback portal for crawl tests: a handler base that answers in one call (and,
given its host, answers as that portal behind a proxy), a server started on a free port for
the length of a `with` block, and a free port."""
from __future__ import annotations

import contextlib
import socket
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import SplitResult, urlsplit


def free_port() -> int:
    """A loopback port nothing listens on (until someone binds it)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PortalHandler(BaseHTTPRequestHandler):
    host = ""                   # the portal's host: the only one do_GET answers for
    robots = b"User-agent: *\nDisallow:\n"

    def do_GET(self):  # noqa: N802
        """As a proxy to `host` would: 502 for any other host; then the request counted in
        `server.requests` (by path and query, robots.txt too); robots.txt lets every page be
        crawled; `respond` answers the others."""
        parts = urlsplit(self.path)
        if parts.hostname != self.host:
            return self.send_error(502)
        self.server.requests[parts.path + (f"?{parts.query}" if parts.query else "")] += 1
        if parts.path == "/robots.txt":
            return self.answer(200, self.robots, "text/plain")
        return self.respond(parts)

    def respond(self, parts: SplitResult) -> None:
        raise NotImplementedError

    def answer(self, status: int, body: bytes = b"", mime: str | None = "text/html; charset=utf-8", **headers):
        """One whole answer; `headers` by name (ETag=..., Location=...). A 304 has no body."""
        self.send_response(status)
        if mime and status != 304:
            self.send_header("Content-Type", mime)
        for name, value in headers.items():
            if value is not None:
                self.send_header(name.replace("_", "-"), value)
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if status != 304:
            self.wfile.write(body)

    def log_message(self, *args):
        pass


@contextlib.contextmanager
def serving(handler: type[PortalHandler], **state):
    """A threading server of `handler` on 127.0.0.1; `url` its address (a crawl's --proxy),
    `requests` a Counter of what it was asked; `state` becomes server attributes."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.url = f"http://127.0.0.1:{server.server_address[1]}"
    server.requests = Counter()
    for name, value in state.items():
        setattr(server, name, value)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
