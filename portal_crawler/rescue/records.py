"""Fetched captures -> WARC records that say where they came from.

A memento becomes one `response` record (a `revisit` when its payload is archived already)
with the page's own URL as WARC-Target-URI, the original capture time as WARC-Date, the
page's own headers (restored from `x-archive-orig-`), and provenance headers: the memento
URI (WARC-Source-URI, as cdx_toolkit writes it), the archive (WARC-Source-Archive) and the
digest its CDX gave (WARC-Source-Digest). A record copied from a WARC file keeps its
headers and block and gains the same provenance plus WARC-Source-Range.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

from archive.timeline import SITE_HEADER, SOURCE_ARCHIVE, SOURCE_DIGEST, SOURCE_RANGE, SOURCE_URI
from archive.warc_reader import sha1_digest
from warcio.timeutils import timestamp_to_iso_date

from .cdx import Capture
from .fetch import Memento, WarcRecordCopy

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Written:
    ref: object           # WarcRef of the record
    digest_ok: bool       # the payload's digest equals the one the archive's CDX gave
    revisit: bool


def provenance(archive: str, uri: str, capture: Capture, site: str | None, byte_range: str | None = None) -> dict:
    headers = {SOURCE_URI: uri, SOURCE_ARCHIVE: archive}
    if byte_range:
        headers[SOURCE_RANGE] = byte_range
    if capture.digest:
        headers[SOURCE_DIGEST] = "sha1:" + capture.digest
    if site:
        headers[SITE_HEADER] = site
    return headers


def done_key(uri: str, byte_range: str | None) -> str:
    return f"{uri} {byte_range}" if byte_range else uri


def write_memento(writer, memento: Memento, capture: Capture, archive: str, site: str | None,
                  dedupe: bool = True) -> Written:
    written = writer.write_imported(memento.exchange, timestamp_to_iso_date(capture.timestamp),
                                    provenance(archive, memento.uri, capture, site), dedupe=dedupe)
    ok = capture.digest is None or written.payload_digest == "sha1:" + capture.digest
    if not ok:
        log.warning("%s: payload digest %s, the archive's CDX says sha1:%s", memento.uri,
                    written.payload_digest, capture.digest)
    return Written(written.response, ok, written.revisit)


def write_copy(writer, copy: WarcRecordCopy, capture: Capture, archive: str, site: str | None) -> Written:
    ref = writer.write_copied(copy.version, copy.warc_headers, copy.block,
                              provenance(archive, copy.uri, capture, site, copy.byte_range))
    payload = copy.block.partition(b"\r\n\r\n")[2]
    ok = capture.digest is None or sha1_digest(payload) == "sha1:" + capture.digest
    return Written(ref, ok, False)
