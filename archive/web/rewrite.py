"""Point an archived page's links and resources at their archived copies.

The rewritten page is for viewing only; the bytes as received stay downloadable from the
WARC. Links that are not http(s) (mailto:, javascript:, data:, #fragment) are left alone:
the page is served sandboxed, so a javascript: URL cannot run anyway.
"""
from __future__ import annotations

import codecs
import re
from typing import Callable
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml import etree

ToArchive = Callable[[str], str]

# Lazy-loading attributes whose URL a script would have moved into src: scripts never run
# in the sandbox, so the archived image is shown directly.
LAZY_IMAGE_ATTRIBUTES = ("data-src", "data-original", "data-lazy-src")
SRCSET_ATTRIBUTES = ("srcset", "data-srcset")
_CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]*)\1\s*\)""", re.IGNORECASE)
URL_ATTRIBUTES = ("href", "src", "action", "formaction", "data", "xlink:href", "background", "poster")
SCRIPT_SCHEMES = ("javascript:", "vbscript:")
_CSS_IMPORT = re.compile(r"""@import\s+(['"])([^'"]+)\1""", re.IGNORECASE)


def is_script_url(url: str | None) -> bool:
    """javascript:/vbscript: as a browser reads it: leading controls and spaces and any tab
    or newline inside are ignored, case too."""
    cleaned = re.sub(r"[\t\n\r]", "", url or "").lstrip("".join(map(chr, range(33)))).lower()
    return cleaned.startswith(SCRIPT_SCHEMES)


def is_web_url(url: str) -> bool:
    """An http(s) URL that parses (`http://[::1/` does not: urlsplit raises on it)."""
    try:
        return urlsplit(url).scheme in ("http", "https")
    except ValueError:
        return False


def web_url(base_url: str, link: str) -> str | None:
    """link resolved against base_url if that gives a well-formed http(s) URL, else None
    (archived pages hold malformed links; they stay as they are)."""
    try:
        target = urljoin(base_url, link.strip())
    except ValueError:
        return None
    return target if is_web_url(target) else None


def rewrite_css(text: str, base_url: str, to_archive: ToArchive) -> str:
    """url(...) and @import targets of a stylesheet, resolved against base_url, made archived."""
    def replace_url(match: re.Match) -> str:
        target = web_url(base_url, match.group(2))
        return f'url("{to_archive(target)}")' if target else match.group(0)

    def replace_import(match: re.Match) -> str:
        target = web_url(base_url, match.group(2))
        return f'@import "{to_archive(target)}"' if target else match.group(0)

    return _CSS_IMPORT.sub(replace_import, _CSS_URL.sub(replace_url, text))


def rewrite_html(body: bytes, page_url: str, charset: str | None, to_archive: ToArchive,
                 to_page: ToArchive | None = None) -> bytes:
    """The page as UTF-8 HTML with every http(s) link and resource pointing into the archive.

    With `to_page`, links a reader follows (<a>, <area>) go to to_page(url) in the top
    window instead (the snapshot view of the linked page, with its banner); the sandbox
    allows that navigation only when the reader clicks.
    """
    document = _parse(body, charset)
    if document is None:
        return b""
    base_url = _effective_base(document, page_url)

    followed = {}

    def replace(link: str) -> str:
        target = web_url(base_url, link)
        if target is None:
            return link
        archived = to_archive(target)
        followed[archived] = target
        return archived

    for base in list(document.iter("base")):  # base_url has its meaning now
        base.drop_tree()
    # malformed links ("http://[::1/") are left as they are instead of failing the page
    document.make_links_absolute(base_url, resolve_base_href=False, handle_failures="ignore")
    document.rewrite_links(replace, resolve_base_href=False)
    _disarm(document)
    if to_page is not None:
        for anchor in document.iter("a", "area"):
            target = followed.get(anchor.get("href") or "")
            if target is not None:
                anchor.set("href", to_page(target))
                anchor.set("target", "_top")
    for element in document.iter(etree.Element):
        for name in SRCSET_ATTRIBUTES:
            if element.get(name):
                element.set(name, _rewrite_srcset(element.get(name), base_url, to_archive))
        for name in LAZY_IMAGE_ATTRIBUTES:
            lazy = web_url(base_url, element.get(name) or "")
            if element.get(name) and lazy:
                element.set(name, to_archive(lazy))
                if element.tag == "img":
                    element.set("src", element.get(name))
    for meta in document.iter("meta"):
        # The page is re-encoded as UTF-8; an old charset declaration would contradict it.
        if meta.get("charset") or (meta.get("http-equiv") or "").lower() == "content-type":
            meta.drop_tree()
    return lxml.html.tostring(document, encoding="utf-8", method="html", doctype="<!DOCTYPE html>")


def _disarm(document) -> None:
    """Belt and braces beside the sandbox: no javascript: URLs, no archived link targets
    (a target="_top" javascript: link is the one way a click could reach the app)."""
    for element in document.iter(etree.Element):
        if element.get("target") is not None:
            del element.attrib["target"]
        for name, value in element.items():
            if name in URL_ATTRIBUTES and is_script_url(value):
                element.set(name, "#")


def _parse(body: bytes, charset: str | None):
    """The page's element tree, or None for bytes that are not a document at all."""
    parser = lxml.html.HTMLParser(encoding=_known_codec(charset))
    try:
        return lxml.html.document_fromstring(body, parser=parser)
    except (etree.ParserError, ValueError):
        return None


def _effective_base(document, page_url: str) -> str:
    for base in document.iter("base"):
        if base.get("href") and web_url(page_url, base.get("href")):
            return web_url(page_url, base.get("href"))
    return page_url


def _rewrite_srcset(value: str, base_url: str, to_archive: ToArchive) -> str:
    candidates = []
    for candidate in value.split(","):
        parts = candidate.strip().split()
        if not parts:
            continue
        target = web_url(base_url, parts[0])
        if target:
            parts[0] = to_archive(target)
        candidates.append(" ".join(parts))
    return ", ".join(candidates)


def _known_codec(charset: str | None) -> str | None:
    """The charset if Python knows it (lxml fails on unknown names); else let lxml detect it."""
    if not charset:
        return None
    try:
        return codecs.lookup(charset.strip().strip('"\'')).name
    except LookupError:
        return None


# Elements whose links a browser loads to draw the page (not links a reader follows).
RESOURCE_TAGS = ("img", "script", "source", "video", "audio", "embed", "input", "track", "object")


def page_resources(body: bytes, page_url: str, charset: str | None) -> list[str]:
    """Absolute URLs of what the page loads: images, scripts, stylesheets, icons, CSS urls."""
    document = _parse(body, charset)
    if document is None:
        return []
    base_url = _effective_base(document, page_url)
    found: list[str] = []
    for element, attribute, link, _ in document.iterlinks():
        tag = element.tag if isinstance(element.tag, str) else ""
        rel = (element.get("rel") or "").lower()
        loads = (tag in RESOURCE_TAGS or attribute is None or attribute == "style"
                 or (tag == "link" and ("stylesheet" in rel or "icon" in rel)))
        if loads:
            found.append(web_url(base_url, link))
    for element in document.iter(etree.Element):
        for name in LAZY_IMAGE_ATTRIBUTES:
            if element.get(name):
                found.append(web_url(base_url, element.get(name)))
    return [url for url in dict.fromkeys(found) if url]


def stylesheet_resources(text: str, css_url: str) -> list[str]:
    """Absolute URLs a stylesheet loads (url() and @import)."""
    found = [web_url(css_url, m.group(2)) for m in _CSS_URL.finditer(text)]
    found += [web_url(css_url, m.group(2)) for m in _CSS_IMPORT.finditer(text)]
    return [url for url in dict.fromkeys(found) if url]
