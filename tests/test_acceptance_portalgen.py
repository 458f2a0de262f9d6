"""Acceptance: crawl the shared portalgen corpus end to end, through its server as a proxy.

Every canonical article of the truth file must be in the index, every WARC file must pass
`warcio check`, and the server must have seen no request for robots-disallowed paths, other
hosts or calendar pages beyond the cap.
"""
from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.support import portalgen

pytestmark = pytest.mark.skipif(not portalgen.available(), reason="../shared/portalgen is absent")

CLI = [sys.executable, "-m", "portal_crawler.cli"]


def url_key(url: str, case_insensitive: bool) -> str:
    parts = urlsplit(url)
    path = parts.path.lower() if case_insensitive else parts.path
    return f"{parts.hostname}{path}" + (f"?{parts.query}" if parts.query else "")


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    base = tmp_path_factory.mktemp("acceptance")
    corpus = portalgen.generate(base / "corpus")
    data = base / "data"
    log = base / "server.log"
    with portalgen.PortalgenServer(corpus, log_path=log) as server:
        run = subprocess.run([*CLI, "crawl", *portalgen.start_urls(corpus), "--data", str(data),
                              "--proxy", server.url], capture_output=True, text=True, timeout=600)
        stats = server.stats()
    return {"corpus": corpus, "data": data, "run": run, "log": log.read_text(errors="replace"), "stats": stats}


def test_crawl_succeeds_and_reports(crawled):
    run = crawled["run"]
    assert run.returncode == 0, run.stderr[-3000:]
    assert "articles" in run.stdout and "pages" in run.stdout


def test_every_canonical_article_is_indexed(crawled):
    import json
    routes = json.loads((crawled["corpus"] / "routes.json").read_text(encoding="utf-8"))["sites"]
    insensitive = {s["host"]: bool(s.get("case_insensitive")) for s in routes.values()}
    db = sqlite3.connect(crawled["data"] / "index.sqlite")
    indexed = set()
    for (url,) in db.execute("SELECT url FROM articles UNION SELECT url FROM aliases"):
        host = urlsplit(url).hostname or ""
        indexed.add(url_key(url, insensitive.get(host, False)))
    canon = [t for t in portalgen.truth(crawled["corpus"]) if t["url"] == t["canonical"]]
    missing = [t["url"] for t in canon
               if url_key(t["url"], insensitive.get(urlsplit(t["url"]).hostname, False)) not in indexed]
    assert not missing, f"{len(missing)} of {len(canon)} canonical articles missing, e.g. {missing[:5]}"


def test_warc_files_pass_warcio_check(crawled):
    warcs = sorted((crawled["data"] / "warcs").glob("*.warc.gz"))
    assert warcs, "no closed WARC files"
    assert not list((crawled["data"] / "warcs").glob("*.open")), "a WARC file was left open"
    warcio = Path(sys.executable).with_name("warcio")
    result = subprocess.run([str(warcio), "check", *map(str, warcs)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_forbidden_requests(crawled):
    requests = [u for u in re.findall(r'"(?:GET|HEAD) (\S+) HTTP', crawled["log"]) if "://" in u]
    assert requests, "the server saw no requests"
    disallowed = [u for u in requests if "/admin/" in u or "/tim-kiem/" in u]
    assert not disallowed, disallowed[:5]
    assert crawled["stats"]["unknown_hosts"] == {}, "requests left the portals' own hosts"
    site_hosts = {s["host"] for s in portalgen.sites(crawled["corpus"])}
    other = [u for u in requests if urlsplit(u).hostname not in site_hosts]
    assert not other, other[:5]
    calendar = [u for u in requests if "date=" in u]
    # the trap guard lets a few calendar pages through per site, never an unbounded walk
    assert len(calendar) <= 4 * 5, f"{len(calendar)} calendar pages fetched"


def test_links_are_fetched_as_written_and_once(crawled):
    """Routes whose query is not in sorted order (Liferay paging, a PHP alias URL) are
    archived byte for byte as linked; no resource is fetched under two spellings."""
    from archive.urlkey import url_key
    from tests.support.crawl_fetches import fetches
    routes = json.loads((crawled["corpus"] / "routes.json").read_text(encoding="utf-8"))["sites"]
    unsorted = {}
    for site in routes.values():
        for route in site["routes"]:
            names = [p.split("=", 1)[0] for p in urlsplit(route).query.split("&") if p]
            if len(names) > 1 and names != sorted(names):
                unsorted[url_key(f"http://{site['host']}{route}")] = f"http://{site['host']}{route}"
    fetched, _ = fetches([crawled["data"] / "warcs"])
    insensitive = {s["host"] for s in routes.values() if s.get("case_insensitive")}
    keys = {}
    for (_, url) in fetched:
        keys.setdefault(url_key(url, fold_case=urlsplit(url).hostname in insensitive), []).append(url)
    assert not [urls for urls in keys.values() if len(urls) > 1]
    as_linked = [url for key, url in unsorted.items() if key in keys]
    assert as_linked, "the crawl reached no link with unsorted parameters"
    assert all(keys[url_key(url)] == [url] for url in as_linked), [keys[url_key(u)] for u in as_linked]
