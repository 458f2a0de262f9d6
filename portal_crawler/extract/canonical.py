"""The canonical URL of a page: <link rel=canonical>, og:url, family patterns, the print
footer's 'URL của bài viết', IIS case aliases, then the URL without session/print parameters."""
from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from archive.urlkey import default_session_rules
from portal_crawler.scope import print_view_of

PRINT_PARAMS = frozenset('print printable in view_print printview'.split())
PRINT_VALUES = frozenset(('print', 'printable', 'in'))
FOOTER_URL = re.compile(r'(?:URL|Địa\s+chỉ|Link|Đường\s+dẫn)(?:\s+của)?\s+(?:bài\s+viết|bài|tin)\s*:\s*'
                        r'(https?://[^\s<>"]+)', re.I)
SCAN_CHARS = 300_000
# A listing item's "read more" link, and the headline length that is a headline, not a
# category name, in a linked heading before a text block.
HAS_AUTHORITY = re.compile(r'^[A-Za-z][A-Za-z0-9+.-]*://')
PRINT_LABEL = re.compile(r'^\W*(in\s+bài(\s+viết)?|bản\s+in|in\s+tin|print(\s+this)?|printer\s+friendly)\W*$', re.I)
READ_MORE = re.compile(r'^\W*(xem\s+tiếp|xem\s+thêm|đọc\s+tiếp|(xem\s+)?chi\s+tiết|read\s+more|more)\W*$', re.I)
HEADINGS = frozenset('h1 h2 h3 h4 h5 h6'.split())
HEADLINE_CLASS = re.compile(r'title|tieu-?de|headline|heading', re.I)
MIN_HEADLINE = 20
NEIGHBOURS = 3       # siblings looked at either side of the block
ANCESTORS = 3        # the block and the ancestors whose neighbours count
JS_ESCAPE = re.compile(r'\\u([0-9a-fA-F]{4})|\\/')


def _host(url: str) -> str:
    h = (urlsplit(url).hostname or '').lower()
    return h[4:] if h.startswith('www.') else h


def strip_params(url: str, extra=()) -> str:
    """url without session ids (the archive's list), print parameters and the family's own."""
    session = default_session_rules()
    parts = urlsplit(url)
    path = parts.path
    for pattern in (session.path_session, session.cookieless_segment):
        path = pattern.sub('', path) if pattern is not None else path
    drop = PRINT_PARAMS | {p.lower() for p in extra}
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if k.lower() not in drop and not session.is_session_param(k)
             and not (k.lower() == 'view' and v.lower() in PRINT_VALUES)]
    return urlunsplit((parts.scheme, parts.netloc, path, urlencode(query) if query else '', ''))


def _same_site(candidate: str, url: str) -> bool:
    return candidate.startswith(('http://', 'https://')) and _host(candidate) == _host(url)


def _unescape_js(value: str) -> str:
    return JS_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)) if m.group(1) else '/', value)


def _window(text: str) -> str:
    """Head and tail of a page: where page-context scripts and forms sit (a 5 MB
    __VIEWSTATE in the middle is not worth scanning)."""
    return text if len(text) <= 2 * SCAN_CHARS else text[:SCAN_CHARS] + '\n' + text[-SCAN_CHARS:]


def find(url: str, text: str, meta, links, family=None, line_texts=()) -> str:
    """links: hrefs of the page's <a>/<form action> (raw); text: the decoded page;
    line_texts: the page's visible lines (for a print footer naming the article's URL)."""
    candidates = []
    if family is not None and family.canonical:
        window = _window(text)
        for pattern in family.canonical:
            m = pattern.search(window)
            if m:
                candidates.append(_unescape_js(m.group(1)))
    if meta.canonical:
        candidates.append(meta.canonical)
    if meta.og_url:
        candidates.append(meta.og_url)
    for line in line_texts:
        if 'http' in line and len(line) < 400:
            m = FOOTER_URL.search(line)
            if m:
                candidates.append(m.group(1))
                break
    extra = family.strip_params if family is not None else ()
    for cand in candidates:
        absolute = urljoin(url, cand.strip())
        if _same_site(absolute, url):
            return strip_params(absolute, extra)
    view = print_view_of(url)
    if view is not None and view.target and not urlsplit(view.target).query:
        return view.target          # a print path that names its article (/in-bai-viet/<slug>)
    clean = strip_params(url, extra)
    path = urlsplit(clean).path
    low = path.lower()
    leaf = low.rstrip('/').rsplit('/', 1)[-1]
    for href in links:
        if not leaf or leaf not in href.lower():       # cheap filter before parsing the URL
            continue
        absolute = urljoin(url, href)
        if not _same_site(absolute, url):
            continue
        stripped = strip_params(absolute, extra)
        p = urlsplit(stripped)
        # IIS serves any case of a path: a self link in another case names the canonical spelling
        if p.path.lower() == low and p.path != path and p.path != low and p.query == urlsplit(clean).query:
            return stripped
        # the page's print link points at the canonical path plus a print parameter
        if stripped != absolute and leaf and p.path.lower().rstrip('/').rsplit('/', 1)[-1] == leaf \
                and p.path.lower() != low and _has_print_param(absolute):
            return stripped
    return clean


