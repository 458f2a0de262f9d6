"""A small real archive for the web tests: WARC files written by archive.warc and an index
filled through archive.index, the way a crawl fills them (no extraction: article fields are
given as the extractor would return them).

Two crawls of a fake portal (host langgiang.bacgiang.test):
  crawl 1 (2019-03-14): article NTM (image, stylesheet, PDF, a hostile <script>),
                        article DONGDA, article REMOVED, and FILLER_COUNT filler articles
  crawl 2 (2019-04-02): NTM with a changed text (a second version), DONGDA unchanged
                        (a revisit record), REMOVED answers 404 and is marked gone
"""
from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

from archive.index import Index
from archive.warc import HttpExchange, WarcWriter, WriterConfig

HOST = "http://langgiang.bacgiang.test"
SITE = {"id": "langgiang", "name": "Cổng TTĐT huyện Lạng Giang", "hosts": ["langgiang.bacgiang.test"],
        "province": "Bắc Giang", "family": "liferay", "start_urls": [HOST + "/"]}
NTM_URL = HOST + "/vi/news/tin-tuc/xay-dung-nong-thon-moi-nam-2019-5542.html"
NTM_PRINT_URL = HOST + "/vi/tin-tuc?id=5542"
DONGDA_URL = HOST + "/vi/news/tin-tuc/doan-cong-tac-quan-dong-da-tham-huyen-5543.html"
REMOVED_URL = HOST + "/vi/news/tin-tuc/thong-bao-tam-dung-5544.html"
IMAGE_URL = HOST + "/documents/10/anh-hoi-nghi.png"
CSS_URL = HOST + "/html/css/main.css"
BG_URL = HOST + "/html/images/nen.png"
PDF_URL = HOST + "/documents/10/ke-hoach%20ntm.pdf/abc-123"
FILLER_COUNT = 24
CRAWL1 = "2019-03-14T08:41:05Z"
CRAWL2 = "2019-04-02T02:10:00Z"
# The archived page's script tries everything a hostile page would; the browser test checks
# that none of it reached the app.
HOSTILE_SCRIPT = """
document.cookie = "archived_script=ran; path=/";
try { localStorage.setItem("archived_script", "ran"); } catch (e) {}
try { parent.document.title = "HACKED"; } catch (e) {}
try { top.document.body.setAttribute("data-hacked", "yes"); } catch (e) {}
document.documentElement.setAttribute("data-script-ran", "yes");
"""
NTM_TITLE = "Xây dựng nông thôn mới năm 2019 <b>đạt kết quả</b>"
NTM_BODY_1 = ("Sáng ngày 14/3, UBND huyện Lạng Giang tổ chức hội nghị tổng kết chương trình "
              "xây dựng nông thôn mới.\n\nHuyện có 18 xã đạt chuẩn nông thôn mới, "
              "vượt kế hoạch đề ra.\n\n<script>alert('x')</script> Tổng kinh phí huy động 120 tỷ đồng.")
NTM_BODY_2 = ("Sáng ngày 14/3, UBND huyện Lạng Giang tổ chức hội nghị tổng kết chương trình "
              "xây dựng nông thôn mới.\n\nHuyện có 19 xã đạt chuẩn nông thôn mới, "
              "vượt kế hoạch đề ra.\n\n<script>alert('x')</script> Tổng kinh phí huy động 120 tỷ đồng.\n\n"
              "Năm 2020, huyện phấn đấu có thêm 3 xã đạt chuẩn.")
DONGDA_TITLE = "Đoàn công tác quận Đống Đa thăm huyện Lạng Giang"


@dataclass(frozen=True)
class FixtureArchive:
    data_dir: Path
    warcs_dir: Path
    index_path: Path


IMAGE_WIDTH, IMAGE_HEIGHT = 320, 160


def png(width: int = IMAGE_WIDTH, height: int = IMAGE_HEIGHT, rgb=(200, 30, 30)) -> bytes:
    """A real PNG image (standard library only): a gradient from rgb to white, top to bottom."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    def shade(channel: int, y: int) -> int:
        return channel + (255 - channel) * y // max(height - 1, 1)
    rows = b"".join(b"\x00" + bytes(shade(c, y) for c in rgb) * width for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def ntm_page(body: str) -> bytes:
    paragraphs = "".join(f"<p>{p}</p>" for p in body.replace("<", "&lt;").split("\n\n"))
    return f"""<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8">
