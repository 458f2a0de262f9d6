"""The block of our `metadata` records: WARC named fields (`application/warc-fields`).

pywb and cdxj-indexer index a metadata record as a capture unless its Content-Type is
exactly `application/warc-fields`; indexed, it takes its page's key (SURT drops the
`metadata://` scheme) and, when newer than the page, replays in its place. So the
extraction result is written as fields, one per payload key, each value JSON on one line:

    portal-archive-site: "thoxuan"
    portal-archive-outlinks: ["http://...", ...]
    portal-archive-article: {"title": ..., "body": ...}

Records written before this format (`application/json`, the payload as one JSON object)
are still read.
"""
from __future__ import annotations

import json
import logging
import re

log = logging.getLogger(__name__)

CONTENT_TYPE = "application/warc-fields"  # exactly: the indexers compare the whole value
LEGACY_CONTENT_TYPE = "application/json"
FIELD_PREFIX = "portal-archive-"
KEY = re.compile(r"[A-Za-z0-9_.-]+\Z")
# JSON leaves these unescaped, and line readers that follow Unicode (str.splitlines)
# would break a field at them
UNICODE_BREAKS = {"\u2028": "\\u2028", "\u2029": "\\u2029", "\u0085": "\\u0085"}


def encode_fields(payload: dict) -> bytes:
    """One `portal-archive-KEY: <JSON>` line per key, CRLF-ended, UTF-8."""
    lines = []
    for key in sorted(payload):
        if not isinstance(key, str) or not KEY.match(key):
            raise ValueError(f"metadata key {key!r} is not a field name (letters, digits, _ . -)")
        value = json.dumps(payload[key], ensure_ascii=False, sort_keys=True, default=str)
        for char, escape in UNICODE_BREAKS.items():
            value = value.replace(char, escape)
        lines.append(f"{FIELD_PREFIX}{key}: {value}\r\n")
    return "".join(lines).encode("utf-8")


def _fields(block: bytes) -> list[tuple[str, str]]:
    """(name, value) pairs of a warc-fields block, split at CRLF (or LF) only."""
    fields = []
    for line in block.decode("utf-8", "replace").split("\n"):
        name, colon, value = line.partition(":")
        if colon:
            fields.append((name.strip(), value.strip()))
    return fields


def decode_metadata(content_type: str | None, block: bytes) -> dict | None:
    """The payload a metadata record of ours holds, from either format; None for a record
    that is not ours or not readable (a foreign tool's metadata, a damaged block)."""
    kind = (content_type or "").split(";")[0].strip().lower()
    if kind == LEGACY_CONTENT_TYPE:
        try:
            payload = json.loads(block)
        except ValueError:
            return None
        return payload if isinstance(payload, dict) else None
    if kind != CONTENT_TYPE:
        return None
    payload = {}
    for name, value in _fields(block):
        if not name.lower().startswith(FIELD_PREFIX):
            continue  # another tool's field (Heritrix writes `outlink:`, `via:`)
        key = name[len(FIELD_PREFIX):]
        try:
            payload[key] = json.loads(value)
        except ValueError:
            log.warning("metadata field %s is not JSON: skipped", name)
    return payload or None
