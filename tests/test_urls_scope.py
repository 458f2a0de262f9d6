"""ScopePolicy.in_scope / classify over the URL shapes of real portals and the four CMS families."""
import dataclasses
import re

import pytest

from portal_crawler.scope import ScopePolicy, classify, load_rules, site_hosts

CAMXUYEN = ScopePolicy.from_profile({"id": "camxuyen", "hosts": ["camxuyen.hatinh.test"]})


def test_hosts_include_www_twins_and_aliases():
    policy = ScopePolicy.from_profile({"host": "www.Longha.Dongnai.test",
                                       "aliases": ["longha.test"],
                                       "start_urls": ["http://portal.longha.test/"]})
    assert policy.hosts == {"www.longha.dongnai.test", "longha.dongnai.test", "longha.test",
                            "www.longha.test", "portal.longha.test", "www.portal.longha.test"}
    assert site_hosts(["http://A.test:8080/x"]) == {"a.test", "www.a.test"}


def test_profile_may_be_an_object_with_attributes():
    @dataclasses.dataclass
    class Profile:
        hosts: list
        case_insensitive: bool = True
    policy = ScopePolicy.from_profile(Profile(hosts=["trieuson.thanhhoa.test"]))
    assert policy.case_insensitive_paths
    assert policy.canonicalize("http://trieuson.thanhhoa.test/Portal/Pages/A.aspx") == \
        "http://trieuson.thanhhoa.test/portal/pages/a.aspx"


def test_for_start_url_and_copies():
    policy = ScopePolicy.for_start_url("http://haihau.namdinh.test/")
    assert policy.in_scope("https://www.haihau.namdinh.test/x.html")
    assert not policy.in_scope("http://namdinh.test/")
    wider = policy.with_hosts("haihau.test")
    assert wider.in_scope("http://haihau.test/") and not policy.in_scope("http://haihau.test/")
    assert policy.with_case_insensitive_paths().case_insensitive_paths
    assert not policy.case_insensitive_paths  # frozen: copies, not mutation


@pytest.mark.parametrize("url, expected", [
    ("http://camxuyen.hatinh.test/tin-tuc/Pages/default.aspx?PageIndex=2", True),
    ("https://camxuyen.hatinh.test/Pages/a.aspx", True),
    ("http://www.camxuyen.hatinh.test/Pages/a.aspx", True),
    ("http://CAMXUYEN.hatinh.test:8080/Pages/a.aspx", True),
    ("http://hatinh.test/", False),                     # the province, another site
    ("http://xacamson.camxuyen.hatinh.test/", False),   # a commune portal below it
    ("http://camxuyen.hatinh.test.evil.test/", False),
    ("http://dichvucong.gov.test/", False),
    ("http://www.facebook.test/sharer/sharer.php?u=http%3A%2F%2Fcamxuyen.hatinh.test%2F", False),
    ("http://camxuyen.hatinh.test/share.php?url=x", False),
    ("mailto:ubndcamxuyen@hatinh.test", False),
    ("tel:0393861234", False),
    ("javascript:__doPostBack('a','')", False),
    ("ftp://camxuyen.hatinh.test/x.pdf", False),
    ("", False),
    ("http://[::1", False),
])
def test_in_scope(url, expected):
    assert CAMXUYEN.in_scope(url) is expected


def test_requisites_from_listed_hosts_only():
    policy = ScopePolicy.from_profile({"hosts": ["a.test"], "requisite_hosts": ["cdn.tinh.test"]})
    assert policy.allows_requisite("http://cdn.tinh.test/img/logo.png")
    assert policy.allows_requisite("http://cdn.tinh.test/files/QD-12.pdf")
    assert not policy.allows_requisite("http://cdn.tinh.test/news/page.html")
    assert not policy.allows_requisite("http://other.test/logo.png")
    assert not policy.in_scope("http://cdn.tinh.test/img/logo.png")


