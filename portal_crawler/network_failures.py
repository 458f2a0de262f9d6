"""Network failures in one line each, and a failing proxy named once in the crawl report.

Through an HTTP proxy every connection goes to the proxy, so a refused, unresolvable or
unreachable connection means the proxy failed, not the portal; so does a 407 answer. `ProxyFailures` counts the
distinct URLs that never got an answer that way and leaves in the crawl stats
`proxy/failed` (how many) and `proxy/failure` (e.g. "127.0.0.1:1 refused connection"),
which the report prints; `proxy/status_407` counts the proxy's own 407 answers (a crawl
that got nothing else has failed).

Scrapy's robots.txt middleware logs a failed robots.txt download with its whole traceback;
`OneLineNetworkErrors` keeps the line and drops the traceback when the cause is the network.
"""
from __future__ import annotations

import logging
from collections import Counter
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.core.downloader.handlers.http11 import TunnelError
from scrapy.exceptions import CannotResolveHostError, DownloadConnectionRefusedError
from twisted.internet import error

ROBOTS_LOGGER = "scrapy.downloadermiddlewares.robotstxt"

# what the proxy did, by the exception that says so (the first match wins)
PROXY_FAILURES = (
    ((DownloadConnectionRefusedError, error.ConnectionRefusedError), "refused connection"),
    ((CannotResolveHostError, error.DNSLookupError), "could not be resolved"),
    ((TunnelError,), "refused the tunnel"),
    ((error.ConnectError,), "could not be reached"),
)
NETWORK_ERRORS = tuple(cls for classes, _ in PROXY_FAILURES for cls in classes)


def proxy_failure(exception) -> str | None:
    for classes, what in PROXY_FAILURES:
        if isinstance(exception, classes):
            return what
    return None


def proxy_address(proxy_url: str) -> str:
    parts = urlsplit(proxy_url)
    return parts.netloc.rpartition("@")[2] or proxy_url


class OneLineNetworkErrors(logging.Filter):
    """Drops the traceback of a log record whose exception is a network failure."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], NETWORK_ERRORS):
            record.exc_info = None
            record.exc_text = None
        return True


class ProxyFailures:
    """Downloader middleware: counts the URLs a proxy failed to fetch (see the module doc)."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.failed: dict[str, tuple[str, str]] = {}    # url -> (proxy address, what it did)
        self.log_filter = OneLineNetworkErrors()

    @classmethod
    def from_crawler(cls, crawler):
        middleware = cls(crawler)
        crawler.signals.connect(middleware.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    def spider_opened(self, spider):
        logging.getLogger(ROBOTS_LOGGER).addFilter(self.log_filter)

    def process_response(self, request, response, spider=None):
        if response.status == 407 and request.meta.get("proxy"):
            self.crawler.stats.inc_value("proxy/status_407")   # an answer, but not the portal's
            sent = b"Proxy-Authorization" in request.headers
            self.failed[request.url] = (proxy_address(request.meta["proxy"]),
                                        "refused the credentials (407)" if sent else "asked for credentials (407)")
            self._count()
        elif self.failed.pop(request.url, None) is not None:
            self._count()
        return response

    def process_exception(self, request, exception, spider=None):
        what = proxy_failure(exception) if request.meta.get("proxy") else None
        if what is not None:
            self.failed[request.url] = (proxy_address(request.meta["proxy"]), what)
            self._count()
        return None

    def _count(self) -> None:
        # kept current as failures come: the spider writes its stats out as it closes
        stats = self.crawler.stats
        if not self.failed:
            stats.set_value("proxy/failed", 0)
            return
        (address, what), _ = Counter(self.failed.values()).most_common(1)[0]
        stats.set_value("proxy/failed", len(self.failed))
        stats.set_value("proxy/failure", f"{address} {what}")

    def spider_closed(self, spider, reason=None):
        logging.getLogger(ROBOTS_LOGGER).removeFilter(self.log_filter)