<title>Xây dựng nông thôn mới năm 2019</title>
<link rel="stylesheet" href="/html/css/main.css">
<script>{HOSTILE_SCRIPT}</script>
</head><body onload="document.documentElement.setAttribute('data-onload-ran', 'yes')">
<div class="banner">CỔNG THÔNG TIN ĐIỆN TỬ HUYỆN LẠNG GIANG</div>
<div class="journal-content-article">
<h1 class="title">Xây dựng nông thôn mới năm 2019</h1>
<p class="date">15:41 14/3/2019</p>
{paragraphs}
<p><img id="main-image" src="../../../documents/10/anh-hoi-nghi.png" alt="Hội nghị"></p>
<p>Xem <a href="/documents/10/ke-hoach%20ntm.pdf/abc-123">kế hoạch</a> và
<a href="{DONGDA_URL}">tin khác</a>.</p>
<p>Tác giả: Nông Linh</p>
</div>
<form action="/search"><input name="q"></form>
<a id="js-link" href=" JaVa&#x09;script:document.cookie='js_link=ran'" target="_top">js</a>
</body></html>""".encode("utf-8")


def simple_page(title: str, body: str) -> bytes:
    paragraphs = "".join(f"<p>{p}</p>" for p in body.split("\n\n"))
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title>"
            f"<link rel='stylesheet' href='/html/css/main.css'></head>"
            f"<body><h1>{title}</h1>{paragraphs}</body></html>").encode("utf-8")


def filler(n: int) -> tuple[str, dict]:
    url = f"{HOST}/vi/news/tin-tuc/nong-thon-moi-xa-{n:02d}-{6000 + n}.html"
    article = {"url": url, "canonical": url, "title": f"Xã số {n} về đích nông thôn mới",
               "published": f"2019-02-{(n % 27) + 1:02d}T09:00:00+07:00", "author": "Thùy Dung",
               "body": f"Xã số {n} của huyện đạt chuẩn nông thôn mới sau {n} tháng phấn đấu.",
               "images": [], "attachments": []}
    return url, article


class _Recorder:
    """Writes exchanges and indexes them as the crawler's recorder and pipelines do."""

    def __init__(self, index: Index, writer: WarcWriter, crawl_id: int, date: str):
        self.index, self.writer, self.crawl_id, self.date = index, writer, crawl_id, date

    def fetch(self, url: str, body: bytes, mime: str, status: int = 200, extra_headers=()) -> int:
        headers = [("Content-Type", mime), ("Content-Length", str(len(body))),
                   ("Set-Cookie", "JSESSIONID=abc; Path=/"), ("Set-Cookie", "lang=vi; Path=/"),
                   *extra_headers]
        written = self.writer.write_exchange(HttpExchange(url, status, headers, body), date=self.date)
        ref = written.response
        return self.index.add_capture(
            url=url, timestamp=written.date, status=status, mime=mime.split(";")[0],
            payload_digest=written.payload_digest, warc_file=ref.filename, offset=ref.offset,
            length=ref.length, record_id=ref.record_id,
            record_type="revisit" if written.revisit else "response",
            refers_to=written.refers_to, refers_to_url=written.refers_to_url,
            refers_to_date=written.refers_to_date, crawl_id=self.crawl_id, site=SITE["id"])

    def article(self, article: dict, body: bytes) -> int:
        capture_id = self.fetch(article["url"], body, "text/html; charset=utf-8")
        self.index.upsert_article(article, site=SITE["id"], capture_id=capture_id,
                                  captured=self.date, crawl_id=self.crawl_id)
        return capture_id


def ntm_article(body: str) -> dict:
    return {"url": NTM_URL, "canonical": NTM_URL, "title": NTM_TITLE,
            "published": "2019-03-14T15:41:00+07:00", "author": "Nông Linh", "body": body,
            "images": [{"src": IMAGE_URL, "caption": "Quang cảnh hội nghị"}],
            "attachments": [{"href": PDF_URL, "name": "Kế hoạch NTM"}]}


def build_archive(data_dir: Path) -> FixtureArchive:
    data_dir = Path(data_dir)
    warcs_dir = data_dir / "warcs"
    index = Index(data_dir / "index.sqlite")
    try:
        index.upsert_site(SITE)
        _crawl_one(index, warcs_dir)
        _crawl_two(index, warcs_dir)
    finally:
        index.close()
    return FixtureArchive(data_dir, warcs_dir, data_dir / "index.sqlite")


