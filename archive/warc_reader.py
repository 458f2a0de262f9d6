"""Reading WARC records back: one gzip member per record, each checked for wholeness.

warcio parses the WARC headers; the gzip members are walked here because warcio's
readers return a truncated member's partial bytes without complaint, and an archive
must tell a torn record from a whole one.
"""
from __future__ import annotations

import base64
import hashlib
import os
import zlib
from dataclasses import dataclass
from io import BytesIO
from typing import BinaryIO, Iterator

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.recordloader import ArcWarcRecordLoader
from warcio.statusandheaders import StatusAndHeadersParserException

from archive.warc_ref import WarcFormatError, WarcRef

READ_CHUNK = 1 << 20
GZIP_MAGIC = b"\x1f\x8b"
RECORD_END = b"\r\n\r\n"
HTTP_RECORD_TYPES = ("response", "request", "revisit")


def sha1_digest(*parts: bytes) -> str:
    """A WARC digest value of the parts joined: `sha1:` + base32, as warcio and Heritrix
    write it (parts, so a large body is never copied to prepend its headers)."""
    digest = hashlib.sha1()
    for part in parts:
        digest.update(part)
    return "sha1:" + base64.b32encode(digest.digest()).decode("ascii")


@dataclass(frozen=True)
class HttpMessage:
    """The HTTP part of a record; header text decoded as latin-1 so bytes survive exactly."""

    start_line: str
    headers: list[tuple[str, str]]
    body: bytes

    @property
    def status(self) -> int | None:
        parts = self.start_line.split(" ", 2)
        if len(parts) >= 2 and parts[0].startswith("HTTP/") and parts[1].isdigit():
            return int(parts[1])
        return None

    def header(self, name: str) -> str | None:
        """The last value of a header (case-insensitive), like most HTTP clients."""
        wanted = name.lower()
        found = None
        for key, value in self.headers:
            if key.lower() == wanted:
                found = value
        return found

    def header_list(self, name: str) -> list[str]:
        wanted = name.lower()
        return [value for key, value in self.headers if key.lower() == wanted]


@dataclass(frozen=True)
class Record:
    rec_type: str
    warc_headers: list[tuple[str, str]]
    block: bytes
    http: HttpMessage | None

    def header(self, name: str) -> str | None:
        wanted = name.lower()
        for key, value in self.warc_headers:
            if key.lower() == wanted:
                return value
        return None

    @property
    def record_id(self) -> str:
        return self.header("WARC-Record-ID") or ""

    @property
    def target_uri(self) -> str | None:
        return self.header("WARC-Target-URI")

    @property
    def date(self) -> str:
        return self.header("WARC-Date") or ""

    @property
    def payload(self) -> bytes:
        """The entity as received (still content-encoded), or the block for non-HTTP records."""
        return self.http.body if self.http is not None else self.block

    def digest_problems(self) -> list[str]:
        """Digest headers that do not match the bytes (empty when all is well)."""
        problems = []
        block_digest = self.header("WARC-Block-Digest")
        if block_digest and _digest_mismatch(block_digest, self.block):
            problems.append(f"{self.record_id}: WARC-Block-Digest does not match the block")
        payload_digest = self.header("WARC-Payload-Digest")
        # a revisit carries the digest of the payload it refers to, not of its own bytes
        if payload_digest and self.rec_type != "revisit" and _digest_mismatch(payload_digest, self.payload):
            problems.append(f"{self.record_id}: WARC-Payload-Digest does not match the payload")
        return problems


def _digest_mismatch(declared: str, data: bytes) -> bool:
    algorithm, _, value = declared.partition(":")
    try:
        digest = hashlib.new(algorithm.lower(), data).digest()
    except ValueError:
        return False  # an algorithm we cannot check is not evidence of damage
    if value.upper() == base64.b32encode(digest).decode("ascii"):
        return False
    return value.lower() != digest.hex()


def iter_members(fh: BinaryIO, start: int = 0) -> Iterator[tuple[int, int, bytes]]:
    """Yield (offset, length, decompressed bytes) for each gzip member from `start`.

    Raises WarcFormatError at a member that is truncated or corrupt; everything yielded
    before it is whole."""
    fh.seek(start)
    offset = start
    pending = b""
    while True:
        if not pending:
            pending = fh.read(READ_CHUNK)
            if not pending:
                return
        if not pending.startswith(GZIP_MAGIC[: len(pending)]):
            raise WarcFormatError(f"no gzip member at offset {offset}")
        inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
        parts: list[bytes] = []
        consumed = 0
        while True:
            try:
                parts.append(inflater.decompress(pending))
            except zlib.error as exc:
                raise WarcFormatError(f"corrupt gzip member at offset {offset}: {exc}") from exc
            if inflater.eof:
                consumed += len(pending) - len(inflater.unused_data)
                pending = inflater.unused_data
                break
            consumed += len(pending)
            pending = fh.read(READ_CHUNK)
            if not pending:
                raise WarcFormatError(
                    f"truncated gzip member at offset {offset} ({consumed} bytes, no end)")
        yield offset, consumed, b"".join(parts)
        offset += consumed


