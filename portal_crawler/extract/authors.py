"""Author lines: 'Tác giả: X', 'Tin, ảnh: X', 'Người viết: X', a lone name after the body,
initials ('PV', 'NN'); a 'Nguồn: Báo ...' line names a source, never an author."""
from __future__ import annotations

import re

LABEL = re.compile(r'''^\s*(?:tác\s+giả(?:\s+bài\s+viết)?|người\s+viết(?:\s+bài)?|người\s+đăng|đăng\s+bởi|
    người\s+thực\s+hiện|(?:tin|bài)\s*(?:,|và|&|\+)\s*ảnh|tin|bài|nhóm\s+(?:pv|phóng\s+viên)|phóng\s+viên|
    pv|ctv|cộng\s+tác\s+viên|btv|biên\s+tập(?:\s+viên)?|thực\s+hiện|author|written\s+by|posted\s+by|by)
    \s*[:：]\s*(.+?)\s*$''', re.I | re.X)
LOGIN_NAME = re.compile(r'^[a-z0-9_.@-]+$')     # 'admin', 'btv01': an account, not a person
SOURCE = re.compile(r'^\s*(?:nguồn(?:\s+tin)?|theo|source)\s*[:：]|'
                    r'^\s*(?:nguồn|theo)\s+(?:báo|đài|cổng|trang|tạp\s+chí|ttxvn|thông\s+tấn)\b', re.I)
END_MARK = re.compile(r'^\s*\.?/\.\s*|\s*\.?/\.\s*$')
# words that start chrome lines or office names, never a personal name's first word
NOT_NAME_WORDS = frozenset('''ubnd hđnd huyện tỉnh xã phòng sở báo đài cổng trang tin bài ảnh ban nguồn hội
đảng cục bộ trấn thông liên quan nhất quay đăng nhập tìm kiếm giới thiệu chuyên mục'''.split())
INITIALS = re.compile(r'^[A-ZĐ]{2,4}$')
NAME_MAX = 40


def clean(value: str) -> str | None:
    value = END_MARK.sub('', value or '').strip(' .,;:-–—\u00a0')
    value = re.sub(r'\s*\([^)]*\)\s*$', '', value).strip()
    return value or None


def labelled(text: str) -> str | None:
    """The name in a labelled author line, or None."""
    if len(text) > 120:
        return None
    m = LABEL.match(text)
    if not m:
        return None
    value = clean(m.group(1))
    if value and ',' in value and name_like(value.split(',')[0]):
        value = value.split(',')[0].strip()
    if not value or len(value) > 80 or LOGIN_NAME.match(value):
        return None
    return value


def is_byline(text: str) -> bool:
    """A labelled byline line, even one naming only an account ('Người đăng: admin')."""
    return len(text) <= 120 and bool(LABEL.match(text))


def is_source(text: str) -> bool:
    return len(text) <= 150 and bool(SOURCE.match(text))


def name_like(text: str) -> bool:
    """A short run of capitalised words (a Vietnamese personal name) or initials."""
    text = clean(text) or ''
    if not text or len(text) > NAME_MAX or any(c.isdigit() for c in text):
        return False
    if INITIALS.match(text):
        return True
    words = text.split()
    if not 1 <= len(words) <= 6:
        return False
    if len(words) == 1 and len(text) < 3:
        return False
    # chrome lines and offices start with these words; later in a name they are given
    # names ('Đỗ Thu Trang', 'Nguyễn Văn Hội')
    if words[0].lower() in NOT_NAME_WORDS:
        return False
    for w in words:
        if not w[0].isupper() or not w.replace('-', '').isalpha():
            return False
        if len(w) > 1 and w.isupper():
            return False
    return True


def lone_name(text: str) -> str | None:
    """'Thùy Dung', './. Thùy Dung', 'Trần Quốc Khánh, Ban Tuyên giáo Tỉnh ủy' -> the name."""
    if len(text) > 90:
        return None
    value = clean(text)
    if not value:
        return None
    if name_like(value):
        return value
    head = value.split(',')[0].strip()
    if ',' in value and name_like(head) and len(head.split()) >= 2:
        return head
    return None
