"""Learn a site's Template from pages of that site (template.py holds the data).

Each article page is first read per page; then, over the pages:
- layouts: pages whose block paths overlap (Jaccard >= SAME_LAYOUT) with a layout's first
  page belong to it, so a redesign starts a new layout instead of being averaged in;
- chrome: line texts found on at least CHROME_SHARE of a layout's pages (menus, polls,
  counters, 'other news' headings, the footer, the header's date of the day), except lines
  that name a person or a source (one author may sign most articles);
- fields: for title, date and author, the block path of the line the per-page reading took
  them from; kept when FIELD_AGREEMENT of the pages that show the field agree on it and the
  path names at most SPECIFIC lines a page (a plain 'p' of the body names every paragraph);
- a time of day shown identically on every page at the date's place is a placeholder.
Deterministic: the same pages in the same order give the same template."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from urllib.parse import urlsplit

from portal_crawler.scope.memo import Memo

from . import authors, body, dates, dom, extract
from .template import Layout, Template

SAMPLE = 24            # article pages a site's template is learned from at most
MIN_PAGES = 3          # fewer pages than this teach nothing: the per-page path runs
SAME_LAYOUT = 0.5
CORE_SHARE = 0.8       # a layout's fingerprint: paths on this share of its pages
CHROME_SHARE = 0.6
FIELD_AGREEMENT = 0.6
SPECIFIC = 1.5


@dataclass
class _Page:
    paths: frozenset
    counts: Counter        # path -> lines at it
    texts: dict            # normalised text -> as shown
    title: str | None
    date: str | None
    date_time: str | None  # the time of day as shown on the date's line
    author: str | None


def observe(data: bytes, url: str, headers=None, families=None) -> _Page | None:
    """One page read per page, with where its fields were found; None for a non-article."""
    trace: dict = {}
    return observation(extract(data, url, headers, families=families, trace=trace), trace)


def observation(art, trace) -> _Page | None:
    """Where an article's fields were found, from the trace its extraction left."""
    if not art.is_article or not trace.get('lines'):
        return None
    cache: dict = {}
    lines = trace['lines']
    paths = [dom.block_path(line.owner, cache) for line in lines]          # cached per element
    title_key = body.norm(art.title) if art.title else None
    title_at = date_at = author_at = date_time = None
    year = art.published[:4] if art.published else None        # a line without it shows no such date
    for line, path in zip(lines, paths):
        text = line.text
        if not text:
            continue
        if title_at is None and title_key and text.lower() == title_key:      # line text is collapsed
            title_at = path
        if date_at is None and art.published and len(text) <= dates.LINE_MAX and year in text:
            found = dates.date_line(text) or (dates.parse(text) or (None,))[0]
            if found and found[:10] == art.published[:10]:
                date_at = path
                shown = dates.TIME.search(text)
                date_time = ' '.join(shown.group(0).split()).upper() if shown else None
        if author_at is None and art.author and art.author in text and len(text) <= 120:
            author_at = path
    return _Page(paths=frozenset(paths), counts=Counter(paths),
                 texts={line.text.lower(): line.text for line in lines if line.text},
                 title=title_at, date=date_at, date_time=date_time, author=author_at)


