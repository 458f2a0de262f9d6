"""sitemap.xml, sitemap indexes (gzip'd or not), text sitemaps and feeds -> URLs."""
from __future__ import annotations

import html
import logging
import re
import zlib
from urllib.parse import urljoin

from lxml import etree

logger = logging.getLogger(__name__)

MAX_UNCOMPRESSED = 50 * 1024 * 1024   # the sitemaps.org limit per file
_CONTAINER_OR_LOC = re.compile(
    rb"<(?:\w+:)?(url|sitemap)\b[^>]*>|<(?:\w+:)?loc>\s*(.*?)\s*</(?:\w+:)?loc>",
    re.IGNORECASE | re.DOTALL)
_TEXT_URL = re.compile(r"^https?://\S+$", re.IGNORECASE)


def parse_sitemap(body: bytes, base_url: str) -> tuple[list[str], list[str]]:
    """(page URLs, sitemap URLs) listed in ``body``: a urlset, a sitemapindex, a text
    sitemap (one URL a line), or an RSS/Atom feed.  Gzip is detected by its magic bytes.
    Broken or truncated XML yields the complete ``<loc>`` entries only; never raises."""
    data = _gunzip(body) if body[:2] == b"\x1f\x8b" else body
    data = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not data:
        return [], []
    if not data.startswith(b"<"):
        return _text_sitemap(data, base_url), []
    try:
        pages, sitemaps = _xml_sitemap(data)
    except etree.XMLSyntaxError as error:
        logger.warning("sitemap %s: broken XML (%s), reading complete <loc> entries", base_url, error)
        pages, sitemaps = _loc_scan(data)
    return (_dedupe(_absolute(u, base_url) for u in pages),
            _dedupe(_absolute(u, base_url) for u in sitemaps))


def _gunzip(body: bytes) -> bytes:
    # Bounded: a gzip bomb stops at MAX_UNCOMPRESSED; a truncated file gives what was
    # decompressed before the cut (the XML scan then drops the unfinished entry).
    decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        return decompressor.decompress(body, MAX_UNCOMPRESSED)
    except zlib.error as error:
        logger.warning("sitemap: bad gzip data (%s)", error)
        return b""


def _xml_sitemap(data: bytes) -> tuple[list[str], list[str]]:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    root = etree.fromstring(data, parser=parser)
    pages, sitemaps = [], []
    for element in root.iter():
        name = _local(element)
        parent = _local(element.getparent())
        if name == "loc":
            (sitemaps if parent == "sitemap" else pages).append(element.text or "")
        elif name == "link" and parent in ("item", "entry"):
            pages.append(element.get("href") or element.text or "")  # Atom href, RSS text
    return pages, sitemaps


def _loc_scan(data: bytes) -> tuple[list[str], list[str]]:
    """Complete <loc>…</loc> entries, each filed under the <url>/<sitemap> before it."""
    pages, sitemaps = [], []
    container = b"url"
    for match in _CONTAINER_OR_LOC.finditer(data):
        opened, loc = match.groups()
        if opened is not None:
            container = opened.lower()
        else:
            url = html.unescape(loc.decode("utf-8", "replace"))
            (sitemaps if container == b"sitemap" else pages).append(url)
    return pages, sitemaps


def _text_sitemap(data: bytes, base_url: str) -> list[str]:
    lines = data.decode("utf-8", "replace").splitlines()
    return _dedupe(_absolute(line, base_url) for line in lines if _TEXT_URL.match(line.strip()))


def _local(element) -> str:
    tag = element.tag if element is not None else ""
    if not isinstance(tag, str):  # comments, processing instructions
        return ""
    return tag.rpartition("}")[2].lower()


def _absolute(url: str, base_url: str) -> str:
    url = (url or "").strip()
    if not url:
        return ""
    try:
        return urljoin(base_url, url)
    except ValueError:  # e.g. a broken IPv6 literal
        return ""


def _dedupe(urls) -> list[str]:
    return list(dict.fromkeys(u for u in urls if u))
