"""What no archive holds: articles linked from archived listings that were never captured.

A link counts as an article link when its URL has the shape of the site's known articles
(directory with digits generalised, extension, a slug of several words ending in a number):
site knowledge learnt from the archive itself, not configured. It is a hole when neither
the source archive's CDX nor this archive has a 200 capture of it.
"""
from __future__ import annotations

import logging
import re
from collections import Counter
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import lxml.html

from archive.index import url_key
from archive.snapshot import decode_body
from archive.warc import WarcRef, read_record

from .select import bare_host

log = logging.getLogger(__name__)

DIGITS = re.compile(r"\d+")


def shape(url: str) -> tuple | None:
    parts = urlsplit(url)
    path = parts.path or "/"
    directory, _, last = path.rpartition("/")
    stem, dot, ext = last.rpartition(".")
    if not dot:
        stem, ext = last, ""
    words = [w for w in re.split(r"[-_]", stem) if w]
    if not words:
        return None
    return (DIGITS.sub("#", directory.lower()), ext.lower(), min(len(words), 4), words[-1].isdigit(),
            tuple(sorted(k for k in _query_keys(parts.query))))


def _query_keys(query: str):
    return [pair.split("=", 1)[0].lower() for pair in query.split("&") if pair]


def listing_links(body: bytes, base: str) -> list[tuple[str, str]]:
    """(absolute URL without fragment, link text) of every <a href> of a page."""
    try:
        root = lxml.html.fromstring(body)
    except (ValueError, lxml.etree.ParserError):
        return []
    links = []
    for anchor in root.iter("a"):
        href = (anchor.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:")):
            continue
        text = " ".join(anchor.text_content().split()) or (anchor.get("title") or "").strip()
        links.append((urljoin(base, href).split("#", 1)[0], text))
    return links


def holes_report(index, warcs_dir: Path, hosts: set[str], held_keys: set[str]) -> dict:
    """`held_keys`: url_keys with a 200 capture in the source archive (its CDX)."""
    host_of = lambda url: bare_host(urlsplit(url).hostname)  # noqa: E731
    bare_hosts = {bare_host(h) for h in hosts}
    articles = {url for url in index.article_urls() if host_of(url) in bare_hosts}
    shapes = {shape(url) for url in articles} - {None}
    article_keys = {url_key(u) for u in articles}
    ours = index.ok_capture_keys()
    holes: dict[str, dict] = {}
    listings = 0
    seen_pages: set[str] = set()
    for row in index.html_responses():
        if host_of(row["url"]) not in bare_hosts or row["url_key"] in article_keys or row["url_key"] in seen_pages:
            continue
        seen_pages.add(row["url_key"])
        try:
            record = read_record(warcs_dir, WarcRef(row["warc_file"], row["offset"], row["length"], row["record_id"]))
        except (OSError, ValueError) as exc:
            log.warning("holes: cannot read %s: %s", row["url"], exc)
            continue
        listings += 1
        body = decode_body(record.http.body, record.http.header("Content-Encoding"))
        for link, text in listing_links(body, row["url"]):
            key = url_key(link)
            if host_of(link) not in bare_hosts or shape(link) not in shapes:
                continue
            if key in held_keys or key in ours or key in article_keys:
                continue
            hole = holes.setdefault(key, {"url": link, "title": text or None, "linked_from": []})
            hole["title"] = hole["title"] or text or None
            if row["url"] not in hole["linked_from"]:
                hole["linked_from"].append(row["url"])
    return {"listings_read": listings, "holes": sorted(holes.values(), key=lambda h: h["url"])}


def captures_per_year(captures) -> dict[str, int]:
    return dict(sorted(Counter(c.year for c in captures).items()))
