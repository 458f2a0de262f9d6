"""The URL rules against a whole corpus: portalgen's (four CMS families, generated into a temp
dir where ../shared has it) and the bundled demo portal's.
"""
from urllib.parse import urljoin, urlsplit

import lxml.html
import pytest

from portal_crawler.scope import (SITE_TRAP, ScopePolicy, TrapGuard, alias_key, canonicalize, parse_sitemap,
                                 postback_fallback_links, print_view_of)
from portal_crawler.sites.registry import load_registry
from tests.support.portal_source import PAGE_KINDS


@pytest.fixture(scope="module")
def corpus(portal_source):
    return portal_source.root, {site.id: site for site in portal_source.sites}, portal_source.truth


def policy_for(site):
    return ScopePolicy.from_profile({"hosts": [site.host], "case_insensitive": site.case_insensitive})


def test_every_route_is_classified_as_its_kind(corpus):
    _, sites, _ = corpus
    for site in sites.values():
        policy = policy_for(site)
        for path, route in site.routes.items():
            kind = policy.classify(f"http://{site.host}{path}")
            if route["kind"] in PAGE_KINDS:
                assert kind == "page", (path, route["kind"], kind)
            elif route["kind"] == "asset":
                assert kind in ("asset", "document"), (path, kind)
                extension = path.lower().split("?")[0]
                if any(f".{e}" in extension for e in ("pdf", "doc", "xls")):
                    assert kind == "document", path
            elif route["kind"] == "admin":
                assert kind == "skip", path
        for pattern in site.patterns:
            url = f"http://{site.host}{pattern['path']}?{pattern['param']}=2024-01-02"
            assert policy.classify(url) == "trap", url


def test_alias_keys_group_truth_records_by_canonical_article(corpus):
    _, sites, truth = corpus
    insensitive = {s_id: s.case_insensitive for s_id, s in sites.items()}
    keys_of_canonical = {}
    for record in (r for r in truth if r["url_alias"]):
        ci = insensitive[record["site"]]
        assert alias_key(record["url"], case_insensitive_paths=ci) == \
            alias_key(record["canonical"], case_insensitive_paths=ci), record["url"]
        keys_of_canonical.setdefault(alias_key(record["canonical"], case_insensitive_paths=ci),
                                     set()).add(record["canonical"])
    assert all(len(canonicals) == 1 for canonicals in keys_of_canonical.values())
    assert len(keys_of_canonical) == len({r["canonical"] for r in truth})


def test_print_views_point_at_their_article(corpus):
    _, sites, truth = corpus
    prints = [r for r in truth if "print-view" in r["quirks"]]
    served = sum(r["kind"] == "article-print" for site in sites.values() for r in site.routes.values())
    assert len(prints) >= served  # portalgen serves print views; the demo portal has none
    for record in prints:
        view = print_view_of(record["url"])
        # the target is the article itself or one of its alias forms (NukeViet's short URL)
        assert view is not None and view.target, record["url"]
        assert alias_key(view.target) == alias_key(record["canonical"]), record["url"]
    for record in truth:
        if "print-view" not in record["quirks"]:
            assert print_view_of(record["url"]) is None, record["url"]


def site_links(out, site):
    """Every href/src of every HTML page the site serves, made absolute."""
    for path, route in site.routes.items():
        if route.get("file") is None or "html" not in route["content_type"]:
            continue
        page_url = f"http://{site.host}{path}"
        try:
            tree = lxml.html.fromstring((out / route["file"]).read_bytes())
        except (lxml.etree.ParserError, ValueError):
            continue
        base = urljoin(page_url, (tree.xpath("//base/@href") or [page_url])[0])
        for link in tree.xpath("//a/@href | //img/@src | //link/@href | //script/@src"):
            yield urljoin(base, link.strip())


@pytest.fixture(scope="module")
def links(corpus):
    out, sites, _ = corpus
    return {site_id: list(site_links(out, site)) for site_id, site in sites.items()}


