"""Dates, bylines, encodings and canonical URLs, one form at a time."""
import pytest

from portal_crawler.extract import authors, canonical, dates, encoding
from portal_crawler.extract.meta import PageMeta


@pytest.mark.parametrize('line,expected', [
    ('Ngày 04/08/2020 17:29:33', '2020-08-04T17:29:33+07:00'),
    ('21:27 27/06/2020', '2020-06-27T21:27:00+07:00'),
    ('23/12/2025 20:46:00 - Đã xem: 50', '2025-12-23T20:46:00+07:00'),
    ('26/04/2024 02:37:30 PM', '2024-04-26T14:37:30+07:00'),
    ('Ngày đăng: 08/07/2024 11:38', '2024-07-08T11:38:00+07:00'),
    ('Gửi lúc: 05/12/2013 15:42:27', '2013-12-05T15:42:27+07:00'),
    ('Đăng lúc: 14/03/2019 15:41:05 (GMT+7)', '2019-03-14T15:41:05+07:00'),
    ('Thứ Năm, 14/03/2019 - 15:41', '2019-03-14T15:41:00+07:00'),
    ('Cập nhật ngày: 14-03-2019', '2019-03-14'),
    ('04/08/2020', '2020-08-04'),                      # day first, never 8 April
])
def test_date_lines(line, expected):
    assert dates.date_line(line) == expected


@pytest.mark.parametrize('sentence', [
    'Sáng ngày 26 tháng 6 năm 2020, UBND huyện tổ chức hội nghị tổng kết',
    'Ngày 14/3/2019, Ban chỉ đạo thực hiện Chương trình mục tiêu Quốc gia xây dựng NTM huyện',
    'Trong hai ngày 04 và 5/5/2021, nhân dân đã hiến hơn 2.000 m² đất',
    '31/02/2020', 'Số 12/2020/QĐ-UBND',
])
def test_event_dates_in_sentences_are_not_date_lines(sentence):
    assert dates.date_line(sentence) is None


def test_machine_dates_are_moved_to_vietnam_time():
    assert dates.parse_iso('2019-03-14T08:41:05Z') == '2019-03-14T15:41:05+07:00'
    assert dates.parse_iso('2019-03-14') == '2019-03-14'
    assert dates.parse_iso('not a date') is None


@pytest.mark.parametrize('line,name', [
    ('Tác giả: Nông Linh', 'Nông Linh'), ('Tin, ảnh: Minh Hòa', 'Minh Hòa'),
    ('Người viết: Thị Dũng', 'Thị Dũng'), ('CTV: Thanh Nguyên (Trung tâm VH-TT-TT Sơn Dương)', 'Thanh Nguyên'),
])
def test_labelled_bylines(line, name):
    assert authors.labelled(line) == name


@pytest.mark.parametrize('line,name', [
    ('Thùy Dung', 'Thùy Dung'), ('NN', 'NN'), ('PV', 'PV'), ('./. Sao Khuê', 'Sao Khuê'),
    ('Trần Quốc Khánh, Ban Tuyên giáo Tỉnh ủy', 'Trần Quốc Khánh'), ('Lại Tuấn', 'Lại Tuấn'),
    ('Một số hình ảnh tại hội nghị.', None), ('UBND Huyện', None), ('Tin liên quan', None),
])
def test_lone_names(line, name):
    assert authors.lone_name(line) == name


def test_a_newspaper_source_is_not_a_byline():
    assert authors.is_source('Nguồn: Báo Bắc Giang') and authors.labelled('Nguồn: Báo Bắc Giang') is None


def test_valid_utf8_wins_over_a_wrong_header():
    body = '<html><body><p>Ủy ban nhân dân huyện</p></body></html>'.encode('utf-8')
    text, enc = encoding.decode(body, [('Content-Type', 'text/html; charset=iso-8859-1')])
    assert enc == 'utf-8' and 'Ủy ban' in text


def test_windows_1258_named_only_in_the_header():
    body = b'Ho\xcca'                                     # o + combining grave, as cp1258 stores it
    text, enc = encoding.decode(body, {'content-type': 'text/html; charset=windows-1258'})
    assert (text, enc) == ('Hòa', 'windows-1258')


def test_undeclared_non_utf8_bytes_are_read_as_windows_1258():
    text, enc = encoding.decode('Thôn Đông'.encode('cp1258'), None)
    assert (text, enc) == ('Thôn Đông', 'windows-1258')


