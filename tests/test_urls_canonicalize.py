"""canonicalize / is_case_insensitive_server: examples from real portal URL shapes plus
property tests (never raises, idempotent)."""
import string

import pytest
from hypothesis import given, settings, strategies as st

from portal_crawler.scope import canonicalize, host_of, is_case_insensitive_server


@pytest.mark.parametrize("raw, expected", [
    # scheme/host case, default port, fragment, empty query
    ("HTTP://ThoXuan.ThanhHoa.TEST:80/portal/Pages/default.aspx?#top",
     "http://thoxuan.thanhhoa.test/portal/Pages/default.aspx"),
    ("https://a.test:443", "https://a.test/"),
    ("https://a.test:0443/x", "https://a.test/x"),
    ("http://a.test:8080/x", "http://a.test:8080/x"),
    ("http://a.test.:80/x", "http://a.test/x"),
    # session ids: Java path parameter, PHP and NukeViet query, ASP.NET cookieless
    ("http://langgiang.bacgiang.test/vi/tin-tuc-su-kien;jsessionid=8F3A0C2D1B",
     "http://langgiang.bacgiang.test/vi/tin-tuc-su-kien"),
    ("http://a.test/vi/news;JSESSIONID=ABC?p=2", "http://a.test/vi/news?p=2"),
    ("http://haihau.namdinh.test/thong-bao/?sid=a1b2c3", "http://haihau.namdinh.test/thong-bao/"),
    ("http://a.test/index.php?PHPSESSID=x&nv=news&op=detail&id=162",
     "http://a.test/index.php?id=162&nv=news&op=detail"),
    ("http://a.test/x.jsp?b=2;jsessionid=0A1B&a=1", "http://a.test/x.jsp?a=1&b=2"),
    ("http://a.test/(S(lit3py55t21z5v55vlm25s55))/Pages/Default.aspx",
     "http://a.test/Pages/Default.aspx"),
    ("http://a.test/app/(X(1)S(ab-c_1))/Default.aspx?x=1", "http://a.test/app/Default.aspx?x=1"),
    ("http://a.test/x?utm_source=fb&fbclid=Iw&ASPSESSIONIDQQ=1&id=3", "http://a.test/x?id=3"),
    # query order: by name, repeated names keep their order
    ("http://a.test/x?b=2&a=1&a=0", "http://a.test/x?a=1&a=0&b=2"),
    ("http://a.test/x?&&a=1&", "http://a.test/x?a=1"),
    # escapes: unreserved decoded, others upper-case, unsafe characters encoded as UTF-8
    ("http://a.test/%7euser/%41b%2fc", "http://a.test/~user/Ab%2Fc"),
    ("http://a.test/tin tức/ảnh.jpg", "http://a.test/tin%20t%E1%BB%A9c/%E1%BA%A3nh.jpg"),
    ("http://a.test/Style%20Library/x.css", "http://a.test/Style%20Library/x.css"),
    ("http://a.test/tim-kiem/?q=n%c3%b4ng+th%C3%B4n", "http://a.test/tim-kiem/?q=n%C3%B4ng+th%C3%B4n"),
    ("http://a.test/100%", "http://a.test/100%25"),
    # dot segments
    ("http://a.test/a/./b/../c/", "http://a.test/a/c/"),
    ("http://a.test/a/b/..", "http://a.test/a/"),
    ("http://a.test/../../x", "http://a.test/x"),
    # whitespace that browsers drop
    ("  http://a.test/a\n/b\t ", "http://a.test/a/b"),
])
def test_canonical_forms(raw, expected):
    assert canonicalize(raw) == expected


def test_case_insensitive_paths_lowercase_path_not_query():
    url = "http://Trieuson.Thanhhoa.test/portal/Pages/2019-3-14/Hoi-Nghi-%C3%81.aspx?ID=21&Page=2"
    assert canonicalize(url, case_insensitive_paths=True) == \
        "http://trieuson.thanhhoa.test/portal/pages/2019-3-14/hoi-nghi-%C3%A1.aspx?ID=21&Page=2"
    # the lower-case alias a thportal page links to is the same URL on that server
    alias = "http://trieuson.thanhhoa.test/portal/pages/2019-3-14/hoi-nghi-á.aspx?ID=21&Page=2"
    assert canonicalize(alias, case_insensitive_paths=True) == canonicalize(url, case_insensitive_paths=True)
    # and a different one where the server is case-sensitive
    assert canonicalize(alias) != canonicalize(url)


