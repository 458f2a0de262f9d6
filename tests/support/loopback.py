"""A small loopback portal for crawl tests: a handler base that answers in one call, and a
server started on a free port for the length of a `with` block."""
from __future__ import annotations

import contextlib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class PortalHandler(BaseHTTPRequestHandler):
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
    """A threading server of `handler` on 127.0.0.1; `state` becomes server attributes."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    for name, value in state.items():
        setattr(server, name, value)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
