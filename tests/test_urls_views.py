"""Print views and alias keys: the other URLs of one article."""
import pytest

from portal_crawler.scope import alias_key, print_view_of


@pytest.mark.parametrize("url, rule, target", [
    ("http://c.test/kinh-te/Pages/slug.aspx?print=1", "query-print",
     "http://c.test/kinh-te/Pages/slug.aspx"),
    ("http://c.test/Pages/slug.aspx?ID=3&Print=true", "query-print", "http://c.test/Pages/slug.aspx?ID=3"),
    ("http://c.test/vi/news/x-1.html?p_p_state=pop_up", "query-view-print", "http://c.test/vi/news/x-1.html"),
    ("http://d.test/Default.aspx?tabid=55&dnnprintmode=true&mid=1", "query-print",
     "http://d.test/Default.aspx?mid=1&tabid=55"),
    ("http://h.test/in-bai-viet/trao-252-suat-hoc-bong-191.html", "nukeviet-in-bai-viet",
     "http://h.test/trao-252-suat-hoc-bong-191.html"),
    ("http://h.test/news/print/slug-44.html", "nukeviet-print", "http://h.test/news/slug-44.html"),
    ("http://t.test/portal/pages/print.aspx?p=7372", "sharepoint-print-aspx", None),
    ("http://t.test/bm/print/6813", "bm-print", None),
])
def test_print_views(url, rule, target):
    view = print_view_of(url)
    assert view is not None and view.rule == rule and view.target == target


@pytest.mark.parametrize("url", [
    "http://c.test/kinh-te/Pages/slug.aspx",
    "http://c.test/print-shop/slug-12.html",
    "http://c.test/x?print=0",
    "http://c.test/printers.aspx",
    "mailto:a@c.test",
    "",
])
def test_not_print_views(url):
    assert print_view_of(url) is None


def test_alias_forms_share_a_key():
    liferay = ["http://l.test/vi/news/tin-tuc-su-kien/ky-niem-75-nam-10193.html",
               "http://l.test/vi/tin-tuc-su-kien?id=10193",
               "http://l.test/vi/tin-tuc-su-kien;jsessionid=ABC?id=10193"]
    assert {alias_key(u) for u in liferay} == {"l.test|id:10193"}
    nukeviet = ["http://h.test/van-hoa-xa-hoi/trao-252-suat-191.html",
                "http://h.test/trao-252-suat-191.html",
                "http://h.test/in-bai-viet/trao-252-suat-191.html",
                "http://h.test/trao-252-suat-191.html?sid=zz"]
    assert {alias_key(u) for u in nukeviet} == {"h.test|id:191"}
    sharepoint = ["http://c.test/van-ban/Pages/chi-thi-so-14.aspx",
                  "http://c.test/Pages/chi-thi-so-14.aspx",
                  "http://c.test/van-ban/Pages/chi-thi-so-14.aspx?print=1"]
    assert len({alias_key(u) for u in sharepoint}) == 1


def test_case_insensitive_alias():
    upper = "http://t.test/portal/Pages/2023-10-14/Hoi-nghi-xuc-tien.aspx"
    lower = "http://t.test/portal/pages/2023-10-14/hoi-nghi-xuc-tien.aspx"
    assert alias_key(upper, case_insensitive_paths=True) == alias_key(lower, case_insensitive_paths=True)


def test_different_articles_keep_different_keys():
    assert alias_key("http://h.test/a-191.html") != alias_key("http://h.test/a-192.html")
    assert alias_key("http://h.test/a-191.html") != alias_key("http://other.test/a-191.html")
    # same slug, different date folder: two articles on thportal sites
    assert alias_key("http://t.test/portal/Pages/2019-3-14/Slug.aspx") != \
        alias_key("http://t.test/portal/Pages/2020-3-14/Slug.aspx")
    # listings of different subsites are not aliases of each other
    assert alias_key("http://c.test/tin-tuc/Pages/default.aspx") != \
        alias_key("http://c.test/van-ban/Pages/default.aspx")
    # ?id= with other parameters is another view, not the article
    assert alias_key("http://l.test/vi/x?id=5&p_p_id=9") == "http://l.test/vi/x?id=5&p_p_id=9"


def test_unknown_forms_fall_back_to_canonical_url():
    assert alias_key("HTTP://X.test/TinTuc/View/Slug#c") == "http://x.test/TinTuc/View/Slug"
    assert alias_key("not a url") == "not a url"


def test_policy_helpers_apply_the_site_case_rule():
    from portal_crawler.scope import ScopePolicy
    policy = ScopePolicy.from_profile({"hosts": ["c.test"], "case_insensitive": True})
    view = policy.print_view_of("http://c.test/Tin-Tuc/Pages/Slug.aspx?Print=1")
    assert view.target == "http://c.test/tin-tuc/pages/slug.aspx"
    assert policy.alias_key("http://c.test/Tin-Tuc/Pages/Slug.aspx") == \
        policy.alias_key("http://c.test/pages/slug.aspx?print=1")


def test_alias_key_reads_vietnamese_slugs():
    assert alias_key("http://h.test/tin-tức/hội-nghị-191.html") == \
        alias_key("http://h.test/h%E1%BB%99i-ngh%E1%BB%8B-191.html") == "h.test|id:191"


def test_dotnetnuke_forms():
    article = {alias_key("http://d.test/tabid/55/ctl/ArticleView/mid/1/articleId/123/Default.aspx"),
               alias_key("http://d.test/Default.aspx?tabid=55&ctl=ArticleView&mid=1&articleId=123"),
               alias_key("http://d.test/Tin-tuc/tabid/55/ctl/ArticleView/mid/1/articleId/123/Slug.aspx")}
    assert article == {"d.test|dnn-article:123"}
    assert alias_key("http://d.test/Default.aspx?tabid=1689") == \
        alias_key("http://d.test/Trang-chu/tabid/1689/Default.aspx") == "d.test|dnn-tab:1689"
    assert alias_key("http://d.test/Default.aspx?tabid=1689&ctl=x") != "d.test|dnn-tab:1689"
    # a slug that starts with a number is not an id: no shared key between these two
    assert alias_key("http://j.test/tin-tuc/20-11-ngay-nha-giao.html") != \
        alias_key("http://j.test/tin-tuc/20-nam-thanh-lap.html")


def test_trailing_numbers_that_are_not_ids():
    # a year or a short number ending a slug is part of the title, not an article id
    assert alias_key("http://l.test/tin-tuc/hoi-nghi-tong-ket-nam-2023.html") == \
        "http://l.test/tin-tuc/hoi-nghi-tong-ket-nam-2023.html"
    assert alias_key("http://l.test/tin-tuc/dai-hoi-lan-thu-24.html") == \
        "http://l.test/tin-tuc/dai-hoi-lan-thu-24.html"
    assert alias_key("http://l.test/tin-tuc/dai-hoi-nam-2023-10211.html") == "l.test|id:10211"
