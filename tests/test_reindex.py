"""`portal-archive index --rebuild` reproduces the index from the WARC files alone."""
from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from portal_crawler.demo.server import DemoServer
from tests.support.cli_crawl import CLI, DEMO_SITES, crawl


def article_rows(db_path):
    db = sqlite3.connect(db_path)
    articles = sorted(db.execute("SELECT url, title, published, author, body FROM articles"))
    aliases = sorted(db.execute("SELECT a.url, b.url FROM aliases a JOIN articles b ON b.id = a.article_id"))
    versions = db.execute("SELECT count(*) FROM article_versions").fetchone()[0]
    captures = sorted(db.execute("SELECT url, status, payload_digest, warc_file, offset, length FROM captures"))
    documents = sorted(db.execute("SELECT url FROM documents"))
    return articles, aliases, versions, captures, documents


def rebuild(data, timeout: int = 300) -> str:
    """`index --rebuild --data DATA`, which must succeed; its stdout."""
    result = subprocess.run([*CLI, "index", "--rebuild", "--data", str(data)], capture_output=True, text=True,
                            timeout=timeout)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_rebuild_reproduces_the_index(demo_crawled, tmp_path):
    before = article_rows(demo_crawled / "index.sqlite")
    copy = tmp_path / "copy"
    shutil.copytree(demo_crawled, copy)
    assert "indexed" in rebuild(copy)
    after = article_rows(copy / "index.sqlite")
    articles, aliases, versions, captures, documents = after
    assert articles == before[0]
    assert aliases == before[1]
    assert versions == before[2]
    assert captures == before[3]
    assert documents == before[4]
    assert len(articles) >= 20


def test_rebuild_restores_the_crawl_runs_from_warcinfo(demo_crawled, tmp_path):
    def runs(db_path):
        db = sqlite3.connect(db_path)
        crawls = db.execute("SELECT id, targets, started <= finished, pages, new FROM crawls ORDER BY id").fetchall()
        captures = sorted(db.execute("SELECT record_id, crawl_id FROM captures"))
        versions = sorted(db.execute("SELECT a.url, v.version, v.crawl_id FROM article_versions v"
                                     " JOIN articles a ON a.id = v.article_id"))
        return crawls, captures, versions
    crawls, captures, versions = runs(demo_crawled / "index.sqlite")
    copy = tmp_path / "copy"
    shutil.copytree(demo_crawled, copy)
    (copy / "index.sqlite").unlink()  # nothing but the WARCs (an old index's crawl rows are kept as they are)
    rebuild(copy)
    rebuilt_crawls, rebuilt_captures, rebuilt_versions = runs(copy / "index.sqlite")
    assert [row[:3] for row in rebuilt_crawls] == [row[:3] for row in crawls]
    assert crawls[0][1] == '["demo-yentho", "demo-huonglam"]'
    # Pages are the archived responses; new articles are counted from the versions again.
    assert [row[4] for row in rebuilt_crawls] == [row[4] for row in crawls]
    assert all(row[3] > 0 for row in rebuilt_crawls)
    assert rebuilt_captures == captures and all(crawl_id for _, crawl_id in captures)
    assert rebuilt_versions == versions
    outcome = sqlite3.connect(copy / "index.sqlite").execute("SELECT DISTINCT outcome FROM crawls").fetchall()
    assert outcome == [("rebuilt",)]


