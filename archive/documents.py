"""Text of official documents (PDF and DOCX attachments) for the search index.

PDF text comes from pypdf, DOCX text from python-docx (paragraphs, then table
cells).  Both are imported on first use, so the rest of the archive works without
them.  Indexing a document (text, page count, the article that links it) goes through
`portal_crawler.indexing.record_rows`, as every archived record does.
"""

from __future__ import annotations

import io
import logging
import zipfile
from dataclasses import dataclass

log = logging.getLogger(__name__)

PDF_TYPES = ("application/pdf", "application/x-pdf")
DOCX_TYPES = ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",)


@dataclass(frozen=True)
class DocumentText:
    text: str
    kind: str  # "pdf" | "docx"
    pages: int | None = None


def document_kind(data: bytes, mime: str | None = None, url: str | None = None) -> str | None:
    """'pdf', 'docx' or None, from the bytes first (servers mislabel attachments)."""
    if data[:5] == b"%PDF-":
        return "pdf"
    if data[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                if "word/document.xml" in archive.namelist():
                    return "docx"
        except zipfile.BadZipFile:
            return None
        return None
    mime = (mime or "").split(";")[0].strip().lower()
    path = (url or "").split("?")[0].lower()
    if mime in PDF_TYPES or path.endswith(".pdf"):
        return "pdf"
    if mime in DOCX_TYPES or path.endswith(".docx"):
        return "docx"
    return None


def extract_text(data: bytes, mime: str | None = None, url: str | None = None) -> DocumentText | None:
    """The text of a PDF or DOCX file, or None (not a document, unreadable, no text)."""
    kind = document_kind(data, mime, url)
    if kind == "pdf":
        return _pdf_text(data, url)
    if kind == "docx":
        return _docx_text(data, url)
    return None


def document_text(data: bytes, mime: str | None = None, url: str | None = None) -> str:
    """The text of a PDF or DOCX file; ValueError (with the reason) when there is none."""
    kind = document_kind(data, mime, url)
    if kind is None:
        raise ValueError(f"not a PDF or DOCX file ({mime or 'unknown type'})")
    document = extract_text(data, mime, url)
    if document is None:
        raise ValueError(f"no text could be read from this {kind.upper()} file")
    return document.text


def _pdf_text(data: bytes, url: str | None) -> DocumentText | None:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            reader.decrypt("")  # many portals "protect" PDFs with an empty password
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, TypeError, NotImplementedError) as error:
        log.warning("cannot read PDF %s: %s", url, error)
        return None
    text = "\n\n".join(page.strip() for page in pages if page.strip())
    return DocumentText(text, "pdf", len(pages)) if text else None


def _docx_text(data: bytes, url: str | None) -> DocumentText | None:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as error:
        log.warning("cannot read DOCX %s: %s", url, error)
        return None
    lines = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            cells = dict.fromkeys(cell.text.strip() for cell in row.cells)  # merged cells repeat
            lines.append("\t".join(cell for cell in cells if cell))
    text = "\n".join(line.strip() for line in lines if line.strip())
    return DocumentText(text, "docx") if text else None
