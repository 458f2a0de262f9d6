"""Article extraction: extract(body, url, headers) -> Article. Pure: bytes in, record out.

Two paths give one result: a CMS family detected from the page (rules as data in
portal_crawler/sites/cms/*.toml) picks the article's elements by selector; the generic path
scores the page's text blocks. Both then share the line classification (dates, bylines,
captions, boilerplate, duplicates) in body.py. A site template learned from the site's own
pages (template.py, template_learn.py) blanks the site's chrome lines and names where title,
date and author sit, wherever hand-written rules name nothing; dates.choose picks the date."""
from __future__ import annotations

import dataclasses
import logging
import re
from urllib.parse import urljoin

from ..items import Article
from portal_crawler.scope import TRAP, classify

from . import authors, body, canonical, dates, dom, media, meta, rules
from .parsed import PARSE_ERRORS, ParsedPage, read

__all__ = ['extract', 'Article']
log = logging.getLogger(__name__)
TITLE_SPLIT = re.compile(r'\s+[-|–—:»]\s+')
LISTING_LINK_LINES = 5
AFTER_HEADING_LINES = 30
ATTACHMENT_LOOKAHEAD = 15
BYLINE_LOOKAHEAD = 5
TITLE_LOOKBEHIND = 12
WEAK_CONTAINER = 400          # container score under which the page has no real text block
MIN_PROSE_PARAGRAPH = 80     # mean paragraph length of prose
MIN_UNDATED_BODY = 200        # an undated, unsigned page needs this much text to be an article
ACCOUNT_PATH = re.compile(r'/(admin|login|dang-?nhap|tim-?kiem|search|sitemap)(/|\.|$)', re.I)
STATIC_PATH = re.compile(r'/(gioi-?thieu|lien-?he|trang-?chu)([-/._]|$)', re.I)   # only when undated
VIETNAMESE_LETTERS = re.compile(r'[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]', re.I)
HEADLINE_CLASS = re.compile(r'title|tieu-?de|headline|heading', re.I)
TEASER_DEPTH = 5
LISTING_DATE_LINES = 3
LISTING_REPEATS = 3           # sibling blocks of one kind that make a list of teasers


def extract(body_bytes: bytes, url: str, headers=None, *, use_rules: bool = True,
            families=None, template=None, stats=None, trace=None, parsed: ParsedPage | None = None,
            memo=None) -> Article:
    """Never raises on page content: a page that cannot be read gives an empty non-article
    (counted in `stats`, a Scrapy stats collector, as extract/failed). `template`: the site's
    learned Template (template.py), used where hand-written rules name nothing; `trace`: a
    dict that receives the page's lines (for template learning); `parsed`: the page as
    `parsed.read(body_bytes, headers)` gave it, so that it is not parsed again (its tree is
    changed: read anything else from it first); `memo`: a scope.Memo for answers about link
    URLs alone, kept across the pages of one site (a crawl's Learner holds one)."""
    try:
        page = parsed if parsed is not None else read(body_bytes, headers, url)
        article = _extract(page, url, use_rules, families, template, trace, memo)
        if article.is_article and classify(url) == TRAP:
            article.is_article = False   # a calendar day or a search result page lists, it is not news
        return article
    except PARSE_ERRORS as err:
        # a programming error is not caught: it surfaces in tests
        log.warning('extraction failed for %s: %r', url, err)
        if stats is not None:
            stats.inc_value('extract/failed')
        return Article(url=url, canonical=url)


