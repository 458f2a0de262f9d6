"""A page is parsed once: the spider reads its links from extraction's tree. The links must be
the ones Scrapy's own decoding and parse of the bytes give (the archive holds URLs as
linked), whatever the charset says, and extraction must read the shared page as it reads
the bytes."""
import codecs
import unicodedata

import pytest
from scrapy.http import HtmlResponse

from portal_crawler.extract import extract
from portal_crawler.extract.parsed import read
from portal_crawler.scope import postback_fallback_links
from portal_crawler.page_reading import LINK_XPATH, PageJob, read_page
from portal_crawler.spiders.portal import header_pairs, links_of

URL = "http://phuong.hanoi.test/tin-tuc/trang.html"
HREF = "/tin-tức/bài-viết-số-1.html"
PAGE = f"""<html><head>{{head}}<title>Tin tức - Phường</title>
<link rel="stylesheet" href="/css/site.css"><script src="/js/a.js"></script></head>
<body><!-- <a href="/in-a-comment.html">x</a> -->
<div class="menu"><a href="/">Trang chủ</a> <a href="{HREF}">Bài viết</a> <a href='?page=2'>2</a></div>
<div class="news-detail"><h1>Khánh thành trường học</h1><p>Sáng ngày 14/3/2024, UBND phường khánh thành
trường mầm non mới với tổng vốn đầu tư hơn 20 tỷ đồng, đáp ứng nhu cầu học tập của con em nhân dân.</p>
<img src="anh/truong.jpg" data-src="anh/lon.jpg"><map><area href="/ban-do.html"></map>
<iframe src="/video.html"></iframe><a href="tai-lieu/quyet-dinh.pdf">Quyết định</a></div>
<span>Ngày đăng: 14/03/2024 08:30</span></body></html>"""
POSTBACK = """<html><body><form id="aspnetForm" action="./Default.aspx" method="post">
<input type="hidden" name="__VIEWSTATE" value="abc"><a href="/tin/bai-1.aspx">Bài 1</a>
<a href="javascript:__doPostBack('ctl00$Pager','Page$2')"><b>2</b></a></form></body></html>"""


def old_links(response):
    """The spider's links before pages were parsed once: Scrapy's selector, every time."""
    pages = [response.urljoin(u) for u in response.xpath(LINK_XPATH["page"]).getall()]
    assets = [response.urljoin(u) for u in response.xpath(LINK_XPATH["asset"]).getall()]
    postbacks = postback_fallback_links(response.selector.root, response.url) if b"PostBack" in response.body else []
    return pages + [link for link in postbacks if isinstance(link, str)], assets, postbacks


def new_links(response):
    read = read_page(PageJob(response.body, response.url, header_pairs(response.headers), None))
    shared = read.shared_links(response.text)
    return links_of(response, shared), shared is not None


TONES = "\u0300\u0301\u0303\u0309\u0323"


def cp1258(text: str) -> bytes:
    """Vietnamese the way windows-1258 writes it: letters with their vowel marks, tone marks
    as combining characters after them."""
    out = []
    for ch in text:
        parts = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in TONES))
        out.append(base + "".join(c for c in parts if c in TONES))
    return "".join(out).encode("cp1258")


def respond(body: bytes, content_type="text/html; charset=utf-8", url=URL):
    return HtmlResponse(url, body=body, headers={"Content-Type": content_type})


CASES = {
    "utf-8": (PAGE.format(head="").encode(), "text/html; charset=utf-8", True),
    "no charset anywhere": (PAGE.format(head="").encode(), "text/html", True),
    # decoded, windows-1258 text has combining tone marks: extraction reads it as NFC
    "windows-1258 declared in meta": (cp1258(PAGE.format(head='<meta charset="windows-1258">')), "text/html", False),
    "windows-1258, ASCII links": (cp1258(PAGE.format(head='<meta charset="windows-1258">').replace(HREF, "/a.html")
                                         .replace("ệ", "e").replace("ả", "a")), "text/html", False),
    "header utf-8, bytes windows-1258": (
        cp1258(PAGE.format(head='<meta http-equiv="Content-Type" content="text/html; charset=windows-1258">')),
        "text/html; charset=utf-8", False),
    "header windows-1258, bytes utf-8": (PAGE.format(head="").encode(), "text/html; charset=windows-1258", False),
    "NFD text": (unicodedata.normalize("NFD", PAGE.format(head="")).encode(), "text/html; charset=utf-8", False),
    "BOM and XML declaration": (codecs.BOM_UTF8 + b'<?xml version="1.0" encoding="utf-8"?>\n'
                                + PAGE.format(head="").encode(), "text/html", True),
    "base href": (PAGE.format(head='<base href="http://phuong.hanoi.test/goc/">').encode(), "text/html", True),
    "NUL bytes": (PAGE.format(head="").replace("<h1>", "<h1>\x00").encode(), "text/html; charset=utf-8", False),
    "leading blank lines": (b"\n\n  " + PAGE.format(head="").encode(), "text/html", True),
    "postback paging": (POSTBACK.encode(), "text/html; charset=utf-8", True),
    "empty": (b"", "text/html", False),
}


@pytest.mark.parametrize("name", list(CASES))
def test_links_from_the_shared_tree_are_scrapys(name):
    body, content_type, shareable = CASES[name]
    response = respond(body, content_type)
    (pages, assets, postbacks), shared = new_links(response)
    assert (pages, assets, postbacks) == old_links(respond(body, content_type))
    assert shared is shareable, "pages that decode alike share the tree; others are parsed again"


def test_the_shared_tree_holds_every_kind_of_link():
    """In document order, as Scrapy's selector lists them."""
    (pages, assets, _), shared = new_links(respond(CASES["utf-8"][0]))
    assert shared
    assert pages == [f"http://phuong.hanoi.test{p}" for p in
                     ("/", HREF, "/tin-tuc/trang.html?page=2", "/ban-do.html", "/video.html",
                      "/tin-tuc/tai-lieu/quyet-dinh.pdf")]
    assert assets == [f"http://phuong.hanoi.test{p}" for p in
                      ("/css/site.css", "/js/a.js", "/tin-tuc/anh/truong.jpg", "/tin-tuc/anh/lon.jpg")]


def test_postback_forms_from_the_shared_tree():
    (_, _, postbacks), shared = new_links(respond(CASES["postback paging"][0]))
    assert shared and len(postbacks) == 1
    form = postbacks[0]
    assert form.event_argument == "Page$2" and form.label == "2"
    assert form.formdata()["__VIEWSTATE"] == "abc"


@pytest.mark.parametrize("name", list(CASES))
def test_extraction_reads_the_shared_page_as_the_bytes(name):
    body, content_type, _ = CASES[name]
    headers = [("Content-Type", content_type)]
    assert extract(body, URL, headers, parsed=read(body, headers, URL)).to_dict() == \
        extract(body, URL, headers).to_dict()
