"""Calls a WSGI app in-process, as a server would, and returns what it answered."""
from __future__ import annotations

import io
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit
from wsgiref.util import setup_testing_defaults


@dataclass
class Answer:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        values = self.header_list(name)
        return values[-1] if values else None

    def header_list(self, name: str) -> list[str]:
        return [value for key, value in self.headers if key.lower() == name.lower()]

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


def call(app, target: str, method: str = "GET", headers: dict | None = None, body: bytes = b"") -> Answer:
    """target is a path with an optional query; the path is decoded as servers do for PATH_INFO."""
    parts = urlsplit(target)
    environ = {
        "REQUEST_METHOD": method,
        # PEP 3333: PATH_INFO is the percent-decoded path, as latin-1 text of its bytes
        "PATH_INFO": unquote(parts.path, encoding="latin-1"),
        "QUERY_STRING": parts.query,
        "wsgi.input": io.BytesIO(body),
        "CONTENT_LENGTH": str(len(body)),
        "HTTP_HOST": "127.0.0.1:8080",
    }
    for name, value in (headers or {}).items():
        key = name.upper().replace("-", "_")
        environ[key if key in ("CONTENT_TYPE", "CONTENT_LENGTH") else "HTTP_" + key] = value
    setup_testing_defaults(environ)
    captured = {}

    def start_response(status, response_headers, exc_info=None):
        captured["status"] = int(status.split()[0])
        captured["headers"] = response_headers

    chunks = app(environ, start_response)
    return Answer(captured["status"], captured["headers"], b"".join(chunks))
