"""Bytes -> the page read once: its decoded text and its lxml tree.

Extraction reads a page this way; the spider reads the page's links from the same tree
before extraction runs (extraction removes elements from it), so a page is parsed once."""
from __future__ import annotations

import logging
from dataclasses import dataclass

from lxml import etree

from . import dom
from .encoding import decode

log = logging.getLogger(__name__)
# What reading a pathological page raises (deep nesting, huge trees, bad bytes or charsets).
PARSE_ERRORS = (RecursionError, MemoryError, etree.LxmlError, UnicodeError, LookupError)


@dataclass(slots=True, eq=False)
class ParsedPage:
    text: str                       # the whole page, NFC
    encoding: str
    root: etree._Element | None     # the tree of the first dom.MAX_CHARS characters; None: nothing to parse
    truncated: bool


def read(raw: bytes | str, headers=None, url: str = '') -> ParsedPage:
    """Decode (encoding.decode) and parse (dom.parse); raises one of PARSE_ERRORS on a page
    that cannot be read."""
    if isinstance(raw, str):
        raw = raw.encode('utf-8', 'replace')
    text, encoding = decode(raw or b'', headers)
    truncated = len(text) > dom.MAX_CHARS
    if truncated:
        log.warning('%s: %d characters, only the first %d are read for extraction '
                    '(the archived bytes are whole)', url, len(text), dom.MAX_CHARS)
    return ParsedPage(text, encoding, dom.parse(text), truncated)
