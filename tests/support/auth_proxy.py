"""An HTTP forward proxy on loopback that requires Basic proxy credentials and passes what
it accepts on to an upstream proxy (the demo portal server), for the proxy-credential tests.

    with AuthProxy(upstream=demo.url, user="user", password="s3cr3t") as proxy:
        proxy.url            # http://127.0.0.1:PORT (no credentials in it)
        proxy.authorized     # requests that came with the right credentials
        proxy.refused        # requests answered 407

It forwards the request line and headers as received, minus Proxy-Authorization and
Proxy-Connection (hop-by-hop: meant for this proxy only), and relays the upstream answer.
"""
from __future__ import annotations

import base64
import http.client
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

HOP_BY_HOP = {"proxy-authorization", "proxy-connection", "connection", "keep-alive", "te", "trailer",
              "upgrade", "transfer-encoding"}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _authorized(self) -> bool:
        expected = "Basic " + base64.b64encode(self.server.credentials.encode("latin-1")).decode("ascii")
        return self.headers.get("Proxy-Authorization") == expected

    def _refuse(self) -> None:
        self.server.count("refused")
        body = b"407 Proxy Authentication Required\n"
        self.send_response(407)
        self.send_header("Proxy-Authenticate", 'Basic realm="test"')
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _forward(self) -> None:
        if not self._authorized():
            self._refuse()
            return
        self.server.count("authorized")
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
        upstream = urlsplit(self.server.upstream)
        conn = http.client.HTTPConnection(upstream.hostname, upstream.port, timeout=30)
        try:
            conn.request(self.command, self.path, body=body, headers=headers)
            answer = conn.getresponse()
            payload = answer.read()
        finally:
            conn.close()
        self.send_response(answer.status, answer.reason)
        for name, value in answer.getheaders():
            if name.lower() not in HOP_BY_HOP and name.lower() != "content-length":
                self.send_header(name, value)
        if answer.status != 304:
            self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD" and answer.status != 304:
            self.wfile.write(payload)

    do_GET = do_POST = do_HEAD = _forward  # noqa: N815 (http.server's naming)

    def log_message(self, format: str, *args) -> None:  # noqa: A002
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, upstream: str, credentials: str):
        self.upstream, self.credentials = upstream, credentials
        self.counts = {"authorized": 0, "refused": 0}
        self.lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), _Handler)

    def count(self, name: str) -> None:
        with self.lock:
            self.counts[name] += 1


class AuthProxy:
    def __init__(self, upstream: str, user: str, password: str):
        self._server = _Server(upstream, f"{user}:{password}")
        self._thread = threading.Thread(target=self._server.serve_forever, name="auth-proxy", daemon=True)

    def __enter__(self) -> "AuthProxy":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def authorized(self) -> int:
        return self._server.counts["authorized"]

    @property
    def refused(self) -> int:
        return self._server.counts["refused"]
