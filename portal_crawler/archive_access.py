"""The crawl's handle on its archive: the index, and archived pages as Scrapy responses."""
from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

from scrapy.http import Headers
from scrapy.responsetypes import responsetypes

from archive.index import Index
from archive.snapshot import snapshot_capture
from archive.timeutil import parse_iso, utcnow

logger = logging.getLogger(__name__)


class CrawlArchive:
    """One data directory seen from a running crawl."""

    def __init__(self, data_dir: str | Path):
        self.data_dir = Path(data_dir)
        self.warcs_dir = self.data_dir / "warcs"
        self.warcs_dir.mkdir(parents=True, exist_ok=True)
        self.index = Index(self.data_dir / "index.sqlite", cache_mb=8)

    def newest_capture(self, url: str, crawl_id: int | None = None, max_age: float | None = None,
                       now: datetime | None = None) -> dict | None:
        """The newest 200 capture of url (of crawl_id; at most max_age seconds before `now`,
        default the clock), or None."""
        captures = [c for c in self.index.captures(url)
                    if c.get("status") == 200 and (crawl_id is None or c.get("crawl_id") == crawl_id)]
        if not captures:
            return None
        capture = max(captures, key=lambda c: c["timestamp"])
        if max_age is not None:
            if ((now or utcnow()) - parse_iso(capture["timestamp"])).total_seconds() > max_age:
                return None
        return capture

    def archived_response(self, request, crawl_id: int | None = None, max_age: float | None = None):
        """The newest archived 200 answer for request.url (see newest_capture), or None."""
        capture = self.newest_capture(request.url, crawl_id, max_age)
        if capture is None:
            return None
        try:
            status_line, headers, body = snapshot_capture(self.index, self.warcs_dir, capture)
        except (OSError, ValueError) as exc:
            logger.warning("archived copy of %s unreadable: %s", request.url, exc)
            return None
        scrapy_headers = Headers()
        for name, value in headers:
            if name.lower() in ("content-encoding", "transfer-encoding", "content-length"):
                continue  # the body we hand back is already decoded
            scrapy_headers.appendlist(name, value)
        cls = responsetypes.from_args(headers=scrapy_headers, url=request.url, body=body)
        response = cls(url=request.url, status=200, headers=scrapy_headers, body=body,
                       request=request, flags=["archived"])
        request.meta["capture_id"] = capture.get("id")
        request.meta["archived_digest"] = capture.get("payload_digest")
        return response

    def close(self):
        self.index.close()
