"""Request fingerprints that know a site's URL equivalences.

The spider fetches a URL as it was linked (its case and parameter order kept, so the archive
holds the URL the portal published), but spellings of one resource (parameters in another
order, a session id, another case on a case-insensitive IIS server) must be fetched once:
the crawl session's `url_key` (the canonical form) folds them. The key is computed from the
request's own URL, so a redirect (which copies meta) gets its own fingerprint.
"""
from __future__ import annotations

import hashlib

from scrapy.utils.request import RequestFingerprinter


class UrlKeyFingerprinter:
    def __init__(self, crawler=None):
        self.crawler = crawler
        self.fallback = RequestFingerprinter(crawler)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def fingerprint(self, request) -> bytes:
        session = self._session()
        if session is None or request.method != "GET":
            return self.fallback.fingerprint(request)
        return hashlib.sha1(f"GET {session.url_key(request.url)}".encode("utf-8")).digest()

    def _session(self):
        """The crawl session (built after the fingerprinter, so looked up when used)."""
        from portal_crawler.session import CrawlSession
        try:
            return self.crawler.get_extension(CrawlSession) if self.crawler is not None else None
        except RuntimeError:  # the extensions are not built yet
            return None
