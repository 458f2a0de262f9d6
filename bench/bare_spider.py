"""A bare Scrapy spider: the portal spider's link following without archiving anything.

    .venv/bin/python bench/bare_spider.py START_URL... --proxy http://127.0.0.1:PORT [--stats FILE]

It is the yardstick for the full pipeline's pages per second (bench/crawl_bench.py). It is the
portal spider itself (a subclass) with the storing parts taken out, so it follows exactly the
same links as the spider does today: the same hosts (ScopePolicy), robots.txt obeyed, the same trap caps
(TrapGuard), canonical URLs, request fingerprints, link XPaths, sitemaps and postback paging,
and the same politeness settings and middlewares (proxy, Crawl-delay / Retry-After / 5xx
back-off, AutoThrottle, retries). Left out: the WARC recorder, article extraction, the index
and its pipeline, conditional GET and resume (the crawl session stays, over an empty scratch
index: the spider asks it what is due, as on a first crawl). The article's canonical URL, which the spider
takes from extraction, comes from `<link rel=canonical>` here; attachments are `<a href>`
links and are followed anyway. The spider's start/end bookkeeping (a sites and a crawls row)
goes to a scratch data dir that is deleted at exit. The crawl's Scrapy stats go to --stats.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import portal_crawler  # noqa: E402,F401  (offline tldextract before Scrapy loads)
from scrapy.http import TextResponse  # noqa: E402

from portal_crawler.scope import PostbackForm  # noqa: E402
from portal_crawler.spiders.portal import PortalSpider, links_of  # noqa: E402

# The portal spider's downloader middlewares that read the archive.
ARCHIVE_MIDDLEWARES = ("ArchiveReplayMiddleware", "ConditionalGetMiddleware")
CANONICAL_XPATH = "//link[@rel='canonical']/@href"


class BareSpider(PortalSpider):
    name = "bare"

    async def parse_page(self, response: TextResponse):
        # the spider's own link reading, over Scrapy's parse (there is no extraction to share a tree with)
        page_links, asset_links, postbacks = links_of(response)
        page_links, asset_links = list(dict.fromkeys(page_links)), list(dict.fromkeys(asset_links))
        canonical = [response.urljoin(u) for u in response.xpath(CANONICAL_XPATH).getall()]
        for request in self.follow([u for u in canonical if u != response.url]):
            yield request
        for request in self.follow(page_links, parent=response):
            yield request
        for request in self.follow(asset_links, kind_hint="asset"):
            yield request
        for request in self.postback_requests([f for f in postbacks if isinstance(f, PostbackForm)]):
            yield request


def bare_settings(proxy: str, scratch: str):
    """The project's settings without the archiving stages; the spider's own bookkeeping
    (sites and crawls rows it writes at start and end) goes to a scratch data dir."""
    from scrapy.settings import Settings
    settings = Settings()
    settings.setmodule("portal_crawler.settings", priority="project")
    middlewares = {path: order for path, order in settings.getdict("DOWNLOADER_MIDDLEWARES").items()
                   if not path.endswith(ARCHIVE_MIDDLEWARES)}
    settings.set("DOWNLOADER_MIDDLEWARES", middlewares, priority="cmdline")
    # the session stays: the spider asks it what is due and what is fresh, as in a first crawl
    # (its index is the scratch one, empty); the recorder and the progress display go
    settings.set("EXTENSIONS", {"portal_crawler.session.CrawlSession": 50}, priority="cmdline")
    settings.set("ITEM_PIPELINES", {}, priority="cmdline")
    settings.set("PORTAL_PROXY", proxy, priority="cmdline")
    settings.set("PORTAL_ARCHIVE_DATA", scratch, priority="cmdline")
    settings.set("LOG_LEVEL", "WARNING", priority="cmdline")
    return settings


def main(argv=None) -> int:
    from scrapy.crawler import CrawlerProcess
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("start_urls", nargs="+")
    parser.add_argument("--proxy", required=True)
    parser.add_argument("--stats", type=Path, help="write the crawl's Scrapy stats here as JSON")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bare-spider-") as scratch:
        process = CrawlerProcess(bare_settings(args.proxy, scratch))
        crawler = process.create_crawler(BareSpider)
        process.crawl(crawler, start_url=",".join(args.start_urls))
        process.start()
    stats = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in crawler.stats.get_stats().items()}
    if args.stats:
        args.stats.write_text(json.dumps(stats, indent=1, sort_keys=True), encoding="utf-8")
    print(f"bare crawl: {stats.get('response_received_count', 0)} responses, "
          f"{stats.get('elapsed_time_seconds', 0):.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
