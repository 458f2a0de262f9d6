"""Extraction over archived responses: a WARC file -> JSON lines, one HTML file -> a dict.
Used by `portal-archive extract`."""
from __future__ import annotations

import json
import logging
from pathlib import Path

from archive.snapshot import decode_body
from archive.warc_scan import WarcScan

from . import extract

log = logging.getLogger(__name__)
HTML_TYPES = ('text/html', 'application/xhtml+xml')


def iter_html_responses(path, damage: list | None = None):
    """(url, headers as list of pairs, body bytes) of every HTML 200 response in a WARC,
    content-decoded. Damaged data is logged and read past; its Damage entries are added to
    `damage` when a list is given."""
    scan = WarcScan(path)
    for record, _ref in scan:
        http = record.http
        if record.rec_type != 'response' or http is None or http.status != 200:
            continue
        ctype = (http.header('Content-Type') or '').lower()
        if ctype and not any(t in ctype for t in HTML_TYPES):
            continue
        yield record.target_uri, http.headers, decode_body(http.body, http.header('Content-Encoding'))
    for found in scan.damage:
        log.info('%s: WARC damaged, read past it: %s', found.describe(), found.reason)
    if damage is not None:
        damage += scan.damage


def extract_warc(path, out_file, damage: list | None = None) -> int:
    """Write one JSON line per archived article to out_file (a text stream); return the count.
    Damage found in the file is added to `damage` when a list is given."""
    count = 0
    for url, headers, data in iter_html_responses(path, damage):
        article = extract(data, url, headers)
        if article.is_article:
            out_file.write(json.dumps(article.to_dict(), ensure_ascii=False) + '\n')
            count += 1
    return count


def extract_html(path, url: str) -> dict:
    """One saved page -> the article's dict (whether or not it looks like an article)."""
    return extract(Path(path).read_bytes(), url, {}).to_dict()
