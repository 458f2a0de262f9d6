"""Documents: the text of PDF and DOCX attachments (read by archive/documents.py), each
linked to the article that links it and searchable through documents_fts."""
from __future__ import annotations

import hashlib

from archive import textfold
import archive.index.fts as fts
from archive.timeutil import iso_timestamp


class Documents:
    """Methods of `Index` (a `Store` with `Articles`) for the documents table."""

    def upsert_document(self, url: str, text: str, *, article_url: str | None = None,
                        name: str | None = None, mime: str | None = None, site: str | None = None,
                        capture_id: int | None = None, captured=None, pages: int | None = None) -> int:
        """Store the text of an attachment, linked to the article that links it."""
        text = textfold.normalize(text)
        digest = hashlib.sha1(text.encode("utf-8")).hexdigest()
        with self.transaction() as conn:
            article = self._article_row(article_url) if article_url else None
            if article is None:
                article = conn.execute(
                    "SELECT articles.* FROM attachments JOIN articles ON articles.id = attachments.article_id"
                    " WHERE attachments.href = ? ORDER BY articles.id LIMIT 1", (url,)).fetchone()
            article_id = article["id"] if article else None
            site = site or (article["site"] if article else None)
            old = conn.execute("SELECT * FROM documents WHERE url = ?", (url,)).fetchone()
            if old is not None:
                fts.delete_document(conn, old)
                conn.execute(
                    "UPDATE documents SET article_id = coalesce(?, article_id), site = ?, name = ?,"
                    " mime = ?, capture_id = ?, captured = ?, pages = ?, text_hash = ?, text = ? WHERE id = ?",
                    (article_id, site, name, mime, capture_id, iso_timestamp(captured), pages, digest,
                     text, old["id"]))
                document_id = old["id"]
            else:
                document_id = conn.execute(
                    "INSERT INTO documents (url, article_id, site, name, mime, capture_id, captured,"
                    " pages, text_hash, text) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (url, article_id, site, name, mime, capture_id, iso_timestamp(captured), pages,
                     digest, text)).lastrowid
            fts.insert_document(conn, document_id, name, text)
            return document_id
