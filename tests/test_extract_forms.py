"""Date, account and byline forms seen on real portals, one line each."""
import pytest

from portal_crawler.extract import authors, dates, extract


@pytest.mark.parametrize('line, value', [
    ('Gửi bởi admin vào Thứ bảy, 04/11/2017 - 16:35', '2017-11-04T16:35:00+07:00'),
    ('10:25 SA, Thứ năm, 14/03/2019', '2019-03-14T10:25:00+07:00'),
    ('03:41 CH, Chủ nhật, 17/03/2019', '2019-03-17T15:41:00+07:00'),
    ('Ngày đăng: 14/03/2019 03:41 PM | View count: 1396', '2019-03-14T15:41:00+07:00'),
    ('Posted on: 08:36 AM 24/10/2022 | By ctv47 | View count: 67', '2022-10-24T08:36:00+07:00'),
    ('Posted on 27 - 02 - 2021 15:15', '2021-02-27T15:15:00+07:00'),
    ('11 - 11 - 2023', '2023-11-11'),
    ('ngày 27 tháng 02 năm 2021', '2021-02-27'),
    ('Ngày xuất bản: 09 - 09 - 2017 12:00 AM Người đăng: Phó Ban biên tập', '2017-09-09'),
    ('Cập nhật: 05/12/2013 00:00', '2013-12-05'),
    ('21:27 27/06/2020', '2020-06-27T21:27:00+07:00'),
])
def test_date_lines(line, value):
    assert dates.date_line(line) == value


@pytest.mark.parametrize('line', ['Sáng ngày 26/6/2020, UBND xã tổ chức hội nghị tổng kết công tác năm',
                                  'Trong hai ngày 04 và 5/5/2021, đoàn công tác đã kiểm tra tại các thôn'])
def test_dates_inside_sentences_are_events(line):
    assert dates.date_line(line) is None


@pytest.mark.parametrize('value', ['admin', 'Ad Min', 'bientap07', 'ctv47', 'thuynguyen_tt', 'Phó Ban biên tập',
                                   'Super User', 'Quản trị viên'])
def test_accounts_are_not_authors(value):
    assert authors.is_account(value)
    assert authors.labelled(f'Người đăng: {value}') is None and authors.lone_name(value) is None


@pytest.mark.parametrize('line', ['Theo Báo Nhân Dân', 'Theo baotintuc.vn', 'Nguồn: Đài PT-TH tỉnh'])
def test_source_credits_are_not_authors(line):
    assert authors.is_source(line) and authors.lone_name(line) is None


def _page(tail: str, meta: str = '') -> bytes:
    paragraphs = ''.join(f'<p>Đoạn văn thứ {i} của bài viết kể về hoạt động của xã, với nhiều chi tiết, '
                         f'số liệu và ý kiến của người dân địa phương.</p>' for i in range(4))
    return (f'<html><head><title>Tiêu đề bài viết về xã</title></head><body><div class="menu"><a href="/">Trang chủ</a></div>'
            f'<div class="detail"><h1>Tiêu đề bài viết về xã</h1>{meta}<div class="content">{paragraphs}{tail}</div></div>'
            f'</body></html>').encode()


URL = 'http://xa.test/tin-tuc/bai-1.html'


def test_byline_wins_over_the_account_and_the_unit_line_leaves_the_body():
    art = extract(_page('<p align="right"><b>Nguyễn Thu Hà</b></p><p align="right"><i>Đài Truyền thanh xã</i></p>',
                        '<div class="info">admin | Lượt xem: 1396 | <a href="#">In bài</a> | <a href="#">Quay lại</a></div>'),
                  URL)
    assert art.author == 'Nguyễn Thu Hà'
    assert 'Đài Truyền thanh' not in art.body and 'admin' not in art.body and 'Lượt xem' not in art.body


def test_rdfa_date_when_the_page_prints_none():
    art = extract(_page('', '<span property="dc:date dc:created" content="2017-11-04T16:35:00+07:00"></span>'), URL)
    assert art.published == '2017-11-04T16:35:00+07:00'


def test_a_lead_repeated_by_the_body_comes_once():
    lead = 'Chiều 2/4, xã tổ chức giao ban đánh giá kết quả quý I và triển khai nhiệm vụ quý II năm 2020.'
    art = extract(_page('', f'<div class="sapo"><b>{lead}</b></div><p>{lead}</p>'), URL)
    assert art.body.startswith(lead) and art.body.count(lead) == 1


@pytest.mark.parametrize('meta', [
    '<div class="date">Ngày đăng: 14/03/2019 | 03:41 PM | View count: 1396</div>',
    '<div class="date"><span>Ngày đăng:</span><br>14/03/2019<br>03:41 PM</div>',
    '<div class="date">03:41 PM<br>14/03/2019</div>',
    '<table><tr><td>Ngày đăng</td><td>14/03/2019</td><td>15:41</td></tr></table>',
])
def test_a_time_in_the_next_segment_or_line_belongs_to_the_date(meta):
    art = extract(_page('', meta), URL)
    assert art.published == '2019-03-14T15:41:00+07:00'
    assert art.body.startswith('Đoạn văn thứ 0')          # label and time lines are not body


@pytest.mark.parametrize('line, name', [('Trần Quốc Khánh, Ban Tuyên giáo Tỉnh ủy', 'Trần Quốc Khánh'),
                                        ('Lê Ngọc Tuấn - Trung tâm Văn hóa - Thông tin huyện', 'Lê Ngọc Tuấn')])
def test_a_name_followed_by_its_office(line, name):
    assert authors.lone_name(line) == name


@pytest.mark.parametrize('line, value', [('Posted on February 27, 2021 3:15 PM', '2021-02-27T15:15:00+07:00'),
                                         ('27 Tháng 2 2021 15:15', '2021-02-27T15:15:00+07:00'),
                                         ('Published: 27 Feb 2021', '2021-02-27')])
def test_month_words(line, value):
    assert dates.date_line(line) == value


def test_a_person_in_the_posters_slot_is_the_author_only_when_nobody_signs():
    poster = '<div class="info">Đăng bởi Nguyễn Thu Hà</div>'
    assert extract(_page('', poster), URL).author == 'Nguyễn Thu Hà'
    art = extract(_page('<p>Tin, ảnh: Lê Văn Nam</p>', poster), URL)
    assert art.author == 'Lê Văn Nam' and 'Đăng bởi' not in art.body


def test_two_people_signed_and_a_person_with_an_office():
    assert authors.labelled('Tác giả: Nguyễn Thu Hà, Lê Văn Nam') == 'Nguyễn Thu Hà, Lê Văn Nam'
    assert authors.labelled('Tác giả: Nguyễn Thu Hà, Trung tâm Văn hóa huyện') == 'Nguyễn Thu Hà'


def test_date_candidates_carry_their_evidence_and_one_rule_chooses():
    page = _page('', '<span property="dc:date" content="2017-11-04"></span>'
                     '<div class="submitted">Gửi bởi admin vào Thứ bảy, 04/11/2017 - 16:35</div>')
    trace = {}
    art = extract(page, URL, trace=trace)
    found = {c.source: c for c in trace['dates']}
    assert found['machine'].evidence == ('rdfa',) and found['shown'].evidence == ('in block', 'after title')
    assert art.published == '2017-11-04T16:35:00+07:00'         # the machine day, the time as shown
    assert dates.choose([dates.Candidate('2019-01-02', 'shown'), dates.Candidate('2019-01-03', 'template')]) == \
        '2019-01-03'
