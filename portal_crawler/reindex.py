"""Rebuild the index from the WARC files alone: captures, articles, versions, documents.

The WARCs are the source of truth; extraction runs again on the archived bytes, so a better
extractor improves old crawls without re-crawling. Damaged WARC data is read past (every
whole record is indexed), reported in `stats["damage"]` and never changed; `--rebuild`
builds the new index beside the old one (archive/index_aside.py). One index writer at a
time per data directory (archive/datalock.py).
"""
from __future__ import annotations

import logging
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from archive.datalock import index_lock
from archive.index import Index
from archive.index_aside import building_aside
from archive.schedule import opened as opened_schedules
from archive.snapshot import decode_body
from archive.timeline import SITE_HEADER, record_source
from archive.timeutil import iso_timestamp
from archive.urlkey import is_case_insensitive_server, lookup_keys
from archive.warc import WarcRef, read_record, repair
from archive.warc_metadata import decode_metadata
from archive.warc_scan import WarcScan
from portal_crawler.extract.warc_extract import site_templates
from portal_crawler.indexing import (GONE_STATUSES, HTML_TYPES, ArticleRow, CaptureInfo, is_document, payload_time,
                                     record_rows, store_rows)

logger = logging.getLogger(__name__)


def warc_files(dirs: list[Path], also: list[Path] = ()) -> list[Path]:
    """Every WARC file (and the `.open` ones in `also`), oldest first (Annex C names sort
    by their timestamp)."""
    files = list(also)
    for d in dirs:
        files += [p for p in d.iterdir() if p.name.endswith((".warc.gz", ".warc"))]
    return sorted(files, key=lambda p: p.name.split("-", 1)[-1])


def host_of(url: str) -> str:
    return url.split("/")[2].split(":")[0].lower() if "//" in url else ""


def reindex(data_dir: Path, extra_warc_dirs: list[Path] = (), rebuild: bool = False, wait: float = 0.0) -> dict:
    """Index every WARC record not indexed yet (or, with rebuild, all of them into a new
    index). Raises archive.datalock.DataDirBusy when another index writer holds the data
    directory for more than `wait` seconds."""
    data_dir = Path(data_dir)
    with index_lock(data_dir, "index --rebuild" if rebuild else "index", wait=wait), \
            target_index(data_dir, rebuild) as index:
        return load_archive(index, data_dir, list(extra_warc_dirs))


@contextmanager
def target_index(data_dir: Path, rebuild: bool):
    db_path = data_dir / "index.sqlite"
    if not rebuild:
        with Index(db_path) as index:
            yield index
        return
    # Schedules an older index held move to state.sqlite before that index is replaced.
    with opened_schedules(data_dir):
        pass
    with building_aside(db_path) as index:
        yield index


def load_archive(index: Index, data_dir: Path, extra_warc_dirs: list[Path]) -> dict:
    dirs = [d for d in (data_dir / "warcs", *extra_warc_dirs) if d.is_dir()]
    # A crawler killed mid-file (a dead worker) leaves `.open` files: close them at their
    # last whole record so they are indexed (a torn tail is kept aside); damaged ones are
    # left as they are and read past; files a live writer holds are left alone.
    repaired = [(d, report) for d in dirs for report in repair(d)]
    left_open = [d / (report.filename + ".open") for d, report in repaired if report.left_as_is]
    files = warc_files(dirs, left_open)
    stats = {"files": len(files), "records": 0, "articles": 0, "versions": 0, "documents": 0, "errors": 0,
             "repaired": sum(1 for _, r in repaired if not r.left_as_is), "crawls": 0,
             "damage": [], "tails_kept": [r for _, r in repaired if r.tail_kept]}
    own = {path for path in files if path.parent == data_dir / "warcs"}
    trace = scan_metadata(files, own)
    # Crawl ids live in this archive's own index only: another worker's WARC files
    # name crawls of its own index, so their captures get none.
    restored = [crawl for crawl in trace.crawls.values()
                if index.restore_crawl(crawl.crawl_id, crawl.targets, crawl.started)]
    # each site's template, learned from its pages in these WARCs (a stored, edited one wins)
    templates = site_templates(data_dir, files)
    with index.bulk_load():
        load_records(index, files, trace, stats, templates)
    for crawl in restored:
        index.finish_crawl(crawl.crawl_id, "rebuilt", warcs=sorted(crawl.warcs), finished=crawl.finished)
    stats["crawls"] = len(restored)
    stats["articles"] = index.article_count()
    stats["errors"] = len(stats["damage"])
    return stats


