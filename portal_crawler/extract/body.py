"""Find the article's block and turn its lines into title/date/author/captions/paragraphs."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from . import authors, dates
from .dom import DOC_LINK, Line

PARAGRAPH_TAGS = frozenset('p h1 h2 h3 h4 h5 h6 li dd dt blockquote pre figcaption caption'.split())
HEADINGS = frozenset('h1 h2 h3 h4 h5 h6'.split())
MIN_SCORING_CHARS = 25
MAX_EXPANSIONS = 6
TITLE_HEAD_LINES = 8
BOILERPLATE = re.compile(r'''^(in\s+trang|in\s+bài(\s+viết)?|bản\s+in|quay\s+lại|về\s+đầu\s+trang|lên\s+đầu\s+trang|
    gửi\s+(email|bài\s+viết)|chia\s+sẻ|share|tweet|email|print|top|đầu\s+trang|
    (file|tệp|tài\s+liệu|văn\s+bản)\s+đính\s+kèm|tải\s+về|download|xem\s+thêm|
    (các\s+)?tin\s+(liên\s+quan|khác|mới|cùng\s+chuyên\s+mục)|các\s+tin\s+đã\s+đưa|bài\s+viết\s+liên\s+quan|
    lượt\s+xem|đã\s+xem|số\s+lượt\s+xem|((số|tổng)\s+)?lượt\s+truy\s+cập|đang\s+truy\s+cập|view\s*count|views|hits|details|bình\s+luận|ý\s+kiến\s+bạn\s+đọc|đánh\s+giá|
    font\s*size|cỡ\s+chữ|tiêu\s+đề|zalo|facebook|từ\s+khóa|từ\s+khoá|tags?|thẻ|
    (chuyên|danh)\s+mục(?=\s*:)|categor(y|ies)(?=\s*:)|filed\s+under|
    share\s+this|like\s+this|related|comments?|leave\s+a\s+(reply|comment)|loading|advertisement|
    sign\s+up|subscribe|read\s+more|click\s+here)\b''', re.I | re.X)
# lines of print views: the site's name, the article's own address (copyright lines are
# FOOTER_LINE's)
CHROME_LINE = re.compile(r'''^(\(c\)\s|(url|địa\s+chỉ|link|đường\s+dẫn)(\s+của)?\s+(bài\s+viết|bài|tin)\s*:|
    cổng\s+thông\s+tin\s+điện\s+tử\b|trang\s+thông\s+tin\s+điện\s+tử\b|website\b)''', re.I | re.X)
# the portal footer, whatever its markup: owner, editor in chief, licence, address, phone
FOOTER_LINE = re.compile(r'''^(cơ\s+quan\s+chủ\s+quản|chịu\s+trách\s+nhiệm|trưởng\s+ban\s+biên\s+tập|giấy\s+phép\s+(số|hoạt\s+động)|
    địa\s+chỉ\s*:|điện\s+thoại\s*:|đt\s*:|fax\s*:|e-?mail\s*:|ghi\s+rõ\s+nguồn|đơn\s+vị\s+quản\s+lý|thiết\s+kế\s+(bởi|và)|
    phát\s+triển\s+bởi|powered\s+by|bản\s+quyền|©|copyright)''', re.I | re.X)
ATTACHMENT_HEAD = re.compile(r'^\s*(file|tệp|tài\s+liệu|văn\s+bản)\s+(đính\s+kèm|kèm\s+theo)|^\s*tải\s+về', re.I)
CAPTION_CLASS = re.compile(r'caption|chu-?thich|desc|note|image|photo|img|figure', re.I)
NEGATIVE = re.compile(r'footer|copyright|sidebar|side-bar|comment|menu|nav|widget|banner|breadcrumb|share|social|'
                      r'related|other|poll|vote|counter|thong-?ke|weather|thoi-?tiet|col-(left|right)|aside|header|'
                      r'masthead|ads?\b|advert|quang-?cao|lien-?ket|links?\b|tin-?moi|latest|calendar', re.I)
POSITIVE = re.compile(r'article|content|detail|news|body|entry|post|text|main|story|noi-?dung|chi-?tiet|'
                      r'bai-?viet|rtestate', re.I)
CHROME_TAGS = frozenset(('footer', 'aside', 'nav', 'header'))
SIDEBAR = re.compile(r'aside|sidebar|side-?bar|col-?right|right-?col|poll|vote|binh-?chon|counter|thong-?ke|widget',
                     re.I)
TRAILING_NAME = re.compile(r'^(.{40,}\./\.)\s*(\S.{1,40})$')
AUTHOR_CLASS = re.compile(r'author|byline|tac-?gia|nguoi-?viet|writer', re.I)
ALIGN = re.compile(r'text-align\s*:\s*(center|right)', re.I)
BYLINE_TAIL_LINES = 2          # a place or unit line or two under a byline ('Trung tâm VH-TT huyện')
UNIT_LINE_MAX = 80


@dataclass
class Parts:
    paragraphs: list[str] = field(default_factory=list)
    author: str | None = None
    poster: str | None = None       # a person in the poster's slot: the author when none signs
    date: str | None = None
    date_after: bool = False        # the date line came after the title
    images: list = field(default_factory=list)     # (img element, caption or None)
    links: list = field(default_factory=list)      # (href, text) of every link in the scope


def choose_container(lines: list[Line], ranges: dict):
    """Readability-style scoring over lines, then widen while the wider block adds only
    unlinked text (title, date, sapo, byline) rather than link lists."""
    scores: dict = {}
    for line in lines:
        n = len(line.text)
        if n < MIN_SCORING_CHARS or line.link_density > 0.3 or FOOTER_LINE.match(line.text):
            continue
        owner = line.owner
        start = owner.getparent() if owner.tag in PARAGRAPH_TAGS and owner.getparent() is not None else owner
        weight = min(n, 2000) + 30 * line.text.count(',')
        scores[start] = scores.get(start, 0.0) + weight
        parent = start.getparent()
        if parent is not None:
            scores[parent] = scores.get(parent, 0.0) + weight / 2
    if not scores:
        return None, 0.0
    chars, linked_chars = [0], [0]              # prefix sums: any block's totals in O(1)
    for line in lines:
        chars.append(chars[-1] + len(line.text))
        linked_chars.append(linked_chars[-1] + line.link_chars)
    best, best_score = None, -1.0
    for el, s in scores.items():
        if el not in ranges:
            continue
        a, b = ranges[el]
        total = (chars[b] - chars[a]) or 1
        linked = linked_chars[b] - linked_chars[a]
        s *= (1 - linked / total) * class_weight(el)
        if s > best_score:
            best, best_score = el, s
    return (widen(best, lines, ranges), best_score) if best is not None else (None, 0.0)


def class_weight(el) -> float:
    """Readability's hint: class/id names and HTML5 tags of the block and its ancestors."""
    hint = f"{el.get('class') or ''} {el.get('id') or ''}"
    if POSITIVE.search(hint) and not NEGATIVE.search(hint):
        return 1.5
    node, depth = el, 0
    while node is not None and depth < 5:
        if node.tag in CHROME_TAGS:
            return 0.2
        names = f"{node.get('class') or ''} {node.get('id') or ''}"
        if NEGATIVE.search(names) and not POSITIVE.search(names):
            return 0.3
        node, depth = node.getparent(), depth + 1
    return 1.0


