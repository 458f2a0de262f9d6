"""One generic spider for every portal: driven by a site profile or a bare start URL.

    scrapy crawl portal -a site=ID[,ID...]          profiles from the site registry
    scrapy crawl portal -a start_url=URL[,URL...]   the site is the URL's host, layout detected
"""
from __future__ import annotations

import logging
from urllib.parse import urljoin

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.http import FormRequest, HtmlResponse, Request, TextResponse

from portal_crawler.items import DocumentItem, GoneItem, NotDueItem, PageItem
from portal_crawler.page_reading import hrefs_of
from portal_crawler.session import CrawlSession
from portal_crawler.sites.registry import SiteProfile, load_registry
from portal_crawler.scope import PostbackForm, ScopePolicy, TrapGuard, parse_sitemap, request_url

logger = logging.getLogger(__name__)

# What a link found in a page is fetched for; lower numbers wait longer in the queue.
PRIORITY = {"page": 0, "document": -5, "asset": -10}


def links_of(response: TextResponse, hrefs=None) -> tuple[list[str], list[str], list]:
    """(page links, asset links, postbacks) of an HTML page, absolute, in the page's order.
    hrefs: what page_reading.hrefs_of read from a parse of the same text, else Scrapy's own
    parse is read. postbacks: fallback URLs (also among the page links) or PostbackForms."""
    if hrefs is None:
        hrefs = hrefs_of(response.selector.root, response.body, response.url)
    page_hrefs, asset_hrefs, postbacks = hrefs
    pages = [response.urljoin(u) for u in page_hrefs]
    assets = [response.urljoin(u) for u in asset_hrefs]
    pages += [link for link in postbacks if isinstance(link, str)]
    return pages, assets, postbacks


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
        spider.load_profiles(crawler.settings)
        return spider

    # ------------------------------------------------------------------ setup
    def load_profiles(self, settings):
        registry = load_registry(self.profile_files + split_arg(settings.get("PORTAL_PROFILES")))
        self.profiles = [registry.get(i) for i in self.site_ids]
        self.profiles += [SiteProfile.from_url(u) for u in self.bare_urls]
        # URLs are fetched as linked (the archive holds the URL the portal published); the
        # duplicate-request key (CrawlSession.url_key) is the canonical form, case folded on IIS.
        self.scopes = {p.id: ScopePolicy.from_profile(p).with_case_insensitive_paths(False) for p in self.profiles}
        self.allowed_domains = sorted({h for p in self.profiles for h in p.hosts})
        self.trap_guard = TrapGuard.from_settings(settings)
        self.handled_links: set[str] = set()
        self.seen_fresh: set[str] = set()

    @property
    def session(self) -> CrawlSession:
        """The crawl's archive, run and revisit policy (an extension: see session.py)."""
        session = self.crawler.get_extension(CrawlSession)
        if session is None:
            raise RuntimeError("the portal spider needs the CrawlSession extension (EXTENSIONS)")
        session.open_run(self)
        return session

    def site_of(self, url: str) -> str | None:
        profile = self.profile_for(url)
        return profile.id if profile else None

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
                yield self.request_for(url, "page", priority=10, dont_filter=self.session.resuming)
            # the profile's sitemaps, else the conventional place (a 404 there costs one request)
            sitemaps = profile.sitemap_urls() or [urljoin(url, "/sitemap.xml") for url in profile.start_urls[:1]]
            for url in sitemaps:
                yield self.request_for(url, "sitemap", priority=5)

    def request_for(self, url: str, kind: str, priority: int = 0, **kwargs) -> Request:
        meta = {"url_kind": kind, "handle_httpstatus_list": [304, 404, 410]}
        meta.update(kwargs.pop("meta", {}))
        if kind == "document":
            meta["download_maxsize"] = self.session.settings.document_max_size
        return Request(url, callback=self.parse, errback=self.on_error, priority=priority, meta=meta, **kwargs)

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
            if kind == "page" and key in self.seen_fresh:
                continue  # not due, already counted (linked again under another spelling)
            if kind == "page" and self.session.not_due(key):
                self.seen_fresh.add(key)
                stats.inc_value("articles/not_due")
                yield NotDueItem(key, site=profile.id)
                continue
            if kind in ("asset", "document") and self.session.asset_fresh(key):
                stats.inc_value("links/fresh_in_archive")  # a requisite archived recently
                continue
            yield self.request_for(url, kind, priority=PRIORITY.get(kind, 0),
                                   meta=dict(meta or {}, trap_chain=verdict.chain))

    # ------------------------------------------------------------------ parsing
    async def parse(self, response):
        kind = response.meta.get("url_kind", "page")
        stats = self.crawler.stats
        if response.status in (404, 410):
            if kind == "page":
                stats.inc_value("pages/gone")
                yield GoneItem(response.url, response.status, site=self.site_of(response.url))
                # an alias of an archived article gone: is the article itself still there?
                canonical = self.session.canonical_of_alias(response.url)
                if canonical and self.profile_for(canonical):
                    yield self.request_for(canonical, "page")
            return
        if kind == "sitemap" or (response.url.endswith(".xml") and b"<urlset" in response.body[:2048]):
            pages, sitemaps = parse_sitemap(response.body, response.url)
            for request in self.follow(pages):
                yield request
            for url in sitemaps:
                if self.profile_for(url):
                    yield self.request_for(request_url(url), "sitemap", priority=5)
            return
        if not isinstance(response, HtmlResponse):
            if kind == "document":
                yield DocumentItem(response.url, DocumentBody(response.body),
                                   mime=response.headers.get("Content-Type", b"").decode("latin-1"),
                                   site=self.site_of(response.url), capture_id=response.meta.get("capture_id"),
                                   linked_from=response.meta.get("linked_from"))
            return
        async for output in self.parse_page(response):
            yield output

    @staticmethod
    def unchanged_digest(response) -> str | None:
        """The payload digest of a page whose bytes did not change (304, identical payload,
        read back on resume), else None: such a page is neither extracted nor parsed again."""
        meta = response.meta
        if meta.get("revisit"):
            return meta.get("payload_digest")
        if meta.get("not_modified") or meta.get("from_archive"):
            return meta.get("archived_digest")
        return None

    async def parse_page(self, response: TextResponse):
        stats = self.crawler.stats
        digest = self.unchanged_digest(response)
        unchanged = digest is not None or bool(response.meta.get("not_modified") or response.meta.get("from_archive"))
        record = self.session.unchanged_page(response.url, response.meta.get("capture_id")) if unchanged else None
        links = self.session.page_links.get(response.url, digest) if unchanged else None
        read = None
        if record is None:
            # parsed once, in a worker beside the event loop: its links are read from the tree
            # before extraction removes the site's chrome from it (page_reading.py)
            read = await self.session.templates.read(response.body, response.url, header_pairs(response.headers))
            record = read.record
            for key, count in read.counts.items():
                stats.inc_value(key, count)
            if read.in_worker:
                stats.inc_value("pages/read_in_worker")
            if record.get("text_truncated"):
                stats.inc_value("extract/text_truncated")
        else:
            stats.inc_value("articles/not_reextracted" if record.get("is_article") else "pages/not_reextracted")
        postbacks = []
        if links is not None:
            page_links, asset_links = links
            stats.inc_value("pages/links_reused")
        else:
            # the links Scrapy's own decoding holds: the worker's where it read the same text
            # (it decodes by its own rules: a wrong charset header, NFD, an 8M-character cap)
            shared = read.shared_links(response.text) if read is not None else None
            stats.inc_value("pages/tree_shared" if shared is not None else "pages/tree_parsed_again")
            page_links, asset_links, postbacks = links_of(response, shared)
        forms = [f for f in postbacks if isinstance(f, PostbackForm)]
        # in the page's order: of two spellings of one URL, the first linked is the one fetched
        page_links, asset_links = list(dict.fromkeys(page_links)), list(dict.fromkeys(asset_links))
        yield PageItem(response.url, record, page_links, site=self.site_of(response.url),
                       capture_id=response.meta.get("capture_id"), warc_ref=response.meta.get("warc_ref"),
                       not_modified=bool(response.meta.get("not_modified")),
                       from_archive=response.meta.get("from_archive"), asset_links=asset_links,
                       links_digest=None if forms or links is not None
                       else digest or response.meta.get("payload_digest"))
        for request in self.requests_from_page(response, record, page_links, asset_links, forms):
            yield request

    def requests_from_page(self, response, record: dict, page_links, asset_links, forms):
        """What a read page leads to: its canonical URL and attachments (an article), its links."""
        if record.get("is_article"):
            self.crawler.stats.inc_value("articles/seen")
            canonical = record.get("canonical") or response.url
            if canonical != response.url:
                yield from self.follow([canonical])
            documents = [a["href"] for a in record.get("attachments") or []]
            yield from self.follow(documents, meta={"linked_from": canonical})
        yield from self.follow(page_links, parent=response)
        yield from self.follow(asset_links, kind_hint="asset")
        yield from self.postback_requests(forms)

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
        # One worker of a distributed run sees only its share of the portal, a resumed crawl
        # only what was left: what they did not reach is not called gone.
        whole_site = not self.session.resuming and not getattr(self, "redis_run", None)
        self.session.finish_run(reason, capped=self.trap_guard.report(), whole_site=whole_site)
