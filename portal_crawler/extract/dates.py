"""Publication dates as Vietnamese portals print them (always day first), by regex.

`date_line` answers only for short lines that are mostly a date ("Ngày 14/03/2019 15:41:05",
"21:27 27/06/2020", "Thứ Năm, 14/03/2019 - 15:41", "Cập nhật ngày: 14-03-2019"): dates inside
sentences are events, not publication."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

DMY = re.compile(r'(?<![\d/.-])(\d{1,2})\s*([/.-])\s*(\d{1,2})\s*\2\s*((?:19|20)\d\d)(?!\d)')
YMD = re.compile(r'(?<![\d/.-])((?:19|20)\d\d)-(\d{1,2})-(\d{1,2})(?![\d])')
# '27 tháng 02 năm 2021', '27 Tháng 2 2021', '27 tháng 2, 2021'
WORDS = re.compile(r'(?:ngày\s+)?(\d{1,2})\s+tháng\s+(\d{1,2}),?\s+(?:năm\s+)?((?:19|20)\d\d)(?!\d)', re.I)
MONTHS = {m: i + 1 for i, m in enumerate('jan feb mar apr may jun jul aug sep oct nov dec'.split())}
MONTH_NAME = r'(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?'
# 'February 27, 2021' and '27 February 2021' (English labels come with English dates)
ENGLISH_MDY = re.compile(MONTH_NAME + r'\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+((?:19|20)\d\d)(?!\d)', re.I)
ENGLISH_DMY = re.compile(r'(?<!\d)(\d{1,2})(?:st|nd|rd|th)?\s+' + MONTH_NAME + r',?\s+((?:19|20)\d\d)(?!\d)', re.I)
# SA/CH (sáng/chiều) are the Vietnamese AM/PM
TIME = re.compile(r'(?<!\d)([01]?\d|2[0-3])\s*[:h]\s*([0-5]\d)(?:\s*:\s*([0-5]\d))?'
                  r'(?:\s*([AaPp])\.?[Mm]\.?|\s*(SA|CH|sa|ch)\b)?(?!\d)')
ISO = re.compile(r'((?:19|20)\d\d)-(\d\d)-(\d\d)(?:[T ](\d\d):(\d\d)(?::(\d\d))?(?:\.\d+)?\s*(Z|[+-]\d\d:?\d\d)?)?')
LABELS = re.compile(r'''ngày\s+đăng|ngày\s+cập\s+nhật|cập\s+nhật(\s+ngày|\s+lúc)?|đăng\s+lúc|đăng\s+ngày|
    gửi\s+lúc|ngày\s+gửi|ngày\s+xuất\s+bản|xuất\s+bản|đăng\s+tải|thời\s+gian(\s+đăng)?|ngày|lúc|giờ|
    thứ\s+(hai|ba|tư|năm|sáu|bảy|bẩy|[2-7])|chủ\s+nhật|\bcn\b|(đã\s+xem|lượt\s+xem|lượt\s+đọc|số\s+lượt\s+xem)\s*:?\s*[\d.,]*|
    \(?gmt\s*[+-]\s*\d+\)?|posted(\s+on)?|published(\s+on)?|updated(\s+on)?|date|\bon\b|\bat\b|
    \b(mon|tue|wed|thu|fri|sat|sun)[a-z]*\b|ngày\s+(đăng|xuất\s+bản|ban\s+hành)|\bvào\b|details|chi\s+tiết|
    (view\s*count|views?|hits|lượt\s+truy\s+cập|số\s+lần\s+xem)\s*:?\s*[\d.,]*''', re.I | re.X)
# the account that posted, printed beside the date: 'Gửi bởi admin vào', 'By ctv47', 'Người đăng: Ban biên tập'
ACCOUNT = re.compile(r'''(?:gửi\s+bởi|đăng\s+bởi|người\s+đăng|written\s+by|posted\s+by|created\s+by|\bby)\s*:?\s*
    [^|\n]*?(?=\s+vào\b|\s+lúc\b|\s+on\b|\s*[|\-–,]\s|$)''', re.I | re.X)
# what may stand between a time shown before the date and the date: a weekday, labels, punctuation
TIME_GAP = re.compile(r'^[\s,\-–|]*(?:(?:thứ\s+(?:hai|ba|tư|năm|sáu|bảy|bẩy|[2-7])|chủ\s+nhật|ngày|'
                      r'(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*)[\s,\-–|]*)?$', re.I)
DIGIT = re.compile(r'\d')
RESIDUE_MAX = 12
LINE_MAX = 110
TZ = '+07:00'


def _valid(y: int, m: int, d: int) -> bool:
    try:
        dt.date(y, m, d)
    except ValueError:
        return False
    return 1990 <= y <= 2100


def _find_date(text: str):
    """First calendar date in text -> (y, m, d, start, end) or None."""
    best = None
    for rx, order in ((DMY, 'dmy'), (YMD, 'ymd'), (WORDS, 'dmy3'), (ENGLISH_MDY, 'Mdy'), (ENGLISH_DMY, 'dMy')):
        for m in rx.finditer(text):
            if order == 'dmy':
                d, mo, y = int(m.group(1)), int(m.group(3)), int(m.group(4))
            elif order == 'ymd':
                y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
            elif order == 'Mdy':
                mo, d, y = MONTHS[m.group(1).lower()[:3]], int(m.group(2)), int(m.group(3))
            elif order == 'dMy':
                d, mo, y = int(m.group(1)), MONTHS[m.group(2).lower()[:3]], int(m.group(3))
            else:
                d, mo, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
            if _valid(y, mo, d):
                if best is None or m.start() < best[3]:
                    best = (y, mo, d, m.start(), m.end())
                break
    return best


def _find_time(text: str, start: int, end: int):
    """A time of day next to the date span (before or after, within a few characters)."""
    for m in TIME.finditer(text):
        before = m.end() <= start and (start - m.end() <= 6 or TIME_GAP.match(text[m.end():start]))
        if before or m.start() >= end and m.start() - end <= 12:
            h, mi, s = int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)
            ampm = (m.group(4) or {'sa': 'a', 'ch': 'p'}.get((m.group(5) or '').lower(), '')).lower()
            if ampm == 'p' and h < 12:
                h += 12
            elif ampm == 'a' and h == 12:
                h = 0
            return h, mi, s, m.start(), m.end()
    return None


def parse(text: str) -> tuple[str, int, int] | None:
    """-> (ISO value, start, end) of the first date (with its time when shown) in text."""
    found = _find_date(text)
    if not found:
        return None
    y, mo, d, start, end = found
    t = _find_time(text, start, end)
    if t is None:
        return f'{y:04d}-{mo:02d}-{d:02d}', start, end
    h, mi, s, ts, te = t
    if h == mi == s == 0:
        # midnight to the second: what a CMS prints for 'no time' (00:00, 12:00 AM); the date only
        return f'{y:04d}-{mo:02d}-{d:02d}', min(start, ts), max(end, te)
    return f'{y:04d}-{mo:02d}-{d:02d}T{h:02d}:{mi:02d}:{s:02d}{TZ}', min(start, ts), max(end, te)


def date_line(text: str) -> str | None:
    """ISO date when the whole line is a date line (label + date + time), else None."""
    if not text or len(text) > LINE_MAX or not DIGIT.search(text):
        return None
    found = parse(text)
    if not found:
        return None
    value, start, end = found
    rest = text[:start] + ' ' + text[end:]
    rest = ACCOUNT.sub(' ', TIME.sub(' ', rest))
    rest = LABELS.sub(' ', rest)
    rest = re.sub(r'[\W_]+', '', rest)
    return value if len(rest) <= RESIDUE_MAX else None


TIME_LABEL = re.compile(r'^\s*(?:lúc|giờ|time|at)\b', re.I)


def bare_time(text: str) -> bool:
    """A line or segment that is only a time of day ('03:41 PM', '15:41', 'lúc 10:25 SA')."""
    if not text or len(text) > 24 or not DIGIT.search(text):
        return False
    text = TIME_LABEL.sub('', text).strip(' |-–,()\u00a0')
    return len(text) <= 14 and TIME.fullmatch(text) is not None


def label_only(text: str) -> bool:
    """'Ngày đăng:', 'Posted on', 'Cập nhật lúc': a date's label on a line of its own."""
    return bool(text) and len(text) <= 30 and not DIGIT.search(text) and not re.sub(r'[\W_]+', '', LABELS.sub(' ', text))