def test_links_in_scope_canonicalise_to_served_routes(portal_source, corpus, links):
    """Canonicalisation never breaks a link: every in-scope page/document link of the
    corpus still names a route once session ids, case and query order are normalised."""
    _, sites, _ = corpus
    checked = 0
    for site_id, site in sites.items():
        policy = policy_for(site)
        routes = {canonicalize(f"http://{site.host}{p}", case_insensitive_paths=site.case_insensitive)
                  for p in site.routes}
        for link in links[site_id]:
            host = urlsplit(link).hostname or ""
            if host and host not in (site.host, "www." + site.host):
                assert not policy.in_scope(link), link  # other sites, share links
            if not policy.in_scope(link) or policy.classify(link) in ("trap", "skip") \
                    or portal_source.disallowed([link]):
                continue  # never fetched: out of scope, a trap, or forbidden by robots.txt
            canonical = policy.canonicalize(link)
            assert "jsessionid" not in canonical and "sid=" not in canonical
            assert canonical in routes, (link, canonical)
            checked += 1
    assert checked > 500


def crawl_policy(site):
    """The policy a crawl of the site uses: its registry profile (the demo portal's names its
    calendar in trap_patterns), else what a profile made from the start URL knows."""
    registry = load_registry()
    return ScopePolicy.from_profile(registry.get(site.id) if site.id in registry else
                                    {"hosts": [site.host], "case_insensitive": site.case_insensitive})


def test_trap_guard_caps_calendars_found_in_pages(corpus, links):
    """Each host's calendar gets its first days up to the cap, every further day is refused
    (the demo's static pages link fewer days than the cap; its crawl test walks past it)."""
    _, sites, _ = corpus
    guard = TrapGuard()
    met, admitted = {}, {}
    for site_id, site in sites.items():
        policy = crawl_policy(site)
        for link in links[site_id]:
            verdict = guard.check(link, trap=policy.trap_rule(link))
            if verdict.rule in ("calendar", SITE_TRAP):
                met.setdefault((verdict.rule, site.host), set()).add(canonicalize(link))
                if verdict.allowed:
                    admitted.setdefault((verdict.rule, site.host), set()).add(canonicalize(link))
    assert met, "no calendar links in the corpus's pages"
    for (rule, host), days in met.items():
        assert len(admitted.get((rule, host), ())) == min(len(days), guard.caps[rule]), host
    refused = sum(len(days) - guard.caps[rule] for (rule, _host), days in met.items() if len(days) > guard.caps[rule])
    assert (sum(guard.report().get(rule, 0) for rule in ("calendar", SITE_TRAP)) > 0) == (refused > 0)


def test_postback_listing_has_its_fallback(corpus):
    out, sites, _ = corpus
    site = next((s for s in sites.values() if s.family == "sharepoint"), None)
    if site is None:
        pytest.skip("no SharePoint postback listing in this corpus")
    listings = [p for p, r in site.routes.items() if r["kind"] == "listing" and "?" not in p]
    found = []
    for path in listings:
        body = (out / site.routes[path]["file"]).read_bytes()
        found += postback_fallback_links(body, f"http://{site.host}{path}")
    assert any("PageIndex=2" in url for url in found)
    assert all(isinstance(url, str) for url in found)  # the fallback wins over the form


def test_sitemaps_list_served_pages(corpus):
    out, sites, _ = corpus
    with_sitemaps = [s for s in sites.values() if "/sitemap.xml" in s.routes]
    assert with_sitemaps
    for site in with_sitemaps:
        queue, pages = ["/sitemap.xml"], []
        while queue:
            path = queue.pop()
            body = (out / site.routes[path]["file"]).read_bytes()
            found, nested = parse_sitemap(body, f"http://{site.host}{path}")
            pages += found
            queue += [urlsplit(u).path for u in nested]
        assert pages
        for url in pages:
            assert urlsplit(url).path + (f"?{urlsplit(url).query}" if urlsplit(url).query else "") \
                in site.routes, url
