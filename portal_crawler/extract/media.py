"""Article images (lazy sources resolved, chrome and placeholders dropped) and attachments."""
from __future__ import annotations

import re
from urllib.parse import urljoin

from ..items import Attachment, Image
from .dom import DOC_LINK, collapse

LAZY_ATTRS = ('data-src', 'data-original', 'data-lazy-src', 'data-lazy', 'data-url', 'lazy-src', 'data-srcset', 'src')
PLACEHOLDER = re.compile(r'(^|[/_.-])(pix|pixel|blank|spacer|transparent|placeholder|loading|loader|lazy|'
                         r'grey|gray|empty|1x1|dot|clear)[\w-]*\.(gif|png|jpe?g|svg|webp)($|\?)', re.I)
CHROME = re.compile(r'logo|banner|icon|avatar|button|btn[_-]|sprite|emoji|smiley|bullet|arrow|'
                    r'share|facebook|twitter|zalo|youtube|print|email|rss|qrcode|quang-?cao|^ads?[_-]', re.I)
CHROME_DIRS = re.compile(r'/themes?/|/_layouts/|/style(%20| )library/|layout_set_logo|/skins?/|/templates?/|'
                         r'/(ads|banners?|logos?|icons?|file_?system|mime_?types?|filetypes?)/', re.I)
SMALL_PX = 60


def image_src(img) -> str | None:
    for attr in LAZY_ATTRS:
        value = (img.get(attr) or '').strip()
        if attr == 'data-srcset' and value:
            value = value.split(',')[0].split()[0]
        if value and not value.startswith(('data:', 'javascript:', 'about:')):
            if attr == 'src' or not PLACEHOLDER.search(value):
                return value
    return None


def _small(img) -> bool:
    for attr in ('width', 'height'):
        value = (img.get(attr) or '').strip().rstrip('px')
        if value.isdigit() and int(value) < SMALL_PX:
            return True
    return False


def images(entries, base: str) -> list[Image]:
    """entries: [img element, caption] in document order."""
    out, seen = [], set()
    for img, caption in entries:
        src = image_src(img)
        if not src or PLACEHOLDER.search(src) or _small(img):
            continue
        name = src.split('?')[0].rstrip('/').rsplit('/', 1)[-1]
        hint = ' '.join((name, img.get('class') or '', img.get('id') or ''))
        if CHROME.search(hint) or CHROME_DIRS.search(src):
            continue
        parent = img.getparent()
        href = (parent.get('href') or '') if parent is not None and parent.tag == 'a' else ''
        if href and (CHROME.search(href) or DOC_LINK.search(href)):   # share buttons, file-type icons
            continue
        url = urljoin(base, src)
        if url in seen or not url.startswith(('http://', 'https://')):
            continue
        seen.add(url)
        out.append(Image(url, caption or None))
    return out


def attachments(links, base: str) -> list[Attachment]:
    out, seen = [], set()
    for href, text in links:
        if not href or href.startswith(('javascript:', 'mailto:', 'tel:', '#')) or not DOC_LINK.search(href):
            continue
        url = urljoin(base, href)
        if url in seen or not url.startswith(('http://', 'https://')):
            continue
        seen.add(url)
        out.append(Attachment(url, collapse(text) or url.rsplit('/', 1)[-1]))
    return out