def start_crawl_at(index: Index, started: str) -> int:
    """A crawl run dated like the fixture's captures (the index dates runs by the clock)."""
    crawl_id = index.start_crawl([SITE["id"]], {})
    with index.transaction() as conn:
        conn.execute("UPDATE crawls SET started = ? WHERE id = ?", (started, crawl_id))
    return crawl_id


def _crawl_one(index: Index, warcs_dir: Path) -> None:
    crawl_id = start_crawl_at(index, CRAWL1)
    with WarcWriter(WriterConfig(str(warcs_dir), crawl_id=crawl_id), find_payload=index.find_payload) as writer:
        run = _Recorder(index, writer, crawl_id, CRAWL1)
        run.article(ntm_article(NTM_BODY_1), ntm_page(NTM_BODY_1))
        run.fetch(CSS_URL, b"body{font-family:serif} .banner{background:url('../images/nen.png');color:#fff;padding:8px}"
                           b" .title{color:rgb(0, 90, 160)}", "text/css")
        run.fetch(BG_URL, png(1, 40, (10, 80, 160)), "image/png")
        run.fetch(IMAGE_URL, png(), "image/png")
        run.fetch(PDF_URL, b"%PDF-1.4\n% ke hoach\n%%EOF\n", "application/pdf")
        dongda = {"url": DONGDA_URL, "canonical": DONGDA_URL, "title": DONGDA_TITLE,
                  "published": "2019-03-10", "author": None,
                  "body": "Đoàn công tác quận Đống Đa, Hà Nội đã đến thăm và làm việc tại huyện.",
                  "images": [], "attachments": []}
        run.article(dongda, simple_page(DONGDA_TITLE, dongda["body"]))
        removed = {"url": REMOVED_URL, "canonical": REMOVED_URL, "title": "Thông báo tạm dừng tiếp dân",
                   "published": "2019-03-12T08:00:00+07:00", "author": "Văn phòng",
                   "body": "Thông báo tạm dừng tiếp công dân trong tuần.", "images": [], "attachments": []}
        run.article(removed, simple_page(removed["title"], removed["body"]))
        for n in range(1, FILLER_COUNT + 1):
            url, article = filler(n)
            run.article(article, simple_page(article["title"], article["body"]))
    index.finish_crawl(crawl_id, "ok", {}, writer.closed_files)


def _crawl_two(index: Index, warcs_dir: Path) -> None:
    crawl_id = start_crawl_at(index, CRAWL2)
    with WarcWriter(WriterConfig(str(warcs_dir), crawl_id=crawl_id), find_payload=index.find_payload) as writer:
        run = _Recorder(index, writer, crawl_id, CRAWL2)
        run.article(ntm_article(NTM_BODY_2), ntm_page(NTM_BODY_2))
        dongda_capture = index.article(DONGDA_URL)
        run.article({k: dongda_capture[k] for k in ("url", "title", "published", "author", "body")}
                    | {"canonical": DONGDA_URL, "images": [], "attachments": []},
                    simple_page(DONGDA_TITLE, dongda_capture["body"]))
        run.fetch(REMOVED_URL, b"<html><body>404 Not Found</body></html>", "text/html", status=404)
        index.mark_gone(REMOVED_URL, crawl_id)
    index.finish_crawl(crawl_id, "ok", {}, writer.closed_files)


def build_single_article(data_dir: Path, article: dict, html: bytes,
                         resources: tuple = ()) -> FixtureArchive:
    """An archive holding one article page (for tests of what archived text can do), and
    `resources`: (url, body, content type[, status[, extra headers]]) captured beside it."""
    data_dir = Path(data_dir)
    index = Index(data_dir / "index.sqlite")
    try:
        index.upsert_site(SITE)
        crawl_id = start_crawl_at(index, CRAWL1)
        with WarcWriter(WriterConfig(str(data_dir / "warcs"), crawl_id=crawl_id),
                        find_payload=index.find_payload) as writer:
            run = _Recorder(index, writer, crawl_id, CRAWL1)
            run.article(article, html)
            for url, body, mime, *rest in resources:
                run.fetch(url, body, mime, *rest)
        index.finish_crawl(crawl_id, "ok", {}, writer.closed_files)
    finally:
        index.close()
    return FixtureArchive(data_dir, data_dir / "warcs", data_dir / "index.sqlite")
