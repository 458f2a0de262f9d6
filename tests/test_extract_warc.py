"""WARC in, JSON lines out: real warcio records, gzip Content-Encoding undone."""
import gzip
import io
import json
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from portal_crawler.extract.warc_extract import extract_html, extract_warc

FIXTURES = Path(__file__).parent / 'fixtures' / 'extract'
ARTICLE_URL = 'http://songmay.dongnai.test/tin-tuc/hoi-nghi-dan-van-2023-80.html'


def write_response(writer, url, body, ctype='text/html; charset=utf-8', gzip_it=False, status='200 OK'):
    headers = [('Content-Type', ctype)]
    if gzip_it:
        body = gzip.compress(body)
        headers.append(('Content-Encoding', 'gzip'))
    headers.append(('Content-Length', str(len(body))))
    record = writer.create_warc_record(url, 'response', payload=io.BytesIO(body),
                                       http_headers=StatusAndHeaders(status, headers, protocol='HTTP/1.1'))
    writer.write_record(record)


def test_extract_warc_writes_one_line_per_article(tmp_path):
    path = tmp_path / 'crawl.warc.gz'
    with open(path, 'wb') as f:
        writer = WARCWriter(f, gzip=True, warc_version='1.1')
        write_response(writer, ARTICLE_URL, (FIXTURES / 'generic_unknown_cms.html').read_bytes(), gzip_it=True)
        write_response(writer, 'http://songmay.dongnai.test/tin-tuc/', (FIXTURES / 'listing.html').read_bytes())
        write_response(writer, 'http://songmay.dongnai.test/logo.png', b'\x89PNG....', ctype='image/png')
        write_response(writer, 'http://songmay.dongnai.test/missing', b'<h1>404</h1>', status='404 Not Found')
        write_response(writer, 'http://songmay.dongnai.test/tin/cp-81.html',
                       (FIXTURES / 'cp1258_meta.html').read_bytes(), ctype='text/html; charset=utf-8')
    out = io.StringIO()
    assert extract_warc(path, out) == 2
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [r['url'] for r in rows] == [ARTICLE_URL, 'http://songmay.dongnai.test/tin/cp-81.html']
    first = rows[0]
    assert first['title'].startswith('Huyện Sông Mây') and first['author'] == 'Nông Linh'
    assert set(first) >= {'url', 'canonical', 'title', 'published', 'author', 'body', 'images', 'attachments'}
    assert rows[1]['encoding'] == 'windows-1258' and 'Hòa Bình' in rows[1]['title']


def test_extract_html_on_one_saved_page():
    row = extract_html(FIXTURES / 'print_view.html',
                       'http://songmay.dongnai.test/in-bai-viet/phat-dong-thang-hanh-dong-vi-tre-em-nam-2024-88.html')
    assert row['canonical'].endswith('/tin-tuc/phat-dong-thang-hanh-dong-vi-tre-em-nam-2024-88.html')
    assert row['is_article'] is True


def test_a_damaged_warc_stops_without_raising(tmp_path):
    path = tmp_path / 'broken.warc.gz'
    path.write_bytes(b'WARC/1.1\r\nnot really a warc' + bytes(range(256)))
    out = io.StringIO()
    assert extract_warc(path, out) == 0
