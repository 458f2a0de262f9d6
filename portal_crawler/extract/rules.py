"""CMS family rules, kept as data in portal_crawler/sites/cms/*.toml.

A family is detected from the page itself, never from the host, so a portal nobody
configured still gets its family's rules. Adding a family is adding a TOML file:

    name = "vportal"                       # what Article.family says
    [detect]                               # markers: CSS selectors present, regexes in the HTML
    selectors = ["div.vp-article"]         #   (regexes are case-sensitive, searched in the
    patterns = ['vportal-theme']           #    first and last 100 kB)
    min_markers = 2                        # how many markers must hit (the best-scoring family wins)
    [select]                               # CSS selectors, each a list tried in order
    article = ["div.vp-article-body"]      # one must match on an article page (not on a listing)
    container = ["div.vp-article"]         # the article block: dates, bylines, attachments in it
    title, date, author = [...]            # elements whose text is the field
    body = ["div.vp-lead", "div.vp-body"]  # blocks whose lines are the body, in document order
    remove = ["div.vp-toolbar"]            # dropped before anything is read
    [canonical]
    patterns = ['data-permalink="([^"]+)"']  # group 1: the canonical URL or path
    strip_params = ["sid"]                 # query parameters that never name the article

Every key is optional but `name`; whatever a family leaves out, the generic path supplies.
Body lines still go through the shared classification (dates, bylines, captions, dedupe)."""
from __future__ import annotations

import functools
import logging
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from cssselect import GenericTranslator, SelectorError
from lxml import etree

log = logging.getLogger(__name__)
CMS_DIR = Path(__file__).resolve().parent.parent / 'sites' / 'cms'
MARKER_SCAN_CHARS = 100_000


NAME_TOKEN = re.compile(r'([.#])([\w-]+)')
CLASS_AND_ID = etree.XPath('//@class | //@id')


class Page:
    """A parsed page as selectors see it: the tree, its '.class'/'#id' tokens (a selector
    naming a class the page lacks is answered without walking the tree) and the answers
    already given (markers and field selectors overlap). One per extraction."""
    __slots__ = ('root', 'tokens', 'answers')

    def __init__(self, root, tokens: frozenset):
        self.root = root
        self.tokens = tokens
        self.answers: dict = {}

    @classmethod
    def of(cls, root) -> 'Page':
        tokens = set()
        for value in CLASS_AND_ID(root):             # one pass, attribute values only
            if value.attrname == 'id':
                tokens.add('#' + value)
            else:
                tokens.update('.' + c for c in value.split())
        return cls(root, frozenset(tokens))


@dataclass(frozen=True)
class Selector:
    css: str
    xpath: etree.XPath
    needs: frozenset = frozenset()     # '.class' / '#id' tokens the page must have to match

    def all(self, page: Page) -> list:
        if not self.needs <= page.tokens:
            return []
        found = page.answers.get(self.css)
        if found is None:
            try:
                found = [el for el in self.xpath(page.root) if isinstance(el, etree._Element)]
            except etree.XPathError:
                found = []
            page.answers[self.css] = found
        return found

    def first(self, page: Page):
        found = self.all(page)
        return found[0] if found else None


@dataclass(frozen=True)
class Family:
    name: str
    markers: tuple[Selector, ...]
    patterns: tuple[re.Pattern, ...]
    min_markers: int
    container: tuple[Selector, ...]
    article: tuple[Selector, ...]      # one must match on an article page (not a listing)
    title: tuple[Selector, ...]
    date: tuple[Selector, ...]
    author: tuple[Selector, ...]
    body: tuple[Selector, ...]
    remove: tuple[Selector, ...]
    canonical: tuple[re.Pattern, ...]
    strip_params: tuple[str, ...]

    def score(self, page: Page, head_text: str) -> int:
        """Markers that hit, cheap regexes first; stops counting once the family cannot
        reach min_markers."""
        hits = sum(1 for p in self.patterns if p.search(head_text))
        left = len(self.markers)
        for s in self.markers:
            if hits + left < self.min_markers:
                break
            left -= 1
            hits += s.first(page) is not None
        return hits


def _selectors(values) -> tuple[Selector, ...]:
    if isinstance(values, str):
        values = [values]
    out = []
    for css in values or []:
        try:
            needs = frozenset(kind + name for kind, name in NAME_TOKEN.findall(css.split('[')[0]))
            out.append(Selector(css, etree.XPath(GenericTranslator().css_to_xpath(css)), needs))
        except (SelectorError, etree.XPathSyntaxError) as err:
            raise ValueError(f'bad CSS selector {css!r}: {err}') from err
    return tuple(out)


@functools.lru_cache(maxsize=512)
def compile_selectors(css: tuple) -> tuple[Selector, ...]:
    """Selectors from CSS strings (learned templates name the same few again and again)."""
    return _selectors(list(css))


def family_from_dict(data: dict) -> Family:
    detect = data.get('detect', {})
    select = data.get('select', {})
    canon = data.get('canonical', {})
    return Family(
        name=data['name'],
        markers=_selectors(detect.get('selectors')),
        patterns=tuple(re.compile(p) for p in detect.get('patterns', [])),   # case-sensitive: fast
        min_markers=int(detect.get('min_markers', 2)),
        container=_selectors(select.get('container')),
        article=_selectors(select.get('article')),
        title=_selectors(select.get('title')),
        date=_selectors(select.get('date')),
        author=_selectors(select.get('author')),
        body=_selectors(select.get('body')),
        remove=_selectors(select.get('remove')),
        canonical=tuple(re.compile(p) for p in canon.get('patterns', [])),
        strip_params=tuple(canon.get('strip_params', [])),
    )


@functools.lru_cache(maxsize=8)
def load_families(directory: str | None = None) -> tuple[Family, ...]:
    """Every *.toml family in the directory (read once per process; the files are data)."""
    folder = Path(directory) if directory else CMS_DIR
    families = []
    for path in sorted(folder.glob('*.toml')):
        with path.open('rb') as f:
            families.append(family_from_dict(tomllib.load(f)))
    return tuple(families)


def detect(page: Page, text: str, families) -> Family | None:
    # markers sit in the head or the tail; a 5 MB __VIEWSTATE in between is not worth scanning
    head_text = text if len(text) <= 2 * MARKER_SCAN_CHARS else \
        text[:MARKER_SCAN_CHARS] + '\n' + text[-MARKER_SCAN_CHARS:]
    best, best_score = None, 0
    for fam in families:
        s = fam.score(page, head_text)
        if s >= fam.min_markers and s > best_score:
            best, best_score = fam, s
    return best