def _extract(parsed: ParsedPage, url: str, use_rules: bool, families, template=None, trace=None,
             memo=None) -> Article:
    text, encoding, root, truncated = parsed.text, parsed.encoding, parsed.root, parsed.truncated
    if root is None:
        return Article(url=url, canonical=url, encoding=encoding, text_truncated=truncated)
    page = meta.read(root)
    base = urljoin(url, page.base_href) if page.base_href else url
    family = None
    selectable = rules.Page.of(root) if use_rules else None
    if use_rules:
        family = rules.detect(selectable, text, families if families is not None else rules.load_families())
    if family is not None and not _family_fits(family, selectable):
        family = None             # a variant of the CMS its rules do not describe: the generic path reads it
    link_hrefs = [el.get('href') for el in root.iter('a') if el.get('href')]
    link_hrefs += [el.get('action') for el in root.iter('form') if el.get('action')]
    if family is not None:
        for sel in family.remove:
            for el in sel.all(selectable):
                dom.drop_tree(el)
        selectable.answers.clear()            # answers may hold removed elements
    lines, ranges = dom.split_lines(root)
    if template is not None and template.layouts and selectable is None:
        selectable = rules.Page.of(root)
    layout = _layout(template, lines, selectable)
    if trace is not None:
        trace['lines'], trace['layout'] = lines, layout
    blanked = _blank_chrome(lines, layout.chrome, page) if layout is not None else {}

    container = _first(family.container, selectable, ranges) if family else None
    # a family page is an article only where the family's article block is (not on its listings)
    family_container = container is not None and \
        (not family.article or _first(family.article, selectable, ranges) is not None)
    title = _selected_text(family.title, selectable) if family else None
    if not title and layout is not None:
        title = _selected_text(layout.selectors('title'), selectable)
    scope = None
    if container is None:
        container, strength = body.choose_container(lines, ranges)
        if strength < WEAK_CONTAINER:
            # little text anywhere (image-only, empty body): read on from the title heading
            title = title or _generic_title(page, lines, ranges, None)
            index = _heading_index(title, lines)
            if index is not None:
                scope = _after_heading(lines, index)
                container = lines[index].owner
    if scope is None:
        scope = _lines_of(container, lines, ranges) if container is not None else []
    title = title or _generic_title(page, lines, ranges, container)

    region = scope
    if family and family.body:
        picked = _lines_of_all(family.body, selectable, lines, ranges)
        if picked:
            region = picked
    parts = body.classify(region, title)
    scope_parts = body.classify(scope, title) if region is not scope else parts

    candidates = []
    if family and family.date:
        raw_date = _selected_text(family.date, selectable)
        found = dates.parse(raw_date) if raw_date else None
        if found:
            candidates.append(dates.Candidate(found[0], 'rule', (f'family {family.name}',)))
    if layout is not None:
        learned = _learned_date(layout, selectable)
        if learned:
            candidates.append(dates.Candidate(learned, 'template', (f'agreed on {layout.pages} pages',)))
    machine = dates.parse_iso(page.published or '')
    if machine:
        candidates.append(dates.Candidate(machine, 'machine', (page.published_from or 'meta',)))
    shown_parts = scope_parts if scope_parts.date else parts
    if shown_parts.date:
        candidates.append(dates.Candidate(shown_parts.date, 'shown', (
            'in block', 'after title' if shown_parts.date_after else 'before title')))
    if not candidates:
        near = _date_near_title(title, lines)
        if near:
            candidates.append(dates.Candidate(near, 'near-title', ('outside block',)))
    if trace is not None:
        trace['dates'] = candidates
    published = dates.choose(candidates)

    author = None
    if family and family.author:
        node = _selected_text(family.author, selectable)
        author = (authors.labelled(node) or authors.clean(node)) if node else None
    if not author and layout is not None:
        author = _learned_author(layout, selectable)
    author = author or parts.author or scope_parts.author or _byline_after(lines, scope)

    images = media.images(parts.images, base)
    attachments = media.attachments(scope_parts.links + _attachment_block(lines, scope), base)
    body_text = '\n\n'.join(parts.paragraphs)
    canon = canonical.find(url, text, page, link_hrefs, family, (line.text for line in lines))
    # whether the block lists teasers is read from the page as shown: a listing's headlines
    # are the site's 'latest news' lines, which chrome blanking has emptied
    is_article = (family is None or family_container) and \
        _is_article(url, title, published, author, body_text, images, attachments, _as_shown(scope, blanked),
                    family, container) \
        and not canonical.summary_of_other(container, url)
    return Article(url=url, canonical=canon, title=title, published=published, author=author,
                   body=body_text, images=images, attachments=attachments,
                   language=page.language or _language(body_text or title or ''), encoding=encoding,
                   family=family.name if family else None, is_article=is_article,
                   text_truncated=truncated,
                   views=canonical.own_views(url, root, memo) if is_article else [])


def _layout(template, lines, selectable):
    """The template's layout this page was drawn with, or None (read it per page)."""
    if template is None or not template.layouts:
        return None
    cache: dict = {}
    paths = frozenset(dom.block_path(owner, cache) for owner in {line.owner for line in lines})
    return template.layout_for(paths, selectable)


def _blank_chrome(lines, chrome, page) -> dict:
    """Lines the site repeats on most pages (menus, polls, counters, footer) lose their text:
    nothing downstream scores or keeps them, and line ranges stay valid. A line the page's
    <title> holds stays (the newest article is in every page's 'latest news'). Returns the
    blanked lines as they were shown (line -> its copy)."""
    if not chrome:
        return {}
    own = body.norm(f'{page.title or ""} {page.og_title or ""}')
    shown = {}
    for line in lines:
        key = line.text.lower() if line.text else None          # line text is already collapsed
        if key and key in chrome and key not in own:
            shown[line] = dataclasses.replace(line)
            line.text, line.link_chars, line.doc_chars, line.emphasis_chars = '', 0, 0, 0
    return shown