def _sidebar_after(el, parent, ranges) -> bool:
    """A sibling after the block that names itself a sidebar, poll or counter: widening into
    the parent would take it in (its lines are unlinked, so the link test lets them pass)."""
    after = False
    for child in parent:
        if child is el:
            after = True
        elif after and child in ranges and ranges[child][1] > ranges[child][0]:
            names = f"{child.get('class') or ''} {child.get('id') or ''}"
            if child.tag == 'aside' or SIDEBAR.search(names):
                return True
    return False


def widen(el, lines, ranges):
    for _ in range(MAX_EXPANSIONS):
        parent = el.getparent()
        if parent is None or parent.tag == 'html' or parent not in ranges or _sidebar_after(el, parent, ranges):
            break
        a, b = ranges[el]
        pa, pb = ranges[parent]
        outside = lines[pa:a] + lines[b:pb]
        inside_text = sum(len(x.text) - x.link_chars for x in lines[a:b])
        total = sum(len(x.text) for x in outside)
        linked = sum(x.link_chars for x in outside)
        if total and (linked > 0.3 * total or total - linked > max(600, 0.8 * inside_text)):
            break
        el = parent
    return el


def norm(text: str) -> str:
    """Lower-cased, whitespace collapsed: how lines are compared across pages."""
    return ' '.join(text.lower().split())


