"""Downloader middlewares: proxy, polite back-off, conditional GET and resume-from-archive."""
from __future__ import annotations

import logging

from protego import Protego
from twisted.internet import defer, error
from twisted.web._newclient import ResponseFailed
from scrapy import signals
from scrapy.exceptions import (DownloadConnectionRefusedError, DownloadFailedError, DownloadTimeoutError,
                               NotConfigured, ResponseDataLossError)

from portal_crawler.retry_after import retry_after
from portal_crawler.session import CrawlSession

logger = logging.getLogger(__name__)

# Answers that mean the server is struggling (a plain 500 is one broken page, not overload).
OVERLOAD_STATUSES = frozenset({429, 502, 503, 504, 522, 524})
# Failures that mean the server is struggling: slow down on them. Scrapy 2.19 raises its own
# classes in place of Twisted's (refused, timed out, failed, cut short); both are kept for other
# download handlers. A host name that does not resolve is not a struggling server: not here.
NETWORK_ERRORS = (TimeoutError, ConnectionError, defer.TimeoutError, error.TimeoutError, error.ConnectError,
                  error.ConnectionLost, error.ConnectionRefusedError, ResponseFailed,
                  DownloadConnectionRefusedError, DownloadTimeoutError, DownloadFailedError, ResponseDataLossError)


class ProxyMiddleware:
    """Sends every request (robots.txt included) through PORTAL_PROXY when it is set.

    It runs before Scrapy's HttpProxyMiddleware, which turns the credentials of the meta
    key's URL into a Proxy-Authorization header and strips them from the meta key. A
    request that comes without one (from a Redis frontier, which does not carry proxies)
    gets this crawl's proxy again.
    """

    def __init__(self, proxy: str):
        self.proxy = proxy

    @classmethod
    def from_crawler(cls, crawler):
        from portal_crawler.proxy import ProxyCredentials, split_proxy, stored_credentials
        settings = crawler.settings
        if not settings.get("PORTAL_PROXY"):
            raise NotConfigured
        public, credentials = split_proxy(settings.get("PORTAL_PROXY"))
        given = settings.get("PORTAL_PROXY_CREDENTIALS")
        if isinstance(given, ProxyCredentials):
            credentials = given
        elif credentials is None:  # `scrapy crawl portal -s PORTAL_PROXY=http://host:port`
            credentials = stored_credentials(settings.get("PORTAL_ARCHIVE_DATA"), public)
        return cls(credentials.url_for(public) if credentials else public)

    def process_request(self, request, spider=None):
        request.meta.setdefault("proxy", self.proxy)


