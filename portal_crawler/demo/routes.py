"""Answer a request for a demo portal from manifest.json: the routing, without any HTTP.

`DemoPortals.respond(host, target, request_headers)` returns a `Reply`. It knows the
static routes, the dynamic calendar and search pages, conditional GET and gzip.
"""
from __future__ import annotations

import gzip
import hashlib
import html
import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlsplit

HERE = Path(__file__).resolve().parent
# The calendar answers any day in this range: effectively unbounded for a crawler.
CALENDAR_FIRST, CALENDAR_LAST = date(2000, 1, 1), date(2030, 12, 31)
COMPRESSIBLE = ("text/", "application/xml", "application/json")


@dataclass(frozen=True)
class Reply:
    status: int
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""


@dataclass(frozen=True)
class Route:
    file: Path
    content_type: str
    kind: str
    headers: dict = field(default_factory=dict)


def _normal_path(path: str) -> str:
    """One spelling per path, so `/a%20b` and `/a b` find the same route."""
    return quote(unquote(path), safe="/:@!$&'()*+,;=-._~")


def _normal_target(target: str, fold_case: bool = False) -> str:
    parts = urlsplit(target)
    path = _normal_path(parts.path or "/")
    if fold_case:
        path = path.lower()
    return f"{path}?{parts.query}" if parts.query else path


class DemoSiteRoutes:
    def __init__(self, root: Path, entry: dict):
        self.id = entry["id"]
        self.host = entry["host"]
        self.name = entry["name"]
        self.start_urls = list(entry["start_urls"])
        self.server = entry["server"]
        self.fold_case = entry["case_insensitive"]
        self.not_found = root / entry["not_found"]
        self.patterns = {self._key(p["path"]): p | {"file": root / p["file"]} for p in entry["patterns"]}
        self.routes = {self._key(target): Route(root / r["file"], r["content_type"], r["kind"], r["headers"])
                       for target, r in entry["routes"].items()}

    def _key(self, target: str) -> str:
        return _normal_target(target, fold_case=self.fold_case)

    def lookup(self, target: str) -> tuple[int, Route | None, bytes]:
        """(status, route, body) for a path+query on this site."""
        target = self._key(target)
        route = self.routes.get(target)
        if route is not None:
            return 200, route, route.file.read_bytes()
        parts = urlsplit(target)
        pattern = self.patterns.get(parts.path)
        if pattern is not None:
            body = self._render_pattern(pattern, parse_qs(parts.query))
            if body is not None:
                return 200, Route(pattern["file"], "text/html; charset=utf-8", pattern["kind"]), body
        return 404, Route(self.not_found, "text/html; charset=utf-8", "error"), self.not_found.read_bytes()

    @staticmethod
    def _render_pattern(pattern: dict, query: dict) -> bytes | None:
        template = pattern["file"].read_text(encoding="utf-8")
        value = (query.get(pattern["param"]) or [""])[0]
        if pattern["kind"] == "calendar":
            try:
                day = date.fromisoformat(value)
            except ValueError:
                return None
            if not CALENDAR_FIRST <= day <= CALENDAR_LAST:
                return None
            text = (template.replace("{{day}}", f"{day:%d/%m/%Y}")
                    .replace("{{prev}}", (day - timedelta(days=1)).isoformat())
                    .replace("{{next}}", (day + timedelta(days=1)).isoformat()))
        else:
            text = template.replace("{{q}}", html.escape(value))
        return text.encode("utf-8")


class DemoPortals:
    """Every demo site of a manifest, by host."""

    def __init__(self, root: Path = HERE, compress: bool = True):
        manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
        self.sites = {entry["host"]: DemoSiteRoutes(root, entry) for entry in manifest["sites"]}
        self.compress = compress

    @property
    def hosts(self) -> list[str]:
        return list(self.sites)

    @property
    def start_urls(self) -> list[str]:
        return [url for site in self.sites.values() for url in site.start_urls]

    def respond(self, host: str, target: str, request_headers) -> Reply:
        site = self.sites.get(host.lower())
        if site is None:
            message = f"502 Bad Gateway: the demo server serves only {', '.join(self.sites)}; it never forwards.\n"
            return Reply(502, (("Content-Type", "text/plain; charset=utf-8"),), message.encode("utf-8"))
        status, route, body = site.lookup(target)
        headers = dict(route.headers)
        if status == 200 and "ETag" not in headers and route.kind not in ("calendar", "search"):
            headers["ETag"] = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        if status == 200 and _not_modified(request_headers, headers):
            kept = {k: v for k, v in headers.items() if k in ("ETag", "Last-Modified")}
            return Reply(304, tuple((kept | {"Server": site.server}).items()))
        headers["Content-Type"] = route.content_type
        if status != 200:
            headers = {"Content-Type": route.content_type}
        headers["Server"] = site.server
        accept = request_headers.get("Accept-Encoding", "") or ""
        if self.compress and "gzip" in accept and route.content_type.startswith(COMPRESSIBLE):
            body = gzip.compress(body, mtime=0)
            headers["Content-Encoding"] = "gzip"
            headers["Vary"] = "Accept-Encoding"
        return Reply(status, tuple(headers.items()), body)


def _not_modified(request_headers, headers: dict) -> bool:
    """RFC 9110 13.2.2: If-None-Match wins; If-Modified-Since only when it is absent."""
    tags = request_headers.get("If-None-Match")
    if tags is not None:
        etag = headers.get("ETag")
        wanted = {t.strip().removeprefix("W/") for t in tags.split(",")}
        return etag is not None and ("*" in wanted or etag.removeprefix("W/") in wanted)
    since, modified = request_headers.get("If-Modified-Since"), headers.get("Last-Modified")
    if since is None or modified is None:
        return False
    try:
        return parsedate_to_datetime(modified) <= parsedate_to_datetime(since)
    except (TypeError, ValueError):
        return False  # an unparseable date means: send the full response