def _as_shown(scope, blanked: dict) -> list:
    return [blanked.get(line, line) for line in scope] if blanked else scope


def _learned_date(layout, page):
    for sel in layout.selectors('date'):
        for el in sel.all(page):
            text = dom.visible_text(el)
            if len(text) > dates.LINE_MAX:
                continue
            found = dates.date_line(text) or (dates.parse(text) or (None,))[0]
            if found:
                return found[:10] if layout.time_placeholder else found
    return None


def _learned_author(layout, page):
    for sel in layout.selectors('author'):
        for el in sel.all(page):
            text = dom.visible_text(el)
            name = authors.labelled(text) or authors.lone_name(text)
            if name:
                return name
    return None


def _family_fits(family, page) -> bool:
    """The family's article or container block is on the page (on an article or a listing of
    the layout its rules were written for); a family without block selectors always fits."""
    blocks = family.container + family.article
    return not blocks or any(sel.first(page) is not None for sel in blocks)


def _language(text: str) -> str | None:
    """'vi' when the text has Vietnamese letters (the page declared no language)."""
    return 'vi' if VIETNAMESE_LETTERS.search(text) else None


def _attachment_block(lines, scope):
    """Links of a labelled 'File đính kèm' block that sits just after the article block."""
    if not scope:
        return []
    end = _end_of(lines, scope)
    found = []
    for index in range(end, min(len(lines), end + ATTACHMENT_LOOKAHEAD)):
        if body.ATTACHMENT_HEAD.match(lines[index].text):
            for line in lines[index:index + ATTACHMENT_LOOKAHEAD]:
                docs = [(href, text) for href, text, _ in line.links if href and dom.DOC_LINK.search(href)]
                if not docs and line is not lines[index]:
                    break
                found.extend(docs)
            break
    return found


def _date_near_title(title, lines):
    """A date line just above or below the title heading, outside the article block."""
    index = _heading_index(title, lines)
    if index is None:
        return None
    for offset in (1, 2, 3, -1, -2, 4, 5, -3):
        j = index + offset
        if 0 <= j < len(lines):
            value = dates.date_line(lines[j].text)
            if value:
                return value
    return None


def _byline_after(lines, scope):
    """A labelled byline in the few lines that follow the article block."""
    end = _end_of(lines, scope)
    for line in lines[end:end + BYLINE_LOOKAHEAD]:
        name = authors.labelled(line.text)
        if name:
            return name
    return None


def _end_of(lines, scope) -> int:
    if not scope:
        return len(lines)
    last = scope[-1]
    for index, line in enumerate(lines):
        if line is last:
            return index + 1
    return len(lines)


def _heading_index(title, lines):
    if not title:
        return None
    key = ' '.join(title.lower().split())
    for index, line in enumerate(lines):
        if line.owner.tag in body.HEADINGS and ' '.join(line.text.lower().split()) == key:
            return index
    return None


def _after_heading(lines, index):
    """The title line and what follows it, up to the next link list or heading."""
    out = [lines[index]]
    for line in lines[index + 1:index + 1 + AFTER_HEADING_LINES]:
        if line.owner.tag in body.HEADINGS and not body.ATTACHMENT_HEAD.match(line.text):
            out.append(line)          # kept so that a linked headline (a listing teaser) is seen
            break
        if line.nav_density > 0.5 and len(line.text) > 15:
            break
        out.append(line)
    return out


def _first(selectors, page, ranges):
    for sel in selectors:
        for el in sel.all(page):
            if el in ranges:
                return el
    return None


def _selected_text(selectors, page) -> str | None:
    for sel in selectors:
        for el in sel.all(page):
            value = dom.visible_text(el)
            if value:
                return value
    return None


def _lines_of(el, lines, ranges):
    a, b = ranges[el]
    return lines[a:b]


def _lines_of_all(selectors, page, lines, ranges):
    spans = []
    for sel in selectors:
        for el in sel.all(page):
            if el in ranges:
                spans.append(tuple(ranges[el]))
    spans.sort()
    out, last_end = [], -1
    for a, b in spans:
        a = max(a, last_end)
        if b > a:
            out.extend(lines[a:b])
            last_end = b
    return out


