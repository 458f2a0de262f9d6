"""Request records as they are handed out: without the headers meant for a proxy.

WARCs written before the recorder left them out may hold `Proxy-Authorization` (a proxy's
credentials) in request records. The files on disk are never changed; what is served or
exported is a rewritten copy of such a record: those header lines removed, Content-Length
and WARC-Block-Digest recomputed for the new block, and a `WARC-Portal-Archive-Redacted`
header naming what was removed. Every other byte (record id, dates, payload digest) stays.
"""
from __future__ import annotations

import zlib

from archive.warc_reader import RECORD_END, sha1_digest

# sent to the proxy only; Proxy-Authorization holds its credentials
PROXY_REQUEST_HEADERS = frozenset({"proxy-authorization", "proxy-connection"})
REDACTED_HEADER = "WARC-Portal-Archive-Redacted"
_CRLF = b"\r\n"
_HEAD_END = b"\r\n\r\n"


def redacted_record(data: bytes) -> bytes | None:
    """An uncompressed WARC record without its proxy headers, or None when it is not a
    request record or holds none (then the original bytes are what to hand out)."""
    head_end = data.find(_HEAD_END)
    if head_end < 0 or not data.endswith(RECORD_END):
        return None
    warc_lines = data[:head_end].split(_CRLF)
    if not any(line.lower() == b"warc-type: request" for line in warc_lines[1:]):
        return None
    block = data[head_end + len(_HEAD_END):-len(RECORD_END)]
    http_end = block.find(_HEAD_END)
    http_head = block[:http_end] if http_end >= 0 else block
    http_lines = http_head.split(_CRLF)
    kept, removed = [http_lines[0]], []
    for line in http_lines[1:]:
        name = line.split(b":", 1)[0].strip().decode("latin-1")
        if name.lower() in PROXY_REQUEST_HEADERS:
            if name not in removed:
                removed.append(name)
        else:
            kept.append(line)
    if not removed:
        return None
    new_block = _CRLF.join(kept) + (block[http_end:] if http_end >= 0 else b"")
    replaced = {b"content-length": str(len(new_block)).encode("ascii"),
                b"warc-block-digest": sha1_digest(new_block).encode("ascii")}
    head = [warc_lines[0]]
    for line in warc_lines[1:]:
        name = line.split(b":", 1)[0].strip().lower()
        if name == REDACTED_HEADER.lower().encode("ascii"):
            continue
        head.append(line.split(b":", 1)[0] + b": " + replaced[name] if name in replaced else line)
    if not any(line.split(b":", 1)[0].strip().lower() == b"warc-block-digest" for line in head):
        head.append(b"WARC-Block-Digest: " + replaced[b"warc-block-digest"])
    head.append(f"{REDACTED_HEADER}: {', '.join(removed)}".encode("latin-1"))
    return _CRLF.join(head) + _HEAD_END + new_block + RECORD_END


def gzip_member(data: bytes) -> bytes:
    """One gzip member of data (a record of a .warc.gz)."""
    compressor = zlib.compressobj(6, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    return compressor.compress(data) + compressor.flush()


def served_member(member: bytes) -> bytes:
    """A record's gzip member as it may be handed out: the member itself, or a new member of
    its redacted copy when it is a request record holding proxy headers."""
    try:
        data = zlib.decompress(member, zlib.MAX_WBITS | 16)
    except zlib.error:
        return member  # not one whole gzip member: the caller checked what it read
    redacted = redacted_record(data)
    return member if redacted is None else gzip_member(redacted)
