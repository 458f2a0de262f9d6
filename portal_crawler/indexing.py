"""One archived HTTP response -> the index rows it gives: used by the crawl, `index --rebuild`
and imports alike, so the three can never index the same record differently.

    rows = record_rows(url, status, headers, body)          # body content-decoded
    store_rows(index, rows, CaptureInfo(capture_id, captured, crawl_id, site, payload_captured))

`record_rows` is pure (extraction and document text, no index); `store_rows` writes them.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

from archive.documents import DOCX_TYPES, PDF_TYPES, extract_text
from archive.timeutil import iso_timestamp
from archive.versions import mark_gone
from portal_crawler.extract import extract

logger = logging.getLogger(__name__)

HTML_TYPES = ("text/html", "application/xhtml")
GONE_STATUSES = (404, 410)


@dataclass(frozen=True)
class CaptureInfo:
    """Where the rows come from: the capture row, its time, the crawl run and the site.
    `payload_captured` is when the bytes were first archived (a revisit's original), the
    time that decides which text of an article is the newest."""
    capture_id: int | None = None
    captured: str | None = None
    crawl_id: int | None = None
    site: str | None = None
    payload_captured: str | None = None

    @classmethod
    def of(cls, index, capture_id: int | None, *, crawl_id: int | None, site: str | None) -> "CaptureInfo":
        """From the index's capture row (a revisit's payload time is its original's)."""
        row = index.capture(capture_id) if capture_id else None
        if row is None:
            return cls(capture_id, None, crawl_id, site, None)
        return cls(capture_id, row.get("timestamp"), crawl_id, site,
                   payload_time(row.get("record_type"), row.get("timestamp"), row.get("refers_to_date")))


def payload_time(record_type: str | None, captured: str | None, refers_to_date: str | None) -> str | None:
    """When a capture's bytes were first archived: a revisit's original's time, else its own."""
    return (refers_to_date if record_type == "revisit" else None) or captured


@dataclass(frozen=True)
class ArticleRow:
    article: dict           # Article.to_dict() shape; `url` is the page the text came from


@dataclass(frozen=True)
class DocumentRow:
    url: str
    text: str
    mime: str | None
    pages: int | None = None
    article_url: str | None = None


@dataclass(frozen=True)
class GoneRow:
    url: str


Row = ArticleRow | DocumentRow | GoneRow


def mime_of(headers) -> str:
    for name, value in _pairs(headers):
        if name.lower() == "content-type":
            return value.split(";")[0].strip().lower()
    return ""


def _pairs(headers):
    items = headers.items() if hasattr(headers, "items") else headers
    for name, value in items or ():
        if isinstance(value, (list, tuple)):
            for v in value:
                yield _text(name), _text(v)
        else:
            yield _text(name), _text(value)


def _text(value) -> str:
    return value.decode("latin-1") if isinstance(value, bytes) else str(value)


def is_document(mime: str, url: str) -> bool:
    path = url.split("?")[0].lower()
    return mime in PDF_TYPES or mime in DOCX_TYPES or path.endswith((".pdf", ".docx")) \
        or any(h in mime for h in ("pdf", "officedocument"))


def record_rows(url: str, status: int, headers, body: bytes, *, linked_from: str | None = None,
                template=None) -> list[Row]:
    """The index rows one archived response gives: an article (HTML that is an article), a
    document's text (PDF/DOCX), a gone page (404/410), or nothing. `headers`: a mapping or
    (name, value) pairs; `body` already content-decoded; `template`: the site's learned
    template (extract/template.py), if any."""
    if status in GONE_STATUSES:
        return [GoneRow(url)]
    if status != 200:
        return []
    mime = mime_of(headers)
    if mime.startswith(HTML_TYPES):
        article = extract(body, url, list(_pairs(headers)), template=template).to_dict()
        return [ArticleRow(article)] if article.get("is_article") else []
    if is_document(mime, url):
        return document_rows(url, body, mime, linked_from=linked_from)
    return []


def document_rows(url: str, body: bytes, mime: str | None, *, linked_from: str | None = None) -> list[Row]:
    document = extract_text(bytes(body), mime, url)
    if document is None:
        logger.info("no text from %s", url)
        return []
    return [DocumentRow(url, document.text, (mime or "").split(";")[0].strip() or document.kind,
                        document.pages, linked_from)]


def store_rows(index, rows: list[Row], capture: CaptureInfo) -> list[str]:
    """Write rows into the index; per row "new" / "changed" / "unchanged" (articles),
    "document", or for a gone page "gone" / "alias_gone" / "not_found" (archive/versions.py)."""
    results = []
    for row in rows:
        if isinstance(row, ArticleRow):
            results.append(index.upsert_article(
                row.article, site=capture.site, capture_id=capture.capture_id,
                captured=capture.captured, crawl_id=capture.crawl_id,
                payload_captured=iso_timestamp(capture.payload_captured)))
        elif isinstance(row, DocumentRow):
            index.upsert_document(url=row.url, text=row.text, article_url=row.article_url, mime=row.mime,
                                  site=capture.site, capture_id=capture.capture_id, captured=capture.captured,
                                  pages=row.pages)
            results.append("document")
        elif isinstance(row, GoneRow):
            results.append(mark_gone(index, row.url, capture.crawl_id))
    return results