def load_records(index: Index, files: list[Path], trace: "MetadataTrace", stats: dict,
                 templates: dict | None = None) -> None:
    templates = templates or {}
    known = index.capture_ids_by_record()
    originals = Originals()
    linked_from: dict[str, str] = {}  # a document's URL key -> the article that links it
    documents = []
    for path in files:
        scan = WarcScan(path)
        for record, ref in scan:
            if record.rec_type not in ("response", "revisit") or record.http is None:
                continue
            stats["records"] += 1
            url = record.target_uri or ""
            # an imported record names its site in a header (no metadata record of ours)
            site = trace.sites.get(record.record_id) or record.header(SITE_HEADER) \
                or trace.host_sites.get(host_of(url)) or host_of(url)
            crawl_id = trace.crawl_of(record)
            status = record.http.status or 0
            mime = (record.http.header("Content-Type") or "").split(";")[0].strip().lower()
            digest = record.header("WARC-Payload-Digest")
            source = record_source(record)
            if record.record_id in known:
                capture_id = known[record.record_id]
            else:
                capture_id = index.add_capture(
                    url=url, timestamp=record.date, status=status, mime=mime or None, payload_digest=digest,
                    warc_file=ref.filename, offset=ref.offset, length=ref.length,
                    record_id=record.record_id, record_type=record.rec_type,
                    refers_to=record.header("WARC-Refers-To"),
                    refers_to_url=record.header("WARC-Refers-To-Target-URI"),
                    refers_to_date=record.header("WARC-Refers-To-Date"), site=site, crawl_id=crawl_id,
                    etag=record.http.header("ETag"), last_modified=record.http.header("Last-Modified"),
                    case_insensitive=is_case_insensitive_server(record.http.headers))
                if source[0]:
                    index.set_capture_source(capture_id, *source)
            if status in GONE_STATUSES and source[0]:
                continue  # a 404 kept by a web archive years ago says nothing about the page now
            capture = CaptureInfo(capture_id, iso_timestamp(record.date), crawl_id, site, iso_timestamp(
                payload_time(record.rec_type, record.date, record.header("WARC-Refers-To-Date"))))
            if record.rec_type == "revisit":
                # an identical payload or a 304 (no digest: found by WARC-Refers-To): the rows
                # of the record it stands for, as the crawl gives them from its archived copy
                original = originals.of(record)
                if status not in (200, 304):
                    rows = record_rows(url, status, record.http.headers, b"")  # a 404 again: gone
                elif original is not None and original.article is None and is_document(original.mime, url):
                    documents.append((url, read_record(original.path.parent, original.ref).http, capture))
                    continue
                else:
                    rows = revisit_rows(original, url, templates.get(host_of(url)))
            elif status == 200 and is_document(mime, url):
                originals.add(record, Original(url, path, ref, mime))
                documents.append((url, record.http, capture))  # after the articles that link them
                continue
            else:
                body = decode_body(record.http.body, record.http.header("Content-Encoding")) if status == 200 else b""
                rows = record_rows(url, status, record.http.headers, body, template=templates.get(host_of(url)))
                article = next((r.article for r in rows if isinstance(r, ArticleRow)), None)
                if status == 200:
                    originals.add(record, Original(url, path, ref, mime, article))
            results = store_rows(index, rows, capture)
            stats["versions"] += sum(r in ("new", "changed") for r in results)
            for row in rows:
                if isinstance(row, ArticleRow):
                    for attachment in row.article.get("attachments") or []:
                        # keyed as the crawl keys links: a link spelled `a b.pdf` is `a%20b.pdf` fetched
                        for key in lookup_keys(attachment["href"]):
                            linked_from.setdefault(key, row.article.get("canonical") or url)
        for damage in scan.damage:
            logger.info("%s: skipped damaged data: %s", damage.describe(), damage.reason)
        stats["damage"] += scan.damage
    for url, http, capture in documents:
        body = decode_body(http.body, http.header("Content-Encoding"))
        rows = record_rows(url, 200, http.headers, body, linked_from=next(
            (linked_from[key] for key in lookup_keys(url) if key in linked_from), None))
        stats["documents"] += sum(r == "document" for r in store_rows(index, rows, capture))