def _generic_title(page, lines, ranges, container) -> str | None:
    """A heading that the <title> (or og:title) contains, nearest the article; else the
    <title> minus the site name."""
    doc_title = page.og_title or page.title or ''
    key = ' '.join(doc_title.lower().split())
    segments = [' '.join(x.lower().split()) for x in TITLE_SPLIT.split(doc_title)]
    site_names = set(segments[1:]) if len(segments) > 1 else set()
    anchor = ranges[container][0] if container is not None else None
    best, best_distance = None, None
    for index, line in enumerate(lines):
        if line.owner.tag not in body.HEADINGS and 'title' not in (line.owner.get('class') or '').lower():
            continue
        text = line.text
        if len(text) < 4 or line.link_density > 0.5:
            continue
        low = ' '.join(text.lower().split())
        if key and low in key and low not in site_names:
            # nearest the article block; without one, the longest
            distance = abs(index - anchor) if anchor is not None else -len(text)
            if best is None or distance < best_distance:
                best, best_distance = text, distance
    if best:
        return best
    if page.og_title:
        return page.og_title
    if container is not None:
        a, b = ranges[container]
        for line in lines[a:b]:
            if _headline(line, 4):
                return line.text
        for line in reversed(lines[max(0, a - TITLE_LOOKBEHIND):a]):
            if _headline(line, 10):
                return line.text
    if page.title:
        pieces = TITLE_SPLIT.split(page.title)
        return max(pieces, key=len) if len(pieces) > 1 else page.title
    return None


def _teaser(el) -> bool:
    """The block (or a near ancestor) is one of several alike siblings: a listing item."""
    previous = el.getprevious()
    if previous is not None and previous.tag in body.HEADINGS and previous.find('.//a[@href]') is not None:
        return True                   # a summary under a linked headline
    node, depth = el, 0
    while node is not None and depth < TEASER_DEPTH and node.tag not in ('body', 'html'):
        parent = node.getparent()
        if parent is None:
            break
        cls = node.get('class')
        if cls:
            alike = sum(1 for sib in parent if sib.tag == node.tag and sib.get('class') == cls)
        else:
            alike = sum(1 for sib in parent if sib.tag == node.tag and
                        sib.find('.//h2//a') is not None or sib.find('.//h3//a') is not None)
        if alike >= LISTING_REPEATS:
            return True
        node, depth = parent, depth + 1
    return False


def _headline(line, min_chars: int) -> bool:
    owner = line.owner
    heading = owner.tag in ('h1', 'h2', 'h3') or (HEADLINE_CLASS.search(owner.get('class') or '') and
                                                   10 <= len(line.text) <= 250)
    return heading and len(line.text) >= min_chars and line.link_density < 0.5 \
        and not body.BOILERPLATE.match(line.text)


def _listing(scope) -> bool:
    """Teasers, not an article: linked headlines, link lists or dated items come before any
    prose. (A related-news list after the article's own text does not count.)"""
    first_prose = next((i for i, line in enumerate(scope) if len(line.text) >= MIN_PROSE_PARAGRAPH
                        and line.nav_density < 0.3 and line.owner.tag not in body.HEADINGS), len(scope))
    head = scope[:first_prose]
    if any(line.owner.tag in body.HEADINGS and line.nav_density > 0.5 and len(line.text) > 20 for line in head):
        return True
    link_lines = sum(1 for line in head if line.link_density > 0.6 and len(line.text) > 25)
    date_lines = sum(1 for line in head if dates.date_line(line.text))
    return link_lines >= LISTING_LINK_LINES or date_lines >= LISTING_DATE_LINES or _interleaved_teasers(scope)


def _teaser_heads(scope) -> list[int]:
    """Indexes of linked headlines followed closely by a date: the head of a listing item."""
    heads = []
    for i, line in enumerate(scope):
        if line.link_density > 0.5 and len(line.text) > 25 and \
                (dates.parse(line.text) or any(dates.date_line(after.text) for after in scope[i + 1:i + 3])):
            heads.append(i)
    return heads


def _interleaved_teasers(scope) -> bool:
    """Dated linked headlines with summaries between them: a listing, even when each item's
    summary reads like prose. (A related-news list comes after all of the article's prose.)"""
    heads = _teaser_heads(scope)
    if len(heads) < 2:
        return False
    return any(len(line.text) >= MIN_PROSE_PARAGRAPH // 2 and line.link_density < 0.3
               for line in scope[heads[0] + 1:heads[-1]])


def _is_article(url, title, published, author, body_text, images, attachments, scope, family, found) -> bool:
    if not title or found is None or _teaser(found) or _listing(scope):
        return False
    path = url.split('?')[0].split('#')[0]
    if ACCOUNT_PATH.search(path) or (not published and STATIC_PATH.search(path)):
        return False
    if published or author:
        return True
    if family is not None and (body_text or images or attachments):
        return True
    # undated and unsigned: only prose (paragraphs of sentences, not widget lines) makes an article
    paragraphs = body_text.split('\n\n') if body_text else []
    return len(body_text) >= MIN_UNDATED_BODY and len(paragraphs) >= 2 and \
        len(body_text) / len(paragraphs) >= MIN_PROSE_PARAGRAPH
