"""One generic spider for every portal: driven by a site profile or a bare start URL.

    scrapy crawl portal -a site=ID[,ID...]          profiles from the site registry
    scrapy crawl portal -a start_url=URL[,URL...]   the site is the URL's host, layout detected
"""
from __future__ import annotations

import logging
from urllib.parse import urljoin
from datetime import datetime, timezone

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.http import FormRequest, HtmlResponse, Request, TextResponse

from portal_crawler.archive_access import CrawlArchive
from portal_crawler.extract import extract
from portal_crawler.sites.registry import SiteProfile, load_registry
from portal_crawler.scope import (PostbackForm, ScopePolicy, TrapGuard, canonicalize, host_of,
                                  is_case_insensitive_server, parse_sitemap, postback_fallback_links,
                                  request_url)

logger = logging.getLogger(__name__)

# What a link found in a page is fetched for; lower numbers wait longer in the queue.
PRIORITY = {"page": 0, "document": -5, "asset": -10}
LINK_XPATH = {
    "page": "//a/@href | //area/@href | //frame/@src | //iframe/@src",
    "asset": ("//img/@src | //img/@data-src | //img/@data-original | //link[@rel='stylesheet']/@href"
              " | //script/@src | //link[contains(@rel, 'icon')]/@href | //source/@src"),
}


class DocumentBody(bytes):
    """A document's bytes in an item: logged as its size, not dumped whole."""

    def __repr__(self) -> str:
        return f"<{len(self)} bytes>"


def split_arg(value) -> list[str]:
    if not value:
        return []
    if isinstance(value, (list, tuple)):
        return [v for v in value if v]
    return [v.strip() for v in str(value).split(",") if v.strip()]


def header_pairs(headers) -> list[tuple[str, str]]:
    return [(k.decode("latin-1"), v.decode("latin-1")) for k, vs in headers.items() for v in vs]


