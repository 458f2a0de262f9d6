"""The rotating WARC/1.1 writer: request/response/revisit/metadata records over warcio.

One gzip member per record, flushed before its WarcRef is returned; files named per
WARC 1.1 Annex C and written as `NAME.open` until closed; digests computed here (sha1,
base32) because warcio digests a chunked body as stored, not the entity (warcio #74).
"""
from __future__ import annotations

import fcntl
import logging
import os
import socket
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http import HTTPStatus
from io import BytesIO
from typing import Callable, Iterable, Union
from urllib.parse import urlsplit

from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import timestamp_to_iso_date
from warcio.warcwriter import WARCWriter

from archive.warc_metadata import CONTENT_TYPE as METADATA_CONTENT_TYPE
from archive.warc_metadata import encode_fields
from archive.warc_reader import sha1_digest
from archive.warc_ref import WarcRef

log = logging.getLogger(__name__)

WARC_VERSION = "1.1"
PROFILE_IDENTICAL = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
PROFILE_NOT_MODIFIED = "http://netpreserve.org/warc/1.1/revisit/server-not-modified"
CONFORMS_TO = "http://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/"
# The body we store is de-chunked, so a chunked header would lie to replay tools;
# the original value is kept under this name instead.
ORIGINAL_TRANSFER_ENCODING = "X-Archive-Orig-Transfer-Encoding"

HeaderValue = Union[str, bytes]
PayloadLookup = Callable[[str], Union[dict, None]]


@dataclass(frozen=True)
class WriterConfig:
    warcs_dir: str
    prefix: str = "portal-archive"
    max_size: int = 1_000_000_000
    operator: str | None = None
    robots: str = "obey"
    crawl_id: str | int | None = None
    targets: tuple[str, ...] = ()  # what the crawl was asked for (site ids, start URLs)
    software: str = "portal-archive"
    user_agent: str | None = None
    fsync_each_record: bool = False  # flush() survives kill -9; fsync also survives power loss
    # gzip level: 6 (zlib's default, as Heritrix and wget use) is 2-3x faster than warcio's 9
    # for files a few percent larger
    compress_level: int = 6

    def __post_init__(self):
        if self.max_size <= 0:
            raise ValueError(f"WARC max size must be positive, got {self.max_size}")
        if not 0 <= self.compress_level <= 9:
            raise ValueError(f"gzip level must be 0-9, got {self.compress_level}")
        if not self.prefix or "/" in self.prefix:
            raise ValueError(f"bad WARC prefix {self.prefix!r}")


@dataclass(frozen=True)
class HttpExchange:
    """One request and its response as they went over the wire (body de-chunked)."""

    url: str
    status: int
    response_headers: list[tuple[HeaderValue, HeaderValue]]
    body: bytes
    method: str = "GET"
    request_headers: list[tuple[HeaderValue, HeaderValue]] = field(default_factory=list)
    request_body: bytes = b""
    protocol: str = "HTTP/1.1"
    reason: str | None = None
    ip_address: str | None = None
    truncated: str | None = None  # WARC-Truncated reason, e.g. "length" or "disconnect"
    body_dechunked: bool = True


@dataclass(frozen=True)
class WrittenExchange:
    request: WarcRef
    response: WarcRef  # the response record, or the revisit record
    date: str  # WARC-Date of both records (ISO 8601, UTC)
    payload_digest: str | None
    revisit: bool = False
    profile: str | None = None
    refers_to: str | None = None
    refers_to_url: str | None = None
    refers_to_date: str | None = None


class _GzipMember:
    """One gzip member per record, like warcio's GzippingWrapper but at a chosen level.
    warcio calls flush() once at the end of each record, which ends the member."""

    def __init__(self, out, level: int):
        self.out = out
        self.compressor = zlib.compressobj(level, zlib.DEFLATED, zlib.MAX_WBITS | 16)

    def write(self, data: bytes) -> None:
        self.out.write(self.compressor.compress(data))

    def flush(self) -> None:
        self.out.write(self.compressor.flush())
        self.out.flush()