@pytest.mark.parametrize("url, kind", [
    # pages, including real shapes from district portals
    ("http://thoxuan.thanhhoa.test/portal/pages/2023-01-30/Slug-468686.aspx", "page"),
    ("http://a.test/web/trang-chu/tin-tuc-su-kien/cat/slug.html", "page"),
    ("http://a.test/vi/news/cat/slug-5542.html", "page"),
    ("http://a.test/huongson/portal/read/cat/news/slug.html", "page"),
    ("http://a.test/webcenter/portal/site/pages_tin-tuc/chi-tiet-tin?dDocName=PORTAL484982", "page"),
    ("http://a.test/TinTuc/View/Slug", "page"),
    ("http://a.test/Pages/a.aspx?print=1", "page"),
    ("http://a.test/tin-tuc-su-kien/trang-2.html", "page"),
    ("http://a.test/vi/tin-tuc-su-kien?p_p_id=101_INSTANCE_Tu&p_p_lifecycle=0&_101_INSTANCE_Tu_delta=10"
     "&_101_INSTANCE_Tu_keywords=&_101_INSTANCE_Tu_cur=2", "page"),
    ("http://a.test/portal/Pages/2019-3-14/", "trap"),   # a bare date folder is an archive
    ("http://a.test/sitemap.xml", "page"),
    ("http://a.test/sitemap-pages.xml.gz", "page"),
    # documents, also with the extension mid-path or none at all
    ("http://a.test/portal/Uploads/VanBan/2024/12/KH-727-UBND.pdf", "document"),
    ("http://a.test/van-ban/Documents/2024/QD-708-UBND.XLS", "document"),
    ("http://a.test/uploads/news/2024_12/cv-130-ubnd.docx", "document"),
    ("http://a.test/files/Bieu%20mau.rar", "document"),
    ("http://a.test/documents/20182/100000/QD-330-UBND.docx/ff6ab4a3-0440-f09b-ae31-e84296713ea9",
     "document"),
    ("http://a.test/documents/10181/0/KH%2045.pdf/9f2c1a7e-0000?t=1", "document"),
    ("http://a.test/LinkClick.aspx?fileticket=abc%3d&tabid=55", "document"),
    ("http://a.test/c/document_library/get_file?uuid=1&groupId=2", "document"),
    # assets
    ("http://a.test/portal/Uploads/Images/2019/3/14/CIMG2389.JPG", "asset"),
    ("http://a.test/Style%20Library/camxuyen/css/main.css", "asset"),
    ("http://a.test/_layouts/15/init.js?rev=mdjx%3D%3D", "asset"),
    ("http://a.test/documents/20182/100000/banner-dvc.png", "asset"),
    ("http://a.test/documents/20182/0/anh.JPG/048d1a2b-0000", "asset"),
    ("http://a.test/image/layout_set_logo?img_id=123&t=1", "asset"),
    ("http://a.test/html/js/barebone.jsp?browserId=other&minifierType=js&b=6210", "asset"),
    ("http://a.test/WebResource.axd?d=abc&t=1", "asset"),
    ("http://a.test/favicon.ico", "asset"),
    # traps
    ("http://a.test/portal/Pages/Lich-cong-tac.aspx?date=2024-12-09", "trap"),
    ("http://a.test/lich-lam-viec/?ngay=09/12/2024", "trap"),
    ("http://a.test/vi/lich?_8_day=9&_8_month=11&_8_year=2024", "trap"),
    ("http://a.test/tim-kiem/?q=n%C3%B4ng+th%C3%B4n", "trap"),
    ("http://a.test/search.aspx?keyword=abc", "trap"),
    ("http://a.test/tin-tuc?keyword=ubnd", "trap"),
    ("http://a.test/tin-tuc/2019/03/", "trap"),
    ("http://a.test/2019/03/14/", "trap"),
    ("http://a.test/archive/2019-03", "trap"),
    ("http://a.test/van-ban?sort=ngay&order=desc", "trap"),
    ("http://a.test/van-ban/export.aspx?id=1", "trap"),
    # skip
    ("http://a.test/admin/", "skip"),
    ("http://a.test/admin/login.aspx", "skip"),
    ("http://a.test/_layouts/15/Authenticate.aspx?Source=%2F", "skip"),
    ("http://a.test/c/portal/logout", "skip"),
    ("http://a.test/dang-nhap.html", "skip"),
    ("http://a.test/web/guest/home?p_p_id=com_liferay_login_web_portlet_LoginPortlet&p_p_state=maximized", "skip"),
    ("http://a.test/Default.aspx?tabid=55&ctl=Login&returnurl=%2f", "skip"),
    ("http://a.test/Pages/a.aspx?ControlMode=Edit&DisplayMode=Design", "skip"),
    ("http://a.test/web/guest/home?p_p_id=101&p_p_lifecycle=1&_101_struts_action=vote", "skip"),
    ("http://a.test/_vti_bin/Lists.asmx", "skip"),
    ("http://a.test/tin-tuc/slug/?replytocom=12", "skip"),
    ("http://a.test/web/guest/home?p_p_id=5801_INSTANCE_x&p_p_lifecycle=0", "page"),
    ("http://a.test/Default.aspx?tabid=1689", "page"),
    ("http://a.test/noi-dung/-/cms-icbt/10180/bai-viet/223531", "page"),
    ("http://a.test/T/HUYEN-DIEN-BIEN-70-NAM?PageIndex=76", "page"),
    ("mailto:x@a.test", "skip"),
    ("javascript:void(0);", "skip"),
    ("tel:+84 20", "skip"),
    ("data:image/png;base64,AAAA", "skip"),
    ("not a url", "skip"),
])
def test_classify(url, kind):
    assert classify(url) == kind
    assert CAMXUYEN.classify(url) == kind


