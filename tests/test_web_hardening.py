"""The web app against crafted requests: header injection through every redirect, numbers
and URLs that do not fit, long queries, scripts under /raw/, and access declared per route."""
from __future__ import annotations

import http.client
import json
import re
from urllib.parse import quote, urlsplit

import pytest

from archive.web import make_app, routes
from archive.web.server import build_server
from tests.browser import chromium
from tests.browser.archive_fixture import HOST, NTM_URL, build_archive, build_single_article
from tests.browser.wsgi_client import Answer, call

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
INJECTED = "/%0d%0aSet-Cookie:%20injected=1%0d%0a%0d%0a<script>alert(1)</script>"
HUGE = "9" * 40
BAD_URL = "http://[::1/"
REDIRECTING_PAGE = HOST + "/chuyen-huong"
EVIL_JS = HOST + "/js/evil.js"


def q(url: str) -> str:
    return quote(url, safe="")


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    return build_archive(tmp_path_factory.mktemp("web-hardening") / "data")


@pytest.fixture(scope="module")
def app(archive):
    return make_app(archive.data_dir)


@pytest.fixture(scope="module")
def token_app(archive):
    return make_app(archive.data_dir, token="s3cret")


@pytest.fixture(scope="module")
def odd_archive(tmp_path_factory):
    """One page whose archived links, redirects and script are what a hostile portal sends."""
    url = HOST + "/vi/news/odd-1.html"
    article = {"url": url, "canonical": url, "title": "Trang lạ", "published": "2019-03-14",
               "author": None, "body": "Trang có liên kết hỏng.", "images": [], "attachments": []}
    html = (f'<html><head><script src="{EVIL_JS}"></script><base href="http://[::1/"></head><body>'
            '<a href="http://[::1/">hỏng</a><img src="//[::1/a.png" srcset="http://[x/ 1x">'
            '<div style="background:url(http://[::1/)">x</div><p>Trang có liên kết hỏng.</p></body></html>')
    resources = ((REDIRECTING_PAGE, b"", "text/html", 301, [("Location", "/tin tức mới?a=ô b")]),
                 (HOST + "/chuyen-hong", b"moved", "text/html", 302, [("Location", BAD_URL)]),
                 (EVIL_JS, b"window.top.evilRan = true;", "application/javascript"))
    built = build_single_article(tmp_path_factory.mktemp("web-odd") / "data", article, html.encode(), resources)
    return built, url


def assert_headers_clean(answer: Answer) -> None:
    """Every header value is one line of Latin-1 text, and nothing the request sent became a header."""
    for name, value in answer.headers:
        assert "\r" not in value and "\n" not in value, (name, value)
        value.encode("latin-1")
    assert not any("injected" in value for value in answer.header_list("Set-Cookie"))
    assert all(name.lower() != "injected" for name, _ in answer.headers)


def location_is_local(location: str) -> bool:
    parts = urlsplit(location)
    return location.startswith("/") and not location.startswith("//") and not parts.netloc and not parts.scheme


# -- every route that redirects ------------------------------------------------------------

def test_language_switch_redirect_cannot_carry_headers(app):
    answer = call(app, "/lang?to=en&next=" + INJECTED)
    assert answer.status == 303 and answer.header("Location") == "/"
    assert_headers_clean(answer)
    assert answer.header_list("Set-Cookie") == ["lang=en; Path=/; Max-Age=31536000; SameSite=Lax"]
    # text outside Latin-1 in the target is percent-encoded, and the target still works
    answer = call(app, "/lang?to=vi&next=" + q("/?q=nông thôn"))
    assert answer.header("Location") == "/?q=n%C3%B4ng%20th%C3%B4n"
    assert_headers_clean(answer)
    for sneaky in ("/%09/evil.test/", "/%0a/evil.test/", "//evil.test/", "/\\evil.test"):
        assert location_is_local(call(app, "/lang?to=en&next=" + sneaky).header("Location")), sneaky
        assert call(app, "/lang?to=en&next=" + sneaky).header("Location") == "/", sneaky


