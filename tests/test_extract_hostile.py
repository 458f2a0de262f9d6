"""Hostile input never crashes extraction (Hypothesis fuzzing, truncation, 5 MB, binary)."""
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal_crawler.extract import extract
from portal_crawler.items import Article

FIXTURES = Path(__file__).parent / 'fixtures' / 'extract'
GOOD = (FIXTURES / 'generic_unknown_cms.html').read_bytes()
URL = 'http://songmay.dongnai.test/tin-tuc/bai-1.html'
TAGS = ['<p>', '</p>', '<div class="content">', '</div>', '<br>', '<img data-src="a.jpg">', '<a href="x.pdf">',
        '</a>', '<h1>', '</h1>', '<script>', '</script>', '<table><tr><td>', '<!--', '-->', '<?xml version="1.0"?>',
        '<meta charset="windows-1258">', '&#7913;', '&amp;', '\x00', 'Ngày 14/03/2019 15:41', 'Tác giả: Ai Đó', './.']


def check(article):
    assert isinstance(article, Article)
    assert article.url == URL and article.canonical
    assert isinstance(article.body, str) and isinstance(article.images, list)
    article.to_dict()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=4000))
def test_random_bytes(data):
    check(extract(data, URL, {'Content-Type': 'text/html; charset=utf-8'}))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(TAGS), st.text(max_size=40)), max_size=80))
def test_random_tag_soup(parts):
    check(extract(''.join(parts).encode('utf-8', 'surrogatepass'), URL, [('content-type', 'text/html')]))


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=0, max_value=len(GOOD)))
def test_every_truncation_of_a_real_page(cut):
    check(extract(GOOD[:cut], URL, None))


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
