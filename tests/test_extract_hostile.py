"""Hostile input: extraction gives what the page holds and nothing else (Hypothesis fuzzing,
truncation, 5 MB, binary); what parsing raises is counted, a programming error surfaces."""
import re
from pathlib import Path

import pytest

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal_crawler.extract import body, dom, extract
from portal_crawler.extract.encoding import decode
from portal_crawler.items import Article

FIXTURES = Path(__file__).parent / 'fixtures' / 'extract'
GOOD = (FIXTURES / 'generic_unknown_cms.html').read_bytes()
URL = 'http://songmay.dongnai.test/tin-tuc/bai-1.html'
FULL = extract(GOOD, URL, None)
TAGS = ['<p>', '</p>', '<div class="content">', '</div>', '<br>', '<img data-src="a.jpg">', '<a href="x.pdf">',
        '</a>', '<h1>', '</h1>', '<script>', '</script>', '<table><tr><td>', '<!--', '-->', '<?xml version="1.0"?>',
        '<meta charset="windows-1258">', '&#7913;', '&amp;', '\x00', 'Ngày 14/03/2019 15:41', 'Tác giả: Ai Đó', './.']


WORD = re.compile(r'\w+')


def check(article, page: bytes = b''):
    """The record is well formed and its body says nothing the page does not."""
    assert isinstance(article, Article)
    assert article.url == URL and article.canonical
    assert isinstance(article.body, str) and isinstance(article.images, list)
    article.to_dict()
    if page and article.body:
        root = dom.parse(decode(page, None)[0])
        source = ''.join(''.join(root.itertext()).lower().split())
        missing = [w for w in WORD.findall(article.body.lower()) if w not in source]
        assert not missing, missing[:5]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=4000))
def test_random_bytes(data):
    check(extract(data, URL, {'Content-Type': 'text/html; charset=utf-8'}))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(TAGS), st.text(max_size=40)), max_size=80))
def test_random_tag_soup(parts):
    page = ''.join(parts).encode('utf-8', 'surrogatepass')
    check(extract(page, URL, [('content-type', 'text/html')]), page)


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=0, max_value=len(GOOD)))
def test_every_truncation_of_a_real_page(cut):
    art = extract(GOOD[:cut], URL, None)
    check(art, GOOD[:cut])
    if cut >= GOOD.index(b'<div class="cungchuyenmuc">'):      # the whole article is there
        assert art.is_article and art.body == FULL.body and art.published == FULL.published


def test_truncated_page_keeps_the_article_before_the_cut():
    cut = GOOD.index(b'<div class="cungchuyenmuc">') + 12     # cut mid-tag after the article
    art = extract(GOOD[:cut], URL, None)
    assert art.is_article and art.author == 'Nông Linh' and art.body.count('\n\n') == 3


def test_empty_and_binary_bodies():
    for data in (b'', b'   ', b'\x89PNG\r\n\x1a\n' + bytes(range(256)) * 50, b'%PDF-1.4\n%\xe2\xe3\xcf\xd3\n'):
        art = extract(data, URL, {})
        check(art)
        assert art.is_article is False


def test_a_five_megabyte_page():
    viewstate = b'<input type="hidden" name="__VIEWSTATE" value="' + b'A' * 5_000_000 + b'" />'
    page = GOOD.replace(b'<body>', b'<body><form>' + viewstate + b'</form>', 1)
    art = extract(page, URL, None)
    assert art.is_article and art.title.startswith('Huyện Sông Mây') and 'AAAA' not in art.body


def test_deeply_nested_markup():
    page = b'<html><body>' + b'<div>' * 5000 + '<p>Nội dung bài viết rất dài ở đây.</p>'.encode() + b'</div>' * 5000
    check(extract(page, URL, None))


class Stats:
    def __init__(self):
        self.values = {}

    def inc_value(self, key):
        self.values[key] = self.values.get(key, 0) + 1


def test_what_parsing_raises_is_counted_and_gives_an_empty_record(monkeypatch):
    def too_deep(root):
        raise RecursionError('maximum recursion depth exceeded')
    monkeypatch.setattr(dom, 'split_lines', too_deep)
    stats = Stats()
    art = extract(GOOD, URL, None, stats=stats)
    assert art.is_article is False and art.body == '' and stats.values == {'extract/failed': 1}


def test_a_programming_error_is_not_swallowed(monkeypatch):
    def broken(lines, title):
        raise TypeError('a bug')
    monkeypatch.setattr(body, 'classify', broken)
    with pytest.raises(TypeError, match='a bug'):
        extract(GOOD, URL, None)
