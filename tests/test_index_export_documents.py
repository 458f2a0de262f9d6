"""Export (jsonl, csv) and attachment documents, on real files."""

import csv
import io
import json
from pathlib import Path

import docx
import pytest

from archive import documents
from archive.export import FIELDS, export
from archive.search import search
from portal_crawler.indexing import CaptureInfo, record_rows, store_rows

URL = "http://thoxuan.test/tin/hop-hdnd.html"
DEMO_SITES = Path(__file__).resolve().parent.parent / "portal_crawler" / "demo" / "sites"


def docx_bytes(*paragraphs: str, table: list[list[str]] | None = None) -> bytes:
    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                grid.cell(r, c).text = value
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def pdf_bytes(*lines: str) -> bytes:
    """A minimal valid one-page PDF with Helvetica text (ASCII lines)."""
    stream = "BT /F1 12 Tf 72 720 Td 14 TL " + " ".join(f"({line}) '" for line in lines) + " ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        " /Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    body, offsets = b"%PDF-1.4\n", []
    for number, obj in enumerate(objects, 1):
        offsets.append(len(body))
        body += f"{number} 0 obj\n{obj}\nendobj\n".encode("latin-1")
    xref = len(body)
    body += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    body += "".join(f"{offset:010d} 00000 n \n" for offset in offsets).encode()
    body += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return body


def add_article(index, body, crawl_id, url=URL, captured="2024-03-01T10:00:00Z"):
    capture = index.add_capture(url=url, timestamp=captured, status=200, mime="text/html",
                                payload_digest=f"sha1:{body}", warc_file="a.warc.gz", offset=0,
                                length=1, record_id="<urn:uuid:x>", crawl_id=crawl_id)
    return index.upsert_article(
        {"url": url, "canonical": URL, "title": "Họp HĐND", "published": "2024-03-01",
         "author": "Nông Linh", "body": body,
         "images": [{"src": "http://thoxuan.test/a.jpg", "caption": "Ảnh"}],
         "attachments": [{"href": "http://thoxuan.test/qd.docx", "name": "Quyết định"}]},
        site="thoxuan", capture_id=capture, captured=captured, crawl_id=crawl_id)


def test_export_jsonl_and_csv(index):
    first, second, third = (index.start_crawl(["thoxuan"], {}) for _ in range(3))
    add_article(index, "Bản đầu.", first)
    add_article(index, "Bản sửa.", second, captured="2024-04-01T10:00:00Z")
    add_article(index, "Bản sửa.", second, url="http://thoxuan.test/print?id=1",
                captured="2024-04-01T10:05:00Z")
    index.mark_gone(URL, third)
    out = io.StringIO()
    assert export(index, out, "jsonl") == 1
    record = json.loads(out.getvalue())
    assert list(record) == list(FIELDS)
    assert record["url"] == record["canonical"] == URL
    assert record["body"] == "Bản sửa." and record["versions"] == 2
    assert record["aliases"] == ["http://thoxuan.test/print?id=1"]
    assert record["captured"] == "2024-04-01T10:05:00Z"
    assert record["gone"] == index.crawl(third)["started"]
    assert record["images"] == [{"src": "http://thoxuan.test/a.jpg", "caption": "Ảnh"}]
    assert record["attachments"] == [{"href": "http://thoxuan.test/qd.docx", "name": "Quyết định"}]
    out = io.StringIO()
    assert export(index, out, "csv") == 1
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert rows[0]["title"] == "Họp HĐND" and json.loads(rows[0]["aliases"]) == record["aliases"]
    assert export(index, io.StringIO(), "jsonl", site="elsewhere") == 0
    with pytest.raises(ValueError):
        export(index, io.StringIO(), "xml")


def test_docx_and_pdf_text(index):
    data = docx_bytes("Quyết định số 15/QĐ-UBND", "Về phát triển nông thôn mới",
                      table=[["Xã", "Tiêu chí"], ["Đông Hòa", "19"]])
    text = documents.extract_text(data, url="http://thoxuan.test/qd.docx")
    assert text.kind == "docx"
    assert "Về phát triển nông thôn mới" in text.text and "Đông Hòa\t19" in text.text
    pdf = documents.extract_text(pdf_bytes("Bao cao so 125/BC-UBND", "Xay dung nong thon moi"))
    assert pdf.kind == "pdf" and pdf.pages == 1 and "Xay dung nong thon moi" in pdf.text
    assert documents.extract_text(b"<html>not a document</html>", "text/html") is None
    assert documents.extract_text(b"%PDF-1.4 broken") is None
    assert documents.extract_text(b"PK\x03\x04 broken zip") is None
    assert documents.document_text(data).startswith("Quyết định số 15/QĐ-UBND")
    with pytest.raises(ValueError, match="not a PDF or DOCX"):
        documents.document_text(b"GIF89a", "image/gif")
    with pytest.raises(ValueError, match="no text"):
        documents.document_text(b"%PDF-1.4 broken")


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def test_documents_are_indexed_with_their_article(index):
    crawl_id = index.start_crawl(["thoxuan"], {})
    add_article(index, "Bài có quyết định đính kèm.", crawl_id)
    data = docx_bytes("Quyết định về phát triển nông thôn mới ở xã Đông Hòa")
    assert store_rows(index, record_rows("http://thoxuan.test/qd.docx", 200, [("Content-Type", DOCX)], data),
                      CaptureInfo()) == ["document"]
    article = index.article(URL)
    assert [d["url"] for d in article["documents"]] == ["http://thoxuan.test/qd.docx"]
    hits = search(index, "dong hoa", kind="documents").hits
    assert [(h.url, h.article_url, h.site) for h in hits] == [
        ("http://thoxuan.test/qd.docx", URL, "thoxuan")]
    # Re-indexing replaces the text, not adds to it.
    store_rows(index, record_rows("http://thoxuan.test/qd.docx", 200, [], docx_bytes("Văn bản khác")), CaptureInfo())
    assert search(index, "dong hoa", kind="documents").hits == []
    assert len(search(index, "van ban khac", kind="documents").hits) == 1


@pytest.mark.parametrize("path, words", [
    ("demo-yentho.thanhhoa.test/portal/Documents/2019/BC-125-UBND-6-thang-2019.pdf", "nong thon moi"),
    ("demo-huonglam.hatinh.test/uploads/files/ke-hoach-nong-thon-moi-2020.docx", "nông thôn mới"),
])
def test_demo_attachments_if_present(path, words):
    file = DEMO_SITES / path
    if not file.exists():
        pytest.skip("demo attachments not present")
    text = documents.extract_text(file.read_bytes(), url=str(file))
    assert words in text.text.lower()