def _aligned(line: Line) -> bool:
    el, depth = line.owner, 0
    while el is not None and depth < 3:
        if ALIGN.search(el.get('style') or '') or (el.get('align') or '').lower() in ('center', 'right'):
            return True
        el, depth = el.getparent(), depth + 1
    return False


def _caption_like(line: Line) -> bool:
    if len(line.text) > 250 or line.nav_density > 0.5:
        return False
    owner = line.owner
    if owner.tag in ('figcaption', 'caption') or CAPTION_CLASS.search(owner.get('class') or ''):
        return True
    if owner.tag in ('td', 'th') or (owner.getparent() is not None and owner.getparent().tag == 'td'):
        return True
    return line.emphasized or _aligned(line)


def _attachment_only(line: Line) -> bool:
    docs = [text for href, text, _ in line.links if href and DOC_LINK.search(href)]
    return bool(docs) and (ATTACHMENT_HEAD.match(line.text) or norm(' '.join(docs)) == norm(line.text))


def classify(lines: list[Line], title: str | None) -> Parts:
    """Lines of the article region -> paragraphs, author, date line, images with captions."""
    parts = Parts()
    title_key = norm(title) if title else None
    pending: list = []           # images waiting for a caption line
    kept: list[Line] = []
    byline_at = None             # how many body lines came before the labelled byline
    # lines above the title (a print header, breadcrumbs) are chrome; only when the title
    # opens the region: a title repeated further down (share box, related) says nothing
    title_line = next((i for i, line in enumerate(lines[:TITLE_HEAD_LINES])
                       if title_key and norm(line.text) == title_key), None)
    for index, line in enumerate(lines):
        parts.links.extend((href, text) for href, text, _ in line.links if href)
        text = line.text
        if line.images:
            entries = [[img, None] for img in line.images]
            parts.images.extend(entries)
            if not text:
                pending.extend(entries)
                continue
        if not text:
            continue
        if pending and not line.images and _caption_like(line) and not dates.date_line(text) \
                and not authors.labelled(text) and not authors.is_source(text) and not authors.name_like(text):
            for entry in pending:
                entry[1] = text
            pending = []
            continue
        pending = []
        if title_key and norm(text) == title_key:
            continue
        if line.nav_density > 0.5:
            continue
        if '|' in text and len(text) < 200 and _meta_segments(text, parts, index > (title_line or -1)):
            continue                  # 'Ngày 14/03/2019 | Tác giả: X | Lượt xem: 12'
        if dates.bare_time(text) or dates.label_only(text):
            continue                  # the time or the label of a date shown on the line beside it
        value = dates.date_line(text)
        if value:
            value = _with_time_beside(value, text, lines, index)
            # the first date line after the title; before it only when none follows
            # (a header "today" or a breadcrumb date sits above the title)
            after = title_line is None or index > title_line
            if parts.date is None or (after and not parts.date_after):
                parts.date, parts.date_after = value, after
            continue
        name = authors.labelled(text) or (AUTHOR_CLASS.search(line.owner.get('class') or '') and
                                          authors.lone_name(text))
        if name:
            if parts.author is None:
                parts.author, byline_at = name, len(kept)
            continue
        name = authors.poster(text)
        if name:
            parts.poster = parts.poster or name
            continue
        if authors.is_byline(text) or authors.is_source(text) or authors.is_account_line(text) \
                or _attachment_only(line):
            continue
        if len(text) < 60 and BOILERPLATE.match(text) or len(text) < 200 and CHROME_LINE.match(text) \
                or len(text) < 300 and FOOTER_LINE.match(text):
            continue
        if title_line is not None and index < title_line:
            continue
        kept.append(line)
    paragraphs = [line.text for line in kept]
    if byline_at is not None and _unit_lines(paragraphs[byline_at:]):
        del paragraphs[byline_at:]
    if parts.author is None and paragraphs:
        # 'Câu cuối của bài./. Thanh Hà': a name after the end marker, in the same paragraph
        m = TRAILING_NAME.match(paragraphs[-1])
        name = authors.lone_name(m.group(2)) if m else None
        if name:
            parts.author = name
            paragraphs[-1] = m.group(1)
    if parts.author is None:
        for i in range(len(paragraphs) - 1, max(-1, len(paragraphs) - 3), -1):
            name = authors.lone_name(paragraphs[i])
            if name and (i > 0 or len(paragraphs) == 1) and _unit_lines(paragraphs[i + 1:]):
                parts.author = name
                del paragraphs[i:]
                break
            if len(paragraphs[i]) > 90:
                break
    parts.author = parts.author or parts.poster
    parts.paragraphs = dedupe(paragraphs)
    return parts


