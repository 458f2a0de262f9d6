"""WarcRecorder: a Scrapy extension that archives every raw exchange as WARC records.

It listens to `response_downloaded`, which fires before the decompression and redirect
middlewares: the body is still as the server sent it (content-encoded, de-chunked by
Twisted) and redirects are archived as the 3xx answers they were. Each exchange becomes
request + response (or revisit) records; only after they are flushed is the capture row
added to the index, so the index never points at a record that is not whole.
"""
from __future__ import annotations

import logging
import os
import sqlite3

from scrapy import signals
from scrapy.exceptions import NotConfigured

from archive.urlkey import is_case_insensitive_server
from archive.warc import HttpExchange, WarcWriter, WriterConfig, WrittenExchange, repair
from portal_crawler.proxy import PROXY_HEADERS

logger = logging.getLogger(__name__)


def _header_list(headers) -> list[tuple[bytes, bytes]]:
    """Every value of every header: Scrapy's Headers keeps repeated values (Set-Cookie)."""
    return [(name, value) for name, values in headers.items() for value in values]


# Hop-by-hop headers (RFC 9110 7.6.1): a proxy drops them, with those Connection names.
HOP_BY_HOP = frozenset({b"connection", b"keep-alive", b"te", b"trailer", b"transfer-encoding", b"upgrade"})


def archived_request_headers(request) -> list[tuple[bytes, bytes]]:
    """The request's headers as the origin server received them (those for the proxy
    are not archived: Proxy-Authorization holds its credentials)."""
    headers = _header_list(request.headers)
    dropped = set(PROXY_HEADERS)
    if request.meta.get("proxy"):
        dropped |= HOP_BY_HOP
        for name, value in headers:
            if name.lower() == b"connection":
                dropped |= {token.strip().lower() for token in value.split(b",")}
    return [(name, value) for name, value in headers if name.lower() not in dropped]


def _first_header(headers, name: bytes) -> str | None:
    value = headers.get(name)
    return value.decode("latin-1") if value else None


def _mime(headers) -> str | None:
    value = _first_header(headers, b"Content-Type")
    if not value:
        return None
    return value.split(";", 1)[0].strip().lower() or None


def written_url(request) -> str:
    """The URL as archived: the fragment never goes over the wire."""
    return request.url.split("#", 1)[0]


