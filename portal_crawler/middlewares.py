"""Downloader middlewares: proxy, polite back-off, conditional GET and resume-from-archive."""
from __future__ import annotations

import email.utils
import logging
import time

from protego import Protego
from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.http import HtmlResponse, Response

logger = logging.getLogger(__name__)


class ProxyMiddleware:
    """Sends every request (robots.txt included) through PORTAL_PROXY when it is set.

    It runs before Scrapy's HttpProxyMiddleware, which then applies the meta key.
    """

    def __init__(self, proxy: str):
        self.proxy = proxy

    @classmethod
    def from_crawler(cls, crawler):
        proxy = crawler.settings.get("PORTAL_PROXY")
        if not proxy:
            raise NotConfigured
        return cls(proxy)

    def process_request(self, request, spider=None):
        request.meta.setdefault("proxy", self.proxy)


def _retry_after_seconds(value: bytes | None) -> float | None:
    if not value:
        return None
    text = value.decode("latin-1").strip()
    if text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


class PolitenessMiddleware:
    """Honours Crawl-delay and Retry-After, and backs off on 5xx answers.

    It acts on the downloader slot of the host (Scrapy keeps one per host), so AutoThrottle
    and this middleware steer the same delay.
    """

    def __init__(self, crawler, max_delay: float):
        self.crawler = crawler
        self.max_delay = max_delay
        self.crawl_delays: dict[str, float] = {}

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler, crawler.settings.getfloat("AUTOTHROTTLE_MAX_DELAY", 30.0))

    def _slot(self, request):
        downloader = self.crawler.engine.downloader
        key = downloader.get_slot_key(request)
        return downloader.slots.get(key)

    def _raise_delay(self, request, delay: float, reason: str):
        slot = self._slot(request)
        if slot is None:
            return
        delay = min(delay, self.max_delay)
        if delay > slot.delay:
            logger.info("slowing down %s to %.1fs (%s)", request.url.split("/")[2], delay, reason)
            slot.delay = delay
            self.crawler.stats.inc_value(f"politeness/{reason}")

    def process_request(self, request, spider=None):
        host = request.url.split("/")[2] if "//" in request.url else ""
        floor = self.crawl_delays.get(host)
        if floor:
            self._raise_delay(request, floor, "crawl_delay")

    def process_response(self, request, response, spider=None):
        if response.url.endswith("/robots.txt") and response.status == 200:
            self._read_crawl_delay(response)
        if response.status in (429, 503):
            wait = _retry_after_seconds(response.headers.get(b"Retry-After"))
            if wait is not None:
                self._raise_delay(request, wait, "retry_after")
        if response.status >= 500 or response.status == 429:
            slot = self._slot(request)
            current = slot.delay if slot else 0.0
            self._raise_delay(request, max(1.0, current * 2), "backoff_5xx")
        return response

    def process_exception(self, request, exception, spider=None):
        slot = self._slot(request)
        current = slot.delay if slot else 0.0
        self._raise_delay(request, max(1.0, current * 2), "backoff_error")

    def _read_crawl_delay(self, response):
        try:
            parser = Protego.parse(response.text)
        except (ValueError, AttributeError, UnicodeDecodeError) as exc:
            logger.warning("unreadable robots.txt %s: %s", response.url, exc)
            return
        delay = parser.crawl_delay(self.crawler.settings.get("USER_AGENT", "*"))
        if delay:
            self.crawl_delays[response.url.split("/")[2]] = float(delay)


class ConditionalGetMiddleware:
    """Sends If-None-Match / If-Modified-Since for pages the archive already holds.

    A 304 answer is recorded by the WARC recorder as a revisit; the spider still needs the
    page's links, so the answer is replaced by the archived copy, flagged `not_modified`.
    """

    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("PORTAL_CONDITIONAL_GET", True):
            raise NotConfigured
        return cls(crawler)

    def process_request(self, request, spider=None):
        archive = getattr(spider or self.crawler.spider, "archive", None)
        if archive is None or request.meta.get("from_archive") or request.url.endswith("/robots.txt"):
            return None
        validators = archive.index.validators(request.url)
        if not validators:
            return None
        if validators.get("etag"):
            request.headers.setdefault(b"If-None-Match", validators["etag"])
        if validators.get("last_modified"):
            request.headers.setdefault(b"If-Modified-Since", validators["last_modified"])
        request.meta["conditional"] = True
        return None

    def process_response(self, request, response, spider=None):
        if response.status != 304 or not request.meta.get("conditional"):
            return response
        archive = getattr(spider or self.crawler.spider, "archive", None)
        archived = archive.archived_response(request) if archive else None
        if archived is None:
            return response
        self.crawler.stats.inc_value("pages/not_modified")
        request.meta["not_modified"] = True
        return archived


class ArchiveReplayMiddleware:
    """On --resume, answers requests that this crawl already archived from the WARC files.

    Scrapy's JOBDIR queue does not survive kill -9 (NOTES.md), so a resumed crawl walks the
    site again from its start URLs, reading what it already has from the archive and
    fetching only what it has not.
    """

    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_request(self, request, spider=None):
        spider = spider or self.crawler.spider
        archive = getattr(spider, "archive", None)
        if archive is None or not getattr(spider, "resuming", False):
            return None
        if request.url.endswith("/robots.txt"):
            return None
        archived = archive.archived_response(request, crawl_id=spider.crawl_id)
        if archived is not None:
            request.meta["from_archive"] = True
            self.crawler.stats.inc_value("resume/replayed_from_archive")
        return archived