def learn(pages, site: str | None = None, families=None, sample: int = SAMPLE) -> Template:
    """pages: (url, headers, bytes) of one site, oldest first. Reads at most `sample` article
    pages, spread evenly over the list."""
    pages = list(pages)
    if site is None:
        site = _host(pages[0][0]) if pages else ''
    step = max(1, len(pages) // (sample * 2))      # listings are in the list too
    observed = []
    for url, headers, data in pages[::step]:
        page = observe(data, url, headers, families)
        if page is not None:
            observed.append(page)
        if len(observed) >= sample:
            break
    return Template(site=site, layouts=tuple(_layout(group) for group in _groups(observed)
                                             if len(group) >= MIN_PAGES))


class Learner:
    """Crawl-time learning for one site: pages are read per page (and observed) until
    `after` articles are seen, then with the template learned from them; an article that no
    learned layout fits is observed again, and a new layout is added once MIN_PAGES such
    pages agree (a redesign mid-crawl). Costs one extraction a page."""

    def __init__(self, site: str, families=None, after: int = SAMPLE, template: Template | None = None,
                 stats=None):
        """template: a stored one (DATA/templates/HOST.json) to start from instead of learning;
        stats: a Scrapy stats collector for extraction failures."""
        self.site, self.families, self.after, self.stats = site, families, after, stats
        self.observed: list[_Page] = []
        self.unfitted: list[_Page] = []
        self.template: Template | None = template if template is not None and template.layouts else None
        self.memo = Memo()          # print views among the site's links, asked on every article

    def extract(self, data: bytes, url: str, headers=None, parsed=None):
        """parsed: the page already read (extract's `parsed`)."""
        trace: dict = {}
        art = extract(data, url, headers, families=self.families, template=self.template, trace=trace,
                      stats=self.stats, parsed=parsed, memo=self.memo)
        if self.template is None or trace.get('layout') is None:
            self.observe(observation(art, trace), self.template)
        return art

    def observe(self, page: _Page | None, read_with: Template | None) -> None:
        """Learn from a page read with the template `read_with` (None: read per page) that no
        layout of it fitted; page: its observation (None: nothing to learn). A page read with
        a template since replaced teaches nothing (the caller reads it again)."""
        if page is None or read_with is not self.template:
            return
        if self.template is None:
            self.observed.append(page)
            if len(self.observed) >= self.after:
                self.template = Template(self.site, tuple(_layout(g) for g in _groups(self.observed)
                                                          if len(g) >= MIN_PAGES))
        else:
            self.unfitted.append(page)
            grown = [g for g in _groups(self.unfitted) if len(g) >= MIN_PAGES]
            if grown:
                self.template = Template(self.site, self.template.layouts + (_layout(grown[0]),))
                self.unfitted = [p for p in self.unfitted if p not in grown[0]]


def _groups(observed):
    groups: list[list[_Page]] = []
    for page in observed:
        for group in groups:
            first = group[0].paths
            if len(first & page.paths) / max(1, len(first | page.paths)) >= SAME_LAYOUT:
                group.append(page)
                break
        else:
            groups.append([page])
    return groups


def _layout(group) -> Layout:
    n = len(group)
    path_pages = Counter(p for page in group for p in page.paths)
    text_pages = Counter(t for page in group for t in page.texts)
    shown = {t: s for page in group for t, s in page.texts.items()}
    chrome = frozenset(t for t, k in text_pages.items()
                       if k >= max(MIN_PAGES, CHROME_SHARE * n) and not _personal(shown[t]))
    date_path = _field(group, 'date')
    times = {page.date_time for page in group if page.date == date_path and date_path}
    dated = [page for page in group if page.date == date_path and date_path]
    placeholder = len(dated) >= MIN_PAGES and len(times) == 1 and None not in times
    return Layout(fingerprint=frozenset(p for p, k in path_pages.items() if k >= CORE_SHARE * n),
                  pages=n, chrome=chrome, title=_as_list(_field(group, 'title')),
                  date=_as_list(date_path), author=_as_list(_field(group, 'author')),
                  time_placeholder=placeholder)


def _field(group, name):
    found = Counter(getattr(page, name) for page in group if getattr(page, name))
    if not found:
        return None
    path, k = sorted(found.items(), key=lambda kv: (-kv[1], kv[0]))[0]
    showing = sum(1 for page in group if getattr(page, name))
    per_page = sum(page.counts.get(path, 0) for page in group) / len(group)
    if k < MIN_PAGES or k < FIELD_AGREEMENT * showing or per_page > SPECIFIC:
        return None
    return path


def _as_list(path):
    return (path,) if path else ()


def _personal(text: str) -> bool:
    """A byline or a credit: kept out of chrome even when it is on most pages."""
    return bool(authors.labelled(text) or authors.lone_name(text) or authors.is_source(text))


def _host(url: str) -> str:
    return (urlsplit(url).hostname or '').lower()
