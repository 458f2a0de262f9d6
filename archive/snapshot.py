"""Archived responses back out: status line, headers and the body as received, decoded.

The index gives file, offset and length; one seek reads the record. A revisit record is
followed to the response record it refers to for the payload.
"""
from __future__ import annotations

import logging
import zlib
from urllib.parse import urlsplit

from archive.warc_reader import Record, read_record
from archive.warc_ref import WarcRef
from archive.warc_writer import PROFILE_NOT_MODIFIED

try:  # optional: the same package Scrapy uses for br
    import brotli
    DECODE_ERRORS: tuple = (zlib.error, ValueError, brotli.error)
except ImportError:
    brotli = None
    DECODE_ERRORS = (zlib.error, ValueError)

log = logging.getLogger(__name__)

MAX_REVISIT_HOPS = 8
IDENTITY_CODINGS = ("", "identity", "none")


class SnapshotNotFound(LookupError, ValueError):
    """No capture of the URL, or a revisit whose original is not in the archive."""


class InvalidSnapshotURL(SnapshotNotFound):
    """The URL asked for does not parse (`http://[::1/`): nothing can be archived under it."""


def _decompress(data: bytes, wbits: int) -> bytes:
    # a decompressobj accepts a truncated stream (WARC-Truncated) and returns what it has
    inflater = zlib.decompressobj(wbits)
    return inflater.decompress(data) + inflater.flush()


def _decode_one(body: bytes, coding: str) -> bytes:
    if coding in ("gzip", "x-gzip"):
        return _decompress(body, zlib.MAX_WBITS | 16)
    if coding == "deflate":
        try:
            return _decompress(body, zlib.MAX_WBITS)  # zlib-wrapped, as the RFC says
        except zlib.error:
            return _decompress(body, -zlib.MAX_WBITS)  # raw deflate, as some servers send
    if coding == "br" and brotli is not None:
        return brotli.decompress(body)
    raise ValueError(f"unsupported content coding {coding!r}")


def decode_body(body: bytes, content_encoding: str | None) -> bytes:
    """Undo Content-Encoding (codings applied in order, so undone in reverse). A body that
    cannot be decoded is returned as received, with a warning."""
    codings = [c.strip().lower() for c in (content_encoding or "").split(",")]
    codings = [c for c in codings if c not in IDENTITY_CODINGS]
    decoded = body
    try:
        for coding in reversed(codings):
            decoded = _decode_one(decoded, coding)
    except DECODE_ERRORS as exc:
        log.warning("body left encoded (%s): %s", content_encoding, exc)
        return body
    return decoded


def capture_ref(capture: dict) -> WarcRef:
    return WarcRef(capture["warc_file"], int(capture["offset"]), int(capture["length"]),
                   capture.get("record_id") or "")


def _original_capture(index, record_id: str, url: str | None) -> dict:
    for capture in index.captures(url) if url else []:
        if capture.get("record_id") == record_id:
            return capture
    raise SnapshotNotFound(f"revisit refers to {record_id} ({url}), which is not in the index")


def _payload_record(index, warcs_dir, record: Record) -> Record:
    """The record holding the payload: the record itself, or the revisit's original."""
    hops = 0
    while record.rec_type == "revisit":
        hops += 1
        if hops > MAX_REVISIT_HOPS:
            raise SnapshotNotFound(f"revisit chain longer than {MAX_REVISIT_HOPS} from {record.record_id}")
        refers_to = record.header("WARC-Refers-To")
        if not refers_to:
            raise SnapshotNotFound(f"revisit {record.record_id} names no WARC-Refers-To record")
        capture = _original_capture(index, refers_to, record.header("WARC-Refers-To-Target-URI"))
        record = read_record(warcs_dir, capture_ref(capture))
    return record


def snapshot_capture(index, warcs_dir, capture: dict) -> tuple[str, list[tuple[str, str]], bytes]:
    """(status line, headers, decoded body) of one capture row of the index."""
    record = read_record(warcs_dir, capture_ref(capture))
    payload_record = _payload_record(index, warcs_dir, record)
    # a 304 carries few headers; the original's describe the body we return
    described = payload_record if record.header("WARC-Profile") == PROFILE_NOT_MODIFIED else record
    http = described.http or payload_record.http
    if http is None:
        raise SnapshotNotFound(f"{record.record_id} holds no HTTP response")
    body = payload_record.http.body if payload_record.http else payload_record.block
    return http.start_line, list(http.headers), decode_body(body, http.header("Content-Encoding"))


def snapshot(index, warcs_dir, url: str, at=None) -> tuple[str, list[tuple[str, str]], bytes]:
    """The capture of url (any spelling, or the article it is an alias of) nearest `at`
    (default: newest): status line, headers, body."""
    try:
        urlsplit(url)
    except ValueError as error:
        raise InvalidSnapshotURL(f"not a valid URL: {url} ({error})") from None
    capture = index.capture_of_any_form(url, at=at)
    if capture is None:
        raise SnapshotNotFound(f"no capture of {url} in the archive")
    return snapshot_capture(index, warcs_dir, capture)
