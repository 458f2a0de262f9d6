"""What a crawl kept as each page's links against what Scrapy's own parse of the archived bytes
finds (the spider reads links from extraction's tree: a page is parsed once)."""
from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from scrapy.http import HtmlResponse, Headers
from scrapy.responsetypes import responsetypes
from warcio.archiveiterator import ArchiveIterator

from archive.index import url_key
from portal_crawler.scope import postback_fallback_links
from portal_crawler.page_reading import LINK_XPATH, PageJob, read_page
from portal_crawler.spiders.portal import header_pairs


@dataclass
class LinkCheck:
    checked: int = 0              # pages whose kept links were compared
    shared: int = 0               # ... of which extraction's tree was shareable
    mismatches: list = field(default_factory=list)   # (url, what differs)


def scrapy_links(response) -> tuple[list[str], list[str]]:
    """The spider's links as it read them before (Scrapy's selector), deduplicated in order."""
    pages = [response.urljoin(u) for u in response.xpath(LINK_XPATH["page"]).getall()]
    assets = [response.urljoin(u) for u in response.xpath(LINK_XPATH["asset"]).getall()]
    postbacks = postback_fallback_links(response.selector.root, response.url) if b"PostBack" in response.body else []
    pages += [link for link in postbacks if isinstance(link, str)]
    return list(dict.fromkeys(pages)), list(dict.fromkeys(assets))


def html_responses(data: Path):
    """(Scrapy HtmlResponse, payload digest) of every 200 HTML response record of the crawl."""
    for path in sorted((data / "warcs").glob("*.warc.gz")):
        with open(path, "rb") as stream:
            for record in ArchiveIterator(stream):
                if record.rec_type != "response" or not record.http_headers or \
                        record.http_headers.get_statuscode() != "200":
                    continue
                url = record.rec_headers.get_header("WARC-Target-URI")
                headers = Headers([(k, v) for k, v in record.http_headers.headers
                                   if k.lower() not in ("content-encoding", "transfer-encoding")])
                body = record.content_stream().read()
                cls = responsetypes.from_args(headers=headers, url=url, body=body)
                if issubclass(cls, HtmlResponse):
                    yield cls(url, status=200, headers=headers, body=body), \
                        record.rec_headers.get_header("WARC-Payload-Digest")


def check_kept_links(data: Path) -> LinkCheck:
    db = sqlite3.connect(data / "index.sqlite")
    try:
        kept = {key: (digest, json.loads(pages), json.loads(assets))
                for key, digest, pages, assets in db.execute("SELECT url_key, digest, pages, assets FROM page_links")}
    finally:
        db.close()
    result = LinkCheck()
    for response, digest in html_responses(data):
        found = kept.get(url_key(response.url))
        if found is None or found[0] != digest:
            continue                # a form page (not kept), or kept from another capture of the key
        result.checked += 1
        read = read_page(PageJob(response.body, response.url, header_pairs(response.headers), None))
        result.shared += read.shared_links(response.text) is not None
        pages, assets = scrapy_links(response)
        if (pages, assets) != (found[1], found[2]):
            result.mismatches.append((response.url, {"pages": (pages, found[1]), "assets": (assets, found[2])}))
    return result