def test_canonical_prefers_link_then_strips_session_and_print_parameters():
    meta = PageMeta(canonical='/vi/news/tin-tuc/bai-10193.html')
    url = 'http://langgiang.bacgiang.test/vi/tin-tuc?id=10193'
    assert canonical.find(url, '', meta, []) == 'http://langgiang.bacgiang.test/vi/news/tin-tuc/bai-10193.html'
    bare = PageMeta()
    assert canonical.find('http://x.test/a/b.html;jsessionid=ABC?sid=1&print=1&id=3', '', bare, []) == \
        'http://x.test/a/b.html?id=3'


def test_canonical_from_case_alias_and_print_link():
    bare = PageMeta()
    alias = 'http://trieuson.thanhhoa.test/portal/pages/2019-3-14/hoi-nghi.aspx'
    links = ['/portal/Pages/2019-3-14/Hoi-nghi.aspx']
    assert canonical.find(alias, '', bare, links) == 'http://trieuson.thanhhoa.test/portal/Pages/2019-3-14/Hoi-nghi.aspx'
    short = 'http://camxuyen.hatinh.test/Pages/ra-mat-mo-hinh.aspx'
    links = ['/kinh-te/Pages/ra-mat-mo-hinh.aspx?print=1']
    assert canonical.find(short, '', bare, links) == 'http://camxuyen.hatinh.test/kinh-te/Pages/ra-mat-mo-hinh.aspx'
    assert canonical.find('http://other.test/x', '', PageMeta(canonical='http://elsewhere.test/y'), []) == \
        'http://other.test/x'                                  # another host is never canonical


def test_login_names_are_not_authors_and_their_lines_leave_the_body():
    assert authors.labelled('Người đăng: admin') is None and authors.is_byline('Người đăng: admin')
    assert authors.poster('Đăng bởi: Nguyễn Văn Tú') == 'Nguyễn Văn Tú'     # the poster's slot: weaker than a byline


def test_caption_under_a_group_of_images_applies_to_each_and_a_trailing_name_is_the_author():
    from portal_crawler.extract import extract
    html = '''<html><head><meta charset="utf-8"><title>Hội nghị tổng kết năm</title></head><body>
    <div class="noidung"><h1>Hội nghị tổng kết năm</h1><p>Ngày 20/12/2023 10:05</p>
    <p>Sáng nay, huyện tổ chức hội nghị tổng kết công tác năm 2023 với sự tham dự của 200 đại biểu.</p>
    <p style="text-align:center"><img src="/anh/1.jpg"></p><p style="text-align:center"><img src="/anh/2.jpg"></p>
    <p style="text-align:center"><em>Một số hình ảnh tại hội nghị.</em></p>
    <p>Hội nghị đã biểu dương 30 tập thể và 45 cá nhân có thành tích xuất sắc trong năm qua./. Thanh Hà</p>
    </div></body></html>'''.encode('utf-8')
    art = extract(html, 'http://a.test/tin/1.html', {})
    assert [(i.src, i.caption) for i in art.images] == [('http://a.test/anh/1.jpg', 'Một số hình ảnh tại hội nghị.'),
                                                      ('http://a.test/anh/2.jpg', 'Một số hình ảnh tại hội nghị.')]
    assert art.author == 'Thanh Hà' and art.body.endswith('trong năm qua./.')
    assert 'Một số hình ảnh' not in art.body


def test_vietnamese_am_pm_and_sources_without_a_colon():
    assert dates.date_line('14/03/2019 3:41 CH') == '2019-03-14T15:41:00+07:00'
    assert dates.date_line('Cập nhật: 14/03/2019 08:05 SA') == '2019-03-14T08:05:00+07:00'
    assert authors.is_source('Theo Báo Tuyên Quang') and not authors.is_source('Theo kế hoạch, đến hết năm 2024')


def test_a_metadata_line_with_bars_gives_date_and_byline_and_leaves_the_body():
    from portal_crawler.extract import extract
    html = '''<html><head><meta charset="utf-8"><title>Hội thi nhà nông đua tài</title></head><body><div>
    <h1>Hội thi nhà nông đua tài</h1><p>Ngày 14/03/2019 15:41 | Tác giả: Hoàng Mai | Lượt xem: 120</p>
    <p>Sáng 13/3, Hội Nông dân huyện tổ chức Hội thi nhà nông đua tài năm 2019 với 12 đội thi đến từ các xã.</p>
    <p>Các đội thi tài qua ba phần thi: chào hỏi, kiến thức và năng khiếu, mang lại nhiều tiếng cười.</p>
    <p>Theo Báo Tuyên Quang</p></div></body></html>'''.encode('utf-8')
    art = extract(html, 'http://a.test/tin/hoi-thi-1.html', {})
    assert (art.published, art.author) == ('2019-03-14T15:41:00+07:00', 'Hoàng Mai')
    assert art.body.count('\n\n') == 1 and 'Lượt xem' not in art.body and 'Tuyên Quang' not in art.body
