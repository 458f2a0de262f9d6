"""Which captures to fetch: pages, documents and images, one per distinct payload.

For each URL: the oldest capture of each distinct payload digest (every text it ever had)
and its newest capture (when the article was last seen; a revisit when its payload is
already archived). A payload this archive already holds at that URL (our own crawl, an
earlier import) is not fetched again, except a page's oldest capture when it is older than
anything held at that URL: it dates the page's first sighting, and is stored whole (a
revisit of a later record would be indexed at its original's time). `everything` keeps every capture of every type.
Captures of other hosts than the site's (a CDX server's listing may hold them) are dropped.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from archive.urlkey import lookup_keys, url_key

from .cdx import Capture

PAGE_MIME_PREFIXES = ("text/html", "application/xhtml")
WANTED_MIME_PREFIXES = (*PAGE_MIME_PREFIXES, "image/")
WANTED_MIME_PARTS = ("pdf", "msword", "officedocument", "opendocument", "ms-excel", "powerpoint")


def wanted(capture: Capture) -> bool:
    return capture.status == 200 and capture.url.startswith(("http:", "https:")) and (capture.mime.startswith(WANTED_MIME_PREFIXES)
                                      or any(part in capture.mime for part in WANTED_MIME_PARTS))


def bare_host(host: str | None) -> str:
    """A host as a site's hosts are compared: lower case, without www."""
    return (host or "").lower().removeprefix("www.")


def host_of(url: str) -> str | None:
    """host[:port] of a URL, without www.; None for a URL no request can carry (control
    characters, spaces: urlsplit would silently strip a CR/LF)."""
    if any(ord(ch) < 0x21 or ord(ch) == 0x7F for ch in url):
        return None
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    host = bare_host(parts.hostname)
    return f"{host}:{port}" if port and port not in (80, 443) else host or None


def on_hosts(captures: list[Capture], hosts) -> tuple[list[Capture], list[Capture]]:
    """(captures on the site's hosts, the others)."""
    own = {host_of(h if "://" in h else f"http://{h}/") for h in hosts}
    mine, others = [], []
    for capture in captures:
        (mine if host_of(capture.url) in own else others).append(capture)
    return mine, others


@dataclass
class Selection:
    chosen: list[Capture] = field(default_factory=list)   # oldest first
    held: int = 0          # payloads this archive holds already
    same_payload: int = 0  # later captures of a payload already chosen
    other: int = 0         # not a page, document or image; not a 200
    first_sightings: set = field(default_factory=set)  # (url, timestamp): held payloads, seen earlier


def choose(captures: list[Capture], held: set[tuple[str, str]] = frozenset(), everything: bool = False,
           held_since: dict[str, str] | None = None) -> Selection:
    """`held`: (url_key, digest) pairs of payloads already archived; `held_since`: url_key ->
    the 14-digit time of the oldest capture held at that URL."""
    held_since = held_since or {}
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
            keys = lookup_keys(capture.url)
            is_held = bool(capture.digest) and any((k, capture.digest) in held for k in keys)
            if is_held and not (capture is group[0] and older_than_held(capture, keys, held_since)):
                selection.held += 1
            elif is_held:
                selection.first_sightings.add((capture.url, capture.timestamp))
                selection.chosen.append(capture)
            elif capture.digest and capture.digest in seen and capture is not group[-1]:
                selection.same_payload += 1
            else:
                selection.chosen.append(capture)
            seen.add(capture.digest)
    selection.chosen.sort(key=lambda c: (c.timestamp, c.url))
    return selection


def older_than_held(capture: Capture, keys, held_since: dict[str, str]) -> bool:
    """A page captured before anything this archive holds at its URL (a first sighting)."""
    if not capture.mime.startswith(PAGE_MIME_PREFIXES):
        return False
    since = [held_since[k] for k in keys if k in held_since]
    return bool(since) and capture.timestamp < min(since)