def _with_time_beside(value: str, text: str, lines: list[Line], index: int) -> str:
    """A date-only line whose time of day sits on the next (or the previous) line."""
    if len(value) != 10:
        return value
    for j, time_first in ((index + 1, False), (index - 1, True)):
        if 0 <= j < len(lines) and dates.bare_time(lines[j].text):
            return dates.joined(text, lines[j].text, time_first) or value
    return value


def _unit_lines(lines: list[str]) -> bool:
    """What may follow a byline and is not body: a place or unit line or two, no sentence."""
    return len(lines) <= BYLINE_TAIL_LINES and all(
        len(x) <= UNIT_LINE_MAX and not x.rstrip().endswith(('.', '!', '?', ':')) for x in lines)


def _meta_segments(text: str, parts: Parts, after_title: bool) -> bool:
    """A line of '|'-separated metadata: take its date and byline; True when every segment
    is metadata (a date, a byline, a view count), so that the line leaves the body."""
    segments = [x.strip() for x in text.split('|') if x.strip()]
    found = False
    whole = dates.parse(text)          # a date with its time in the next segment
    for seg in segments:
        value, name = dates.date_line(seg), authors.labelled(seg)
        posted = None if name else authors.poster(seg)
        if posted:
            parts.poster = parts.poster or posted
        if value and whole and len(value) == 10 and whole[0][:10] == value:
            value = whole[0]
        if value and (parts.date is None or after_title and not parts.date_after):
            parts.date, parts.date_after = value, after_title
        if name:
            parts.author = parts.author or name
        account = authors.is_account(seg) or authors.is_account_line(seg) or dates.bare_time(seg)
        if not (value or name or posted or account or len(seg) < 30 and BOILERPLATE.match(seg)):
            return False
        found = True
    return found


def dedupe(paragraphs: list[str]) -> list[str]:
    """Drop repeats (article rendered twice, sapo repeating the first paragraph)."""
    seen: set = set()
    out: list[str] = []
    for text in paragraphs:
        key = norm(text)
        if key in seen:
            continue
        seen.add(key)
        out.append(text)
    result = []
    for i, text in enumerate(out):
        nxt = norm(out[i + 1]) if i + 1 < len(out) else ''
        if len(text) >= 40 and nxt.startswith(norm(text)) and len(nxt) > len(text):
            continue
        result.append(text)
    return result