def test_rebuild_searches_like_the_original(demo_crawled, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(demo_crawled, copy)
    (copy / "index.sqlite").unlink()
    rebuild(copy)
    original = subprocess.run([*CLI, "search", "nong thon moi", "--json", "--data", str(demo_crawled)],
                              capture_output=True, text=True)
    rebuilt = subprocess.run([*CLI, "search", "nong thon moi", "--json", "--data", str(copy)],
                             capture_output=True, text=True)
    assert original.returncode == rebuilt.returncode == 0
    assert original.stdout == rebuilt.stdout
    assert "nông thôn mới" in rebuilt.stdout.lower()


def test_rebuild_keeps_the_crawl_rows_the_warcs_cannot_give_back(demo_crawled, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(demo_crawled, copy)
    query = "SELECT id, targets, started, finished, outcome, pages, new, changed, errors, warcs, settings, stats" \
            " FROM crawls ORDER BY id"
    before = sqlite3.connect(demo_crawled / "index.sqlite").execute(query).fetchall()
    rebuild(copy)
    assert sqlite3.connect(copy / "index.sqlite").execute(query).fetchall() == before
    assert before[0][4] == "ok" and before[0][11]


def index_rows(db_path) -> dict[str, list]:
    """Every row the crawl or a rebuild derives from the WARCs, with ids replaced by what
    they point at (autoincrement ids differ between two runs, the rows must not). Not here:
    page_links (a crawl cache the rebuild leaves empty), sites, crawls and schedules (state
    the WARCs do not hold)."""
    db = sqlite3.connect(db_path)
    record = "(SELECT record_id FROM captures c WHERE c.id = {})"
    article = "(SELECT url FROM articles a WHERE a.id = {})"
    queries = {
        "captures": "SELECT url, url_key, timestamp, status, mime, payload_digest, warc_file, offset, length,"
                    " record_id, record_type, refers_to, refers_to_url, refers_to_date, crawl_id, site, etag,"
                    " last_modified, source, source_uri, source_digest FROM captures",
        "articles": f"SELECT url, site, published, author, title, language, text_hash, versions, first_captured,"
                    f" last_captured, {record.format('capture_id')}, last_crawl_id, gone, gone_crawl_id,"
                    f" search_tags, body FROM articles",
        "aliases": f"SELECT url, {article.format('article_id')} FROM aliases",
        "article_keys": f"SELECT key, {article.format('article_id')} FROM article_keys",
        "article_versions": f"SELECT {article.format('article_id')}, version, captured,"
                            f" {record.format('capture_id')}, crawl_id, url, text_hash, changed, title, published,"
                            f" author, images, attachments, body FROM article_versions",
        "images": f"SELECT {article.format('article_id')}, src, caption FROM images",
        "attachments": f"SELECT {article.format('article_id')}, href, name FROM attachments",
        "documents": f"SELECT url, {article.format('article_id')}, site, name, mime, {record.format('capture_id')},"
                     f" captured, pages, text_hash, text FROM documents",
    }
    try:
        return {table: sorted(db.execute(sql).fetchall(), key=repr) for table, sql in queries.items()}
    finally:
        db.close()


def rows_and_rebuilt_rows(data, tmp_path, timeout: int = 300) -> tuple[dict, dict, Path]:
    """DATA's index rows, those `index --rebuild` derives from a copy of its WARC files alone,
    and that copy."""
    copy = tmp_path / "copy"
    shutil.copytree(data / "warcs", copy / "warcs")
    rebuild(copy, timeout)
    return index_rows(data / "index.sqlite"), index_rows(copy / "index.sqlite"), copy


def assert_same_rows(crawl: dict, rebuilt: dict, tables=None) -> None:
    for table in tables or crawl:
        assert rebuilt[table] == crawl[table], table


def test_crawl_and_rebuild_give_identical_rows(demo_crawled, tmp_path):
    crawl, rebuilt, _ = rows_and_rebuilt_rows(demo_crawled, tmp_path)
    assert_same_rows(crawl, rebuilt)
    pdfs = [row for row in crawl["documents"] if row[0].endswith(".pdf")]
    assert pdfs and all(row[7] and row[7] >= 1 for row in pdfs)  # page counts are stored


@pytest.fixture(scope="module")
def recrawled(tmp_path_factory):
    """The demo crawled, recrawled a day later (the policy: nothing due) and a week later
    asking for everything (304s for every article)."""
    data = tmp_path_factory.mktemp("recrawled") / "data"
    with DemoServer() as server:
        for days, args in ((0, []), (1, []), (7, ["--recheck", "all"])):
            crawl(DEMO_SITES, data, server.url, *args, later=timedelta(days=days))
    return data


def test_an_iis_portal_is_not_asked_again_for_articles_not_due(recrawled):
    # demo-yentho answers as IIS: its captures are keyed case-folded, its article URLs are not
    db = sqlite3.connect(recrawled / "index.sqlite")
    asked = db.execute("SELECT count(*) FROM captures c JOIN articles a ON a.url = c.url"
                       " WHERE c.crawl_id = 2").fetchone()[0]
    articles = db.execute("SELECT count(*) FROM articles WHERE site = 'demo-yentho'").fetchone()[0]
    rechecked = db.execute("SELECT count(DISTINCT a.id) FROM captures c JOIN articles a ON a.url = c.url"
                           " WHERE c.crawl_id = 3 AND a.site = 'demo-yentho'").fetchone()[0]
    assert articles >= 10 and asked == 0 and rechecked == articles


def test_the_recheck_report_counts_iis_articles_rechecked(recrawled):
    db = sqlite3.connect(recrawled / "index.sqlite")
    articles = db.execute("SELECT count(*) FROM articles").fetchone()[0]
    day, week = (json.loads(db.execute("SELECT stats FROM crawls WHERE id = ?", (i,)).fetchone()[0])["recheck"]
                 for i in (2, 3))
    assert (day["not_due"], day["rechecked"]) == (articles, 0)
    assert (week["unchanged"], week["rechecked"], week["not_due"]) == (articles, articles, 0)


def test_a_recrawled_archive_rebuilds_to_identical_rows(recrawled, tmp_path):
    crawl, rebuilt, copy = rows_and_rebuilt_rows(recrawled, tmp_path)
    assert_same_rows(crawl, rebuilt)
    assert {row[11] for row in crawl["articles"]} == {3}  # every article's last crawl is the third
    exports = [subprocess.run([*CLI, "export", "--format", "jsonl", "--data", str(d)], capture_output=True,
                              text=True) for d in (recrawled, copy)]
    assert exports[0].returncode == exports[1].returncode == 0
    assert sorted(exports[1].stdout.splitlines()) == sorted(exports[0].stdout.splitlines())


@pytest.fixture(scope="module")
def source_recrawled(portal_source, tmp_path_factory):
    """Each portal source (portalgen where ../shared has it, the demo) crawled, then a day
    later asking for every article again."""
    base = tmp_path_factory.mktemp(f"rebuild-{portal_source.name}")
    data = base / "data"
    with portal_source.serve(base) as server:
        for later, args in ((None, []), (timedelta(days=1), ["--recheck", "all"])):
            crawl(portal_source.start_urls, data, server.url, *args, later=later, timeout=600)
    return data


def test_every_portal_source_rebuilds_to_the_crawls_rows(portal_source, source_recrawled, tmp_path):
    crawl, rebuilt, _ = rows_and_rebuilt_rows(source_recrawled, tmp_path, timeout=600)
    assert crawl["articles"] and crawl["documents"]
    assert_same_rows(crawl, rebuilt, ("captures", "aliases", "attachments", "documents"))  # no article rows
    extra = {row[0] for row in rebuilt["articles"]} - {row[0] for row in crawl["articles"]}
    if extra and all(route_kind(portal_source, url) in ("home", "listing") for url in extra):
        # The rebuild extracts with the template learned from every page; the crawl had not
        # learned it yet when it fetched the home page, which that template makes an article.
        pytest.xfail(f"a listing becomes an article under the site's learned template: {sorted(extra)}")
    assert_same_rows(crawl, rebuilt)


def route_kind(source, url: str) -> str | None:
    parts = urlsplit(url)
    site = source.host_site(parts.hostname)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    route = site.routes.get(path) or site.routes.get(path.lower()) if site else None
    return route and route["kind"]


def test_a_304_revisit_naming_only_its_original_url_and_date_stands_for_it(tmp_path):
    """Another tool's 304 revisit (no WARC-Refers-To record id, no payload digest) is the
    capture that last saw the article, as our own are."""
    from io import BytesIO

    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter
    url = "http://other.test/tin/1.html"
    text = "Sáng nay, huyện tổ chức hội nghị tổng kết công tác xây dựng nông thôn mới và giao nhiệm vụ. " * 5
    page = (f"<html><head><meta charset='utf-8'><title>Hội nghị nông thôn mới</title></head><body>"
            f"<h1>Hội nghị về nông thôn mới</h1><p>Ngày 14/03/2019 15:41:05</p><p>{text}</p>"
            f"<p>Thùy Dung</p></body></html>").encode("utf-8")
    warcs = tmp_path / "data" / "warcs"
    warcs.mkdir(parents=True)
    with open(warcs / "other-20240101000000-00001.warc.gz", "wb") as out:
        writer = WARCWriter(out, gzip=True, warc_version="1.1")
        headers = [("Content-Type", "text/html; charset=utf-8"), ("ETag", '"v1"')]
        writer.write_record(writer.create_warc_record(
            url, "response", payload=BytesIO(page), http_headers=StatusAndHeaders("200 OK", headers, "HTTP/1.1"),
            warc_headers_dict={"WARC-Date": "2024-01-01T00:00:00Z"}))
        writer.write_record(writer.create_warc_record(
            url, "revisit", payload=BytesIO(b""),
            http_headers=StatusAndHeaders("304 Not Modified", [("ETag", '"v1"')], "HTTP/1.1"),
            warc_headers_dict={"WARC-Date": "2024-01-02T00:00:00Z",
                               "WARC-Profile": "http://netpreserve.org/warc/1.1/revisit/server-not-modified",
                               "WARC-Refers-To-Target-URI": url, "WARC-Refers-To-Date": "2024-01-01T00:00:00Z"}))
    result = subprocess.run([*CLI, "index", "--data", str(tmp_path / "data")], capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr
    db = sqlite3.connect(tmp_path / "data" / "index.sqlite")
    article = db.execute("SELECT a.first_captured, a.last_captured, c.record_type, a.versions FROM articles a"
                         " JOIN captures c ON c.id = a.capture_id WHERE a.url = ?", (url,)).fetchone()
    assert article == ("2024-01-01T00:00:00Z", "2024-01-02T00:00:00Z", "revisit", 1)
