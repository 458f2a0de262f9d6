"""Polite HTTP to a public archive, and the two ways of getting an original payload.

`PoliteHttp` spaces every request by 1/rate seconds (CDX queries included), retries
connection errors and 5xx answers with exponential back-off, and waits as long as a 429 or
503 says in Retry-After. Bodies are read as sent: no content decoding, no redirects followed.

- `fetch_memento`: `{replay}{timestamp}id_/{url}`, the identity replay of the Wayback
  Machine and pywb; the Wayback Machine prefixes the original headers `x-archive-orig-`.
- `fetch_record`: a byte range of a WARC file (Common Crawl), one gzip member: the record
  as the archive keeps it.
"""
from __future__ import annotations

import gzip
import http.client
import logging
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, replace

from archive.warc import HttpExchange
from archive.warc_reader import parse_record
from portal_crawler.retry_after import retry_after

from .cdx import Capture

log = logging.getLogger(__name__)

RETRY_STATUSES = (429, 500, 502, 503, 504)
MAX_RETRY_AFTER = 900.0
ORIG_PREFIX = "x-archive-orig-"
# Headers a replay service adds about the memento itself, not the page's own.
REPLAY_HEADERS = {"memento-datetime", "link", "content-location", "preference-applied",
                  "x-archive-src", "x-archive-guessed-charset", "x-archive-playback", "server-timing",
                  "x-app-server", "x-ts", "x-tr", "x-location", "x-cache-key", "x-page-cache",
                  "x-nid", "perms-policy", "permissions-policy", "referrer-policy", "x-archive-guessed-encoding"}
# Sent so the replay returns the body as archived (still content-encoded).
ACCEPT_ENCODING = "gzip, deflate, br"


class FetchError(Exception):
    pass


@dataclass(frozen=True)
class Politeness:
    rate: float = 1.0          # requests per second, to the archive as a whole
    retries: int = 5
    backoff: float = 2.0       # seconds before the first retry; doubles each time
    timeout: float = 60.0
    user_agent: str = "portal-archive-import"

    def __post_init__(self):
        if not self.rate > 0:
            raise ValueError(f"the request rate must be positive, got {self.rate}")
        if self.retries < 0 or self.backoff < 0 or not self.timeout > 0:
            raise ValueError("retries and back-off must not be negative, the timeout positive")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class PoliteHttp:
    def __init__(self, politeness: Politeness, proxy: str | None = None):
        self.politeness = politeness
        handlers = [_NoRedirect()]
        # an explicit proxy only: the environment's would send loopback archives elsewhere
        handlers.append(urllib.request.ProxyHandler({"http": proxy, "https": proxy} if proxy else {}))
        self.opener = urllib.request.build_opener(*handlers)
        self._next_at = 0.0
        self.requests = 0
        self.retried = 0

    def _wait_turn(self, extra: float = 0.0) -> None:
        now = time.monotonic()
        start = max(now, self._next_at) + extra
        if start > now:
            time.sleep(start - now)
        self._next_at = time.monotonic() + 1.0 / self.politeness.rate

    def get(self, url: str, headers: dict | None = None) -> HttpExchange:
        p = self.politeness
        wait = 0.0
        for attempt in range(p.retries + 1):
            self._wait_turn(wait)
            self.requests += 1
            request = urllib.request.Request(url, headers={"User-Agent": p.user_agent, **(headers or {})})
            try:
                with self.opener.open(request, timeout=p.timeout) as answer:
                    reply = HttpExchange(url, answer.status, list(answer.headers.items()), answer.read(),
                                         reason=answer.reason or None)
            except urllib.error.HTTPError as exc:
                reply = HttpExchange(url, exc.code, list(exc.headers.items()), exc.read(), reason=exc.reason or None)
            except (urllib.error.URLError, http.client.HTTPException, OSError) as exc:
                if attempt == p.retries:
                    raise FetchError(f"{url}: {exc}") from None
                wait = p.backoff * 2 ** attempt
                log.info("%s: %s; retrying in %.1fs", url, exc, wait)
                self.retried += 1
                continue
            if reply.status not in RETRY_STATUSES or attempt == p.retries:
                return reply
            told = retry_after(dict((k.lower(), v) for k, v in reply.response_headers).get("retry-after"))
            wait = min(told, MAX_RETRY_AFTER) if told is not None else p.backoff * 2 ** attempt
            log.info("%s: %d; retrying in %.1fs", url, reply.status, wait)
            self.retried += 1
        return reply