def capture_of(url: str, date: str | None) -> tuple[str, str]:
    return lookup_keys(url)[0], iso_timestamp(date) or ""


def original_capture(revisit) -> tuple[str, str]:
    """What a revisit names when it names no record id: its original's URL and time."""
    return capture_of(revisit.header("WARC-Refers-To-Target-URI") or revisit.target_uri or "",
                      revisit.header("WARC-Refers-To-Date"))


@dataclass(frozen=True)
class Original:
    """A 200 response that later revisits stand for: where it is, its type, its article."""
    url: str
    path: Path
    ref: WarcRef
    mime: str
    article: dict | None = None


class Originals:
    """The 200 responses read so far, as a revisit names the one it stands for: by record
    id (WARC-Refers-To), else by URL and time, else by payload digest (the newest)."""

    def __init__(self):
        self.by_record: dict[str, Original] = {}
        self.by_capture: dict[tuple[str, str], str] = {}  # (URL key, time) -> record id
        self.by_digest: dict[str, str] = {}  # payload digest -> record id

    def add(self, record, original: Original) -> None:
        self.by_record[record.record_id] = original
        self.by_capture[capture_of(original.url, record.date)] = record.record_id
        self.by_digest[record.header("WARC-Payload-Digest") or ""] = record.record_id

    def of(self, revisit) -> Original | None:
        return (self.by_record.get(revisit.header("WARC-Refers-To") or "")
                or self.by_record.get(self.by_capture.get(original_capture(revisit), ""))
                or self.by_record.get(self.by_digest.get(revisit.header("WARC-Payload-Digest") or "", "")))


def revisit_rows(original: Original | None, url: str, template=None) -> list:
    """Rows of a revisit at `url`: its own URL's earlier text as it is; another URL's payload
    (an alias answering the same bytes) is extracted again under `url`, as the crawl does."""
    if original is None or not original.mime.startswith(HTML_TYPES):
        return []
    if lookup_keys(original.url) == lookup_keys(url):  # its own earlier bytes: what they gave then
        return [ArticleRow(dict(original.article, url=url))] if original.article is not None else []
    record = read_record(original.path.parent, original.ref)
    body = decode_body(record.http.body, record.http.header("Content-Encoding"))
    return [row for row in record_rows(url, 200, record.http.headers, body, template=template)
            if isinstance(row, ArticleRow)]


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
    # host -> site id, for records without a metadata record (robots.txt, 404s, documents)
    host_sites: dict[str, str] = field(default_factory=dict)
    crawls: dict[int, CrawlTrace] = field(default_factory=dict)
    crawl_of_warcinfo: dict[str, int] = field(default_factory=dict)  # warcinfo record id -> crawl id

    def crawl_of(self, record) -> int | None:
        return self.crawl_of_warcinfo.get(record.header("WARC-Warcinfo-ID") or "")


def scan_metadata(files: list[Path], own: set[Path]) -> MetadataTrace:
    """Sites (from the metadata records the crawler wrote) and, for this archive's own
    files, the crawl runs (from warcinfo records) with their first and last record."""
    trace = MetadataTrace()
    for path in files:
        for record, ref in WarcScan(path):
            if record.rec_type == "warcinfo" and path in own:
                _trace_warcinfo(trace, record)
            elif record.rec_type == "metadata":
                concurrent = record.header("WARC-Concurrent-To")
                payload = decode_metadata(record.header("Content-Type"), record.block)
                if concurrent and payload and payload.get("site"):
                    trace.sites[concurrent] = payload["site"]
                    trace.host_sites.setdefault(host_of(record.target_uri or ""), payload["site"])
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
