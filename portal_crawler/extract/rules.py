"""CMS family rules, kept as data in portal_crawler/sites/cms/*.toml.

A family is detected from the page itself (markers: CSS selectors or regexes), never from
the host, so a portal nobody configured still gets its family's rules. Adding a family is
adding a TOML file; see sites/cms/README.md for the keys."""
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


@dataclass(frozen=True)
class Selector:
    css: str
    xpath: etree.XPath
    needs: frozenset = frozenset()     # '.class' / '#id' tokens the page must have to match

    def may_match(self, tokens) -> bool:
        return self.needs <= tokens

    def all(self, root) -> list:
        try:
            return [el for el in self.xpath(root) if isinstance(el, etree._Element)]
        except etree.XPathError:
            return []

    def first(self, root):
        found = self.all(root)
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

    def score(self, root, head_text: str, tokens) -> int:
        hits = sum(1 for s in self.markers if s.may_match(tokens) and s.first(root) is not None)
        hits += sum(1 for p in self.patterns if p.search(head_text))
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


def detect(root, text: str, families) -> Family | None:
    # markers sit in the head or the tail; a 5 MB __VIEWSTATE in between is not worth scanning
    head_text = text if len(text) <= 2 * MARKER_SCAN_CHARS else \
        text[:MARKER_SCAN_CHARS] + '\n' + text[-MARKER_SCAN_CHARS:]
    tokens = page_tokens(root)
    best, best_score = None, 0
    for fam in families:
        s = fam.score(root, head_text, tokens)
        if s >= fam.min_markers and s > best_score:
            best, best_score = fam, s
    return best


def page_tokens(root) -> set:
    """Every '.class' and '#id' of the page, in one pass: most markers fail on this alone."""
    tokens = set()
    for el in root.iter():
        cls = el.get('class')
        if cls:
            tokens.update('.' + c for c in cls.split())
        ident = el.get('id')
        if ident:
            tokens.add('#' + ident)
    return tokens
