"""Export captures as a WACZ (Web Archive Collection Zipped, spec 1.1.1).

The zip holds archive/*.warc.gz (stored, not deflated, so replay tools can seek in them),
indexes/index.cdx (CDXJ lines from cdxj-indexer, pywb's own indexer, of the captures that
replay as pages: archive.replay_index), pages/pages.jsonl
(the archived articles: `wacz create --detect-pages` finds none on a crawl) and
datapackage.json with a sha256 per file, itself hashed in datapackage-digest.json.

A filtered export (urls or site) copies the chosen records' gzip members byte for byte
into one new WARC file: records are never re-serialised, except request records holding a
proxy's headers (WARCs of older versions), which go in as redacted copies (warc_redact.py).
A full export packages each WARC file as it is, or, for a file with damaged members or such
request records, a copy made of its whole records (`NAME.whole-records.warc.gz`, or
`NAME.redacted.warc.gz` when only redacted): cdxj-indexer stops at a damaged member, and
the archive's own files are never changed. Damage met is appended to the `damage` list given.
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
import uuid
import zipfile
from datetime import datetime, timezone
from pathlib import Path

from archive.replay_index import replay_index
from archive.warc_redact import PROXY_REQUEST_HEADERS, served_member
from archive.warc_scan import WarcScan
from archive.warc_writer import metadata_uri

WACZ_VERSION = "1.1.1"
PAGES_HEADER = {"format": "json-pages-1.0", "id": "pages", "title": "Articles"}
COPY_CHUNK = 1 << 20


def _chosen_urls(index, urls, site) -> set[str]:
    chosen = set()
    for url in urls or []:
        chosen.add(url)
        captures = index.captures(url)  # any spelling of it
        article = index.article(url) if not captures else None
        if article is not None:  # an alias never captured: the article it names
            captures = index.article_captures(article["id"])
        chosen.update(c["url"] for c in captures)
    if site:
        # the captures table is the CDX: its site column says which portal a capture is of
        chosen.update(index.site_capture_urls(site))
    return chosen


def _files_holding(index, chosen: set[str], warc_paths: list[Path]) -> list[Path]:
    """The WARC files that hold the chosen URLs' captures or the originals their revisits
    point to, by the index's captures table (the CDX); all files if it knows none."""
    names = index.warc_files_of(chosen)
    held = [path for path in warc_paths if path.name in names]
    return held or warc_paths


def _holds_proxy_headers(record) -> bool:
    return record.rec_type == "request" and record.http is not None and any(
        name.lower() in PROXY_REQUEST_HEADERS for name, _ in record.http.headers)


def _copy_members(source, refs, out) -> None:
    """Write the (ref, redact) members of source into out: as they are, or redacted."""
    for ref, redact in refs:
        source.seek(ref.offset)
        member = source.read(ref.length)
        out.write(served_member(member) if redact else member)


def _filtered_warc(warc_paths: list[Path], chosen: set[str], out_path: Path, damage: list) -> int:
    """Copy the gzip members of the chosen URLs' records (with the originals their
    revisits refer to and each source file's warcinfo) into out_path. Returns the count.

    Records are read one at a time and only their headers kept, so an export of one
    article from a large archive stays small in memory."""
    metadata_targets = {metadata_uri(url) for url in chosen}
    per_file, wanted_originals = [], set()
    for path in warc_paths:
        headers = []
        scan = WarcScan(path)
        for record, ref in scan:
            headers.append((record.rec_type, record.target_uri, record.record_id, (ref, _holds_proxy_headers(record))))
            if record.rec_type == "revisit" and record.target_uri in chosen:
                wanted_originals.add(record.header("WARC-Refers-To"))
        damage.extend(scan.damage)
        per_file.append((path, headers))
    copied = 0
    with open(out_path, "wb") as out:
        for path, headers in per_file:
            keep = [ref for rec_type, target, record_id, ref in headers
                    if target in chosen or target in metadata_targets or record_id in wanted_originals]
            if not keep:
                continue
            warcinfo = [ref for rec_type, _target, _id, ref in headers if rec_type == "warcinfo"][:1]
            with open(path, "rb") as source:
                _copy_members(source, warcinfo + keep, out)
            copied += len(warcinfo) + len(keep)
    return copied


def _packaged_files(warc_paths: list[Path], folder: Path, damage: list) -> tuple[list[Path], list[str]]:
    """The files a full export packages (see the module doc), and a note for each copy."""
    packaged, notes = [], []
    for path in warc_paths:
        scan = WarcScan(path)
        refs = [(ref, _holds_proxy_headers(record)) for record, ref in scan]
        redacted = sum(redact for _, redact in refs)
        if not scan.damage and not redacted:
            packaged.append(path)
            continue
        damage.extend(scan.damage)
        stem = path.name[:-len(".warc.gz")]
        copy = folder / f"{stem}.{'whole-records' if scan.damage else 'redacted'}.warc.gz"
        with open(path, "rb") as source, open(copy, "wb") as out:
            _copy_members(source, refs, out)
        packaged.append(copy)
        what = [f"damaged: packaged {copy.name} ({len(refs)} whole records)"] if scan.damage else []
        what += [f"{redacted} request records without proxy headers"] if redacted else []
        notes.append(f"{path.name} " + ", ".join(what))
    return packaged, notes