class WarcRecorder:
    def __init__(self, crawler, data_dir: str):
        self.crawler = crawler
        self.stats = crawler.stats
        self.warcs_dir = os.path.join(data_dir, "warcs")
        self.data_dir = data_dir
        self.writer: WarcWriter | None = None
        self.index = None
        self._own_index = False
        self.crawl_id = None
        self.repairs = []
        # revisits of the same URL's identical payload: their page's metadata record
        # would repeat the original's word for word, so it is not written again
        self._unchanged_pages: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler):
        data_dir = crawler.settings.get("PORTAL_ARCHIVE_DATA")
        if not data_dir:
            raise NotConfigured("PORTAL_ARCHIVE_DATA is not set")
        recorder = cls(crawler, str(data_dir))
        crawler.signals.connect(recorder.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(recorder.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(recorder.response_downloaded, signal=signals.response_downloaded)
        return recorder

    # -- lifecycle -----------------------------------------------------------
    def _config(self, spider) -> WriterConfig:
        from portal_crawler import __version__
        settings = self.crawler.settings
        session = self._session()
        run = session.open_run(spider) if session is not None else None
        self.crawl_id = (run.crawl_id if run else None) or settings.getint("PORTAL_CRAWL_ID", 0) or None
        return WriterConfig(
            warcs_dir=self.warcs_dir,
            prefix=settings.get("WARC_PREFIX") or "portal-archive",
            max_size=settings.getint("WARC_MAX_SIZE", 1_000_000_000),
            operator=settings.get("WARC_OPERATOR") or None,
            robots="obey" if settings.getbool("ROBOTSTXT_OBEY") else "ignore",
            crawl_id=self.crawl_id,
            targets=run.targets if run else (),
            software=f"portal-archive/{__version__}",
            user_agent=settings.get("USER_AGENT"),
            fsync_each_record=settings.getbool("WARC_FSYNC", False),
        )

    def _session(self):
        """The crawl session when the crawl has one (the portal spider's crawls do)."""
        from portal_crawler.session import CrawlSession
        return self.crawler.get_extension(CrawlSession)

    def _open_index(self, spider):
        session = self._session()
        if session is not None:
            return session.archive.index
        from archive.index import Index
        self._own_index = True
        return Index(os.path.join(self.data_dir, "index.sqlite"))

    def spider_opened(self, spider):
        session = self._session()
        if session is not None:
            session.attach_recorder(self)
        os.makedirs(self.warcs_dir, exist_ok=True)
        self.repairs = repair(self.warcs_dir)
        for report in self.repairs:
            if report.left_as_is:
                self.stats.inc_value("warc/damaged_files")
                logger.warning("%s", report.describe())
                continue
            self.stats.inc_value("warc/repaired_files")
            self.stats.inc_value("warc/repaired_bytes_cut", report.bytes_cut)
            if report.tail_kept:
                logger.warning("%s", report.describe())
        config = self._config(spider)
        self.index = self._open_index(spider)
        self.writer = WarcWriter(config, find_payload=self.index.find_payload)

    def spider_closed(self, spider, reason=None):
        if self.writer is not None:
            self.writer.close()
        if self._own_index and self.index is not None:
            self.index.close()

    def files_written(self) -> list[str]:
        """Final names of this run's WARC files, the one still open included."""
        if self.writer is None:
            return []
        current = [self.writer.current_file] if self.writer.current_file else []
        return self.writer.closed_files + current

    # -- records -------------------------------------------------------------
    def _previous_capture(self, url: str) -> dict | None:
        """The newest 200 capture of url: what a 304 answer says has not changed."""
        captures = [c for c in self.index.captures(url) if c.get("status") == 200]
        if not captures:
            return None
        newest = max(captures, key=lambda c: (c.get("timestamp") or "", c.get("id") or 0))
        if newest.get("record_type") == "revisit" and newest.get("refers_to"):
            # point at the record that holds the payload, not at another revisit
            return {"url": newest.get("refers_to_url") or url, "timestamp": newest.get("refers_to_date"),
                    "record_id": newest["refers_to"]}
        return {"url": url, "timestamp": newest.get("timestamp"), "record_id": newest.get("record_id")}

    def exchange_of(self, request, response) -> HttpExchange:
        flags = response.flags or []
        ip = getattr(response, "ip_address", None)
        return HttpExchange(
            url=request.url,
            status=response.status,
            response_headers=_header_list(response.headers),
            body=response.body,
            method=request.method,
            request_headers=archived_request_headers(request),
            request_body=request.body or b"",
            protocol=getattr(response, "protocol", None) or "HTTP/1.1",
            ip_address=str(ip) if ip else None,
            truncated="disconnect" if "dataloss" in flags else None,
        )

    def record(self, request, response) -> WrittenExchange:
        exchange = self.exchange_of(request, response)
        previous = self._previous_capture(request.url) if response.status == 304 else None
        return self.writer.write_exchange(exchange, previous=previous)

    def response_downloaded(self, response, request, spider):
        if self.writer is None:
            return
        if response.status == 407 and request.meta.get("proxy"):
            # the proxy's own answer, not the portal's: archived it would be replayed and
            # indexed as the page (ProxyFailures counts it, the report names the proxy and
            # the spider logs the failed request: info here keeps that one line a request)
            logger.info("not archived: the proxy's own 407 answer for %s", request.url)
            return
        try:
            written = self.record(request, response)
        except OSError as exc:
            logger.error("could not archive %s: %s", request.url, exc)
            self.stats.inc_value("warc/errors")
            return
        self.stats.inc_value("warc/revisit" if written.revisit else "warc/response")
        self.stats.inc_value("warc/records", 2)
        request.meta["warc_ref"] = written.response
        request.meta["payload_digest"] = written.payload_digest
        request.meta["revisit"] = written.revisit
        if written.revisit and written.refers_to_url == written_url(request):
            self._unchanged_pages.add(written.response.record_id)
        try:
            request.meta["capture_id"] = self._add_capture(written, request, response, spider)
        except sqlite3.Error as exc:
            logger.error("could not index the capture of %s: %s", request.url, exc)
            self.stats.inc_value("warc/index_errors")

    def _add_capture(self, written: WrittenExchange, request, response, spider) -> int:
        session = self._session()
        ref = written.response
        return self.index.add_capture(
            url=written_url(request), timestamp=written.date, status=response.status,
            mime=_mime(response.headers), payload_digest=written.payload_digest,
            warc_file=ref.filename, offset=ref.offset, length=ref.length,
            record_id=ref.record_id, record_type="revisit" if written.revisit else "response",
            refers_to=written.refers_to, refers_to_url=written.refers_to_url,
            refers_to_date=written.refers_to_date, crawl_id=self.crawl_id,
            site=session.site_of(request.url) if session is not None else None,
            etag=_first_header(response.headers, b"ETag"),
            last_modified=_first_header(response.headers, b"Last-Modified"),
            case_insensitive=is_case_insensitive_server(response.headers))

    def write_metadata(self, url: str, concurrent_to: str | None, payload: dict):
        """A metadata record about the page at url (outlinks, extraction result); None
        when the page is an unchanged copy whose original already has one."""
        if concurrent_to in self._unchanged_pages:
            self._unchanged_pages.discard(concurrent_to)
            self.stats.inc_value("warc/metadata_unchanged")
            return None
        try:
            ref = self.writer.write_metadata(url, concurrent_to, payload)
        except OSError as exc:
            logger.error("could not write metadata for %s: %s", url, exc)
            self.stats.inc_value("warc/errors")
            return None
        self.stats.inc_value("warc/metadata")
        return ref
