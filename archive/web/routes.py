"""A small router: paths matched by regular expressions, handlers named by the app, and
who may use each route declared beside it."""
from __future__ import annotations

import enum
import re
from dataclasses import dataclass


class Access(enum.Enum):
    OPEN = "open"          # anyone, even when a token protects the archive (login, static files)
    READER = "reader"      # a reader: loopback or public mode, or the token (cookie or bearer)
    ARCHIVED = "archived"  # a reader, or a path key standing in for the token (sandboxed frames)


@dataclass(frozen=True)
class Route:
    pattern: re.Pattern
    handler: str
    methods: tuple[str, ...] = ("GET", "HEAD")
    access: Access = Access.READER
    api: bool = False      # refusals are JSON errors, not the login page


def route(path_regex: str, handler: str, methods: tuple[str, ...] = ("GET", "HEAD"),
          access: Access = Access.READER, api: bool = False) -> Route:
    return Route(re.compile(path_regex + r"\Z", re.DOTALL), handler, methods, access, api)


# Archived content lives under its own prefix so it can be served with a sandbox policy;
# the key segment appears only when the app is protected by a token (see access.raw_key).
RAW_PREFIX = "/raw/"
ROUTES = (
    route(r"/", "search_page"),
    route(r"/article", "article_page"),
    route(r"/snapshot", "snapshot_page"),
    route(r"/citation", "citation_page"),
    route(r"/record", "record_download"),
    route(r"/wacz", "wacz_download"),
    route(r"/lang", "switch_language", access=Access.OPEN),
    route(r"/login", "login", ("GET", "HEAD", "POST"), access=Access.OPEN),
    route(r"/robots.txt", "robots_txt", access=Access.OPEN),
    route(r"/static/(?P<name>[A-Za-z0-9_-]+\.(?:css|js|svg|png))", "static_file", access=Access.OPEN),
    route(r"/raw/(?:k-(?P<key>[0-9a-f]{32})/)?(?P<stamp>\d{1,14})/(?P<url>.*)", "raw_content",
          access=Access.ARCHIVED),
    route(r"/api/?", "api_index", api=True),
    route(r"/api/search", "api_search", api=True),
    route(r"/api/article", "api_article", api=True),
    route(r"/api/captures", "api_captures", api=True),
    route(r"/api/citation", "api_citation", api=True),
    route(r"/api/sites", "api_sites", api=True),
)


def match(path: str) -> tuple[Route, dict[str, str]] | tuple[None, None]:
    for candidate in ROUTES:
        found = candidate.pattern.match(path)
        if found:
            return candidate, {k: v for k, v in found.groupdict().items() if v is not None}
    return None, None
