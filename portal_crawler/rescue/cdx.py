"""CDX client: the captures of a host, from a Wayback Machine or pywb CDX server.

Two output shapes are read: the Wayback Machine's JSON (an array of arrays whose first row
names the fields: original, mimetype, statuscode, ...; paged with showResumeKey) and pywb's
(Common Crawl's index server is pywb) JSON lines (one object a line: url, mime, status, and
filename/offset/length of the WARC record).
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from urllib.parse import urlencode

log = logging.getLogger(__name__)

# Wayback field names -> pywb's, so both read into one Capture
FIELD_NAMES = {"original": "url", "mimetype": "mime", "statuscode": "status"}


class CdxError(Exception):
    pass


@dataclass(frozen=True)
class Capture:
    url: str
    timestamp: str           # 14 digits, UTC
    mime: str
    status: int | None       # None for '-' (a revisit line)
    digest: str | None       # base32 SHA-1 of the payload, without the 'sha1:' prefix
    length: int | None = None
    filename: str | None = None   # WARC file holding the record (Common Crawl, pywb)
    offset: int | None = None

    @property
    def year(self) -> str:
        return self.timestamp[:4]


def capture_of(fields: dict) -> Capture | None:
    row = {FIELD_NAMES.get(k, k): v for k, v in fields.items()}
    url, timestamp = row.get("url"), str(row.get("timestamp") or "")
    if not url or not timestamp.isdigit():
        return None
    status = str(row.get("status") or "")
    digest = (row.get("digest") or "").removeprefix("sha1:") or None

    def number(name):
        value = str(row.get(name) or "")
        return int(value) if value.isdigit() else None

    return Capture(url=url, timestamp=timestamp.ljust(14, "0")[:14],
                   mime=(row.get("mime") or "").split(";")[0].strip().lower(),
                   status=int(status) if status.isdigit() else None, digest=digest,
                   length=number("length"), filename=row.get("filename") or None, offset=number("offset"))


def parse_page(text: str) -> tuple[list[Capture], str | None]:
    """Captures of one CDX answer and the resume key to ask for the next page, if any."""
    text = text.strip()
    if not text:
        return [], None
    if text.startswith("["):
        try:
            rows = json.loads(text)
        except ValueError as exc:
            raise CdxError(f"the CDX server's answer is not JSON: {exc}") from None
        if not rows:
            return [], None
        names, resume = rows[0], None
        body = rows[1:]
        if len(body) >= 2 and body[-2] == [] and len(body[-1]) == 1:
            resume, body = body[-1][0], body[:-2]
        captures = [capture_of(dict(zip(names, row))) for row in body if row]
        return [c for c in captures if c], resume
    captures = []
    for number, line in enumerate(text.splitlines(), 1):
        try:
            captures.append(capture_of(json.loads(line)))
        except ValueError:
            raise CdxError(f"CDX line {number} is not JSON: {line[:80]!r}") from None
    return [c for c in captures if c], None


class CdxClient:
    def __init__(self, cdx_url: str, http, filters: tuple[str, ...] = (), collapse: str | None = None):
        self.cdx_url = cdx_url
        self.http = http   # fetch.PoliteHttp: every request obeys the rate
        # passed to the server as they are (`filter=statuscode:200`, `collapse=digest`): a
        # smaller listing, but captures-per-year then counts only what the server kept
        self.extra = [("filter", f) for f in filters] + ([("collapse", collapse)] if collapse else [])

    def captures(self, host: str, since: str | None = None, until: str | None = None) -> list[Capture]:
        """Every capture under host/ (all pages), oldest first.

        Asks first how many pages the index has (`showNumPages`, answered by the Wayback
        Machine and Common Crawl's paged indexes) and then reads `page=0..N-1`; a server that
        does not page (a plain pywb collection) answers that first request with the whole
        listing, which is then read as it is, following a resume key if it gives one."""
        base = {"url": f"{host}/*", "output": "json"}
        if since:
            base["from"] = since
        if until:
            base["to"] = until
        text = self._get(dict(base, showNumPages="true"), host)
        pages = page_count(text)
        found: list[Capture] = []
        if pages is not None:
            for number in range(pages):
                found += parse_page(self._get(dict(base, page=number), host))[0]
        else:
            while True:
                page, resume = parse_page(text)
                found += page
                if not resume:
                    break
                text = self._get(dict(base, showResumeKey="true", resumeKey=resume), host)
        listed = len(found)
        # a server may ignore from/to (pywb answers showNumPages with the whole listing)
        found = [c for c in found if in_range(c.timestamp, since, until)]
        log.info("CDX: %d captures under %s (%d outside the dates dropped)", len(found), host, listed - len(found))
        return sorted(found, key=lambda c: (c.timestamp, c.url))

    def _get(self, params: dict, host: str) -> str:
        reply = self.http.get(f"{self.cdx_url}?{urlencode([*params.items(), *self.extra])}")
        if reply.status == 404:  # pywb: no captures of that URL
            return ""
        if reply.status != 200:
            raise CdxError(f"CDX server answered {reply.status} for {host}")
        return reply.body.decode("utf-8", "replace")


def in_range(timestamp: str, since: str | None, until: str | None) -> bool:
    """The CDX API's reading of from/to: a prefix of digits, `from` padded with the
    earliest time, `to` with the latest (`to=2021` includes the whole of 2021)."""
    return (not since or timestamp[:len(since)] >= since) and (not until or timestamp[:len(until)] <= until)


def page_count(text: str) -> int | None:
    """Pages of a paged index from a showNumPages answer: a number (Wayback) or
    {"pages": N, ...} (pywb zipnum, Common Crawl); None for anything else (a listing)."""
    text = text.strip()
    if text.isdigit():
        return int(text)
    if text.startswith("{") and "\n" not in text:
        try:
            value = json.loads(text)
        except ValueError:
            return None
        if isinstance(value, dict) and isinstance(value.get("pages"), int) and "url" not in value:
            return value["pages"]
    return None