@dataclass(frozen=True)
class Memento:
    uri: str
    exchange: HttpExchange   # under the page's own URL, with the page's own headers restored


def memento_uri(replay: str, capture: Capture) -> str:
    return f"{replay}{capture.timestamp}id_/{capture.url}"


def original_headers(headers: list[tuple[str, str]], body_length: int) -> list[tuple[str, str]]:
    """The page's headers from a replay answer. The Wayback Machine and pywb send them
    prefixed `x-archive-orig-` beside their own: the prefixed ones are restored (prefix
    removed, in their order) and, of the unprefixed, those describing the body as sent
    (Content-Type, Content-Encoding, a Content-Length equal to the body's) when no original
    says it. The replay's own headers (Memento-Datetime, Link...) are not the page's: they
    are dropped (the memento URI is kept in the record's WARC-Source-URI). An answer with no
    prefixed header gives its headers as they are, less the replay's own."""
    prefixed = [(k[len(ORIG_PREFIX):], v) for k, v in headers if k.lower().startswith(ORIG_PREFIX)]
    if not prefixed:
        return [(k, v) for k, v in headers if k.lower() not in REPLAY_HEADERS]
    names = {k.lower() for k, _ in prefixed}
    kept = [(k, v) for k, v in headers
            if k.lower() in ("content-type", "content-encoding", "content-length") and k.lower() not in names
            and (k.lower() != "content-length" or v.strip() == str(body_length))]
    return kept + prefixed


def fetch_memento(http: PoliteHttp, replay: str, capture: Capture) -> Memento:
    uri = memento_uri(replay, capture)
    reply = http.get(uri, {"Accept-Encoding": ACCEPT_ENCODING})
    if reply.status in RETRY_STATUSES or reply.status >= 600:
        raise FetchError(f"{uri}: the archive answered {reply.status}")
    if capture.status is not None and reply.status != capture.status:
        raise FetchError(f"{uri}: replayed status {reply.status}, the CDX says {capture.status}")
    headers = original_headers(reply.response_headers, len(reply.body))
    return Memento(uri, replace(reply, url=capture.url, response_headers=headers))


@dataclass(frozen=True)
class WarcRecordCopy:
    uri: str                         # the WARC file's URL
    byte_range: str                  # bytes=START-END
    version: str                     # WARC/1.0 or WARC/1.1
    warc_headers: list[tuple[str, str]]
    block: bytes
    rec_type: str


def fetch_record(http: PoliteHttp, data_url: str, capture: Capture) -> WarcRecordCopy:
    if capture.filename is None or capture.offset is None or not capture.length:
        raise FetchError(f"{capture.url}: the CDX line names no WARC file, offset and length")
    uri = data_url + capture.filename
    byte_range = f"bytes={capture.offset}-{capture.offset + capture.length - 1}"
    reply = http.get(uri, {"Range": byte_range})
    if reply.status != 206 or len(reply.body) != capture.length:
        raise FetchError(f"{uri} {byte_range}: answered {reply.status} with {len(reply.body)} bytes")
    try:
        data = gzip.decompress(reply.body)
        first = data.split(b"\r\n", 1)[0].decode("latin-1")
        record = parse_record(data, f"{uri} {byte_range}")
    except (OSError, EOFError, ValueError) as exc:
        raise FetchError(f"{uri} {byte_range}: not one whole gzipped WARC record: {exc}") from None
    return WarcRecordCopy(uri, byte_range, first, record.warc_headers, record.block, record.rec_type)
