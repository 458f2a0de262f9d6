"""Property tests: the URL functions take whatever a page throws at them."""
from urllib.parse import urljoin
from xml.sax.saxutils import escape

from hypothesis import given, settings, strategies as st

from portal_crawler.scope import (KINDS, ScopePolicy, TrapGuard, alias_key, parse_sitemap,
                                 postback_fallback_links, print_view_of)

POLICY = ScopePolicy.from_profile({"hosts": ["a.test"]})
link = st.one_of(
    st.text(max_size=200),
    st.builds(lambda path, query: f"http://a.test/{path}?{query}",
              st.text(max_size=60), st.text(max_size=60)),
)


@settings(max_examples=300, deadline=None)
@given(link)
def test_scope_and_kind_never_raise(url):
    assert POLICY.classify(url) in KINDS
    assert POLICY.in_scope(url) in (True, False)
    assert isinstance(alias_key(url), str)
    view = print_view_of(url)
    assert view is None or view.rule


@settings(max_examples=200, deadline=None)
@given(st.lists(link, max_size=20))
def test_guard_never_raises_and_counts_only_denials(urls):
    guard = TrapGuard()
    verdicts = [guard.check(u) for u in urls]
    assert sum(guard.report().values()) == sum(1 for v in verdicts if not v.allowed)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400) | st.text(max_size=400).map(str.encode))
def test_parsers_never_raise_on_junk(body):
    pages, sitemaps = parse_sitemap(body, "http://a.test/sitemap.xml")
    assert isinstance(pages, list) and isinstance(sitemaps, list)
    assert isinstance(postback_fallback_links(body, "http://a.test/"), list)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(alphabet="abc/?&=.:", max_size=30), max_size=8))
def test_sitemap_locs_round_trip(paths):
    from xml.sax.saxutils import escape
    urls = [f"http://a.test/{p}" for p in paths]
    body = ("<urlset>" + "".join(f"<url><loc>{escape(u)}</loc></url>" for u in urls) + "</urlset>").encode()
    pages, _ = parse_sitemap(body, "http://a.test/")
    # what comes back is each loc resolved against the sitemap URL, once, in order
    assert pages == list(dict.fromkeys(urljoin("http://a.test/", u) for u in urls))


@settings(max_examples=300, deadline=None)
@given(link)
def test_the_request_has_the_links_key_and_is_stable(url):
    """What is fetched for a link keys like the link itself (dedup and lookups agree), and a
    fetched URL requested again is sent unchanged."""
    from archive.urlkey import browser_url, url_key
    sent = browser_url(url)
    assert browser_url(sent) == sent
    if sent.startswith("http://a.test/"):
        assert url_key(sent) == url_key(url)
