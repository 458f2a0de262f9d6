"""The URL rules against the portalgen corpus (four CMS families, generated into a temp dir).

Skips cleanly when ../shared/portalgen is absent.
"""
import json
import subprocess
import sys
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import lxml.html
import pytest

from portal_crawler.scope import (ScopePolicy, TrapGuard, alias_key, canonicalize, parse_sitemap,
                                 postback_fallback_links, print_view_of)

GENERATOR = Path(__file__).resolve().parents[1].parent / "shared" / "portalgen" / "generate.py"
PAGE_KINDS = {"article", "article-alt", "article-print", "listing", "home", "static", "redirect",
              "error", "robots", "sitemap"}

pytestmark = pytest.mark.skipif(not GENERATOR.exists(), reason="../shared/portalgen not available")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    out = tmp_path_factory.mktemp("portalgen") / "corpus"
    subprocess.run([sys.executable, str(GENERATOR), "--out", str(out), "--articles", "120"],
                   check=True, capture_output=True)
    routes = json.loads((out / "routes.json").read_text(encoding="utf-8"))
    truth = [json.loads(line) for line in (out / "truth.jsonl").read_text(encoding="utf-8").splitlines()]
    return out, routes["sites"], truth


def policy_for(site):
    return ScopePolicy.from_profile({"hosts": [site["host"]], "case_insensitive": site["case_insensitive"]})


def test_every_route_is_classified_as_its_kind(corpus):
    _, sites, _ = corpus
    for site in sites.values():
        policy = policy_for(site)
        for path, route in site["routes"].items():
            kind = policy.classify(f"http://{site['host']}{path}")
            if route["kind"] in PAGE_KINDS:
                assert kind == "page", (path, route["kind"], kind)
            elif route["kind"] == "asset":
                assert kind in ("asset", "document"), (path, kind)
                extension = path.lower().split("?")[0]
                if any(f".{e}" in extension for e in ("pdf", "doc", "xls")):
                    assert kind == "document", path
            elif route["kind"] == "admin":
                assert kind == "skip", path
        for pattern in site["patterns"]:
            url = f"http://{site['host']}{pattern['path']}?{pattern['param']}=2024-01-02"
            assert policy.classify(url) == "trap", url


def test_alias_keys_group_truth_records_by_canonical_article(corpus):
    _, sites, truth = corpus
    insensitive = {s_id: s["case_insensitive"] for s_id, s in sites.items()}
    keys_of_canonical = {}
    for record in truth:
        ci = insensitive[record["site"]]
        assert alias_key(record["url"], case_insensitive_paths=ci) == \
            alias_key(record["canonical"], case_insensitive_paths=ci), record["url"]
        keys_of_canonical.setdefault(alias_key(record["canonical"], case_insensitive_paths=ci),
                                     set()).add(record["canonical"])
    assert all(len(canonicals) == 1 for canonicals in keys_of_canonical.values())
    assert len(keys_of_canonical) == len({r["canonical"] for r in truth})


def test_print_views_point_at_their_article(corpus):
    _, _, truth = corpus
    prints = [r for r in truth if "print-view" in r["quirks"]]
    assert prints
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
    for path, route in site["routes"].items():
        if route["file"] is None or "html" not in route["content_type"]:
            continue
        page_url = f"http://{site['host']}{path}"
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


def test_links_in_scope_canonicalise_to_served_routes(corpus, links):
    """Canonicalisation never breaks a link: every in-scope page/document link of the
    corpus still names a route once session ids, case and query order are normalised."""
    _, sites, _ = corpus
    checked = 0
    for site_id, site in sites.items():
        policy = policy_for(site)
        routes = {canonicalize(f"http://{site['host']}{p}", case_insensitive_paths=site["case_insensitive"])
                  for p in site["routes"]}
        for link in links[site_id]:
            host = urlsplit(link).hostname or ""
            if host and host not in (site["host"], "www." + site["host"]):
                assert not policy.in_scope(link), link  # other sites, share links
            if not policy.in_scope(link) or policy.classify(link) in ("trap", "skip"):
                continue
            canonical = policy.canonicalize(link)
            assert "jsessionid" not in canonical and "sid=" not in canonical
            assert canonical in routes, (link, canonical)
            checked += 1
    assert checked > 500


def test_trap_guard_caps_calendars_found_in_pages(corpus, links):
    _, sites, _ = corpus
    guard = TrapGuard()
    admitted = {}
    for site_id, site in sites.items():
        for link in links[site_id]:
            verdict = guard.check(link)
            if verdict.allowed and verdict.rule == "calendar":
                admitted.setdefault(site["host"], set()).add(canonicalize(link))
    assert admitted and all(len(urls) <= 3 for urls in admitted.values())
    assert guard.report().get("calendar", 0) > 0


def test_postback_listing_has_its_fallback(corpus):
    out, sites, _ = corpus
    site = next(s for s in sites.values() if s["family"] == "sharepoint")
    listings = [p for p, r in site["routes"].items() if r["kind"] == "listing" and "?" not in p]
    found = []
    for path in listings:
        body = (out / site["routes"][path]["file"]).read_bytes()
        found += postback_fallback_links(body, f"http://{site['host']}{path}")
    assert any("PageIndex=2" in url for url in found)
    assert all(isinstance(url, str) for url in found)  # the fallback wins over the form


def test_sitemaps_list_served_pages(corpus):
    out, sites, _ = corpus
    with_sitemaps = [s for s in sites.values() if "/sitemap.xml" in s["routes"]]
    assert with_sitemaps
    for site in with_sitemaps:
        queue, pages = ["/sitemap.xml"], []
        while queue:
            path = queue.pop()
            body = (out / site["routes"][path]["file"]).read_bytes()
            found, nested = parse_sitemap(body, f"http://{site['host']}{path}")
            pages += found
            queue += [urlsplit(u).path for u in nested]
        assert pages
        for url in pages:
            assert urlsplit(url).path + (f"?{urlsplit(url).query}" if urlsplit(url).query else "") \
                in site["routes"], url