def test_login_redirect_cannot_carry_headers(token_app):
    for next_path, expected in ((INJECTED, "/"), (q("/?q=Đống Đa"), "/?q=%C4%90%E1%BB%91ng%20%C4%90a"),
                                (q("/\t/evil.test/"), "/"), (q("https://evil.test/"), "/")):
        answer = call(token_app, "/login", method="POST", body=f"token=s3cret&next={next_path}".encode(), headers=FORM)
        assert answer.status == 303 and answer.header("Location") == expected, next_path
        assert_headers_clean(answer)
        assert [c.split(";")[0] for c in answer.header_list("Set-Cookie")] == ["portal_archive_token=s3cret"]


def test_token_link_redirect_cannot_carry_headers(token_app):
    path = f"/raw/20190314084105/{HOST}{INJECTED}"
    good = call(token_app, path + "?token=s3cret")
    assert good.status == 303 and location_is_local(good.header("Location"))
    assert "%0D%0ASet-Cookie" in good.header("Location")  # the path kept, encoded
    assert_headers_clean(good)
    wrong = call(token_app, path + "?token=nope")
    assert wrong.status == 303 and wrong.header("Location").startswith("/login?next=")
    assert_headers_clean(wrong)
    vietnamese = call(token_app, f"/raw/20190314084105/{HOST}/tin-tức?token=s3cret")
    assert vietnamese.header("Location") == f"/raw/20190314084105/{HOST}/tin-t%E1%BB%A9c"
    assert_headers_clean(vietnamese)


def test_archived_redirect_is_encoded_and_stays_in_the_archive(odd_archive):
    built, _ = odd_archive
    app = make_app(built.data_dir)
    answer = call(app, f"/raw/20190314084105/{REDIRECTING_PAGE}")
    assert answer.status == 302
    assert answer.header("Location") == (
        f"/raw/20190314084105/{HOST}/tin%20t%E1%BB%A9c%20m%E1%BB%9Bi?a=%C3%B4%20b")
    assert_headers_clean(answer)
    broken = call(app, f"/raw/20190314084105/{HOST}/chuyen-hong")  # its Location does not parse
    assert broken.status == 200 and b"moved" in broken.body
    assert_headers_clean(broken)


def test_header_injection_over_a_real_socket(archive):
    """What the server puts on the wire, not only what the app hands it."""
    with chromium.served(archive.data_dir) as base_url:
        connection = http.client.HTTPConnection(urlsplit(base_url).hostname, urlsplit(base_url).port, timeout=30)
        connection.request("GET", "/lang?to=en&next=" + INJECTED)
        response = connection.getresponse()
        response.read()
        connection.close()
    assert response.status == 303 and response.getheader("Location") == "/"
    assert response.msg.get_all("Set-Cookie") == ["lang=en; Path=/; Max-Age=31536000; SameSite=Lax"]


# -- numbers and URLs that do not fit ---------------------------------------------------------

def test_huge_and_negative_ids_are_not_found(app):
    for target in (f"/record?id={HUGE}", f"/citation?capture={HUGE}", "/record?id=-1", "/record?id=0",
                   f"/citation?capture=-{HUGE}"):
        answer = call(app, target)
        assert answer.status == 404, target
        assert 'class="error-page"' in answer.text
    api = call(app, f"/api/citation?capture={HUGE}")
    assert api.status == 404 and json.loads(api.body)["status"] == 404
    assert call(app, "/record?id=" + "x" * 5000).status == 400


def test_urls_that_do_not_parse_are_a_400(app):
    for route in ("/article", "/snapshot", "/citation", "/wacz", "/api/article", "/api/captures", "/api/citation"):
        answer = call(app, f"{route}?url={q(BAD_URL)}")
        assert answer.status == 400, route
    answer = call(app, f"/raw/20190314084105/{BAD_URL}")
    assert answer.status == 404 and answer.header("Content-Security-Policy").startswith("sandbox")


def test_archived_page_with_links_that_do_not_parse_still_shows(odd_archive):
    built, url = odd_archive
    app = make_app(built.data_dir)
    page = call(app, f"/raw/20190314084105/{url}")
    assert page.status == 200 and "Trang có liên kết hỏng." in page.text
    assert 'href="http://[::1/"' in page.text  # left as archived
    assert call(app, "/wacz?url=" + q(url)).status == 200


# -- access ------------------------------------------------------------------------------