class _ExactHeaders(StatusAndHeaders):
    """HTTP headers whose bytes are fixed: warcio would %-encode non-ASCII values."""

    def __init__(self, statusline: str, headers: list[tuple[str, str]], protocol: str, raw: bytes):
        super().__init__(statusline, headers, protocol=protocol)
        self.headers_buff = raw

    def compute_headers_buffer(self, header_filter=None):
        pass  # keep the bytes as received


def _as_bytes(value: HeaderValue) -> bytes:
    if isinstance(value, bytes):
        raw = value
    else:
        try:
            raw = value.encode("latin-1")
        except UnicodeEncodeError:
            raw = value.encode("utf-8")
    # a line break inside a value would end the header block early
    return raw.replace(b"\r", b" ").replace(b"\n", b" ")


def _http_block(start_line: str, headers: Iterable[tuple[bytes, bytes]]) -> _ExactHeaders:
    lines = [start_line.encode("latin-1", "replace")]
    text_headers = []
    for name, value in headers:
        lines.append(name + b": " + value)
        text_headers.append((name.decode("latin-1"), value.decode("latin-1")))
    raw = b"\r\n".join(lines) + b"\r\n\r\n"
    protocol, _, rest = start_line.partition(" ")
    return _ExactHeaders(rest, text_headers, protocol, raw)


def response_headers_block(exchange: HttpExchange) -> _ExactHeaders:
    reason = exchange.reason
    if reason is None:
        try:
            reason = HTTPStatus(exchange.status).phrase
        except ValueError:
            reason = ""
    headers = []
    for name, value in exchange.response_headers:
        name_b, value_b = _as_bytes(name), _as_bytes(value)
        if (exchange.body_dechunked and name_b.lower() == b"transfer-encoding"
                and b"chunked" in value_b.lower()):
            name_b = ORIGINAL_TRANSFER_ENCODING.encode()
        headers.append((name_b, value_b))
    start = f"{exchange.protocol} {exchange.status}" + (f" {reason}" if reason else "")
    return _http_block(start, headers)