class PortalSpider(scrapy.Spider):
    name = "portal"

    def __init__(self, site=None, start_url=None, resume=None, profiles=None, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.site_ids = split_arg(site)
        self.bare_urls = split_arg(start_url)
        self.targets = self.site_ids + self.bare_urls  # what the crawl was asked for
        self.profile_files = split_arg(profiles)
        self.resuming = str(resume or "").lower() in ("1", "true", "yes")
        if not self.site_ids and not self.bare_urls:
            raise ValueError("give -a site=ID or -a start_url=URL")

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.open_archive(crawler.settings)
        return spider

    # ------------------------------------------------------------------ setup
    def open_archive(self, settings):
        registry = load_registry(self.profile_files + split_arg(settings.get("PORTAL_PROFILES")))
        self.profiles = [registry.get(i) for i in self.site_ids]
        self.profiles += [SiteProfile.from_url(u) for u in self.bare_urls]
        # URLs are fetched as linked (the archive holds the URL the portal published); the
        # duplicate-request key (url_key) is the canonical form, case folded on IIS servers.
        self.scopes = {p.id: ScopePolicy.from_profile(p).with_case_insensitive_paths(False) for p in self.profiles}
        self.allowed_domains = sorted({h for p in self.profiles for h in p.hosts})
        self.trap_guard = TrapGuard.from_settings(settings)
        self.handled_links: set[str] = set()
        self.seen_fresh: set[str] = set()
        self.article_recheck_seconds = settings.getfloat("PORTAL_ARTICLE_RECHECK_HOURS", 12.0) * 3600
        self.asset_recheck_seconds = settings.getfloat("PORTAL_ASSET_RECHECK_DAYS", 30.0) * 86400
        self.archive = CrawlArchive(settings.get("PORTAL_ARCHIVE_DATA"))
        for profile in self.profiles:
            self.archive.index.upsert_site(profile.to_dict())
        crawl_id = settings.getint("PORTAL_CRAWL_ID", 0)
        if crawl_id:
            self.crawl_id = crawl_id
            self.resuming = True
        elif self.resuming:
            self.crawl_id = self.resumable_crawl(self.targets) or self.archive.index.start_crawl(
                self.targets, self.settings_summary(settings))
        else:
            self.crawl_id = self.archive.index.start_crawl(self.targets, self.settings_summary(settings))
        self.case_insensitive_hosts: set[str] = {h for p in self.profiles if p.case_insensitive for h in p.hosts}

    def resumable_crawl(self, targets: list[str]) -> int | None:
        """The newest crawl of the same targets that did not finish (killed or failed)."""
        for run in self.archive.index.crawls():
            if sorted(run.get("targets") or []) == sorted(targets):
                return run["id"] if run.get("outcome") in ("running", "failed") else None
        return None

    @staticmethod
    def settings_summary(settings) -> dict:
        keys = ("USER_AGENT", "CONCURRENT_REQUESTS_PER_DOMAIN", "AUTOTHROTTLE_ENABLED", "ROBOTSTXT_OBEY",
                "DOWNLOAD_MAXSIZE", "CLOSESPIDER_PAGECOUNT", "WARC_MAX_SIZE", "PORTAL_PROXY")
        return {k: settings.get(k) for k in keys}

    def profile_for(self, url: str):
        for profile in self.profiles:
            if self.scopes[profile.id].in_scope(url):
                return profile
        return None

    # ------------------------------------------------------------------ requests
    async def start(self):
        for request in self.start_requests():
            yield request

    def start_requests(self):
        for profile in self.profiles:
            for url in profile.start_urls:
                yield self.request_for(url, "page", priority=10, dont_filter=self.resuming)
            # the profile's sitemaps, else the conventional place (a 404 there costs one request)
            sitemaps = profile.sitemap_urls() or [urljoin(url, "/sitemap.xml") for url in profile.start_urls[:1]]
            for url in sitemaps:
                yield self.request_for(url, "sitemap", priority=5)

    def request_for(self, url: str, kind: str, priority: int = 0, **kwargs) -> Request:
        meta = {"url_kind": kind, "handle_httpstatus_list": [304, 404, 410]}
        meta.update(kwargs.pop("meta", {}))
        if kind == "document":
            meta["download_maxsize"] = self.settings.getint("PORTAL_DOCUMENT_MAX_SIZE")
        return Request(url, callback=self.parse, errback=self.on_error, priority=priority, meta=meta, **kwargs)

    def url_key(self, url: str) -> str:
        """What makes two URLs one resource: the canonical form (query sorted, session ids
        out), case folded on case-insensitive servers.  A key: never what is requested."""
        return canonicalize(url, case_insensitive_paths=host_of(url) in self.case_insensitive_hosts)

    def follow(self, urls, kind_hint: str | None = None, meta: dict | None = None, parent=None):
        """Requests for the in-scope, non-trap URLs among urls (found on the page `parent`)."""
        stats = self.crawler.stats
        parent_url = parent.url if parent is not None else None
        parent_chain = parent.meta.get("trap_chain", 0) if parent is not None else 0
        for raw in urls:
            # menus and sidebars repeat on every page: a link string handled once is done
            # (the trap guard has counted it and the dupefilter would drop the request)
            if raw in self.handled_links:
                continue
            self.handled_links.add(raw)
            profile = self.profile_for(raw)
            if profile is None:
                stats.inc_value("links/off_site")
                continue
            scope = self.scopes[profile.id]
            # the canonical form decides kind, traps and freshness; the request is the link
            # as written (the dupefilter's fingerprint folds spellings: fingerprint.py)
            key = scope.canonicalize(raw)
            url = request_url(raw)
            kind = scope.classify(key)
            if kind == "skip":
                stats.inc_value("links/skipped")
                continue
            verdict = self.trap_guard.check(key, trap=scope.trap_rule(key), parent_url=parent_url,
                                            parent_chain=parent_chain)
            if not verdict.allowed:
                stats.inc_value(f"traps/capped/{verdict.rule}")
                continue
            if kind == "trap":
                kind = "page"
            if kind_hint == "asset" and kind == "page":
                kind = "asset"
            if kind == "page" and key not in self.seen_fresh:
                fresh = self.fresh_article_item(url)
                if fresh is not None:
                    self.seen_fresh.add(key)
                    stats.inc_value("replayed/fresh")
                    yield fresh
                    continue
            if kind in ("asset", "document") and self.asset_recheck_seconds > 0 and \
                    self.archive.newest_capture(url, max_age=self.asset_recheck_seconds) is not None:
                stats.inc_value("links/fresh_in_archive")  # a requisite archived recently
                continue
            yield self.request_for(url, kind, priority=PRIORITY.get(kind, 0),
                                   meta=dict(meta or {}, trap_chain=verdict.chain))

    # ------------------------------------------------------------------ parsing
    def parse(self, response):
        kind = response.meta.get("url_kind", "page")
        stats = self.crawler.stats
        if response.status in (404, 410):
            if kind == "page":
                stats.inc_value("pages/gone")
                yield {"type": "gone", "url": response.url, "status": response.status}
            return
        if "Server" in response.headers and is_case_insensitive_server(response.headers):
            self.case_insensitive_hosts.add(host_of(response.url))
        if kind == "sitemap" or (response.url.endswith(".xml") and b"<urlset" in response.body[:2048]):
            pages, sitemaps = parse_sitemap(response.body, response.url)
            yield from self.follow(pages)
            for url in sitemaps:
                if self.profile_for(url):
                    yield self.request_for(request_url(url), "sitemap", priority=5)
            return
        if not isinstance(response, HtmlResponse):
            if kind == "document":
                yield {"type": "document", "url": response.url, "capture_id": response.meta.get("capture_id"),
                       "linked_from": response.meta.get("linked_from"),
                       "mime": response.headers.get("Content-Type", b"").decode("latin-1"),
                       "body": DocumentBody(response.body)}
            return
        yield from self.parse_page(response)

    def fresh_article_item(self, url: str) -> dict | None:
        """An article page captured within PORTAL_ARTICLE_RECHECK_HOURS is not asked for again:
        its indexed record counts it as seen in this crawl (so it is not reported gone).
        New articles are found on the listings, which are always fetched."""
        if self.resuming or self.article_recheck_seconds <= 0:
            return None
        stored = self.archive.index.article(url)
        if stored is None or self.archive.newest_capture(url, max_age=self.article_recheck_seconds) is None:
            return None
        return {"type": "page", "url": url, "article": self.stored_record(stored, url), "outlinks": [],
                "capture_id": None, "warc_ref": None, "not_modified": True, "from_archive": "fresh"}

    @staticmethod
    def stored_record(stored: dict, url: str) -> dict:
        record = {k: stored.get(k) for k in ("title", "published", "author", "body", "language", "encoding",
                                             "family")}
        record.update(url=url, canonical=stored["url"], is_article=True,
                      images=stored.get("images") or [], attachments=stored.get("attachments") or [])
        return record

    def unchanged_article(self, response) -> dict | None:
        """The indexed article of a page whose bytes did not change (304, identical payload, or
        read back on resume): extraction would give the same result, so it is not run again."""
        meta = response.meta
        if not (meta.get("not_modified") or meta.get("revisit") or meta.get("from_archive")):
            return None
        stored = self.archive.index.article(response.url)
        return self.stored_record(stored, response.url) if stored is not None else None

    def parse_page(self, response: TextResponse):
        stats = self.crawler.stats
        record = self.unchanged_article(response)
        if record is None:
            record = extract(response.body, response.url, header_pairs(response.headers)).to_dict()
            if record.get("text_truncated"):
                stats.inc_value("extract/text_truncated")
        else:
            stats.inc_value("articles/not_reextracted")
        page_links = [response.urljoin(u) for u in response.xpath(LINK_XPATH["page"]).getall()]
        asset_links = [response.urljoin(u) for u in response.xpath(LINK_XPATH["asset"]).getall()]
        # only WebForms pages page by postback; the check spares every other page a parse
        postbacks = postback_fallback_links(response.selector.root, response.url) \
            if b"PostBack" in response.body else []
        page_links += [link for link in postbacks if isinstance(link, str)]
        yield {"type": "page", "url": response.url, "article": record,
               "outlinks": sorted(set(page_links)), "capture_id": response.meta.get("capture_id"),
               "warc_ref": response.meta.get("warc_ref"),
               "not_modified": bool(response.meta.get("not_modified")),
               "from_archive": response.meta.get("from_archive")}
        if record.get("is_article"):
            stats.inc_value("articles/seen")
            canonical = record.get("canonical") or response.url
            if canonical != response.url:
                yield from self.follow([canonical])
            documents = [a["href"] for a in record.get("attachments") or []]
            yield from self.follow(documents, meta={"linked_from": canonical})
        yield from self.follow(page_links, parent=response)
        yield from self.follow(asset_links, kind_hint="asset")
        yield from self.postback_requests([f for f in postbacks if isinstance(f, PostbackForm)])

    def postback_requests(self, forms):
        """WebForms paging with no plain link: post the form, once per (page, argument)."""
        for form in forms:
            if self.profile_for(form.action) is None:
                continue
            self.crawler.stats.inc_value("links/postback")
            yield FormRequest(form.action, formdata=form.formdata(), callback=self.parse, errback=self.on_error,
                              meta={"url_kind": "page", "handle_httpstatus_list": [304, 404, 410]})

    def on_error(self, failure):
        request = failure.request
        if "maxsize" in failure.getErrorMessage().lower() or "max size" in failure.getErrorMessage().lower():
            self.crawler.stats.inc_value("documents/size_capped")
            logger.info("not archived, larger than the size cap: %s", request.url)
            return
        if failure.check(IgnoreRequest) and not failure.check(HttpError):
            # robots.txt or a middleware said no: a decision, not an error
            self.crawler.stats.inc_value("links/refused")
            logger.debug("not fetched %s: %s", request.url, failure.getErrorMessage())
            return
        self.crawler.stats.inc_value(f"errors/{failure.type.__name__}")
        logger.warning("failed %s: %s", request.url, failure.getErrorMessage())

    def closed(self, reason):
        stats = self.crawler.stats.get_stats()
        outcome = "ok" if reason == "finished" or reason.startswith("closespider") else "failed"
        if stats.get("response_received_count", 0) <= stats.get("proxy/status_407", 0):
            outcome = "failed"  # nothing answered (unreachable hosts, a dead proxy) but a proxy's 407
        # One worker of a distributed run sees only its share of the portal: what it did not
        # reach may well have been crawled by another, so nothing is called gone there.
        if reason == "finished" and not self.resuming and not getattr(self, "redis_run", None):
            self.mark_unseen_gone()
        summary = crawl_summary(stats)
        summary["capped"] = self.trap_guard.report()
        if stats.get("extract/text_truncated"):  # pages too long to extract whole (archived whole)
            summary["capped"]["page-text"] = stats["extract/text_truncated"]
        recorder = getattr(self, "archive_recorder", None)
        self.archive.index.finish_crawl(self.crawl_id, outcome, summary,
                                        recorder.files_written() if recorder else [])
        self.archive.close()


    def mark_unseen_gone(self):
        """A complete crawl that no longer reaches an archived article: it is gone from the portal."""
        gone = 0
        for profile in self.profiles:
            for url in self.archive.index.unseen_articles(profile.id, self.crawl_id):
                gone += self.archive.index.mark_gone(url, self.crawl_id)
        self.crawler.stats.set_value("articles/gone_from_listings", gone)


def crawl_summary(stats: dict) -> dict:
    """The numbers a crawl report and the crawls table show."""
    errors = sum(v for k, v in stats.items() if k.startswith("errors/") and isinstance(v, int))
    errors += stats.get("spider_exceptions/count", 0)
    started = stats.get("start_time")
    seconds = (datetime.now(timezone.utc) - started).total_seconds() if started else 0.0
    return {
        "seconds": seconds,
        "pages": stats.get("response_received_count", 0),
        "new": stats.get("articles/new", 0),
        "changed": stats.get("articles/changed", 0),
        "unchanged": stats.get("articles/unchanged", 0),
        "errors": errors,
        "gone": stats.get("pages/gone", 0),
        "not_modified": stats.get("pages/not_modified", 0),
        "revisits": stats.get("warc/revisit", 0),
        "bytes": stats.get("downloader/response_bytes", 0),
        "stats": {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in stats.items()},
    }