def joined(date_text: str, time_text: str, time_first: bool) -> str | None:
    """The date of one line with the time of day shown on the line beside it."""
    found = parse(f'{time_text} {date_text}' if time_first else f'{date_text} {time_text}')
    return found[0] if found else None


def parse_iso(value: str) -> str | None:
    """A machine date (meta, JSON-LD, <time datetime>) -> ISO at +07:00, or a date."""
    m = ISO.search(value or '')
    if not m:
        return None
    y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
    if not _valid(y, mo, d):
        return None
    if m.group(4) is None:
        return f'{y:04d}-{mo:02d}-{d:02d}'
    h, mi, s = int(m.group(4)), int(m.group(5)), int(m.group(6) or 0)
    if h > 23 or mi > 59 or s > 59:
        return None
    when = dt.datetime(y, mo, d, h, mi, s)
    zone = m.group(7)
    if zone:
        if zone == 'Z':
            offset = dt.timedelta(0)
        else:
            sign = -1 if zone[0] == '-' else 1
            zone = zone[1:].replace(':', '')
            offset = sign * dt.timedelta(hours=int(zone[:2]), minutes=int(zone[2:]))
        when = (when - offset) + dt.timedelta(hours=7)
    return when.strftime('%Y-%m-%dT%H:%M:%S') + TZ


@dataclass(frozen=True)
class Candidate:
    """A publication date the page offers, with where it came from."""
    value: str              # ISO, with +07:00 and the time of day when shown, or YYYY-MM-DD
    source: str             # one of SOURCES
    evidence: tuple = ()    # e.g. ('in block', 'after title'), ('agreed on 24 pages',), ('rdfa',)


# the order of trust, first present wins (choose)
SOURCES = ('rule', 'template', 'machine', 'shown', 'near-title')


def choose(candidates) -> str | None:
    """The one rule that picks the publication date, first present wins:
    1. rule: the element a hand-written CMS rule names;
    2. template: the place the site's learned template agrees on across its pages;
    3. machine: a machine-readable date (meta tags, JSON-LD, RDFa property/content,
       microdata, <time datetime>), with the time of day of the shown date when both name
       the same day and the machine value has none;
    4. shown: the date line of the article block, the first after the title (one above it
       only when none follows: a header's date of the day sits above);
    5. near-title: a date line just above or below the title, outside the block.
    What never becomes a candidate: dates in chrome (lines the site repeats on its pages are
    blanked once a template is known), in listings (linked lines), in sentences (date_line
    answers only for lines that are mostly a date: an event date in prose is not one). A
    midnight time (00:00, 12:00 AM) is no time: the date alone."""
    first = {}
    for c in candidates:
        first.setdefault(c.source, c)
    machine, shown = first.get('machine'), first.get('shown')
    if machine and shown and len(machine.value) == 10 and shown.value[:10] == machine.value:
        first['machine'] = Candidate(shown.value, 'machine', machine.evidence + ('time as shown',))
    for source in SOURCES:
        if source in first:
            return first[source].value
    return None
