"""Serve the bundled demo portals on loopback, as an HTTP forward proxy.

    with DemoServer() as demo:           # 127.0.0.1, a free port, a background thread
        crawl(demo.start_urls, proxy=demo.url)

A request line in absolute form (`GET http://host/path HTTP/1.1`, what a client sends to
a proxy) picks the portal by its host; an origin-form request uses the Host header. Hosts
that are not demo portals get 502: nothing is ever forwarded to the network.
`GET /_demo/stats` sent to the server itself (origin form) answers what it was asked, as JSON
(the same as `DemoServer.stats()`), so a test can check what a crawl fetched.

    python -m portal_crawler.demo.server [--port 0]   prints `serving on http://127.0.0.1:PORT`
"""
from __future__ import annotations

import argparse
import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from .routes import HERE, DemoPortals, Reply

log = logging.getLogger(__name__)
STATS_PATH = "/_demo/stats"


class _ProxyHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "DemoPortal/1.0"

    def _target(self) -> tuple[str, str]:
        """(host, path+query) from an absolute-form request line or the Host header."""
        if self.path.lower().startswith(("http://", "https://")):
            parts = urlsplit(self.path)
            host = parts.hostname or ""
            target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            return host, target
        return urlsplit("//" + self.headers.get("Host", "")).hostname or "", self.path

    def version_string(self) -> str:
        # The portal's own Server header (IIS, nginx) when the reply names one.
        return getattr(self, "_portal_server", None) or super().version_string()

    def _send(self, reply: Reply, with_body: bool) -> None:
        headers = [(n, v) for n, v in reply.headers if n != "Server"]
        self._portal_server = next((v for n, v in reply.headers if n == "Server"), None)
        self.send_response(reply.status)
        for name, value in headers:
            self.send_header(name, value)
        if reply.status != 304:
            self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        if with_body and reply.status != 304:
            self.wfile.write(reply.body)

    def _answer(self, with_body: bool) -> None:
        host, target = self._target()
        if target == STATS_PATH and not self.path.lower().startswith(("http://", "https://")) \
                and host.lower() not in self.server.portals.sites:
            body = json.dumps(self.server.stats(), ensure_ascii=False).encode("utf-8")
            self._send(Reply(200, (("Content-Type", "application/json"),), body), with_body)
            return
        reply = self.server.portals.respond(host, target, self.headers)
        self.server.record(self.command, host, target, reply.status)
        self._send(reply, with_body)

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self._answer(with_body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        self._answer(with_body=False)

    def do_CONNECT(self) -> None:  # noqa: N802
        # The demo portals are plain HTTP; tunnelling would mean reaching the network.
        self._send(Reply(502, (("Content-Type", "text/plain"),), b"502 Bad Gateway: no tunnels\n"), True)
        self.close_connection = True

    def log_message(self, format: str, *args) -> None:  # noqa: A002 (overrides the stdlib name)
        log.debug("%s %s", self.address_string(), format % args)


class _PortalHTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address, portals: DemoPortals):
        self.portals = portals
        self._requests: list[tuple[str, str, str, int]] = []
        self._lock = threading.Lock()
        super().__init__(address, _ProxyHandler)

    def record(self, method: str, host: str, target: str, status: int) -> None:
        with self._lock:
            self._requests.append((method, host, target, status))

    def stats(self) -> dict:
        """Every request answered for a host, in order: [method, host, path+query, status]."""
        with self._lock:
            requests = list(self._requests)
        unknown: dict[str, int] = {}
        for _method, host, _target, _status in requests:
            if host.lower() not in self.portals.sites:
                unknown[host or "(none)"] = unknown.get(host or "(none)", 0) + 1
        return {"requests": [list(r) for r in requests], "unknown_hosts": unknown}


class DemoServer:
    """The demo portals on `bind`:`port` (0 = a free port) in a background thread."""

    def __init__(self, port: int = 0, bind: str = "127.0.0.1", root: Path = HERE, compress: bool = True):
        self.portals = DemoPortals(root, compress=compress)
        self._address = (bind, port)
        self._httpd: _PortalHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> "DemoServer":
        self._httpd = _PortalHTTPServer(self._address, self.portals)
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="demo-portal", daemon=True)
        self._thread.start()
        log.info("demo portals %s served on %s", ", ".join(self.hosts), self.url)
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._thread.join()
            self._httpd = self._thread = None

    def wait(self) -> None:
        """Block until the server stops (for the command line)."""
        if self._thread is not None:
            self._thread.join()

    def __enter__(self) -> "DemoServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("the demo server is not running; call start() first")
        return self._httpd.server_address[1]

    @property
    def url(self) -> str:
        return f"http://{self._address[0]}:{self.port}"

    def stats(self) -> dict:
        """What the server was asked since it started (see STATS_PATH)."""
        if self._httpd is None:
            raise RuntimeError("the demo server is not running; call start() first")
        return self._httpd.stats()

    @property
    def hosts(self) -> list[str]:
        return self.portals.hosts

    @property
    def start_urls(self) -> list[str]:
        return self.portals.start_urls


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Serve the bundled demo portals as an HTTP proxy on loopback.")
    parser.add_argument("--port", type=int, default=0, help="port to listen on (0: a free port)")
    parser.add_argument("--bind", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    args = parser.parse_args(argv)
    server = DemoServer(port=args.port, bind=args.bind).start()
    print(f"serving on {server.url}", flush=True)
    for url in server.start_urls:
        print(f"  {url}", flush=True)
    try:
        server.wait()
    except KeyboardInterrupt:
        server.stop()


if __name__ == "__main__":
    main()
