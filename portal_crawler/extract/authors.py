"""Author lines: 'Tác giả: X', 'Tin, ảnh: X', 'Người viết: X', a lone name after the body,
initials ('PV', 'NN'); a 'Nguồn: Báo ...' line names a source, never an author."""
from __future__ import annotations

import re

LABEL = re.compile(r'''^\s*(?:tác\s+giả(?:\s+bài\s+viết)?|người\s+viết(?:\s+bài)?|
    người\s+thực\s+hiện|(?:tin|bài)\s*(?:,|và|&|\+)\s*ảnh|tin|bài|nhóm\s+(?:pv|phóng\s+viên)|phóng\s+viên|
    pv|ctv|cộng\s+tác\s+viên|btv|biên\s+tập(?:\s+viên)?|thực\s+hiện|author)
    \s*[:：]\s*(.+?)\s*$''', re.I | re.X)
LOGIN_NAME = re.compile(r'^[a-z0-9_.@-]+$')     # 'admin', 'btv01': an account, not a person
HANDLE = re.compile(r'^\S*(\d|_)\S*$')            # 'bientap07', 'ctv47', 'thuynguyen_tt'
# role and account words a CMS prints as the poster: 'Ad Min', 'Super User', 'Phó Ban biên tập'
ROLE = re.compile(r'''^(?:(?:phó\s+|trưởng\s+)?ban\s+biên\s+tập|biên\s+tập\s+viên|quản\s+trị(?:\s+viên)?|ad\s*min(?:istrator)?|
    super\s+user|webmaster|host|editor|người\s+quản\s+trị|cổng\s+ttđt|ctv|btv)$''', re.I | re.X)
# the poster's slot: 'Written by Ad Min', 'By ctv47', 'Người đăng: admin', 'Đăng bởi Nguyễn Hà'
# (an account, or a person who is the author only when the page signs the article nowhere else)
ACCOUNT_LINE = re.compile(r'^\s*(?:gửi\s+bởi|đăng\s+bởi|người\s+đăng|written\s+by|posted\s+by|created\s+by|by)\s*:?\s*(.{1,40}?)\s*$',
                          re.I)
SOURCE = re.compile(r'^\s*(?:nguồn(?:\s+tin)?|theo|source)\s*[:：]|'
                    r'^\s*(?:nguồn|theo)\s+(?:báo|đài|cổng|trang|tạp\s+chí|ttxvn|thông\s+tấn)\b|'
                    r'^\s*(?:nguồn|theo)\s+[\w.-]+\.(?:vn|com|net|org)\b', re.I)
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
        names = [x.strip() for x in value.split(',')]
        # 'Tác giả: Thu Hà, Văn Nam' names two people; 'Thu Hà, Trung tâm VH' a person and an office
        value = value if all(name_like(x) and len(x.split()) >= 2 for x in names) else names[0]
    if not value or len(value) > 80 or is_account(value):
        return None
    return value


def is_account(value: str) -> bool:
    """A CMS account or role, never a person's name."""
    value = (value or '').strip()
    return bool(LOGIN_NAME.match(value) or HANDLE.match(value) or ROLE.match(value))


def poster(text: str) -> str | None:
    """The person in the poster's slot ('Đăng bởi Nguyễn Thu Hà'), None for an account."""
    m = ACCOUNT_LINE.match(text) if len(text) <= 60 else None
    value = clean(m.group(1)) if m else None
    return value if value and not is_account(value) and name_like(value) else None


def is_account_line(text: str) -> bool:
    """'Written by Ad Min', 'Người đăng: bientap07': the poster, which is never the byline."""
    m = ACCOUNT_LINE.match(text) if len(text) <= 60 else None
    return bool(m) and is_account(m.group(1))


def is_byline(text: str) -> bool:
    """A labelled byline line, even one naming only an account ('Người đăng: admin')."""
    return len(text) <= 120 and bool(LABEL.match(text) or ACCOUNT_LINE.match(text))


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


OFFICE_SEPARATOR = re.compile(r',|\s[-–—]\s')


def _split_office(value: str):
    """'Trần Quốc Khánh, Ban Tuyên giáo' / 'Lê Tuấn - Trung tâm VH' -> (name, separator, office)."""
    m = OFFICE_SEPARATOR.search(value)
    return (value[:m.start()].strip(), m.group(0), value[m.end():].strip()) if m else (value, '', '')


def lone_name(text: str) -> str | None:
    """'Thùy Dung', './. Thùy Dung', 'Trần Quốc Khánh, Ban Tuyên giáo Tỉnh ủy' -> the name."""
    if len(text) > 90:
        return None
    value = clean(text)
    if not value or is_account(value) or is_source(value):
        return None
    if name_like(value):
        return value
    head, sep, _ = _split_office(value)
    if sep and name_like(head) and len(head.split()) >= 2:
        return head
    return None
