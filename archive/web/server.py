"""A threaded wsgiref server for the app: the standard library, no extra dependency."""
from __future__ import annotations

import logging
import socket
import socketserver
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from archive.web.access import check_bind, is_loopback
from archive.web.app import make_app

log = logging.getLogger(__name__)

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


class ThreadingWSGIServer(socketserver.ThreadingMixIn, WSGIServer):
    # A snapshot page loads its frame and the frame's images in parallel.
    daemon_threads = True


class IPv6ThreadingWSGIServer(ThreadingWSGIServer):
    address_family = socket.AF_INET6


class QuietHandler(WSGIRequestHandler):
    """Request lines go to the logging system instead of stderr."""

    def log_message(self, format, *args):  # noqa: A002 (the base class's name)
        log.info("%s %s", self.address_string(), format % args)


def build_server(data_dir, host: str = "127.0.0.1", port: int = 8080, token: str | None = None,
                 public: bool = False):
    """The server, bound and ready (port 0 picks a free port: see server.server_port)."""
    check_bind(host, token, public)
    # On loopback, only loopback host names are answered: a web page that rebinds its own
    # DNS name to 127.0.0.1 cannot read the archive through the visitor's browser.
    allowed = (LOOPBACK_HOSTS | {host.strip("[]").lower()}) if is_loopback(host) and not token else None
    app = make_app(data_dir, token=token, public=public, allowed_hosts=allowed)
    server_class = IPv6ThreadingWSGIServer if ":" in host else ThreadingWSGIServer
    return make_server(host.strip("[]"), port, app, server_class=server_class, handler_class=QuietHandler)


def announce(url: str) -> None:
    """The command's output: where to point the browser."""
    print(f"serving the archive on {url}  (Ctrl+C stops)", flush=True)


def serve(data_dir, host: str = "127.0.0.1", port: int = 8080, token: str | None = None,
          public: bool = False, on_ready=announce) -> None:
    """Serve the archive until interrupted (blocking). `on_ready(url)` is called once bound."""
    server = build_server(data_dir, host, port, token=token, public=public)
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{server.server_port}/"
    log.info("serving %s on %s", data_dir, url)
    if on_ready is not None:
        on_ready(url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        log.info("stopped")
    finally:
        server.server_close()
