"""CMS families are data: detected from the page, and a new family needs only a TOML file."""
from pathlib import Path

import pytest

from portal_crawler.extract import extract, rules

FIXTURES = Path(__file__).parent / 'fixtures' / 'extract'

NEW_FAMILY = '''
name = "vportal"
[detect]
selectors = ["div.vp-article", "div.vp-article-body"]
patterns = ['vportal-theme']
min_markers = 2
[select]
article = ["div.vp-article-body"]
container = ["div.vp-article"]
title = ["div.vp-article .vp-headline"]
date = ["div.vp-article .vp-when"]
author = ["div.vp-article .vp-by"]
body = ["div.vp-article .vp-lead", "div.vp-article-body"]
remove = ["div.vp-toolbar"]
[canonical]
patterns = ['data-permalink="([^"]+)"']
'''

# A layout whose title is not a heading and whose date has no label: the generic path alone
# would miss both; the family file says where they are.
PAGE = '''<html><head><meta charset="utf-8"><title>Cổng TTĐT</title>
<link rel="stylesheet" href="/vportal-theme/main.css"></head><body>
<div class="vp-article" data-permalink="/tin/cau-moi-thong-xe-12.html">
<span class="vp-headline">Cầu Mới chính thức thông xe</span>
<span class="vp-when">Cập nhật: 09/10/2024 - 08:15</span>
<div class="vp-toolbar"><a href="#">A+</a> <a href="#">A-</a> In bài</div>
<div class="vp-lead">Sáng 9/10, huyện tổ chức lễ thông xe cầu Mới bắc qua sông Lam.</div>
<div class="vp-article-body"><p>Cầu dài 320 m, rộng 12 m, tổng mức đầu tư 180 tỷ đồng từ ngân sách tỉnh và huyện.</p>
<p>Công trình rút ngắn 15 km đường đi giữa hai bờ, thuận lợi cho giao thương của nhân dân.</p></div>
<div class="vp-by">Tác giả: Hoàng Mai</div>
</div></body></html>'''.encode('utf-8')


@pytest.fixture()
def family_dir(tmp_path):
    (tmp_path / 'vportal.toml').write_text(NEW_FAMILY, encoding='utf-8')
    return tmp_path


def test_bundled_families_load_and_name_themselves():
    names = {f.name for f in rules.load_families()}
    assert {'thportal', 'liferay', 'sharepoint', 'phpcms'} <= names


def test_a_family_added_as_data_is_detected_and_used(family_dir):
    families = rules.load_families(str(family_dir))
    art = extract(PAGE, 'http://tanky.nghean.test/tin/cau-moi-thong-xe-12.html?print=1', {}, families=families)
    assert art.family == 'vportal'
    assert art.title == 'Cầu Mới chính thức thông xe'
    assert art.published == '2024-10-09T08:15:00+07:00'
    assert art.author == 'Hoàng Mai'
    assert art.body.split('\n\n') == [
        'Sáng 9/10, huyện tổ chức lễ thông xe cầu Mới bắc qua sông Lam.',
        'Cầu dài 320 m, rộng 12 m, tổng mức đầu tư 180 tỷ đồng từ ngân sách tỉnh và huyện.',
        'Công trình rút ngắn 15 km đường đi giữa hai bờ, thuận lợi cho giao thương của nhân dân.']
    assert art.canonical == 'http://tanky.nghean.test/tin/cau-moi-thong-xe-12.html'


def test_family_is_detected_from_the_page_not_the_host(family_dir):
    families = rules.load_families(str(family_dir))
    unknown = (FIXTURES / 'generic_unknown_cms.html').read_bytes()
    assert extract(unknown, 'http://tanky.nghean.test/tin/x-1.html', {}, families=families).family is None
    assert extract(PAGE, 'http://any-other-host.test/a.html', {}, families=families).family == 'vportal'


def test_a_bad_selector_fails_when_the_family_loads(tmp_path):
    (tmp_path / 'broken.toml').write_text('name = "broken"\n[select]\ntitle = ["div[[["]\n', encoding='utf-8')
    with pytest.raises(ValueError, match='bad CSS selector'):
        rules.load_families(str(tmp_path))
