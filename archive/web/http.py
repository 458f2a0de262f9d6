"""Just enough HTTP for a WSGI app: a parsed request, a response, and errors that carry a status."""
from __future__ import annotations

import http.cookies
from dataclasses import dataclass, field
from http import HTTPStatus
from urllib.parse import parse_qs, quote


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]          # lower-case names
    cookies: dict[str, str]
    query_string: str = ""
    form: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def from_environ(cls, environ) -> "Request":
        headers = {key[5:].replace("_", "-").lower(): value
                   for key, value in environ.items() if key.startswith("HTTP_")}
        if environ.get("CONTENT_TYPE"):
            headers["content-type"] = environ["CONTENT_TYPE"]
        cookies = {}
        jar = http.cookies.SimpleCookie()
        try:
            jar.load(headers.get("cookie", ""))
            cookies = {name: morsel.value for name, morsel in jar.items()}
        except http.cookies.CookieError:
            pass  # a malformed cookie header is treated as no cookies
        query_string = environ.get("QUERY_STRING", "")
        method = environ.get("REQUEST_METHOD", "GET").upper()
        form = {}
        if method == "POST" and headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            form = parse_qs(_read_body(environ).decode("utf-8", "replace"), keep_blank_values=True)
        return cls(method=method, path=_path_info(environ), query=parse_qs(query_string, keep_blank_values=True),
                   headers=headers, cookies=cookies, query_string=query_string, form=form)

    def arg(self, name: str, default: str = "") -> str:
        values = self.query.get(name)
        return values[0].strip() if values else default

    def form_value(self, name: str) -> str:
        values = self.form.get(name)
        return values[0] if values else ""

    @property
    def full_path(self) -> str:
        return self.path + ("?" + self.query_string if self.query_string else "")


MAX_FORM_BYTES = 64 * 1024


def _read_body(environ) -> bytes:
    try:
        length = min(int(environ.get("CONTENT_LENGTH") or 0), MAX_FORM_BYTES)
    except ValueError:
        length = 0
    return environ["wsgi.input"].read(length) if length > 0 else b""


def _path_info(environ) -> str:
    """PATH_INFO as text: WSGI hands it over as latin-1-decoded bytes."""
    raw = environ.get("PATH_INFO", "/") or "/"
    try:
        return raw.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return raw


@dataclass
class Response:
    body: bytes = b""
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    headers: list[tuple[str, str]] = field(default_factory=list)

    def header(self, name: str, value: str) -> "Response":
        if any(c in value for c in "\r\n\0"):
            # a header value that could end the header: a bug, never sent
            raise ValueError(f"line break in the {name} header")
        self.headers.append((name, value))
        return self

    def status_line(self) -> str:
        return f"{self.status} {HTTPStatus(self.status).phrase}"


class HttpError(Exception):
    """Stops a handler with a friendly error page: status plus a message key from the strings."""

    def __init__(self, status: int, message_key: str, **values):
        super().__init__(message_key)
        self.status = status
        self.message_key = message_key
        self.values = values


# Printable ASCII but space: what may stand in a Location header as it is. Everything else
# (controls, CR/LF, spaces, non-ASCII) is percent-encoded as UTF-8, so no input can end the
# header or the response, and the server never meets a character outside Latin-1.
LOCATION_SAFE = "".join(chr(c) for c in range(0x21, 0x7F))


def encode_location(location: str) -> str:
    return quote(location, safe=LOCATION_SAFE, errors="replace")


def redirect(location: str, status: int = 303) -> Response:
    return Response(b"", status=status).header("Location", encode_location(location))


def content_disposition(filename: str, inline: bool = False) -> str:
    """A header that keeps non-ASCII names (RFC 6266) and cannot be broken by quotes."""
    ascii_name = "".join(c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in filename)
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


def header_value(headers: list[tuple[str, str]], name: str) -> str | None:
    wanted = name.lower()
    found = None
    for key, value in headers:
        if key.lower() == wanted:
            found = value
    return found


def parse_charset(params: str) -> str | None:
    for param in params.split(";"):
        name, _, value = param.strip().partition("=")
        if name.strip().lower() == "charset" and value.strip():
            return value.strip().strip('"\'')
    return None
