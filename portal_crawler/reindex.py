"""Rebuild the index from the WARC files alone: captures, articles, versions, documents.

The WARCs are the source of truth; extraction runs again on the archived bytes, so a better
extractor improves old crawls without re-crawling.
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

from archive.documents import document_text
from archive.index import Index
from archive.snapshot import decode_body
from archive.timeline import record_source, set_capture_source
from archive.warc import WarcFormatError, iter_records, repair
from portal_crawler.extract import extract

logger = logging.getLogger(__name__)

HTML_TYPES = ("text/html", "application/xhtml")
DOCUMENT_HINTS = ("pdf", "msword", "officedocument", "opendocument")


def warc_files(dirs: list[Path]) -> list[Path]:
    """Every WARC file, oldest first (Annex C names sort by their timestamp)."""
    files = []
    for d in dirs:
        files += [p for p in d.iterdir() if p.name.endswith((".warc.gz", ".warc"))]
    return sorted(files, key=lambda p: p.name.split("-", 1)[-1])


def host_of(url: str) -> str:
    return url.split("/")[2].split(":")[0].lower() if "//" in url else ""


def reindex(data_dir: Path, extra_warc_dirs: list[Path] = (), rebuild: bool = False) -> dict:
    data_dir = Path(data_dir)
    db_path = data_dir / "index.sqlite"
    if rebuild:
        for suffix in ("", "-wal", "-shm"):
            Path(str(db_path) + suffix).unlink(missing_ok=True)
    index = Index(db_path)
    dirs = [d for d in (data_dir / "warcs", *extra_warc_dirs) if d.is_dir()]
    # A crawler killed mid-file (a dead worker) leaves `.open` files: close them at their
    # last whole record so they are indexed; files a live writer holds are left alone.
    repaired = [report for d in dirs for report in repair(d)]
    files = warc_files(dirs)
    stats = {"files": len(files), "records": 0, "articles": 0, "versions": 0, "documents": 0, "errors": 0,
             "repaired": len(repaired), "crawls": 0}
    own = {path for path in files if path.parent == data_dir / "warcs"}
    trace = scan_metadata(files, own)
    try:
        # Crawl ids live in this archive's own index only: another worker's WARC files
        # name crawls of its own index, so their captures get none.
        restored = [crawl for crawl in trace.crawls.values()
                    if index.restore_crawl(crawl.crawl_id, crawl.targets, crawl.started)]
        with index.bulk_load():
            load_records(index, files, trace, stats)
        for crawl in restored:
            index.finish_crawl(crawl.crawl_id, "rebuilt", warcs=sorted(crawl.warcs), finished=crawl.finished)
        stats["crawls"] = len(restored)
        stats["articles"] = index.conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    finally:
        index.close()
    return stats


def load_records(index: Index, files: list[Path], trace: "MetadataTrace", stats: dict) -> None:
    known = {row[0]: row[1] for row in index.conn.execute("SELECT record_id, id FROM captures")}
    by_digest: dict[str, dict] = {}
    linked_from: dict[str, str] = {}
    documents = []
    for path in files:
        for record, ref in safe_records(path, stats):
            if record.rec_type not in ("response", "revisit") or record.http is None:
                continue
            stats["records"] += 1
            url = record.target_uri or ""
            # an imported record names its site in a header (no metadata record of ours)
            site = trace.sites.get(record.record_id) or record.header("Portal-Archive-Site") or host_of(url)
            crawl_id = trace.crawl_of(record)
            status = record.http.status or 0
            mime = (record.http.header("Content-Type") or "").split(";")[0].strip().lower()
            digest = record.header("WARC-Payload-Digest")
            if record.record_id in known:
                capture_id = known[record.record_id]
            else:
                capture_id = index.add_capture(
                    url=url, timestamp=record.date, status=status, mime=mime, payload_digest=digest,
                    warc_file=ref.filename, offset=ref.offset, length=ref.length,
                    record_id=record.record_id, record_type=record.rec_type,
                    refers_to=record.header("WARC-Refers-To"),
                    refers_to_url=record.header("WARC-Refers-To-Target-URI"),
                    refers_to_date=record.header("WARC-Refers-To-Date"), site=site, crawl_id=crawl_id,
                    etag=record.http.header("ETag"), last_modified=record.http.header("Last-Modified"))
                if record_source(record)[0]:
                    set_capture_source(index.conn, capture_id, *record_source(record))
            if status in (404, 410):
                # a 404 kept by a web archive years ago says nothing about the page now
                if not record_source(record)[0]:
                    index.mark_gone(url, crawl_id)
                continue
            article = None
            if record.rec_type == "revisit":
                article = by_digest.get(digest)
            elif status == 200 and mime.startswith(HTML_TYPES):
                body = decode_body(record.http.body, record.http.header("Content-Encoding"))
                article = extract(body, url, record.http.headers).to_dict()
                if digest:
                    by_digest[digest] = article
            elif status == 200 and any(h in mime for h in DOCUMENT_HINTS):
                documents.append((url, mime, record.http, site, capture_id))
                continue
            if not article or not article.get("is_article"):
                continue
            article = dict(article, url=url)
            result = index.upsert_article(article, site=site, capture_id=capture_id, captured=record.date,
                                          crawl_id=crawl_id)
            stats["versions"] += result in ("new", "changed")
            for attachment in article.get("attachments") or []:
                linked_from.setdefault(attachment["href"], article.get("canonical") or url)
    for url, mime, http, site, capture_id in documents:
        try:
            text = document_text(decode_body(http.body, http.header("Content-Encoding")), mime, url)
        except ValueError as exc:
            logger.info("no text from %s: %s", url, exc)
            continue
        index.upsert_document(url=url, text=text, article_url=linked_from.get(url), mime=mime, site=site,
                              capture_id=capture_id)
        stats["documents"] += 1


def safe_records(path: Path, stats: dict):
    """Records of one file; a corrupt tail is reported and the rest of the file skipped."""
    try:
        yield from iter_records(path)
    except (WarcFormatError, OSError, EOFError) as exc:
        stats["errors"] += 1
        logger.warning("%s: stopped at an unreadable record: %s", path.name, exc)


@dataclass
class CrawlTrace:
    """A crawl run as its WARC files tell it (warcinfo `isPartOf`), to restore its row."""
    crawl_id: int
    targets: list[str]
    started: str | None = None
    finished: str | None = None
    warcs: set[str] = field(default_factory=set)


@dataclass
class MetadataTrace:
    sites: dict[str, str] = field(default_factory=dict)  # response record id -> site id
    crawls: dict[int, CrawlTrace] = field(default_factory=dict)
    crawl_of_warcinfo: dict[str, int] = field(default_factory=dict)  # warcinfo record id -> crawl id

    def crawl_of(self, record) -> int | None:
        return self.crawl_of_warcinfo.get(record.header("WARC-Warcinfo-ID") or "")


def scan_metadata(files: list[Path], own: set[Path]) -> MetadataTrace:
    """Sites (from the metadata records the crawler wrote) and, for this archive's own
    files, the crawl runs (from warcinfo records) with their first and last record."""
    trace = MetadataTrace()
    for path in files:
        for record, ref in safe_records(path, {"errors": 0}):
            if record.rec_type == "warcinfo" and path in own:
                _trace_warcinfo(trace, record)
            elif record.rec_type == "metadata":
                concurrent = record.header("WARC-Concurrent-To")
                try:
                    payload = json.loads(record.block)
                except ValueError:
                    continue
                if concurrent and isinstance(payload, dict) and payload.get("site"):
                    trace.sites[concurrent] = payload["site"]
            elif record.rec_type in ("response", "revisit") and path in own:
                crawl = trace.crawls.get(trace.crawl_of(record))
                if crawl is not None:
                    crawl.started = min(filter(None, (crawl.started, record.date)))
                    crawl.finished = max(filter(None, (crawl.finished, record.date)))
                    crawl.warcs.add(ref.filename)
    return trace


def _trace_warcinfo(trace: MetadataTrace, record) -> None:
    fields = {}
    for line in record.block.decode("utf-8", "replace").splitlines():
        name, _, value = line.partition(":")
        fields[name.strip()] = value.strip()
    try:
        crawl_id = int(fields.get("isPartOf", ""))
    except ValueError:
        return
    trace.crawl_of_warcinfo[record.record_id] = crawl_id
    targets = fields.get("portal-archive-targets", "").split()
    crawl = trace.crawls.setdefault(crawl_id, CrawlTrace(crawl_id, targets))
    crawl.targets = crawl.targets or targets
