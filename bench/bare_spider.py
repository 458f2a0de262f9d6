"""A bare Scrapy spider: the portal spider's link following without archiving anything.

    .venv/bin/python bench/bare_spider.py START_URL... --proxy http://127.0.0.1:PORT [--stats FILE]

It is the yardstick for the full pipeline's pages per second (bench/crawl_bench.py): the same
hosts (ScopePolicy), robots.txt obeyed, the same trap caps (TrapGuard), canonical URLs and
request fingerprints, the same politeness settings and middlewares (proxy, Crawl-delay /
Retry-After / 5xx back-off, AutoThrottle, retries), the same link XPaths, sitemaps and
postback fallback links. It writes no WARC, extracts no article and keeps no index; the
crawl's Scrapy stats go to --stats as JSON.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import portal_crawler  # noqa: E402,F401  (offline tldextract before Scrapy loads)
import scrapy  # noqa: E402
from scrapy.http import HtmlResponse  # noqa: E402

from portal_crawler.scope import (ScopePolicy, TrapGuard, canonicalize, host_of,  # noqa: E402
                                  is_case_insensitive_server, parse_sitemap, postback_fallback_links)
from portal_crawler.sites.registry import SiteProfile  # noqa: E402
from portal_crawler.spiders.portal import LINK_XPATH, PRIORITY, header_pairs  # noqa: E402

# The portal spider's own stages that archive, index or report progress are left out.
ARCHIVING_MIDDLEWARES = ("ArchiveReplayMiddleware", "ConditionalGetMiddleware")
CANONICAL_XPATH = "//link[@rel='canonical']/@href"


class BareSpider(scrapy.Spider):
    name = "bare"

    def __init__(self, start_urls: list[str], *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.profiles = [SiteProfile.from_url(u) for u in start_urls]
        self.scopes = [ScopePolicy.from_profile(p) for p in self.profiles]
        self.allowed_domains = sorted({h for p in self.profiles for h in p.hosts})
        self.case_insensitive_hosts = {h for p in self.profiles if p.case_insensitive for h in p.hosts}

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.trap_guard = TrapGuard.from_settings(crawler.settings)
        return spider

    async def start(self):
        for profile in self.profiles:
            for url in profile.start_urls:
                yield self.request_for(url, "page", priority=10)
            for url in profile.sitemap_urls():
                yield self.request_for(url, "sitemap", priority=5)

    def request_for(self, url: str, kind: str, priority: int = 0) -> scrapy.Request:
        return scrapy.Request(url, callback=self.parse, priority=priority,
                              meta={"url_kind": kind, "handle_httpstatus_list": [304, 404, 410]})

    def url_key(self, url: str) -> str:
        """Used by the project's request fingerprinter, as on the portal spider."""
        return canonicalize(url, case_insensitive_paths=host_of(url) in self.case_insensitive_hosts)

    def in_scope(self, url: str) -> ScopePolicy | None:
        return next((scope for scope in self.scopes if scope.in_scope(url)), None)

    def follow(self, urls, kind_hint: str | None = None):
        for raw in urls:
            url = canonicalize(raw)
            scope = self.in_scope(url)
            if scope is None:
                continue
            kind = scope.classify(url)
            if kind == "skip":
                continue
            allowed, rule = self.trap_guard.check(url)
            if not allowed:
                self.crawler.stats.inc_value(f"traps/capped/{rule}")
                continue
            if kind == "trap":
                kind = "page"
            if kind_hint == "asset" and kind == "page":
                kind = "asset"
            yield self.request_for(url, kind, priority=PRIORITY.get(kind, 0))

    def parse(self, response):
        if response.status in (404, 410):
            return
        if "Server" in response.headers and is_case_insensitive_server(header_pairs(response.headers)):
            self.case_insensitive_hosts.add(host_of(response.url))
        kind = response.meta.get("url_kind", "page")
        if kind == "sitemap" or (response.url.endswith(".xml") and b"<urlset" in response.body[:2048]):
            pages, sitemaps = parse_sitemap(response.body, response.url)
            yield from self.follow(pages)
            for url in sitemaps:
                if self.in_scope(url):
                    yield self.request_for(canonicalize(url), "sitemap", priority=5)
            return
        if not isinstance(response, HtmlResponse):
            return
        page_links = [response.urljoin(u) for u in response.xpath(LINK_XPATH["page"]).getall()]
        page_links += [response.urljoin(u) for u in response.xpath(CANONICAL_XPATH).getall()]
        page_links += [link for link in postback_fallback_links(response.body, response.url) if isinstance(link, str)]
        yield from self.follow(page_links)
        asset_links = [response.urljoin(u) for u in response.xpath(LINK_XPATH["asset"]).getall()]
        yield from self.follow(asset_links, kind_hint="asset")


def bare_settings(proxy: str):
    from scrapy.settings import Settings
    settings = Settings()
    settings.setmodule("portal_crawler.settings", priority="project")
    middlewares = {path: order for path, order in settings.getdict("DOWNLOADER_MIDDLEWARES").items()
                   if not path.endswith(ARCHIVING_MIDDLEWARES)}
    settings.set("DOWNLOADER_MIDDLEWARES", middlewares, priority="cmdline")
    settings.set("EXTENSIONS", {}, priority="cmdline")
    settings.set("ITEM_PIPELINES", {}, priority="cmdline")
    settings.set("PORTAL_PROXY", proxy, priority="cmdline")
    settings.set("LOG_LEVEL", "WARNING", priority="cmdline")
    return settings


def main(argv=None) -> int:
    from scrapy.crawler import CrawlerProcess
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("start_urls", nargs="+")
    parser.add_argument("--proxy", required=True)
    parser.add_argument("--stats", type=Path, help="write the crawl's Scrapy stats here as JSON")
    args = parser.parse_args(argv)
    process = CrawlerProcess(bare_settings(args.proxy))
    crawler = process.create_crawler(BareSpider)
    process.crawl(crawler, start_urls=args.start_urls)
    process.start()
    stats = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in crawler.stats.get_stats().items()}
    if args.stats:
        args.stats.write_text(json.dumps(stats, indent=1, sort_keys=True), encoding="utf-8")
    print(f"bare crawl: {stats.get('response_received_count', 0)} responses, "
          f"{stats.get('elapsed_time_seconds', 0):.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
