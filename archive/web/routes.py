"""A small router: paths matched by regular expressions, handlers named by the app."""
from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Route:
    pattern: re.Pattern
    handler: str
    methods: tuple[str, ...] = ("GET", "HEAD")


def route(path_regex: str, handler: str, methods: tuple[str, ...] = ("GET", "HEAD")) -> Route:
    return Route(re.compile(path_regex + r"\Z", re.DOTALL), handler, methods)


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
    route(r"/lang", "switch_language"),
    route(r"/login", "login", ("GET", "HEAD", "POST")),
    route(r"/robots.txt", "robots_txt"),
    route(r"/static/(?P<name>[A-Za-z0-9_-]+\.(?:css|js|svg|png))", "static_file"),
    route(r"/raw/(?:k-(?P<key>[0-9a-f]{32})/)?(?P<stamp>\d{1,14})/(?P<url>.*)", "raw_content"),
    route(r"/api/?", "api_index"),
    route(r"/api/search", "api_search"),
    route(r"/api/article", "api_article"),
    route(r"/api/captures", "api_captures"),
    route(r"/api/citation", "api_citation"),
    route(r"/api/sites", "api_sites"),
)


def match(path: str) -> tuple[Route, dict[str, str]] | tuple[None, None]:
    for candidate in ROUTES:
        found = candidate.pattern.match(path)
        if found:
            return candidate, {k: v for k, v in found.groupdict().items() if v is not None}
    return None, None
