"""The canonical URL of a page: <link rel=canonical>, og:url, family patterns, the print
footer's 'URL của bài viết', IIS case aliases, then the URL without session/print parameters."""
from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

SESSION_PARAMS = frozenset('sid phpsessid jsessionid sessionid session_id aspsessionid cfid cftoken'.split())
PRINT_PARAMS = frozenset('print printable in view_print printview'.split())
PRINT_VALUES = frozenset(('print', 'printable', 'in'))
FOOTER_URL = re.compile(r'(?:URL|Địa\s+chỉ|Link|Đường\s+dẫn)(?:\s+của)?\s+(?:bài\s+viết|bài|tin)\s*:\s*'
                        r'(https?://[^\s<>"]+)', re.I)
PATH_SESSION = re.compile(r';jsessionid=[^/?#]*|/\(S\([^)]*\)\)', re.I)
SCAN_CHARS = 300_000
JS_ESCAPE = re.compile(r'\\u([0-9a-fA-F]{4})|\\/')


def _host(url: str) -> str:
    h = (urlsplit(url).hostname or '').lower()
    return h[4:] if h.startswith('www.') else h


def strip_params(url: str, extra=()) -> str:
    parts = urlsplit(url)
    path = PATH_SESSION.sub('', parts.path)
    drop = SESSION_PARAMS | PRINT_PARAMS | {p.lower() for p in extra}
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if k.lower() not in drop and not (k.lower() == 'view' and v.lower() in PRINT_VALUES)]
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
