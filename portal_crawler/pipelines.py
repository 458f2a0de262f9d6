"""Item stages after extraction: the archive's own explanation of each page, then the index."""
from __future__ import annotations

import logging
from functools import singledispatchmethod

from archive.versions import mark_seen
from portal_crawler.indexing import ArticleRow, CaptureInfo, GoneRow, document_rows, store_rows
from portal_crawler.items import DocumentItem, GoneItem, NotDueItem, PageItem
from portal_crawler.session import CrawlSession

logger = logging.getLogger(__name__)


class IndexPipeline:
    """Writes each page's metadata record and indexes its article, documents and gone pages.

    New / changed / unchanged upserts go to the crawl stats; the report counts articles
    from the index (archive/versions.py).
    """

    def __init__(self, crawler, session: CrawlSession):
        self.crawler = crawler
        self.session = session

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler, crawler.get_extension(CrawlSession))

    def process_item(self, item, spider=None):
        self.handle(item)
        return item

    def capture(self, capture_id: int | None, site: str | None) -> CaptureInfo:
        return CaptureInfo.of(self.session.archive.index, capture_id, crawl_id=self.session.crawl_id, site=site)

    @singledispatchmethod
    def handle(self, item) -> None:
        """Items of other kinds pass through."""

    @handle.register
    def _page(self, item: PageItem) -> None:
        article = item.article
        recorder = self.session.recorder
        fresh = not item.not_modified and not item.from_archive
        if recorder is not None and fresh and item.warc_ref is not None:
            recorder.write_metadata(item.url, item.warc_ref.record_id,
                                    {"site": item.site, "outlinks": item.outlinks, "article": article})
        index = self.session.archive.index
        with index.transaction():  # the page's links and its article in one commit
            if item.links_digest:
                self.session.page_links.store(item.url, item.links_digest, item.outlinks, item.asset_links)
            if not article.get("is_article"):
                return
            [result] = store_rows(index, [ArticleRow(article)], self.capture(item.capture_id, item.site))
        if item.from_archive != "resume":  # a resumed crawl counted it before the kill
            self.crawler.stats.inc_value(f"articles/{result}")

    @handle.register
    def _not_due(self, item: NotDueItem) -> None:
        mark_seen(self.session.archive.index, item.url, self.session.crawl_id)

    @handle.register
    def _document(self, item: DocumentItem) -> None:
        rows = document_rows(item.url, item.body, item.mime, linked_from=item.linked_from)
        if not rows:
            self.crawler.stats.inc_value("documents/no_text")
            return
        store_rows(self.session.archive.index, rows, self.capture(item.capture_id, item.site))
        self.crawler.stats.inc_value("documents/indexed")

    @handle.register
    def _gone(self, item: GoneItem) -> None:
        store_rows(self.session.archive.index, [GoneRow(item.url)], self.capture(None, item.site))
