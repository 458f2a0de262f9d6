"""Crawl progress on a terminal: pages, articles, queue, errors and rate, every few seconds."""
from __future__ import annotations

import logging
import sys
import time

from scrapy import signals
from twisted.internet import task

logger = logging.getLogger(__name__)


class CrawlProgress:
    def __init__(self, crawler, interval: float, stream):
        self.crawler = crawler
        self.interval = interval
        self.stream = stream
        self.started = time.monotonic()
        self.loop = None

    @classmethod
    def from_crawler(cls, crawler):
        ext = cls(crawler, crawler.settings.getfloat("PORTAL_PROGRESS_INTERVAL", 2.0), sys.stderr)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider):
        self.started = time.monotonic()
        self.loop = task.LoopingCall(self.show)
        self.loop.start(self.interval, now=False)

    def spider_closed(self, spider, reason):
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        if self.stream.isatty():
            self.stream.write("\n")

    def line(self) -> str:
        stats = self.crawler.stats
        pages = stats.get_value("response_received_count", 0)
        elapsed = max(1e-6, time.monotonic() - self.started)
        queue = stats.get_value("scheduler/enqueued", 0) - stats.get_value("scheduler/dequeued", 0)
        errors = sum(v for k, v in stats.get_stats().items() if k.startswith("errors/") and isinstance(v, int))
        articles = stats.get_value("articles/new", 0) + stats.get_value("articles/changed", 0) + \
            stats.get_value("articles/unchanged", 0)
        return (f"pages {pages}  articles {articles}  queue {queue}  errors {errors}  "
                f"{pages / elapsed:.1f} pages/s")

    def show(self):
        if self.stream.isatty():
            self.stream.write("\r" + self.line().ljust(78))
            self.stream.flush()
        else:
            logger.info("progress: %s", self.line())
