"""Extraction over archived responses: a WARC file -> JSON lines, one HTML file -> a dict.
Used by `portal-archive extract`."""
from __future__ import annotations

import json
import logging
from pathlib import Path

from archive.snapshot import decode_body
from archive.warc import WarcFormatError, iter_records

from . import extract

log = logging.getLogger(__name__)
HTML_TYPES = ('text/html', 'application/xhtml+xml')


def iter_html_responses(path):
    """(url, headers as list of pairs, body bytes) of every HTML 200 response in a WARC,
    content-decoded; a damaged tail is logged and ends the walk."""
    try:
        for record, _ref in iter_records(path):
            http = record.http
            if record.rec_type != 'response' or http is None or http.status != 200:
                continue
            ctype = (http.header('Content-Type') or '').lower()
            if ctype and not any(t in ctype for t in HTML_TYPES):
                continue
            yield record.target_uri, http.headers, decode_body(http.body, http.header('Content-Encoding'))
    except (WarcFormatError, OSError, EOFError) as err:
        log.warning('%s: WARC damaged, stopped reading: %s', path, err)


def extract_warc(path, out_file) -> int:
    """Write one JSON line per archived article to out_file (a text stream); return the count."""
    count = 0
    for url, headers, data in iter_html_responses(path):
        article = extract(data, url, headers)
        if article.is_article:
            out_file.write(json.dumps(article.to_dict(), ensure_ascii=False) + '\n')
            count += 1
    return count


def extract_html(path, url: str) -> dict:
    """One saved page -> the article's dict (whether or not it looks like an article)."""
    return extract(Path(path).read_bytes(), url, {}).to_dict()