class PolitenessMiddleware:
    """Honours Crawl-delay and Retry-After, and backs off on 5xx answers.

    It acts on the downloader slot of the host (Scrapy keeps one per host), so AutoThrottle
    and this middleware steer the same delay.
    """

    def __init__(self, crawler, max_delay: float):
        self.crawler = crawler
        self.max_delay = max_delay
        self.min_delay = crawler.settings.getfloat("DOWNLOAD_DELAY", 0.0)
        self.target_concurrency = crawler.settings.getfloat("AUTOTHROTTLE_TARGET_CONCURRENCY", 1.0) or 1.0
        self.crawl_delays: dict[str, float] = {}
        self.backed_off: set[str] = set()  # hosts whose delay we raised on errors

    @classmethod
    def from_crawler(cls, crawler):
        middleware = cls(crawler, crawler.settings.getfloat("AUTOTHROTTLE_MAX_DELAY", 30.0))
        # after AutoThrottle's own handler (extensions connect first), before the downloader
        # sends what waits in the host's queue
        crawler.signals.connect(middleware.keep_crawl_delay, signal=signals.response_downloaded)
        return middleware

    def keep_crawl_delay(self, response, request, spider=None):
        """AutoThrottle lowers a host's delay after each answer; Crawl-delay is a floor."""
        floor = self.crawl_delays.get(self._host(request))
        slot = self._slot(request) if floor else None
        if slot is not None and slot.delay < floor:
            slot.delay = floor

    def _slot(self, request):
        downloader = self.crawler.engine.downloader
        key = downloader.get_slot_key(request)
        return downloader.slots.get(key)

    def _raise_delay(self, request, delay: float, reason: str):
        slot = self._slot(request)
        if slot is None:
            return
        delay = min(delay, self.max_delay)
        if reason.startswith("backoff"):
            self.backed_off.add(self._host(request))
        if delay > slot.delay:
            logger.info("slowing down %s to %.1fs (%s)", request.url.split("/")[2], delay, reason)
            slot.delay = delay
            self.crawler.stats.inc_value(f"politeness/{reason}")

    @staticmethod
    def _host(request) -> str:
        return request.url.split("/")[2] if "//" in request.url else ""

    def _recover(self, request):
        """After a back-off, successful answers bring the delay back down step by step.

        AutoThrottle never lowers a delay on a non-200 answer, so on a recrawl answered
        with 304s a back-off would otherwise last for the rest of the crawl.
        """
        host = self._host(request)
        if host not in self.backed_off:
            return
        slot = self._slot(request)
        floor = max(self.crawl_delays.get(host, 0.0), self.crawler.settings.getfloat("DOWNLOAD_DELAY", 0.0))
        if slot is None or slot.delay <= floor * 1.05 + 0.01:
            self.backed_off.discard(host)
            return
        slot.delay = max(floor, slot.delay * 0.7)

    def process_request(self, request, spider=None):
        host = self._host(request)
        floor = self.crawl_delays.get(host)
        if floor:
            slot = self._slot(request)
            if slot is not None:
                slot.randomize_delay = False  # Crawl-delay is a minimum, not an average
            self._raise_delay(request, floor, "crawl_delay")

    def process_response(self, request, response, spider=None):
        if response.url.endswith("/robots.txt") and response.status == 200:
            self._read_crawl_delay(response)
        if response.status in (429, 503):
            wait = retry_after((response.headers.get(b"Retry-After") or b"").decode("latin-1"))
            if wait is not None:
                self._raise_delay(request, wait, "retry_after")
        if response.status in OVERLOAD_STATUSES:
            slot = self._slot(request)
            current = slot.delay if slot else 0.0
            self._raise_delay(request, max(1.0, current * 2), "backoff_5xx")
        elif response.status < 500:
            self._recover(request)
            if response.status == 304:
                self._follow_latency(request)
        return response

    def _follow_latency(self, request):
        """AutoThrottle only learns from 200 answers; a recrawl answered with 304s would keep
        its start delay for the whole crawl. Apply the same latency rule to 304s."""
        slot = self._slot(request)
        latency = request.meta.get("download_latency")
        if slot is None or latency is None:
            return
        floor = max(self.min_delay, self.crawl_delays.get(self._host(request), 0.0))
        wanted = max(floor, (slot.delay + latency / self.target_concurrency) / 2)
        if wanted < slot.delay:
            slot.delay = wanted

    def process_exception(self, request, exception, spider=None):
        if not isinstance(exception, NETWORK_ERRORS):
            return None  # robots.txt refusals and the like are decisions, not a struggling server
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

    def __init__(self, crawler, session: CrawlSession):
        self.crawler = crawler
        self.session = session

    @classmethod
    def from_crawler(cls, crawler):
        session = crawler.get_extension(CrawlSession)
        if session is None or not crawler.settings.getbool("PORTAL_CONDITIONAL_GET", True):
            raise NotConfigured
        return cls(crawler, session)

    def process_request(self, request, spider=None):
        if request.meta.get("from_archive") or request.url.endswith("/robots.txt"):
            return None
        index = self.session.archive.index
        earlier = [c for c in index.captures(request.url) if c.get("crawl_id") != self.session.crawl_id]
        if earlier and (earlier[-1].get("status") or 0) >= 500:
            request.meta.setdefault("max_retry_times", 0)  # broken at the last crawl: one try
        validators = index.validators(request.url)
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
        # the capture of this answer is the 304's revisit record, not the copy read back
        revisit_capture = request.meta.get("capture_id")
        archived = self.session.archive.archived_response(request)
        if archived is None:
            return response
        if revisit_capture is not None:
            request.meta["capture_id"] = revisit_capture
        self.crawler.stats.inc_value("pages/not_modified")
        request.meta["not_modified"] = True
        return archived


class ArchiveReplayMiddleware:
    """On --resume, answers from the WARC files what this crawl already archived: Scrapy's
    JOBDIR queue does not survive kill -9 (measured: the saved queue was gone or stale), so a resumed crawl walks the site again
    from its start URLs, reading what it has from the archive and fetching only what it has
    not. (Articles not due for a recheck are never requested: the spider asks the session.)
    """

    def __init__(self, crawler, session: CrawlSession):
        self.crawler = crawler
        self.session = session

    @classmethod
    def from_crawler(cls, crawler):
        session = crawler.get_extension(CrawlSession)
        if session is None:
            raise NotConfigured
        return cls(crawler, session)

    def process_request(self, request, spider=None):
        if not self.session.resuming or request.url.endswith("/robots.txt") or request.method != "GET":
            return None
        archived = self.session.archive.archived_response(request, crawl_id=self.session.crawl_id)
        if archived is not None:
            request.meta["from_archive"] = "resume"
            self.crawler.stats.inc_value("replayed/resume")
        return archived
