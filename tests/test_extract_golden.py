"""Golden pages written by hand for the layouts and pitfalls in NOTES.md (not portalgen output)."""
from pathlib import Path

import pytest

from portal_crawler.extract import extract
from tests.support.extract_checks import parsed

FIXTURES = Path(__file__).parent / 'fixtures' / 'extract'
URL = 'http://songmay.dongnai.test/tin-tuc/phat-dong-thang-hanh-dong-88.html'
UTF8 = {'Content-Type': 'text/html; charset=utf-8'}


def page(name, url=URL, headers=UTF8, **kw):
    return parsed((FIXTURES / name).read_bytes(), url, headers, **kw)


def test_unknown_layout_gets_every_field_from_the_generic_path():
    art = page('generic_unknown_cms.html')
    assert art.family is None and art.is_article
    assert art.title == 'Huyện Sông Mây tổ chức hội nghị tổng kết công tác dân vận năm 2023'
    # the header shows today's date and the body opens with the event's date: neither is publication
    assert art.published == '2024-07-08T11:38:00+07:00'
    assert art.author == 'Nông Linh'                      # 'Tác giả:' stripped; 'Nguồn: Báo ...' ignored
    paragraphs = art.body.split('\n\n')
    assert len(paragraphs) == 4
    assert paragraphs[0].startswith('Sáng ngày 26 tháng 6 năm 2024')
    assert not any(word in art.body for word in ('Quang cảnh', 'Nguồn', 'Tác giả', 'Chia sẻ', 'Tin mới',
                                                  'Các tin khác', 'Cơ quan chủ quản', 'quảng cáo', 'đính kèm'))
    # lazy data-src beats the grey.gif placeholder and resolves against <base href>; the logo is chrome
    assert [(i.src, i.caption) for i in art.images] == [
        ('http://songmay.dongnai.test/tin-tuc/uploads/2024/07/hoi-nghi-dan-van.jpg', 'Quang cảnh hội nghị tổng kết.')]
    assert [(a.href, a.name) for a in art.attachments] == [
        ('http://songmay.dongnai.test/uploads/2024/07/BC-12-BDV.pdf', 'Báo cáo số 12-BC/BDV')]


def test_source_after_end_marker_is_not_an_author():
    art = page('end_marker_source.html')
    assert art.author is None
    assert art.published == '2020-06-27T21:27:00+07:00'      # '21:27 27/06/2020', time first
    assert 'Sao Khuê' not in art.body
    assert art.body.count('\n\n') == 2


def test_article_rendered_twice_and_sapo_repeat_come_out_once():
    art = page('lone_name_twice.html')
    assert art.author == 'Thùy Dung'                       # bold right-aligned lone name
    assert art.published == '2013-12-05T15:42:27+07:00'
    paragraphs = art.body.split('\n\n')
    assert len(paragraphs) == len(set(paragraphs)) == 3
    assert 'Thùy Dung' not in art.body and 'Tin liên quan' not in art.body


@pytest.mark.parametrize('name', ['cp1258_meta.html', 'nfd_utf8.html'])
def test_encodings_come_out_as_the_same_nfc_text(name):
    reference = page('end_marker_source.html')
    art = page(name)                                         # cp1258 page is sent with a wrong utf-8 header
    assert art.encoding == ('windows-1258' if 'cp1258' in name else 'utf-8')
    assert (art.title, art.body, art.published) == (reference.title, reference.body, reference.published)


def test_print_view_names_its_canonical_article():
    url = 'http://songmay.dongnai.test/in-bai-viet/phat-dong-thang-hanh-dong-vi-tre-em-nam-2024-88.html'
    art = page('print_view.html', url=url)
    assert art.canonical == 'http://songmay.dongnai.test/tin-tuc/phat-dong-thang-hanh-dong-vi-tre-em-nam-2024-88.html'
    assert art.author == 'Minh Hòa' and art.published == '2024-05-30T15:41:00+07:00'
    assert 'CỔNG THÔNG TIN' not in art.body and 'URL của bài viết' not in art.body and '©' not in art.body
    assert art.images == []                                  # the print header logo is chrome