def test_empty_value_does_not_make_a_trap():
    assert classify("http://a.test/x?date=&page=2") == "page"
    assert classify("http://a.test/x?date=2019-01-01&page=2") == "trap"


def test_rules_are_data(tmp_path):
    """A site family's quirk is added in TOML, not code."""
    custom = tmp_path / "rules.toml"
    custom.write_text(
        '[classify]\nskip_schemes = ["mailto"]\nasset_extensions = ["png"]\n'
        '[[traps]]\nname = "tuan"\ncap = 1\nquery_names = \'^tuan$\'\n',
        encoding="utf-8")
    rules = load_rules(custom)
    assert classify("http://a.test/lich?tuan=23", rules) == "trap"
    assert classify("http://a.test/lich?date=2019-01-01", rules) == "page"
    assert classify("http://a.test/x.pdf", rules) == "page"  # no documents in this file


def test_profile_deny_and_trap_patterns():
    policy = ScopePolicy.from_profile({"hosts": ["a.test"], "deny_patterns": [r"/van-ban/tra-cuu"],
                                       "trap_patterns": [r"[?&]tuan=\d+"]})
    assert policy.classify("http://a.test/van-ban/tra-cuu?so=1") == "skip"
    assert policy.classify("http://a.test/lich-truc?tuan=12") == "trap"
    assert policy.trap_rule("http://a.test/lich-truc?tuan=12") == "site-trap"
    assert policy.trap_rule("http://a.test/x?date=2024-01-01") == "calendar"
    assert policy.trap_rule("http://a.test/x.html") is None
    assert policy.classify("http://a.test/x.html") == "page"
    with pytest.raises(re.error):
        ScopePolicy.from_profile({"hosts": ["a.test"], "trap_patterns": ["("]})


@pytest.mark.parametrize("text, message", [
    ("[[traps]]\nname = 'x'\npath = '('\n", "bad regex"),
    ("[[traps]]\ncap = 1\n", "malformed"),
    ("not = [toml", "not valid TOML"),
])
def test_bad_rules_files_fail_at_start_with_the_file_named(tmp_path, text, message):
    from portal_crawler.scope import RulesError
    path = tmp_path / "rules.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RulesError, match=message) as raised:
        load_rules(path)
    assert str(path) in str(raised.value)
    with pytest.raises(RulesError, match="cannot read"):
        load_rules(tmp_path / "missing.toml")


def test_profile_without_hosts_is_refused():
    with pytest.raises(ValueError, match="names no host"):
        ScopePolicy.from_profile({"id": "x", "hosts": []})
