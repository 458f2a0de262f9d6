"""Request fingerprints that know a site's URL equivalences.

The spider fetches a URL as it was linked (its case and parameter order kept, so the archive
holds the URL the portal published), but spellings of one resource (parameters in another
order, a session id, another case on a case-insensitive IIS server) must be fetched once:
the spider's `url_key` (the canonical form) folds them. The key is computed from the
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
        spider = getattr(self.crawler, "spider", None)
        url_key = getattr(spider, "url_key", None)
        if url_key is None or request.method != "GET":
            return self.fallback.fingerprint(request)
        return hashlib.sha1(f"GET {url_key(request.url)}".encode("utf-8")).digest()
