"""Extraction over archived responses: a WARC file -> JSON lines, one HTML file -> a dict.
Used by `portal-archive extract`."""
from __future__ import annotations

import json
import logging
from pathlib import Path
from urllib.parse import urlsplit

from archive.snapshot import decode_body
from archive.warc_scan import WarcScan

from . import extract, template_learn

SAMPLE_CAP = 2 * template_learn.SAMPLE      # pages of one host kept in memory for learning

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


def sample_pages(paths) -> dict:
    """host -> up to SAMPLE_CAP of its HTML pages, spread evenly over the WARCs' order (every
    page while few, then every 2nd, 4th...): bounded memory, the same pages every time."""
    kept: dict = {}
    seen: dict = {}
    stride: dict = {}
    for path in paths:
        for url, headers, data in iter_html_responses(path):
            host = (urlsplit(url).hostname or '').lower()
            n = seen.get(host, 0)
            seen[host] = n + 1
            if n % stride.get(host, 1):
                continue
            pages = kept.setdefault(host, [])
            pages.append((url, headers, data))
            if len(pages) > SAMPLE_CAP:
                kept[host] = pages[::2]
                stride[host] = stride.get(host, 1) * 2
    return kept


def learn_templates(paths, families=None) -> dict:
    """host -> Template learned from the HTML pages of that host in the WARC files."""
    return {host: template_learn.learn(pages, site=host, families=families)
            for host, pages in sorted(sample_pages(paths).items())}


def site_templates(data_dir, warc_paths) -> dict:
    """host -> Template for reading the archive again (index --rebuild): learned from the
    WARCs, except where DATA/templates holds a stored one (a person's edit wins)."""
    from . import template
    found = learn_templates(warc_paths)
    found.update(template.load_dir(Path(data_dir) / template.DATA_SUBDIR))
    return found


def extract_warc(path, out_file, templates=None, damage: list | None = None) -> int:
    """Write one JSON line per archived article to out_file (a text stream); return the count.
    Each host's template is learned from its pages in this WARC first (two passes), except
    for hosts `templates` already holds (stored, perhaps edited by a person). Damage found in
    the file is added to `damage` when a list is given (the learning pass reads past it too)."""
    learned = learn_templates([path])
    learned.update(templates or {})
    count = 0
    for url, headers, data in iter_html_responses(path, damage):
        article = extract(data, url, headers, template=learned.get((urlsplit(url).hostname or '').lower()))
        if article.is_article:
            out_file.write(json.dumps(article.to_dict(), ensure_ascii=False) + '\n')
            count += 1
    return count


def extract_html(path, url: str) -> dict:
    """One saved page -> the article's dict (whether or not it looks like an article)."""
    return extract(Path(path).read_bytes(), url, {}).to_dict()
