"""Item stages after extraction: the archive's own explanation of each page, then the index."""
from __future__ import annotations

import logging

logger = logging.getLogger(__name__)


class IndexPipeline:
    """Writes each page's metadata record and indexes its article, documents and gone pages.

    New / changed / unchanged counts go to the crawl stats, which become the crawl report.
    """

    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_item(self, item, spider=None):
        spider = spider or self.crawler.spider
        handler = getattr(self, f"_{item.get('type')}", None)
        if handler is None:
            return item
        handler(item, spider)
        return item

    def _page(self, item, spider):
        article = item["article"]
        recorder = getattr(spider, "archive_recorder", None)
        fresh = not item["not_modified"] and not item["from_archive"]
        if recorder is not None and fresh and item.get("warc_ref") is not None:
            profile = spider.profile_for(item["url"])
            recorder.write_metadata(item["url"], item["warc_ref"].record_id,
                                    {"site": profile.id if profile else None, "outlinks": item["outlinks"],
                                     "article": article})
        if not article.get("is_article"):
            return
        profile = spider.profile_for(item["url"])
        result = spider.archive.index.upsert_article(
            article, site=profile.id if profile else None, capture_id=item.get("capture_id"),
            crawl_id=spider.crawl_id)
        if item["from_archive"] != "resume":  # a resumed crawl counted it before the kill
            self.crawler.stats.inc_value(f"articles/{result}")

    def _document(self, item, spider):
        from archive.documents import document_text  # PDF/DOCX readers load only when needed
        try:
            text = document_text(item["body"], item["mime"], item["url"])
        except ValueError as exc:  # unreadable or unsupported document: archived, not indexed
            logger.info("no text from %s: %s", item["url"], exc)
            self.crawler.stats.inc_value("documents/no_text")
            return
        profile = spider.profile_for(item["url"])
        spider.archive.index.upsert_document(
            url=item["url"], text=text, article_url=item.get("linked_from"), mime=item["mime"],
            site=profile.id if profile else None, capture_id=item.get("capture_id"))
        self.crawler.stats.inc_value("documents/indexed")

    def _gone(self, item, spider):
        spider.archive.index.mark_gone(item["url"], spider.crawl_id)