def _has_print_param(url: str) -> bool:
    return any(k.lower() in PRINT_PARAMS or (k.lower() == 'view' and v.lower() in PRINT_VALUES)
               for k, v in parse_qsl(urlsplit(url).query, keep_blank_values=True))


def summary_of_other(block, url: str) -> bool:
    """The text block summarises another page: the nearest heading before it is a headline
    linked to another URL, or a 'read more' link just after it leads to one.  Such a page
    is a listing (a category page with a single long teaser too), not the article."""
    node = block
    for _ in range(ANCESTORS):
        if node is None or node.tag in ('body', 'html'):
            return False
        heading = _nearest_heading(node)
        if heading is not None:
            link = heading if heading.tag == 'a' else heading.find('.//a[@href]')
            return link is not None and len(_text(link)) >= MIN_HEADLINE and _elsewhere(link.get('href'), url)
        for sibling in _siblings(node, 'getnext'):
            link = sibling if sibling.tag == 'a' else sibling.find('.//a[@href]')
            if link is not None and READ_MORE.match(_text(link)) and _elsewhere(link.get('href'), url):
                return True
        node = node.getparent()
    return False


def _siblings(node, step: str):
    sibling = getattr(node, step)()
    for _ in range(NEIGHBOURS):
        if sibling is None:
            return
        if isinstance(sibling.tag, str):
            yield sibling
        sibling = getattr(sibling, step)()


def _nearest_heading(node):
    for sibling in _siblings(node, 'getprevious'):
        if sibling.tag in HEADINGS or HEADLINE_CLASS.search(sibling.get('class') or ''):
            return sibling
        # a wrapper around the headline (not a sidebar full of links)
        inner = next((el for el in sibling.iter(*HEADINGS)), None)
        if inner is not None and sum(1 for _ in sibling.iter('a')) <= 2:
            return inner
    return None


def _text(el) -> str:
    return ' '.join(''.join(el.itertext()).split())


def _elsewhere(href: str | None, url: str) -> bool:
    """href leads to another page of the same site (not this page, its fragment or a script)."""
    if not href or href.startswith(('#', 'javascript:')):
        return False
    target = urljoin(url, href.strip())
    return _same_site(target, url) and strip_params(target).rstrip('/').lower() != strip_params(url).rstrip('/').lower()


def own_views(url: str, root, memo=None) -> list[str]:
    """Other addresses of this article the page names: its links to a print view of itself
    ('In bài', or a URL the print-view rules know) and its <link rel=shortlink> (/node/12),
    for the index to keep as aliases. memo: a scope.Memo kept across a site's pages (the
    same menu links recur on every page)."""
    found = [urljoin(url, el.get('href').strip()) for el in root.iter('link')
             if (el.get('rel') or '').lower() == 'shortlink' and el.get('href')]
    parts = urlsplit(url)
    origin = f'{parts.scheme}://{parts.netloc}'
    for link in root.iter('a'):
        href = (link.get('href') or '').strip()
        if not href or href.startswith(('#', 'javascript:')):
            continue
        if memo is None:
            target, is_view = _print_view_link(url, href)
        else:
            # an absolute or root-relative link resolves alike on every page of the site
            base = origin if href.startswith('/') or HAS_AUTHORITY.match(href) else url
            target, is_view = memo.get((base, href), lambda: _print_view_link(url, href))
        if is_view or PRINT_LABEL.match(_text(link)):
            found.append(target)
    return [view for view in dict.fromkeys(found) if _elsewhere(view, url)]


def _print_view_link(url: str, href: str) -> tuple[str, bool]:
    """The link's target (no fragment) and whether the print-view rules know it as one."""
    target = urljoin(url, href).split('#', 1)[0]
    return target, print_view_of(target) is not None
