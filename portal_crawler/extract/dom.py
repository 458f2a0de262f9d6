"""HTML -> an lxml tree and its visible text as a list of lines (one per block or <br> run).

Everything downstream works on these lines: each keeps the block element that owns it,
how much of its text sits inside links, its images and links, so that container scoring,
dates, authors and captions never re-walk the tree."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

BLOCK_TAGS = frozenset('''address article aside blockquote body caption center dd details dialog div dl
dt fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 header hr html li main nav ol p pre
section summary table tbody td tfoot th thead tr ul'''.split())
EMPHASIS_TAGS = frozenset('b strong em i'.split())
DROP_TAGS = ('script', 'style', 'noscript', 'template', 'iframe', 'object', 'embed', 'svg', 'select',
             'option', 'input', 'button', 'textarea', 'head', 'map', 'canvas', 'audio', 'video', 'marquee')
HIDDEN_STYLE = re.compile(r'display\s*:\s*none|visibility\s*:\s*hidden', re.I)
XML_DECL = re.compile(r'^\s*<\?xml[^>]*>', re.I)
DOC_LINK = re.compile(r'\.(pdf|docx?|xlsx?|pptx?|odt|ods|odp|rtf|zip|rar|7z)(?=$|[?#/;&])|LinkClick\.aspx|'
                      r'/(download|tai-ve|taive|DownloadFile)\b', re.I)
MAX_CHARS = 8_000_000       # characters of a page parsed (a bound on memory and time); callers warn


@dataclass(slots=True, eq=False)
class Line:
    text: str
    owner: etree._Element             # nearest block ancestor
    link_chars: int = 0                # characters inside <a href>
    doc_chars: int = 0                 # ... of which inside links to documents (attachments)
    emphasis_chars: int = 0
    images: list = field(default_factory=list)
    links: list = field(default_factory=list)   # (href, text, element)

    @property
    def link_density(self) -> float:
        return self.link_chars / len(self.text) if self.text else 0.0

    @property
    def nav_density(self) -> float:
        """Share of the text in links to other pages (document links are article content)."""
        return (self.link_chars - self.doc_chars) / len(self.text) if self.text else 0.0

    @property
    def emphasized(self) -> bool:
        return bool(self.text) and self.emphasis_chars >= 0.8 * len(self.text.replace(' ', ''))


def parse(text: str):
    """A tolerant libxml2 HTML parse (plain lxml elements: faster than lxml.html's);
    None when there is nothing to parse."""
    text = XML_DECL.sub('', text[:MAX_CHARS], count=1)
    if not text.strip():
        return None
    parser = etree.HTMLParser(remove_comments=True, remove_pis=True, recover=True, huge_tree=True)
    try:
        root = etree.fromstring(text, parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError, TypeError):
        return None
    return root


def drop_tree(el) -> None:
    """Remove an element but keep its tail text (what lxml.html's drop_tree does)."""
    parent = el.getparent()
    if parent is None:
        return
    tail = el.tail
    if tail:
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or '') + tail
        else:
            parent.text = (parent.text or '') + tail
    parent.remove(el)


def text_of(el) -> str:
    return collapse(''.join(el.itertext()))


HIDDEN_CANDIDATES = etree.XPath('//*[@style or @hidden or @aria-hidden]')


def hidden_elements(root) -> set:
    """Elements hidden by attribute or inline style (found by XPath: faster than asking each)."""
    out = set()
    for el in HIDDEN_CANDIDATES(root):
        style = el.get('style')
        if el.get('hidden') is not None or el.get('aria-hidden') == 'true' or \
                (style and HIDDEN_STYLE.search(style)):
            out.add(el)
    return out


def hidden(el, hidden_set=None) -> bool:
    """Invisible or non-text: scripts, styles, form controls, display:none, hidden."""
    tag = el.tag
    if not isinstance(tag, str) or tag in DROP_TAGS:
        return True
    if hidden_set is not None:
        return el in hidden_set
    style = el.get('style')
    return bool(style and HIDDEN_STYLE.search(style)) or el.get('hidden') is not None \
        or el.get('aria-hidden') == 'true'


def visible_text(el) -> str:
    """The element's text without its hidden parts (a display:none label inside a title)."""
    parts = []
    walker = etree.iterwalk(el, events=('start', 'end'))
    for event, node in walker:
        if event == 'start':
            if node is not el and hidden(node):
                walker.skip_subtree()
            elif isinstance(node.tag, str) and node.text:
                parts.append(node.text)
        elif node is not el and node.tail:
            parts.append(node.tail)
    return collapse(''.join(parts))


def collapse(text: str) -> str:
    return ' '.join(text.split())


class _LineBuilder:
    """Accumulates the inline text of the current block until a block edge or <br>."""
    __slots__ = ('lines', 'buf', 'link', 'doc', 'emph', 'imgs', 'links', 'anchors', 'emph_depth')

    def __init__(self):
        self.lines: list[Line] = []
        self.buf: list[str] = []
        self.link = self.doc = self.emph = self.emph_depth = 0
        self.imgs: list = []
        self.links: list = []
        self.anchors: list = []          # stack of (is_link, is_doc, parts)

    def add(self, s: str) -> None:
        self.buf.append(s)
        if self.anchors or self.emph_depth:
            n = len(s.strip())
            if not n:
                return
            if self.anchors:
                is_link, is_doc, parts = self.anchors[-1]
                if is_link:
                    self.link += n
                    if is_doc:
                        self.doc += n
                parts.append(s)
            if self.emph_depth:
                self.emph += len(''.join(s.split()))

    def flush(self, owner) -> None:
        if not self.buf and not self.imgs:
            return
        text = ' '.join(''.join(self.buf).split()) if self.buf else ''
        if text or self.imgs:
            link = min(self.link, len(text))
            self.lines.append(Line(text, owner, link, min(self.doc, link), self.emph, self.imgs, self.links))
            self.imgs, self.links = [], []
        elif self.links:
            self.links = []
        self.buf = []
        self.link = self.doc = self.emph = 0


def split_lines(root) -> tuple[list[Line], dict]:
    """Walk the tree once; return the lines and, for each block element, its [start, end)
    range of line indices (an element's lines are contiguous)."""
    b = _LineBuilder()
    lines = b.lines
    ranges: dict = {}
    owners = [root]
    invisible = hidden_elements(root)
    walker = etree.iterwalk(root, events=('start', 'end'))
    skipped = None
    for event, el in walker:
        if skipped is not None:          # the end of a hidden element: only its tail is visible
            if el is skipped:
                skipped = None
                if el.tail:
                    b.add(el.tail)
            continue
        tag = el.tag
        if event == 'start':
            if el is not root and hidden(el, invisible):
                walker.skip_subtree()
                skipped = el
                continue
            if tag in BLOCK_TAGS:
                b.flush(owners[-1])
                owners.append(el)
                n = len(lines)
                ranges[el] = [n, n]
            elif tag == 'br':
                b.flush(owners[-1])
            elif tag == 'img':
                b.imgs.append(el)
            elif tag == 'a':
                href = (el.get('href') or '').strip()
                parts: list[str] = []
                b.anchors.append((bool(href), bool(href) and bool(DOC_LINK.search(href)), parts))
                b.links.append((href, parts, el))
            elif tag in EMPHASIS_TAGS:
                b.emph_depth += 1
            if el.text:
                b.add(el.text)
        else:
            if tag in BLOCK_TAGS:
                b.flush(owners[-1])
                if len(owners) > 1:
                    owners.pop()
                ranges[el][1] = len(lines)
            elif tag == 'a':
                if b.anchors:
                    b.anchors.pop()
            elif tag in EMPHASIS_TAGS:
                b.emph_depth = max(0, b.emph_depth - 1)
            if el.tail:
                b.add(el.tail)
    b.flush(owners[-1])
    for line in lines:
        if line.links:
            line.links = [(href, collapse(''.join(parts)), el) for href, parts, el in line.links]
    return lines, ranges


# a class or id usable in a template's selector: no digits ('post-123', 'node-45' name one page)
STABLE_NAME = re.compile(r'^-?[A-Za-z_][A-Za-z_-]*$')
PATH_ANCESTORS = 2


def _step(el, cache: dict) -> str | None:
    """'div.news-info' / 'div#main' / None when the element has no usable class or id."""
    key = (el.tag, el.get('class'), el.get('id'))
    if key in cache:
        return cache[key]
    found = None
    for cls in (key[1] or '').split():
        if STABLE_NAME.match(cls):
            found = f'{el.tag}.{cls}'
            break
    if found is None and key[2] and STABLE_NAME.match(key[2]):
        found = f'{el.tag}#{key[2]}'
    cache[key] = found
    return found


def block_path(el, cache: dict) -> str:
    """A CSS selector naming where a block sits: its own step (its tag when it has no class)
    under its two nearest ancestors that have a class or id. Ids with digits (node-123) and
    positions are left out, as are classes with digits: they differ from page to page of one
    template."""
    found = cache.get(el)
    if found is None:
        steps = [_step(el, cache) or el.tag]
        node = el.getparent()
        while node is not None and len(steps) <= PATH_ANCESTORS and isinstance(node.tag, str):
            step = _step(node, cache)
            if step:
                steps.append(step)
            node = node.getparent()
        found = cache[el] = ' '.join(reversed(steps))
    return found