def request_headers_block(exchange: HttpExchange) -> _ExactHeaders:
    parts = urlsplit(exchange.url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    headers = [(_as_bytes(n), _as_bytes(v)) for n, v in exchange.request_headers]
    names = {name.lower() for name, _ in headers}
    # Twisted adds these on the wire; Scrapy's request.headers never shows them
    if b"host" not in names:
        headers.insert(0, (b"Host", _as_bytes(parts.netloc)))
    if exchange.request_body and b"content-length" not in names:
        headers.append((b"Content-Length", str(len(exchange.request_body)).encode()))
    return _http_block(f"{exchange.method} {target} {exchange.protocol}", headers)


def metadata_uri(url: str) -> str:
    """`metadata://host/path?query`: never the page URL. Not enough on its own to keep
    replay tools off it (a SURT key drops the scheme): the warc-fields type does that."""
    parts = urlsplit(url)
    query = f"?{parts.query}" if parts.query else ""
    return f"metadata://{parts.netloc}{parts.path or '/'}{query}"


def target_uri(url: str) -> str:
    """The URL as requested: the fragment never goes over the wire."""
    return url.split("#", 1)[0]


def _iso_date(timestamp: str | None) -> str | None:
    if timestamp and timestamp.isdigit():
        return timestamp_to_iso_date(timestamp)
    return timestamp


class WarcWriter:
    """Writes records to `prefix-YYYYMMDDhhmmssSSS-serial-host.warc.gz`, rolling over at
    `config.max_size`. `find_payload(digest)` (e.g. Index.find_payload) finds payloads
    archived by earlier runs; payloads of this run are remembered here."""

    def __init__(self, config: WriterConfig, find_payload: PayloadLookup | None = None):
        self.config = config
        self._find_payload = find_payload
        self._warc = WARCWriter(None, gzip=False, warc_version=WARC_VERSION)
        self._host = socket.gethostname().split(".")[0] or "localhost"
        self._serial = 0
        self._fh = None
        self._name: str | None = None
        self._warcinfo_id: str | None = None
        self._seen: dict[str, dict] = {}
        self.closed_files: list[str] = []
        os.makedirs(config.warcs_dir, exist_ok=True)

    # -- files -------------------------------------------------------------
    @property
    def current_file(self) -> str | None:
        return self._name

    def _open_next(self) -> None:
        while True:
            self._serial += 1
            stamp = datetime.now(timezone.utc).strftime("%Y%m%d%H%M%S%f")[:17]
            name = f"{self.config.prefix}-{stamp}-{self._serial:05d}-{self._host}.warc.gz"
            path = os.path.join(self.config.warcs_dir, name)
            if os.path.exists(path):
                continue
            try:  # "x": two writers (distributed workers) never share a file
                self._fh = open(path + ".open", "xb")
                break
            except FileExistsError:
                continue
        # repair() skips files locked by a live writer
        fcntl.flock(self._fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        self._name = name
        info = {
            "software": f"{self.config.software} (warcio)",
            "format": "WARC File Format 1.1",
            "conformsTo": CONFORMS_TO,
            "hostname": socket.gethostname(),
            "operator": self.config.operator,
            "robots": self.config.robots,
            "isPartOf": None if self.config.crawl_id is None else str(self.config.crawl_id),
            # Not a WARC 1.1 field: lets `index --rebuild` restore the crawl's row.
            "portal-archive-targets": " ".join(self.config.targets) or None,
            "http-header-user-agent": self.config.user_agent,
        }
        record = self._warc.create_warcinfo_record(name, info)
        self._warcinfo_id = record.rec_headers.get_header("WARC-Record-ID")
        self._write(record)
        log.info("opened WARC file %s", name)

    def _ensure_room(self) -> None:
        if self._fh is not None and self._fh.tell() >= self.config.max_size:
            self.close()
        if self._fh is None:
            self._open_next()

    def _write(self, record) -> WarcRef:
        offset = self._fh.tell()
        self._warc.out = _GzipMember(self._fh, self.config.compress_level)
        try:
            self._warc.write_record(record)  # warcio flushes: the member ends, the file is flushed
            if self.config.fsync_each_record:
                os.fsync(self._fh.fileno())
        except OSError:
            self._abandon(offset)
            raise
        return WarcRef(self._name, offset, self._fh.tell() - offset,
                       record.rec_headers.get_header("WARC-Record-ID"))

    def close(self) -> None:
        """Close the current file and drop its `.open` suffix."""
        if self._fh is None:
            return
        path = os.path.join(self.config.warcs_dir, self._name)
        self._fh.flush()
        os.fsync(self._fh.fileno())
        self._fh.close()
        os.rename(path + ".open", path)
        self.closed_files.append(self._name)
        log.info("closed WARC file %s", self._name)
        self._fh = self._name = self._warcinfo_id = None

    def _abandon(self, whole_until: int) -> None:
        """After a failed write (disk full...), cut the file back to its last whole record
        and close it, so no torn record sits in the middle of a file; the next record
        goes to a new file."""
        name, fh = self._name, self._fh
        self._fh = self._name = self._warcinfo_id = None
        path = os.path.join(self.config.warcs_dir, name)
        try:
            fh.close()  # flushing the rest may fail again; the descriptor is closed anyway
        except OSError as exc:
            log.warning("closing %s after a failed write: %s", name, exc)
        try:
            os.truncate(path + ".open", whole_until)
            if whole_until == 0:
                os.remove(path + ".open")
                return
            os.rename(path + ".open", path)
        except OSError as exc:  # left `.open`: repair() cuts it at the next start
            log.error("could not cut %s back to %d bytes: %s", name, whole_until, exc)
            return
        self.closed_files.append(name)
        log.warning("closed %s at its last whole record after a failed write", name)

    def __enter__(self) -> "WarcWriter":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- records -----------------------------------------------------------
    def _headers(self, rec_type: str, uri: str, **extra) -> dict:
        # WARC-Type and WARC-Target-URI first: warcio replaces them in place
        headers = {"WARC-Type": rec_type, "WARC-Target-URI": uri, "WARC-Warcinfo-ID": self._warcinfo_id}
        headers.update({k.replace("_", "-"): v for k, v in extra.items() if v is not None})
        return headers

    def _original_of(self, digest: str) -> dict | None:
        if digest in self._seen:
            return self._seen[digest]
        return self._find_payload(digest) if self._find_payload else None

    def write_exchange(self, exchange: HttpExchange, previous: dict | None = None,
                       date: str | None = None) -> WrittenExchange:
        """Write the response (or revisit) record, then the request record.

        `previous` (url, timestamp, record_id of an earlier capture) is what a 304 answer
        to a conditional request refers to."""
        self._ensure_room()
        uri = target_uri(exchange.url)
        date = date or self._warc.curr_warc_date()
        http = response_headers_block(exchange)
        response_id = self._warc._make_warc_id()
        common = dict(WARC_Record_ID=response_id, WARC_Date=date, WARC_IP_Address=exchange.ip_address)

        payload_digest = sha1_digest(exchange.body)
        original = None
        profile = None
        if exchange.status == 304:
            profile, original = PROFILE_NOT_MODIFIED, previous
        elif exchange.body and not exchange.truncated:
            original = self._original_of(payload_digest)
            profile = PROFILE_IDENTICAL if original else None

        if profile:
            refers = dict(
                WARC_Refers_To=(original or {}).get("record_id"),
                WARC_Refers_To_Target_URI=(original or {}).get("url"),
                WARC_Refers_To_Date=_iso_date((original or {}).get("timestamp")),
            )
            digest = payload_digest if profile == PROFILE_IDENTICAL else None
            record = self._warc.create_warc_record(
                uri, "revisit", http_headers=http,
                warc_headers_dict=self._headers(
                    "revisit", uri, **common, WARC_Profile=profile, **refers,
                    WARC_Payload_Digest=digest,
                    WARC_Block_Digest=sha1_digest(http.headers_buff)))
        else:
            block = sha1_digest(http.headers_buff, exchange.body)
            record = self._warc.create_warc_record(
                uri, "response", payload=BytesIO(exchange.body), length=len(exchange.body),
                http_headers=http,
                warc_headers_dict=self._headers(
                    "response", uri, **common, WARC_Truncated=exchange.truncated,
                    WARC_Payload_Digest=payload_digest, WARC_Block_Digest=block))
        response_ref = self._write(record)

        request_http = request_headers_block(exchange)
        request = self._warc.create_warc_record(
            uri, "request", payload=BytesIO(exchange.request_body),
            length=len(exchange.request_body), http_headers=request_http,
            warc_headers_dict=self._headers(
                "request", uri, WARC_Record_ID=self._warc._make_warc_id(), WARC_Date=date, WARC_Concurrent_To=response_id,
                WARC_IP_Address=exchange.ip_address,
                WARC_Payload_Digest=sha1_digest(exchange.request_body),
                WARC_Block_Digest=sha1_digest(request_http.headers_buff, exchange.request_body)))
        request_ref = self._write(request)

        if profile is None and exchange.body and not exchange.truncated:
            self._seen[payload_digest] = {"url": uri, "timestamp": date, "record_id": response_id}
        return WrittenExchange(
            request=request_ref, response=response_ref, date=date,
            payload_digest=payload_digest if exchange.status != 304 else None,
            revisit=profile is not None, profile=profile,
            refers_to=(original or {}).get("record_id"),
            refers_to_url=(original or {}).get("url"),
            refers_to_date=_iso_date((original or {}).get("timestamp")))

    def write_metadata(self, target: str, concurrent_to: str | None, payload: dict,
                       date: str | None = None) -> WarcRef:
        """A metadata record about the page `target` (outlinks, extraction result), as WARC
        named fields (archive.warc_metadata): replay tools never index those as a capture.

        Written to the file of the exchange it describes, even past max_size, so that the
        file holding a capture also holds its metadata (filtered WACZ exports rely on it)."""
        if self._fh is None:
            self._open_next()
        body = encode_fields(payload)
        record = self._warc.create_warc_record(
            metadata_uri(target), "metadata", payload=BytesIO(body), length=len(body),
            warc_content_type=METADATA_CONTENT_TYPE,
            warc_headers_dict=self._headers(
                "metadata", metadata_uri(target), WARC_Record_ID=self._warc._make_warc_id(),
                WARC_Date=date, WARC_Concurrent_To=concurrent_to,
                WARC_Block_Digest=sha1_digest(body)))
        return self._write(record)

    # -- records from other archives -------------------------------------------
    def write_imported(self, exchange: HttpExchange, date: str, provenance: dict,
                       dedupe: bool = True) -> WrittenExchange:
        """A capture fetched from another archive's replay: one response record (a revisit
        when its payload is archived already, unless not `dedupe`: a capture older than the
        payload's record would be a revisit of the future) dated at the original capture,
        with `provenance` (extra WARC headers: where it came from). No request record: the
        original request is not known, and an invented one would be false."""
        self._ensure_room()
        uri = target_uri(exchange.url)
        http = response_headers_block(exchange)
        record_id = self._warc._make_warc_id()
        payload_digest = sha1_digest(exchange.body)
        original = self._original_of(payload_digest) if exchange.body and dedupe else None
        common = dict(WARC_Record_ID=record_id, WARC_Date=date, WARC_Payload_Digest=payload_digest,
                      **{name.replace("-", "_"): value for name, value in provenance.items()})
        if original:
            record = self._warc.create_warc_record(
                uri, "revisit", http_headers=http,
                warc_headers_dict=self._headers(
                    "revisit", uri, **common, WARC_Profile=PROFILE_IDENTICAL,
                    WARC_Refers_To=original.get("record_id"), WARC_Refers_To_Target_URI=original.get("url"),
                    WARC_Refers_To_Date=_iso_date(original.get("timestamp")),
                    WARC_Block_Digest=sha1_digest(http.headers_buff)))
        else:
            record = self._warc.create_warc_record(
                uri, "response", payload=BytesIO(exchange.body), length=len(exchange.body), http_headers=http,
                warc_headers_dict=self._headers(
                    "response", uri, **common, WARC_Block_Digest=sha1_digest(http.headers_buff, exchange.body)))
        ref = self._write(record)
        if not original and exchange.body and payload_digest not in self._seen:
            self._seen[payload_digest] = {"url": uri, "timestamp": date, "record_id": record_id}
        return WrittenExchange(
            request=None, response=ref, date=date, payload_digest=payload_digest, revisit=bool(original),
            profile=PROFILE_IDENTICAL if original else None, refers_to=(original or {}).get("record_id"),
            refers_to_url=(original or {}).get("url"), refers_to_date=_iso_date((original or {}).get("timestamp")))

    def write_copied(self, version: str, warc_headers: list[tuple[str, str]], block: bytes,
                     provenance: dict) -> WarcRef:
        """A record taken whole from another archive's WARC file: its WARC headers and block
        kept as they are (digests stay valid: they cover the block only), `provenance`
        added, and its warcinfo reference pointed at this file's (the original's is kept
        as WARC-Source-Warcinfo-ID)."""
        self._ensure_room()
        headers = []
        for name, value in warc_headers:
            if name.lower() == "warc-warcinfo-id":
                headers.append(("WARC-Source-Warcinfo-ID", value))
            elif name.lower() != "content-length" and name not in provenance:
                headers.append((name, value))
        headers += [("WARC-Warcinfo-ID", self._warcinfo_id), *provenance.items()]
        headers.append(("Content-Length", str(len(block))))
        rec_type = next(v for n, v in warc_headers if n.lower() == "warc-type")
        head, _, body = block.partition(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        protocol, _, rest = lines[0].decode("latin-1").partition(" ")
        parsed = [tuple(part.strip() for part in line.decode("latin-1").split(":", 1))
                  for line in lines[1:] if b":" in line]
        http = _ExactHeaders(rest, parsed, protocol, head + b"\r\n\r\n")
        record = self._warc.create_warc_record(
            dict(headers).get("WARC-Target-URI"), rec_type, payload=BytesIO(body), length=len(body),
            http_headers=http, warc_headers=StatusAndHeaders(version, headers))
        return self._write(record)
