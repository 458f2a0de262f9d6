"""postback_fallback_links: WebForms paging via the plain link, or the form to post."""
import lxml.html

from portal_crawler.scope import PostbackForm, postback_fallback_links

PAGE = """<html><head><title>Tin tức</title></head><body>
<form method="post" action="./default.aspx" id="aspnetForm">
<input type="hidden" name="__EVENTTARGET" value="" />
<input type="hidden" name="__EVENTARGUMENT" value="" />
<input type="hidden" name="__VIEWSTATE" value="/wEPDwUKMTY1" />
<input type="hidden" name="__EVENTVALIDATION" value="/wEWAgK" />
<input type="text" name="ctl00$txtSearch" value="" />
<input type="submit" name="ctl00$btnSearch" value="Tìm" />
<input type="checkbox" name="ctl00$remember" />
<select name="ctl00$ddl"><option value="a">A</option><option value="b" selected>B</option></select>
<a href="javascript:__doPostBack('ctl00$ctl40$g_5a2f$btnVote','')">Bình chọn</a>
<div class="cx-paging"><span class="current">1</span>
<a href="javascript:__doPostBack('ctl00$ctl33$g_1d70$ctl00$rptPaging$ctl02$lnkPage','')">2</a>
<a href="javascript:__doPostBack('ctl00$m$g$gv','Page$3')">3</a>
<a href="#" onclick="javascript:__doPostBack(&#39;ctl00$m$g$gv&#39;,&#39;Page$Next&#39;);return false;">Trang sau »</a>
</div>
FALLBACK
</form></body></html>"""


def test_plain_fallback_link_wins():
    html = PAGE.replace("FALLBACK", '<div><a class="next" href="/tin-tuc/Pages/default.aspx?PageIndex=2">'
                                    'Trang sau »</a> <a href="/tin-tuc/Pages/slug.aspx">Bài viết</a></div>')
    links = postback_fallback_links(html.encode(), "http://c.test/tin-tuc/Pages/default.aspx")
    assert links == ["http://c.test/tin-tuc/Pages/default.aspx?PageIndex=2"]


def test_forms_when_only_postbacks():
    html = PAGE.replace("FALLBACK", "")
    forms = postback_fallback_links(html.encode("utf-8"), "http://c.test/tin-tuc/Pages/default.aspx")
    assert all(isinstance(f, PostbackForm) for f in forms)
    assert [(f.event_target, f.event_argument, f.label) for f in forms] == [
        ("ctl00$ctl33$g_1d70$ctl00$rptPaging$ctl02$lnkPage", "", "2"),
        ("ctl00$m$g$gv", "Page$3", "3"),
        ("ctl00$m$g$gv", "Page$Next", "Trang sau »"),
    ]
    form = forms[1]
    assert form.action == "http://c.test/tin-tuc/Pages/default.aspx"
    assert form.method == "POST"
    assert form.formdata() == {
        "__VIEWSTATE": "/wEPDwUKMTY1", "__EVENTVALIDATION": "/wEWAgK", "ctl00$txtSearch": "",
        "ctl00$ddl": "b", "__EVENTTARGET": "ctl00$m$g$gv", "__EVENTARGUMENT": "Page$3"}


def test_accepts_a_parsed_tree_and_base_href():
    html = PAGE.replace("FALLBACK", '<a href="default.aspx?PageIndex=3">3</a>').replace(
        "<head>", '<head><base href="http://c.test/van-ban/Pages/">')
    tree = lxml.html.document_fromstring(html)
    assert postback_fallback_links(tree, "http://c.test/x") == ["http://c.test/van-ban/Pages/default.aspx?PageIndex=3"]


def test_no_paging_no_result():
    html = "<html><body><form><a href=\"javascript:__doPostBack('ctl00$btnVote','')\">Gửi</a>" \
           "<a href='/a.aspx'>A</a></form></body></html>"
    assert postback_fallback_links(html, "http://c.test/") == []
    assert postback_fallback_links(b"", "http://c.test/") == []
    assert postback_fallback_links(b"\x00\xff", "http://c.test/") == []


def test_postback_outside_any_form_uses_the_page_form():
    html = ("<html><body><form action='/Pages/list.aspx?x=1'><input type=hidden name=__VIEWSTATE value=v>"
            "</form><a href=\"javascript:__doPostBack('ctl00$pager','2')\">2</a></body></html>")
    [form] = postback_fallback_links(html, "http://c.test/Pages/list.aspx")
    assert form.action == "http://c.test/Pages/list.aspx?x=1"
    assert form.formdata()["__EVENTARGUMENT"] == "2"


def test_last_page_with_only_a_previous_fallback_posts_nothing():
    """Page 2 of 2: the postback goes back to page 1, and '« Trang trước' is its plain link."""
    html = ("<html><body><form action='./default.aspx'><input type=hidden name=__VIEWSTATE value=v>"
            "<div class='pager'><a href=\"javascript:__doPostBack('ctl00$g$rptPaging$ctl01$lnkPage','')\">1</a>"
            " <span>2</span></div><div><a class='prev' href='/tin-tuc/Pages/default.aspx'>« Trang trước</a>"
            "</div></form></body></html>")
    assert postback_fallback_links(html, "http://c.test/tin-tuc/Pages/default.aspx?PageIndex=2") == \
        ["http://c.test/tin-tuc/Pages/default.aspx"]


def test_calendar_day_numbers_are_not_paging_fallbacks():
    html = ("<html><body><form action='/Pages/list.aspx'><table class='calendar'>"
            "<td><a href='/Pages/LichCongTac.aspx?date=2024-10-02'>2</a></td></table>"
            "<a href=\"javascript:__doPostBack('ctl00$pager','Page$2')\">2</a></form></body></html>")
    [form] = postback_fallback_links(html, "http://c.test/Pages/list.aspx")
    assert form.event_argument == "Page$2"