def test_a_token_with_public_mode_is_refused(archive):
    from archive.web import AccessConflict
    with pytest.raises(AccessConflict):
        make_app(archive.data_dir, token="s3cret", public=True)
    with pytest.raises(AccessConflict):
        build_server(archive.data_dir, "0.0.0.0", 0, token="s3cret", public=True)


SAMPLE_PATHS = {"search_page": "/?q=dong", "article_page": "/article?url=" + q(NTM_URL),
                "snapshot_page": "/snapshot?url=" + q(NTM_URL), "citation_page": "/citation?capture=1",
                "record_download": "/record?id=1", "wacz_download": "/wacz?url=" + q(NTM_URL),
                "switch_language": "/lang?to=en", "login": "/login", "robots_txt": "/robots.txt",
                "static_file": "/static/style.css", "raw_content": f"/raw/20190314084105/{NTM_URL}",
                "api_index": "/api", "api_search": "/api/search?q=dong", "api_article": "/api/article?url=" + q(NTM_URL),
                "api_captures": "/api/captures?url=" + q(NTM_URL), "api_citation": "/api/citation?capture=1",
                "api_sites": "/api/sites"}


def test_every_route_declares_who_may_use_it(token_app):
    """The route table says it; a route added without thinking is for readers only."""
    from archive.web.routes import Access
    assert routes.route(r"/new", "new_page").access is Access.READER
    assert {route.handler for route in routes.ROUTES} == set(SAMPLE_PATHS)
    for route in routes.ROUTES:
        answer = call(token_app, SAMPLE_PATHS[route.handler])
        if route.access is Access.OPEN:
            assert answer.status < 400, route.handler
        else:
            assert answer.status == 401, route.handler
            is_json = answer.header("Content-Type").startswith("application/json")
            assert is_json == route.api, route.handler
        assert route.api == route.handler.startswith("api_")


# -- queries -------------------------------------------------------------------------------

def test_long_queries_are_refused_with_a_message(app):
    long_query = "nong thon moi " * 2700  # 37 kB
    page = call(app, "/?q=" + quote(long_query) + "&lang=en")
    assert page.status == 400 and "at most 500 are searched" in page.text and 'role="alert"' in page.text
    api = call(app, "/api/search?q=" + quote(long_query) + "&lang=vi")
    assert api.status == 400 and "tối đa 500 ký tự" in json.loads(api.body)["error"]
    many = call(app, "/api/search?q=" + quote(" ".join(f"w{n}" for n in range(40))) + "&lang=en")
    assert many.status == 400 and "40 words; at most 32" in json.loads(many.body)["error"]
    assert call(app, "/api/search?q=" + quote(" ".join(["nong"] * 32))).status == 200


# -- scripts under /raw/ -----------------------------------------------------------------------

def test_app_pages_allow_only_their_own_nonced_scripts(app):
    pages = [call(app, "/article?url=" + q(NTM_URL)), call(app, "/citation?capture=1")]
    nonces = []
    for page in pages:
        policy = page.header("Content-Security-Policy")
        script_src = re.search(r"script-src ([^;]+)", policy).group(1).split()
        assert len(script_src) == 1 and script_src[0].startswith("'nonce-"), policy
        assert "'self'" not in re.search(r"style-src ([^;]+)", policy).group(1)
        nonce = script_src[0][len("'nonce-"):-1]
        assert f'<script src="/static/copy.js" nonce="{nonce}" defer>' in page.text
        assert f'href="/static/style.css" nonce="{nonce}"' in page.text
        nonces.append(nonce)
    assert nonces[0] != nonces[1] and len(nonces[0]) >= 22  # fresh per response, 128+ bits
    assert "script-src 'nonce-" in call(app, "/api/sites").header("Content-Security-Policy")


def test_archived_scripts_are_served_as_text(odd_archive):
    built, _ = odd_archive
    answer = call(make_app(built.data_dir), f"/raw/20190314084105/{EVIL_JS}")
    assert answer.status == 200 and answer.body == b"window.top.evilRan = true;"  # the bytes as archived
    assert answer.header("Content-Type") == "text/plain"
    assert answer.header("X-Content-Type-Options") == "nosniff"
    assert answer.header("Content-Security-Policy").startswith("sandbox ")