@pytest.mark.parametrize('name,url', [('listing.html', 'http://songmay.dongnai.test/tin-tuc/'),
                                      ('admin_login.html', 'http://songmay.dongnai.test/admin/')])
def test_listing_and_admin_pages_are_not_articles(name, url):
    art = page(name, url=url)
    assert art.is_article is False
    # read, not given up on: the page's own title and language come out
    assert art.title == {'listing.html': 'Tin tức - Sự kiện', 'admin_login.html': 'Đăng nhập hệ thống'}[name]
    assert art.language == 'vi'


def test_rules_switch_gives_the_generic_result_on_unknown_layouts():
    assert page('generic_unknown_cms.html', use_rules=False).to_dict() == page('generic_unknown_cms.html').to_dict()


def test_joomla_style_page_with_a_site_wide_title_tag():
    art = page('joomla_like.html', url='http://sonduong.tuyenquang.test/tin-tuc/118-chuyen-doi-so.html')
    assert art.title == 'Sơn Dương triển khai kế hoạch chuyển đổi số năm 2019'   # <title> names only the site
    assert art.published == '2019-03-14T15:41:05+07:00'                        # <time itemprop=datePublished>
    assert art.author == 'Trần Quốc Khánh'                                      # name followed by an office
    assert [i.caption for i in art.images] == ['Các đại biểu dự hội nghị.']
    assert art.body.count('\n\n') == 2 and 'Lượt xem' not in art.body and 'Trước' not in art.body


def test_table_layout_with_br_paragraphs_and_linkclick_attachment():
    url = 'http://hamyen.tuyenquang.test/TinTuc/tabid/55/ArticleID/812/Default.aspx'
    art = page('dnn_table_like.html', url=url)
    assert art.is_article and art.title == 'Hội nghị sơ kết công tác 6 tháng đầu năm'
    assert art.published == '2024-07-09T08:15:00+07:00'               # 'Cập nhật lúc 08:15 ngày 09/07/2024'
    assert art.author == 'Thanh Nguyên'                                 # 'CTV: Thanh Nguyên (Trung tâm ...)'
    assert art.body.count('\n\n') == 3                                  # four <br> lines, no attachment line
    assert [a.name for a in art.attachments] == ['Báo cáo số 215/BC-UBND']
    assert 'Các tin khác' not in art.body and 'Đang online' not in art.body


def test_headline_in_a_div_and_initials_as_byline():
    url = 'http://huyen.test/webcenter/portal/huyen/pages_tin-tuc/chi-tiet-tin?dDocName=PORTAL484995'
    art = page('webcenter_like.html', url=url)
    assert art.title == 'Công an huyện ra quân bảo đảm trật tự an toàn giao thông dịp Tết'
    assert art.published == '2025-12-23T20:46:00+07:00' and art.author == 'NN'
    assert art.body.split('\n\n')[0].startswith('Thực hiện kế hoạch') and art.body.count('\n\n') == 2
    assert [i.caption for i in art.images] == ['Lễ ra quân bảo đảm trật tự an toàn giao thông.']


def test_related_headlines_inside_the_article_block_do_not_make_it_a_listing():
    related = ''.join(f'<h3><a href="/tin/{i}.html">Tin liên quan số {i} về công tác cải cách hành chính</a></h3>'
                      f'<p>({i:02d}/05/2024)</p>' for i in range(1, 7))
    html = f'''<html><head><meta charset="utf-8"><title>Huyện đẩy mạnh cải cách hành chính</title></head><body>
    <div><h1>Huyện đẩy mạnh cải cách hành chính</h1><p>Ngày đăng: 20/05/2024 09:30</p>
    <p>UBND huyện vừa ban hành kế hoạch đẩy mạnh cải cách hành chính năm 2024, tập trung vào thủ tục đất đai.</p>
    <p>Theo kế hoạch, 100% hồ sơ được tiếp nhận và trả kết quả qua bộ phận một cửa, không để tồn đọng quá hạn.</p>
    {related}</div></body></html>'''.encode('utf-8')
    art = extract(html, 'http://songmay.dongnai.test/tin/cai-cach-hanh-chinh-90.html', {})
    assert art.is_article and art.published == '2024-05-20T09:30:00+07:00'
    assert art.body.count('\n\n') == 1 and 'Tin liên quan' not in art.body
