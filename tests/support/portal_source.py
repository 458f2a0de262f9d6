"""The portals an end-to-end test crawls, with their ground truth and a server that reports
what it was asked: the shared portalgen corpus when ../shared holds it, and always the bundled
demo portal, so a fresh clone runs the same crawl assertions as CI.

    @pytest.fixture(scope="module")     # in tests/conftest.py, parametrised over `names()`
    def portal_source(...): yields a PortalSource

    with portal_source.serve() as server:
        crawl(portal_source.start_urls, proxy=server.url)
        server.requests()                # [(method, absolute URL)] the server answered

A source is one corpus: its sites (id, host, start URLs, case folding), its routes (path ->
kind, file, content type), its truth (one record per URL form of an article, canonical
first), and the robots.txt of each site.
"""
from __future__ import annotations

import json
import re
import sqlite3
import urllib.request
import urllib.robotparser
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from tests.support import portalgen

DEMO_ROOT = Path(__file__).resolve().parents[2] / "portal_crawler" / "demo"
PAGE_KINDS = {"article", "article-alt", "article-print", "article-alias", "listing", "home", "static",
              "redirect", "error", "robots", "sitemap"}


def names() -> list[str]:
    """The sources this checkout can crawl: portalgen only where ../shared has it."""
    return (["portalgen"] if portalgen.available() else []) + ["demo"]


@dataclass(frozen=True)
class Site:
    id: str
    host: str
    start_urls: list[str]
    case_insensitive: bool
    family: str | None
    routes: dict[str, dict]         # path+query -> {"kind", "file" (under root), "content_type"}
    patterns: list[dict]            # {"kind", "path", "param"}: answers any value (calendar, search)


@dataclass
class PortalSource:
    name: str
    root: Path                      # route files are relative to it
    sites: list[Site]
    truth: list[dict]               # {"url", "canonical", "site", "quirks", "url_alias"}
    articles: list[dict] = field(default_factory=list)  # expected fields per canonical article
    _serve: object = None

    @property
    def start_urls(self) -> list[str]:
        return [url for site in self.sites for url in site.start_urls]

    def site(self, site_id: str) -> Site:
        return next(s for s in self.sites if s.id == site_id)

    def host_site(self, host: str | None) -> Site | None:
        return next((s for s in self.sites if s.host == host), None)

    @property
    def largest_site(self) -> Site:
        """The site with most articles (what a one-site crawl test takes)."""
        return max(self.sites, key=lambda s: sum(r["kind"] == "article" for r in s.routes.values()))

    def key(self, url: str) -> str:
        """host + path (+ query), the path folded on hosts that ignore its case."""
        parts = urlsplit(url)
        site = self.host_site(parts.hostname)
        path = parts.path.lower() if site and site.case_insensitive else parts.path
        return f"{parts.hostname}{path}" + (f"?{parts.query}" if parts.query else "")

    def canonical_keys(self) -> list[str]:
        return sorted({self.key(t["url"]) for t in self.truth if t["url"] == t["canonical"]})

    def indexed_keys(self, index_path: Path, aliases: bool = True) -> Counter:
        """How often each key is an article row of an index (and, with `aliases`, an alias)."""
        query = "SELECT url FROM articles" + (" UNION ALL SELECT url FROM aliases" if aliases else "")
        db = sqlite3.connect(index_path)
        try:
            return Counter(self.key(url) for (url,) in db.execute(query))
        finally:
            db.close()

    def robots(self, host: str) -> urllib.robotparser.RobotFileParser:
        site = self.host_site(host)
        parser = urllib.robotparser.RobotFileParser()
        route = site.routes.get("/robots.txt") if site else None
        lines = (self.root / route["file"]).read_text(encoding="utf-8").splitlines() if route and route.get("file") else []
        parser.parse(lines)
        return parser

    def disallowed(self, urls) -> list[str]:
        """The URLs robots.txt of their own host forbids to every crawler."""
        parsers: dict[str, urllib.robotparser.RobotFileParser] = {}
        out = []
        for url in urls:
            host = urlsplit(url).hostname or ""
            if host not in parsers:
                parsers[host] = self.robots(host)
            if not parsers[host].can_fetch("*", url):
                out.append(url)
        return out

    def serve(self, log_dir: Path):
        return self._serve(self, log_dir)