def test_session_names_are_matched_whole_not_as_substrings():
    assert canonicalize("http://a.test/x?side=1&sidebar=2") == "http://a.test/x?side=1&sidebar=2"
    assert canonicalize("http://a.test/x;jsessionidx=1") == "http://a.test/x;jsessionidx=1"


@pytest.mark.parametrize("raw", ["mailto:UBND@A.test", "javascript:void(0);", "tel:0373", "",
                                 "   ", "http://", "//a.test/x", "not a url", "http://[::1"])
def test_non_http_inputs_come_back_trimmed(raw):
    assert canonicalize(raw) == raw.strip()


def test_ipv6_host_and_port():
    assert canonicalize("http://[::1]:80/x") == "http://[::1]/x"
    assert canonicalize("http://[::1]:8080/x") == "http://[::1]:8080/x"


def test_idn_host_is_punycode():
    result = canonicalize("http://Hà-Tĩnh.test/")
    host = result.split("/")[2]
    assert result.isascii() and host.startswith("xn--")
    assert host.encode("ascii").decode("idna") == "hà-tĩnh.test"


def test_host_of():
    assert host_of("http://User@WWW.A.Test:8080/x") == "www.a.test"
    assert host_of("mailto:x@a.test") == ""
    assert host_of("http://[::1") == ""


@pytest.mark.parametrize("headers, expected", [
    ({"Server": "Microsoft-IIS/8.5"}, True),
    ([("server", "Microsoft-IIS/7.5"), ("X-Powered-By", "ASP.NET")], True),
    ({b"Server": [b"nginx"], b"X-Powered-By": [b"ASP.NET"]}, True),
    ({"MicrosoftSharePointTeamServices": "15.0.0.4420"}, True),
    ({"Server": "Apache-Coyote/1.1"}, False),
    ({"Server": "nginx"}, False),
    ({}, False),
    (None, False),
])
def test_is_case_insensitive_server(headers, expected):
    assert is_case_insensitive_server(headers) is expected


# ---------------------------------------------------------------- properties
URL_CHARS = string.ascii_letters + string.digits + "-._~:/?#[]@!$&'()*+,;=% \t\n" + "áđƯ\u0301\x00"
segment = st.text(alphabet=URL_CHARS, max_size=12)
url_like = st.builds(
    lambda scheme, host, port, path, query, frag: f"{scheme}://{host}{port}/{path}{query}{frag}",
    st.sampled_from(["http", "HTTPS", "Http", "ftp", "mailto"]),
    st.sampled_from(["a.test", "WWW.A.TEST", "[::1]", "xn--h-tnh.test", "hà.test", "a.test.", ""]),
    st.sampled_from(["", ":80", ":443", ":8080", ":0080", ":x", ":"]),
    st.lists(st.one_of(segment, st.sampled_from([".", "..", ";jsessionid=AB12", "(S(abc))",
                                                 "%2e%2E", "%7E", "%zz", "%c3%81"])), max_size=6)
      .map("/".join),
    st.one_of(st.just(""), st.lists(st.tuples(
        st.sampled_from(["a", "B", "sid", "PHPSESSID", "p%61ge", "utm_x", "", "q"]), segment),
        max_size=5).map(lambda pairs: "?" + "&".join(f"{k}={v}" for k, v in pairs))),
    st.one_of(st.just(""), segment.map(lambda s: "#" + s)),
)


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(), url_like), st.booleans())
def test_canonicalize_never_raises_and_is_idempotent(url, insensitive):
    once = canonicalize(url, case_insensitive_paths=insensitive)
    assert isinstance(once, str)
    assert canonicalize(once, case_insensitive_paths=insensitive) == once


@settings(max_examples=300, deadline=None)
@given(url_like)
def test_canonical_http_urls_are_ascii_and_fragment_free(url):
    result = canonicalize(url)
    if result.startswith(("http://", "https://")) and host_of(result):
        assert result.isascii()
        assert "#" not in result
        assert "?" not in result or result.partition("?")[2]  # no empty query
        assert "jsessionid" not in result.lower()
