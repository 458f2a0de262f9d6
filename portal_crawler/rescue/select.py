"""Which captures to fetch: pages, documents and images, one per distinct payload.

For each URL: the oldest capture of each distinct payload digest (every text it ever had)
and its newest capture (when the article was last seen; a revisit when its payload is
already archived). A payload this archive already holds at that URL (our own crawl, an
earlier import) is not fetched again. `everything` keeps every capture of every type.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from archive.urlkey import lookup_keys, url_key

from .cdx import Capture

WANTED_MIME_PREFIXES = ("text/html", "application/xhtml", "image/")
WANTED_MIME_PARTS = ("pdf", "msword", "officedocument", "opendocument", "ms-excel", "powerpoint")


def wanted(capture: Capture) -> bool:
    return capture.status == 200 and capture.url.startswith(("http:", "https:")) and (capture.mime.startswith(WANTED_MIME_PREFIXES)
                                      or any(part in capture.mime for part in WANTED_MIME_PARTS))


@dataclass
class Selection:
    chosen: list[Capture] = field(default_factory=list)   # oldest first
    held: int = 0          # payloads this archive holds already
    same_payload: int = 0  # later captures of a payload already chosen
    other: int = 0         # not a page, document or image; not a 200


def choose(captures: list[Capture], held: set[tuple[str, str]] = frozenset(), everything: bool = False) -> Selection:
    """`held`: (url_key, digest) pairs of payloads already archived."""
    selection = Selection()
    by_url: dict[str, list[Capture]] = {}
    pages = {url_key(c.url) for c in captures if wanted(c)}
    for capture in captures:
        # a deduplicated capture is listed as warc/revisit: it belongs to its URL's kind
        revisit = capture.mime == "warc/revisit" and capture.status in (200, None)
        if everything or wanted(capture) or (revisit and url_key(capture.url) in pages):
            by_url.setdefault(url_key(capture.url), []).append(capture)
        else:
            selection.other += 1
    for key, group in by_url.items():
        group.sort(key=lambda c: c.timestamp)
        if everything:
            selection.chosen += group
            continue
        seen: set[str | None] = set()
        for capture in group:
            # held under either key: a case-insensitive (IIS) server's captures are keyed folded
            if capture.digest and any((k, capture.digest) in held for k in lookup_keys(capture.url)):
                selection.held += 1
            elif capture.digest and capture.digest in seen and capture is not group[-1]:
                selection.same_payload += 1
            else:
                selection.chosen.append(capture)
            seen.add(capture.digest)
    selection.chosen.sort(key=lambda c: (c.timestamp, c.url))
    return selection
