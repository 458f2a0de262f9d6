"""Reading a fetched page: its links and its article, in one parse, beside the event loop.

Parsing and extraction are most of a crawl's work per page, and pure (bytes in, record out),
so a crawl hands them to a worker process (PORTAL_EXTRACT_PROCESSES, default 1): the event
loop meanwhile archives, indexes and fetches, and the crawl uses a second core. The worker
reads the page's links from the tree before extraction removes the site's chrome from it,
as the spider did; the crawl joins them against the page's base URL. With 0 processes (or
when the worker cannot be used) the same `read_page` runs in the crawl's own process.
"""
from __future__ import annotations

import asyncio
import logging
import multiprocessing
import signal
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field

from lxml import etree

from portal_crawler.extract import extract, parsed
from portal_crawler.extract.template import Template
from portal_crawler.extract.template_learn import observation
from portal_crawler.scope import postback_fallback_links

logger = logging.getLogger(__name__)

LINK_XPATH = {
    "page": "//a/@href | //area/@href | //frame/@src | //iframe/@src",
    "asset": ("//img/@src | //img/@data-src | //img/@data-original | //link[@rel='stylesheet']/@href"
              " | //script/@src | //link[contains(@rel, 'icon')]/@href | //source/@src"),
}
PAGE_LINKS = etree.XPath(LINK_XPATH["page"], smart_strings=False)
ASSET_LINKS = etree.XPath(LINK_XPATH["asset"], smart_strings=False)


def hrefs_of(root, body: bytes, url: str) -> tuple[list[str], list[str], list]:
    """(page hrefs, asset hrefs, postbacks) of a parsed page, as written (not joined), in the
    page's order. postbacks: fallback URLs (absolute) or PostbackForms."""
    # only WebForms pages page by postback; the check spares every other page the walk
    postbacks = postback_fallback_links(root, url) if b"PostBack" in body else []
    return list(PAGE_LINKS(root)), list(ASSET_LINKS(root)), postbacks


@dataclass(frozen=True)
class PageJob:
    body: bytes
    url: str
    headers: list                  # (name, value) pairs
    template: Template | None      # the site's template as learned so far


@dataclass
class PageRead:
    """What reading a page gave: the record extraction made of it; the text its links were
    read from and the links (None: the page could not be parsed); what the site's template
    learner observes on it (None: nothing to learn); extraction's counts for the crawl stats."""
    record: dict
    text: str | None = None
    links: tuple[list[str], list[str], list] | None = None
    observed: object | None = None
    counts: dict = field(default_factory=dict)
    in_worker: bool = False
    logs: list = field(default_factory=list)  # (level, logger, message) a worker logged

    def shared_links(self, text: str) -> tuple[list[str], list[str], list] | None:
        """The links, where they were read from a parse of exactly `text` (what another
        decoder, Scrapy's, made of the bytes); None: that text has to be parsed itself."""
        return self.links if self.text is not None and self.text == text else None


class _Counts(dict):
    """A stats collector for extraction in a worker: counts travel back with the result."""

    def inc_value(self, key, count=1, start=0):
        self[key] = self.get(key, start) + count


def read_page(job: PageJob, memo=None) -> PageRead:
    """Parse once, read the links, then extract (which changes the tree). Never raises on
    page content: a page that cannot be read gives extraction's empty record, counted.
    memo: the site's scope.Memo, where the page is read in the crawl's own process."""
    counts = _Counts()
    try:
        page = parsed.read(job.body, job.headers, job.url)
    except parsed.PARSE_ERRORS:
        page = None
    links = hrefs_of(page.root, job.body, job.url) if page is not None and page.root is not None else None
    trace: dict = {}
    article = extract(job.body, job.url, job.headers, template=job.template, trace=trace, stats=counts,
                      parsed=page, memo=memo)
    learn = job.template is None or trace.get("layout") is None
    # the links stand for a text only where the tree holds all of it (not cut at dom.MAX_CHARS)
    whole = page.text if links is not None and not page.truncated else None
    return PageRead(article.to_dict(), whole, links, observation(article, trace) if learn else None, dict(counts))


class _Collected(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.records: list[tuple[int, str, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append((record.levelno, record.name, record.getMessage()))


def read_in_worker(job: PageJob) -> PageRead:
    """read_page in a worker process: what it logs travels back with the result, to be
    logged where the crawl's logging is configured."""
    collected = _Collected()
    root = logging.getLogger()
    root.addHandler(collected)
    try:
        read = read_page(job)
    finally:
        root.removeHandler(collected)
    read.logs = collected.records
    return read


def _worker_started() -> None:
    # a terminal's Ctrl-C reaches the whole process group: the crawl stops gracefully and
    # shuts its workers down; a worker interrupted mid-page would break that shutdown
    signal.signal(signal.SIGINT, signal.SIG_IGN)


class PageReader:
    """Runs read_page in `processes` worker processes (0: in this process). Awaited from the
    spider's callback on an asyncio event loop; elsewhere it reads in this process."""

    def __init__(self, processes: int = 1):
        self.processes = max(0, int(processes))
        self._pool: ProcessPoolExecutor | None = None
        self._broken = False

    async def read(self, job: PageJob, memo=None) -> PageRead:
        """memo: used where the page is read in this process."""
        pool = self._worker_pool()
        if pool is None:
            return read_page(job, memo)
        try:
            read = await asyncio.wrap_future(pool.submit(read_in_worker, job))
        except (BrokenProcessPool, KeyboardInterrupt, SystemExit):
            # a worker died or was stopped (out of memory, killed): read here from now on
            if not self._broken:
                logger.warning("the extraction worker stopped; pages are read in the crawl's process")
            self._broken = True
            return read_page(job, memo)
        for level, name, message in read.logs:
            logging.getLogger(name).log(level, "%s", message)
        read.in_worker = True
        return read

    def _worker_pool(self) -> ProcessPoolExecutor | None:
        if self.processes == 0 or self._broken or not _on_asyncio_loop():
            return None
        if self._pool is None:
            # spawn: a fresh interpreter, not a fork of a process running a reactor and threads
            self._pool = ProcessPoolExecutor(self.processes, mp_context=multiprocessing.get_context("spawn"),
                                             initializer=_worker_started)
        return self._pool

    def close(self) -> None:
        self.processes = 0  # a page read after the close is read here
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


def _on_asyncio_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True
