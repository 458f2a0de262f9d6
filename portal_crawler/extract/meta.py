"""Page-level metadata: <title>, Open Graph, article:published_time, JSON-LD, <base href>."""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from lxml import etree

from .dom import text_of

log = logging.getLogger(__name__)
DATE_META = ('article:published_time', 'og:published_time', 'datepublished', 'pubdate', 'publishdate',
             'dc.date.issued', 'dc.date', 'date', 'citation_publication_date', 'sailthru.date')
JSONLD_DATE = re.compile(r'"datePublished"\s*:\s*"([^"]+)"')
# RDFa (Drupal: property="dc:date dc:created" content=...) and microdata on any element
RDFA_DATE = frozenset(('dc:date', 'dc:created', 'dc:issued', 'dcterms:created', 'dcterms:issued',
                       'schema:datepublished', 'article:published_time', 'datepublished'))
MARKED_DATES = etree.XPath('//*[@property or @itemprop][@content or @datetime]')


@dataclass
class PageMeta:
    title: str | None = None
    og_title: str | None = None
    og_url: str | None = None
    og_type: str | None = None
    canonical: str | None = None
    published: str | None = None       # raw machine value
    published_from: str | None = None  # where: the meta key, 'rdfa', 'time', 'json-ld'
    base_href: str | None = None
    language: str | None = None
    site_name: str | None = None


def read(root) -> PageMeta:
    """Page metadata from <head> and a few in-page markers."""
    meta = PageMeta()
    head = root.find('head')
    scope = head if head is not None else root
    for el in scope.iter('title'):
        meta.title = text_of(el)
        break
    for el in root.iter('meta'):
        key = (el.get('property') or el.get('name') or el.get('itemprop') or '').strip().lower()
        content = (el.get('content') or '').strip()
        if not key or not content:
            continue
        if key == 'og:title':
            meta.og_title = ' '.join(content.split())
        elif key == 'og:url':
            meta.og_url = content
        elif key == 'og:type':
            meta.og_type = content.lower()
        elif key == 'og:site_name':
            meta.site_name = content
        elif key in DATE_META and meta.published is None:
            meta.published, meta.published_from = content, f'meta {key}'
    for el in root.iter('link'):
        rel = (el.get('rel') or '').lower().split()
        if 'canonical' in rel and el.get('href'):
            meta.canonical = el.get('href').strip()
            break
    for el in root.iter('base'):
        if el.get('href'):
            meta.base_href = el.get('href').strip()
            break
    if meta.published is None:
        for el in MARKED_DATES(root):
            keys = f"{el.get('property') or ''} {el.get('itemprop') or ''}".lower().split()
            if any(k in RDFA_DATE for k in keys):
                meta.published = (el.get('content') or el.get('datetime') or '').strip() or None
                if meta.published:
                    meta.published_from = 'rdfa' if el.get('property') else 'microdata'
                    break
    if meta.published is None:
        for el in root.iter('time'):
            if el.get('itemprop') == 'datePublished' or 'published' in (el.get('class') or ''):
                meta.published, meta.published_from = el.get('datetime'), 'time'
                break
    if meta.published is None:
        for el in root.iter('script'):
            if (el.get('type') or '').lower() == 'application/ld+json' and el.text:
                m = JSONLD_DATE.search(el.text)
                if m:
                    meta.published, meta.published_from = m.group(1), 'json-ld'
                    break
    lang = root.get('lang') or root.get('{http://www.w3.org/XML/1998/namespace}lang')
    meta.language = lang.split('-')[0].lower() if lang else None
    return meta