def parse_record(data: bytes, where: str = "") -> Record:
    """One whole uncompressed WARC record -> Record; WarcFormatError if it is not whole."""
    stream = BytesIO(data)
    try:
        loaded = ArcWarcRecordLoader().parse_record_stream(stream, no_record_parse=True)
    except (ArchiveLoadFailed, StatusAndHeadersParserException, EOFError, ValueError) as exc:
        raise WarcFormatError(f"{where}: unreadable WARC headers: {exc}") from exc
    if loaded.format != "warc":
        raise WarcFormatError(f"{where}: not a WARC record ({loaded.format})")
    block_start = stream.tell()
    declared = loaded.length
    if declared is None:
        raise WarcFormatError(f"{where}: record without Content-Length")
    available = len(data) - block_start - len(RECORD_END)
    if available != declared or not data.endswith(RECORD_END):
        raise WarcFormatError(
            f"{where}: Content-Length {declared} but {max(available, 0)} bytes in the record")
    block = data[block_start:block_start + declared]
    target = loaded.rec_headers.get_header("WARC-Target-URI") or ""
    http = None
    if loaded.rec_type in HTTP_RECORD_TYPES and target.startswith(("http:", "https:")) and block:
        http = parse_http(block)
    return Record(loaded.rec_type, list(loaded.rec_headers.headers), block, http)


def parse_http(block: bytes) -> HttpMessage:
    """Split an HTTP message into start line, headers and body (latin-1, exact bytes)."""
    stream = BytesIO(block)
    start_line = stream.readline().rstrip(b"\r\n").decode("latin-1")
    headers: list[tuple[str, str]] = []
    while True:
        line = stream.readline()
        if line in (b"\r\n", b"\n", b""):
            break
        text = line.rstrip(b"\r\n").decode("latin-1")
        if text[:1] in (" ", "\t") and headers:  # obsolete line folding
            name, value = headers[-1]
            headers[-1] = (name, value + " " + text.strip())
            continue
        name, _, value = text.partition(":")
        headers.append((name.strip(), value.strip(" \t")))
    return HttpMessage(start_line, headers, stream.read())


def iter_records(path: str | os.PathLike) -> Iterator[tuple[Record, WarcRef]]:
    """Every record of a WARC file with its WarcRef, in file order.

    A torn or corrupt record ends the iteration with WarcFormatError naming the file and
    offset; all records yielded before it are whole. Uncompressed .warc files are read via
    warcio (their WarcRef covers the record's bytes in the file)."""
    path = os.fspath(path)
    filename = _final_name(os.path.basename(path))
    with open(path, "rb") as fh:
        if fh.read(2) != GZIP_MAGIC and os.path.getsize(path) > 0:
            yield from _iter_plain(fh, filename, path)
            return
        try:
            for offset, length, data in iter_members(fh):
                record = parse_record(data, f"{path}@{offset}")
                yield record, WarcRef(filename, offset, length, record.record_id)
        except WarcFormatError as exc:
            if str(exc).startswith(path):
                raise
            raise WarcFormatError(f"{path}: {exc}") from exc


def _iter_plain(fh: BinaryIO, filename: str, path: str) -> Iterator[tuple[Record, WarcRef]]:
    # warcio finds where records start; each one runs to the next (its end marker included)
    fh.seek(0)
    iterator = ArchiveIterator(fh, no_record_parse=True)
    try:
        starts = [iterator.get_record_offset() for _ in iterator]
    except (ArchiveLoadFailed, StatusAndHeadersParserException) as exc:
        raise WarcFormatError(f"{path}: {exc}") from exc
    ends = starts[1:] + [os.fstat(fh.fileno()).st_size]
    for offset, end in zip(starts, ends):
        fh.seek(offset)
        record = parse_record(fh.read(end - offset), f"{path}@{offset}")
        yield record, WarcRef(filename, offset, end - offset, record.record_id)


def _final_name(name: str) -> str:
    return name[: -len(".open")] if name.endswith(".open") else name


def locate(warcs_dir: str | os.PathLike, filename: str) -> str:
    """The path of a WARC file, also while it is still being written (`.open`)."""
    path = os.path.join(warcs_dir, filename)
    if os.path.exists(path):
        return path
    if os.path.exists(path + ".open"):
        return path + ".open"
    raise FileNotFoundError(f"WARC file {filename} not found in {warcs_dir}")


def read_record(warcs_dir: str | os.PathLike, ref: WarcRef) -> Record:
    """The record at `ref`: one seek, one read, one gzip member."""
    path = locate(warcs_dir, ref.filename)
    with open(path, "rb") as fh:
        fh.seek(ref.offset)
        raw = fh.read(ref.length)
    where = f"{path}@{ref.offset}"
    if len(raw) != ref.length:
        raise WarcFormatError(f"{where}: file ends {ref.length - len(raw)} bytes before the record does")
    if raw.startswith(GZIP_MAGIC):
        members = iter_members(BytesIO(raw))
        try:
            _, length, data = next(members)
        except (WarcFormatError, StopIteration) as exc:
            raise WarcFormatError(f"{where}: {exc}") from exc
        if length != ref.length:
            raise WarcFormatError(f"{where}: gzip member is {length} bytes, the reference says {ref.length}")
    else:
        data = raw
    record = parse_record(data, where)
    if ref.record_id and record.record_id != ref.record_id:
        raise WarcFormatError(f"{where}: found {record.record_id}, expected {ref.record_id}")
    return record
