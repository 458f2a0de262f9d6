"""Extraction over archived responses: a WARC file -> JSON lines, one HTML file -> a dict.
Used by `portal-archive extract`."""
from __future__ import annotations

import gzip
import json
import logging
import zlib
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from . import extract

log = logging.getLogger(__name__)
HTML_TYPES = ('text/html', 'application/xhtml+xml')


def _decode_content(data: bytes, coding: str | None) -> bytes:
    """Undo a Content-Encoding warcio left in place (it is kept raw in WARC records)."""
    coding = (coding or '').strip().lower()
    try:
        if coding in ('gzip', 'x-gzip'):
            return gzip.decompress(data)
        if coding == 'deflate':
            try:
                return zlib.decompress(data)
            except zlib.error:
                return zlib.decompress(data, -zlib.MAX_WBITS)
        if coding == 'br':
            import brotli   # optional: only portals that send br need it
            return brotli.decompress(data)
    except (OSError, EOFError, zlib.error, ImportError) as err:
        log.warning('cannot undo Content-Encoding %s: %r', coding, err)
    return data


def iter_html_responses(path):
    """(url, headers as list of pairs, body bytes) of every HTML 200 response in a WARC."""
    with open(path, 'rb') as stream:
        try:
            for record in ArchiveIterator(stream):
                if record.rec_type != 'response' or record.http_headers is None:
                    continue
                status = record.http_headers.get_statuscode()
                ctype = (record.http_headers.get_header('Content-Type') or '').lower()
                if status != '200' or not any(t in ctype for t in HTML_TYPES) and ctype:
                    continue
                url = record.rec_headers.get_header('WARC-Target-URI')
                data = record.content_stream().read()
                data = _decode_content(data, record.http_headers.get_header('Content-Encoding'))
                yield url, list(record.http_headers.headers), data
        except ArchiveLoadFailed as err:
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