# ---------------------------------------------------------------------- portalgen
class _PortalgenServed:
    def __init__(self, server: portalgen.PortalgenServer):
        self.server = server
        self.url = server.url

    def requests(self) -> list[tuple[str, str]]:
        log = self.server.log_path.read_text(encoding="utf-8", errors="replace")
        return [(m, u) for m, u in re.findall(r'"(GET|HEAD) (\S+) HTTP', log) if "://" in u]

    def unknown_hosts(self) -> dict:
        return self.server.stats()["unknown_hosts"]


@contextmanager
def _serve_portalgen(source: PortalSource, log_dir: Path):
    log_dir.mkdir(parents=True, exist_ok=True)
    with portalgen.PortalgenServer(source.root, log_path=log_dir / "server.log") as server:
        yield _PortalgenServed(server)


def from_portalgen(base: Path, articles: int = 120, seed: int = 1) -> PortalSource:
    return portalgen_corpus(portalgen.generate(base / "corpus", articles=articles, seed=seed))


def portalgen_corpus(corpus: Path) -> PortalSource:
    """A corpus portalgen already generated."""
    routes = json.loads((corpus / "routes.json").read_text(encoding="utf-8"))["sites"]
    sites = []
    for entry in portalgen.sites(corpus):
        site = routes[entry["id"]]
        sites.append(Site(entry["id"], site["host"], list(entry["start_urls"]), bool(site.get("case_insensitive")),
                          site.get("family"), site["routes"],
                          [{"kind": p.get("kind"), "path": p["path"], "param": p["param"]} for p in site["patterns"]]))
    # portalgen's alias forms differ from their canonical URL by URL rules alone
    truth = [{"url": t["url"], "canonical": t["canonical"], "site": t["site"], "quirks": t.get("quirks", []),
              "url_alias": True} for t in portalgen.truth(corpus)]
    return PortalSource("portalgen", corpus, sites, truth, portalgen.truth(corpus), _serve_portalgen)


# ---------------------------------------------------------------------- the bundled demo portal
class _DemoServed:
    def __init__(self, server):
        self.server = server
        self.url = server.url

    def _stats(self) -> dict:
        # Over HTTP, the way a crawl outside this process would ask.
        with urllib.request.urlopen(self.url + "/_demo/stats", timeout=10) as answer:
            return json.load(answer)

    def requests(self) -> list[tuple[str, str]]:
        return [(method, f"http://{host}{target}") for method, host, target, _status in self._stats()["requests"]]

    def unknown_hosts(self) -> dict:
        return self._stats()["unknown_hosts"]


@contextmanager
def _serve_demo(source: PortalSource, log_dir: Path):
    from portal_crawler.demo.server import DemoServer
    with DemoServer(root=source.root) as server:
        yield _DemoServed(server)


def from_demo() -> PortalSource:
    manifest = json.loads((DEMO_ROOT / "manifest.json").read_text(encoding="utf-8"))
    expected = json.loads((DEMO_ROOT / "expected.json").read_text(encoding="utf-8"))["articles"]
    sites = [Site(entry["id"], entry["host"], list(entry["start_urls"]), bool(entry["case_insensitive"]),
                  None, entry["routes"],
                  [{"kind": p["kind"], "path": p["path"], "param": p["param"]} for p in entry["patterns"]])
             for entry in manifest["sites"]]
    # The demo's aliases are other addresses of the same page (tin.aspx?id=N), tied to the
    # article only by its rel=canonical: no URL rule can tell.
    truth = [{"url": url, "canonical": article["url"], "site": article["site"], "quirks": list(article["traits"]),
              "url_alias": url == article["url"]}
             for article in expected for url in [article["url"], *article["aliases"]]]
    return PortalSource("demo", DEMO_ROOT, sites, truth, expected, _serve_demo)


def make(name: str, base: Path) -> PortalSource:
    return from_portalgen(base) if name == "portalgen" else from_demo()