def _pages(index, chosen: set[str] | None, site: str | None) -> list[dict]:
    pages = []
    for article in index.iter_articles(site):
        capture = index.capture(article["capture_id"]) if article.get("capture_id") else None
        url = capture["url"] if capture else article["url"]
        if chosen is not None and url not in chosen and article["url"] not in chosen:
            continue
        page = {"id": uuid.uuid5(uuid.NAMESPACE_URL, url).hex, "url": url,
                "ts": (capture or {}).get("timestamp") or article.get("last_captured")}
        if article.get("title"):
            page["title"] = article["title"]
        pages.append(page)
    return pages


class _HashingZip:
    """Adds files to the zip and remembers each one's sha256 and size for datapackage.json."""

    def __init__(self, zf: zipfile.ZipFile):
        self.zf = zf
        self.resources: list[dict] = []

    def add_file(self, name: str, source: Path, compress: int) -> None:
        digest, size = hashlib.sha256(), 0
        info = zipfile.ZipInfo(name, datetime.now(timezone.utc).timetuple()[:6])
        info.compress_type = compress
        # The size known up front lets zipfile add a zip64 field only where one is needed, in
        # both headers: with force_zip64 only the local header had it, and ReplayWeb.page
        # 2.5.3 then read every WARC record 20 bytes off ("Archived Page Not Found").
        info.file_size = source.stat().st_size
        with open(source, "rb") as fh, self.zf.open(info, "w") as out:
            while chunk := fh.read(COPY_CHUNK):
                digest.update(chunk)
                size += len(chunk)
                out.write(chunk)
        self._remember(name, digest.hexdigest(), size)

    def add_bytes(self, name: str, data: bytes, listed: bool = True) -> None:
        info = zipfile.ZipInfo(name, datetime.now(timezone.utc).timetuple()[:6])
        info.compress_type = zipfile.ZIP_DEFLATED
        self.zf.writestr(info, data)
        if listed:
            self._remember(name, hashlib.sha256(data).hexdigest(), len(data))

    def _remember(self, name: str, hexdigest: str, size: int) -> None:
        self.resources.append({"name": os.path.basename(name).lower(), "path": name,
                               "hash": f"sha256:{hexdigest}", "bytes": size})


def _write_zip(path: Path, warc_paths: list[Path], cdxj: str, page_list: list[dict], title: str) -> None:
    with zipfile.ZipFile(path, "w", allowZip64=True) as zf:
        package = _HashingZip(zf)
        for warc in warc_paths:
            package.add_file(f"archive/{warc.name}", warc, zipfile.ZIP_STORED)
        package.add_bytes("indexes/index.cdx", cdxj.encode("utf-8"))
        lines = [json.dumps(PAGES_HEADER)] + [json.dumps(p, ensure_ascii=False) for p in page_list]
        package.add_bytes("pages/pages.jsonl", ("\n".join(lines) + "\n").encode("utf-8"))
        datapackage = json.dumps({
            "profile": "data-package", "title": title,
            "created": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "wacz_version": WACZ_VERSION, "software": "portal-archive",
            "resources": package.resources}, indent=2, ensure_ascii=False).encode("utf-8")
        package.add_bytes("datapackage.json", datapackage, listed=False)
        package.add_bytes("datapackage-digest.json", json.dumps({
            "path": "datapackage.json",
            "hash": "sha256:" + hashlib.sha256(datapackage).hexdigest()}).encode(), listed=False)


def export_wacz(warcs_dir, index, out_path, urls=None, site=None, pages=None,
                title: str = "portal-archive export", damage: list | None = None) -> str:
    """Write a WACZ of all captures (default) or of the given URLs / site; returns a
    one-line summary. `pages` (dicts with url, ts, title) replaces the article list;
    damaged stretches of the WARC files read past are appended to `damage`."""
    damage = [] if damage is None else damage
    warcs_dir, out_path = Path(warcs_dir), Path(out_path)
    warc_paths = sorted(warcs_dir.glob("*.warc.gz"))  # closed files only: `.open` ones are still growing
    if not warc_paths:
        raise FileNotFoundError(f"no closed WARC files in {warcs_dir}")
    chosen = _chosen_urls(index, urls, site) if (urls or site) else None
    partial = out_path.with_name(out_path.name + ".partial")
    with tempfile.TemporaryDirectory(dir=out_path.parent, prefix=".wacz-") as tmp:
        if chosen is not None:
            filtered = Path(tmp) / f"portal-archive-export-{datetime.now(timezone.utc):%Y%m%d%H%M%S}.warc.gz"
            records = _filtered_warc(_files_holding(index, chosen, warc_paths), chosen, filtered, damage)
            if not records:
                raise LookupError("no archived records match the chosen URLs/site")
            warc_paths, notes = [filtered], []
        else:
            records = None
            warc_paths, notes = _packaged_files(warc_paths, Path(tmp), damage)
        page_list = pages if pages is not None else _pages(index, chosen, site)
        # the captures that replay as pages (304 revisits left out); filenames in it are
        # the basenames used below
        cdxj = replay_index(warc_paths)
        try:
            _write_zip(partial, warc_paths, cdxj, page_list, title)
            os.replace(partial, out_path)
        finally:
            if partial.exists():
                partial.unlink()
    source = f"{records} records" if records is not None else f"{len(warc_paths)} WARC files"
    return "; ".join([f"{source}, {cdxj.count(chr(10))} index lines, {len(page_list)} pages", *notes])
