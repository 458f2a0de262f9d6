"""What the web app reads from a data directory: the index, WARC records and payload digests.

One `Catalog` per app; `open()` gives a read-only `Index` per request (SQLite connections are
not shared between the server's threads).
"""
from __future__ import annotations

import contextlib
import hashlib
import logging
import os
from pathlib import Path
from typing import Iterator
from urllib.parse import quote

from archive.index import Index
from archive.snapshot import capture_ref, snapshot_capture
from archive.warc_reader import read_record, sha1_digest
from archive.warc_redact import served_member

log = logging.getLogger(__name__)

INDEX_FILE = "index.sqlite"
WARCS_DIR = "warcs"
# Characters that keep their meaning in a URL: everything else is percent-encoded again
# when a URL arrives decoded in PATH_INFO.
URL_SAFE = ":/?#[]@!$&'()*+,;=%~"


class ArchiveMissing(LookupError):
    """The data directory has no index yet."""


class Catalog:
    def __init__(self, data_dir: str | os.PathLike):
        self.data_dir = Path(data_dir)
        self.index_path = self.data_dir / INDEX_FILE
        self.warcs_dir = self.data_dir / WARCS_DIR

    @contextlib.contextmanager
    def open(self) -> Iterator[Index]:
        if not self.index_path.is_file():
            raise ArchiveMissing(str(self.data_dir))
        index = Index(self.index_path, readonly=True)
        try:
            yield index
        finally:
            index.close()

    # -- lookups ---------------------------------------------------------------------

    @staticmethod
    def capture_for(index: Index, url: str, at=None) -> dict | None:
        """The capture of url nearest `at`: any spelling of the URL as given or re-percent-encoded,
        else the article it is an alias of."""
        for candidate in dict.fromkeys((url, quote(url, safe=URL_SAFE))):
            capture = index.capture_of_any_form(candidate, at=at)
            if capture is not None:
                return capture
        return None

    @staticmethod
    def overview(index: Index, recent: int = 10) -> dict:
        return {
            "articles": index.article_count(),
            "captures": index.capture_count(),
            "sites": len(index.sites()),
            "recent": index.recent_articles(recent),
        }

    @staticmethod
    def site_names(index: Index) -> dict[str, str]:
        return {site["id"]: site.get("name") or site["id"] for site in index.sites()}

    # -- WARC bytes ------------------------------------------------------------------

    def warc_path(self, filename: str) -> Path:
        """The file under warcs/ (or its `.open` twin); refuses names that leave the directory."""
        if not filename or Path(filename).name != filename or filename.startswith("."):
            raise FileNotFoundError(f"not a WARC file name: {filename!r}")
        for candidate in (self.warcs_dir / filename, self.warcs_dir / (filename + ".open")):
            if candidate.is_file():
                return candidate
        raise FileNotFoundError(f"WARC file {filename} not in {self.warcs_dir}")

    def record_bytes(self, capture: dict) -> bytes:
        """The capture's record as stored: one gzip member, itself a valid .warc.gz (a request
        record holding a proxy's headers, from an older WARC, as its redacted copy)."""
        path = self.warc_path(capture["warc_file"])
        with open(path, "rb") as handle:
            handle.seek(int(capture["offset"]))
            data = handle.read(int(capture["length"]))
        if len(data) != int(capture["length"]):
            raise OSError(f"{path} ends inside the record at {capture['offset']}")
        return served_member(data)

    def snapshot(self, index: Index, capture: dict) -> tuple[str, list[tuple[str, str]], bytes]:
        return snapshot_capture(index, self.warcs_dir, capture)

    def payload_capture(self, index: Index, capture: dict) -> dict:
        """The response capture that holds the payload (a revisit's original, else itself)."""
        if capture.get("record_type") != "revisit" or not capture.get("refers_to"):
            return capture
        for candidate in index.captures(capture.get("refers_to_url") or capture["url"]):
            if candidate.get("record_id") == capture["refers_to"]:
                return candidate
        return capture

    def payload_digests(self, index: Index, capture: dict) -> dict[str, str]:
        """SHA-1 and SHA-256 of the payload as received, checked against the WARC's SHA-1."""
        original = self.payload_capture(index, capture)
        record = read_record(self.warcs_dir, capture_ref(original))
        payload = record.payload
        digests = {"sha1": sha1_digest(payload), "sha1_hex": hashlib.sha1(payload).hexdigest(),
                   "sha256": "sha256:" + hashlib.sha256(payload).hexdigest(),
                   "payload_bytes": str(len(payload))}
        declared = record.header("WARC-Payload-Digest")
        digests["matches_warc"] = "yes" if declared in (None, digests["sha1"]) else "no"
        return digests

