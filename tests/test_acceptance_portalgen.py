"""Acceptance: crawl a whole corpus end to end through its server as a proxy: portalgen's
(where ../shared has it) and the bundled demo portal's.

Every canonical article of the truth must be in the index, every WARC file must pass
`warcio check`, and the server must have seen no request robots.txt forbids, none for other
hosts and no calendar pages beyond the trap cap.
"""
from __future__ import annotations

import subprocess
import sys
from collections import Counter
from urllib.parse import urlsplit

import pytest

from portal_crawler.scope import TrapGuard
from tests.support.crawl_links import check_kept_links
from tests.support.warc_check import warc_files, warcio_check

CLI = [sys.executable, "-m", "portal_crawler.cli"]


@pytest.fixture(scope="module")
def crawled(portal_source, tmp_path_factory):
    base = tmp_path_factory.mktemp(f"acceptance-{portal_source.name}")
    data = base / "data"
    with portal_source.serve(base) as server:
        run = subprocess.run([*CLI, "crawl", *portal_source.start_urls, "--data", str(data),
                              "--proxy", server.url], capture_output=True, text=True, timeout=600)
        requests, unknown = server.requests(), server.unknown_hosts()
    return {"source": portal_source, "data": data, "run": run, "requests": requests, "unknown": unknown}


def test_crawl_succeeds_and_reports(crawled):
    run = crawled["run"]
    assert run.returncode == 0, run.stderr[-3000:]
    assert "articles" in run.stdout and "pages" in run.stdout


def test_every_canonical_article_is_indexed(crawled):
    source = crawled["source"]
    indexed = source.indexed_keys(crawled["data"] / "index.sqlite")
    canonical = source.canonical_keys()
    assert canonical
    missing = [k for k in canonical if k not in indexed]
    assert not missing, f"{len(missing)} of {len(canonical)} canonical articles missing, e.g. {missing[:5]}"


def test_warc_files_pass_warcio_check(crawled):
    warcs = warc_files(crawled["data"] / "warcs")
    assert not list((crawled["data"] / "warcs").glob("*.open")), "a WARC file was left open"
    warcio_check(*warcs)


def test_no_forbidden_requests(crawled):
    source = crawled["source"]
    urls = [url for _method, url in crawled["requests"]]
    assert len(urls) > 20, "the server saw almost no requests"
    disallowed = source.disallowed(urls)
    assert not disallowed, disallowed[:5]
    assert not [u for u in urls if "/admin/" in u or "/tim-kiem/" in u]
    assert crawled["unknown"] == {}, "requests left the portals' own hosts"
    hosts = {s.host for s in source.sites}
    other = [u for u in urls if urlsplit(u).hostname not in hosts]
    assert not other, other[:5]
    # both corpora have an endless calendar robots.txt allows: the trap guard lets a few of
    # its pages through per site, never an unbounded walk
    calendar = Counter(urlsplit(u).hostname for u in urls if "date=" in u)
    cap = TrapGuard().caps["calendar"]
    assert calendar and all(n <= cap for n in calendar.values()), calendar


def test_links_are_fetched_as_written_and_once(crawled):
    """Routes whose query is not in sorted order (Liferay paging, a PHP alias URL) are
    archived byte for byte as linked; no resource is fetched under two spellings."""
    from archive.urlkey import url_key
    from tests.support.crawl_fetches import fetches
    sites = crawled["source"].sites
    unsorted = {}
    for site in sites:
        for route in site.routes:
            names = [p.split("=", 1)[0] for p in urlsplit(route).query.split("&") if p]
            if len(names) > 1 and names != sorted(names):
                unsorted[url_key(f"http://{site.host}{route}")] = f"http://{site.host}{route}"
    if not unsorted:
        pytest.skip(f"{crawled['source'].name} links no URL with unsorted parameters")
    fetched, _ = fetches([crawled["data"] / "warcs"])
    insensitive = {site.host for site in sites if site.case_insensitive}
    keys = {}
    for (_, url) in fetched:
        keys.setdefault(url_key(url, fold_case=urlsplit(url).hostname in insensitive), []).append(url)
    assert not [urls for urls in keys.values() if len(urls) > 1]
    as_linked = [url for key, url in unsorted.items() if key in keys]
    assert as_linked, "the crawl reached no link with unsorted parameters"
    assert all(keys[url_key(url)] == [url] for url in as_linked), [keys[url_key(u)] for u in as_linked]


def test_page_links_are_those_scrapy_reads(crawled):
    """Pages are parsed once (links from extraction's tree): every page's kept links are the
    ones Scrapy's own parse of its archived bytes finds, in the same order."""
    check = check_kept_links(crawled["data"])
    assert check.checked >= 0.5 * len(crawled["source"].truth), check
    assert not check.mismatches, check.mismatches[:2]
    # the others decode differently (NFD text, a charset header the bytes contradict): parsed again
    assert check.shared >= 0.75 * check.checked, "most pages decode alike: their tree is shared"
