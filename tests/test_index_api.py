"""The Index API the crawler, recorder and snapshot use, on real SQLite files."""

import json
import sqlite3

import pytest

from archive.index import Index, Migration, url_key

URL = "http://thoxuan.test/tin-tuc/hop-hdnd-468686.aspx"


def add(index, url=URL, timestamp="2024-03-01T10:00:00Z", status=200, digest="sha1:AAA",
        record_type="response", **extra):
    return index.add_capture(url=url, timestamp=timestamp, status=status, mime="text/html",
                             payload_digest=digest, warc_file="portal-archive-1.warc.gz",
                             offset=100, length=2000, record_id="<urn:uuid:1>",
                             record_type=record_type, **extra)


def article(body="Kỳ họp thứ năm bàn về nông thôn mới.", url=URL, canonical=URL, **extra):
    return {"url": url, "canonical": canonical, "title": "Họp Hội đồng nhân dân huyện",
            "published": "2024-03-01T09:00:00+07:00", "author": "Nông Linh", "body": body,
            "images": [{"src": "http://thoxuan.test/a.jpg", "caption": "Toàn cảnh"}],
            "attachments": [{"href": "http://thoxuan.test/qd.pdf", "name": "Quyết định"}], **extra}


def test_database_is_wal_with_large_pages(index):
    assert index.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert index.conn.execute("PRAGMA page_size").fetchone()[0] == 32768
    assert index.conn.execute("PRAGMA auto_vacuum").fetchone()[0] == 2  # incremental
    assert index.schema_version() >= 1


def test_captures_lookup_and_nearest(index):
    first = add(index, timestamp="20240101000000", etag='"v1"')
    add(index, timestamp="2024-06-01T00:00:00Z", etag='"v2"', last_modified="Sat, 01 Jun 2024")
    add(index, url="https://www.thoxuan.test/tin-tuc/hop-hdnd-468686.aspx#top",
        timestamp="2024-09-01T00:00:00Z", status=304, record_type="revisit",
        refers_to="<urn:uuid:1>", refers_to_url=URL, refers_to_date="20240101000000")
    captures = index.captures(URL)
    assert [c["timestamp"] for c in captures] == [
        "2024-01-01T00:00:00Z", "2024-06-01T00:00:00Z", "2024-09-01T00:00:00Z"]
    assert captures[2]["refers_to_date"] == "2024-01-01T00:00:00Z"
    assert index.nearest_capture(URL)["record_type"] == "revisit"
    assert index.nearest_capture(URL, at="2024-02-01")["id"] == first
    assert index.nearest_capture(URL, at="2024-05-01T00:00:00+07:00")["etag"] == '"v2"'
    assert index.nearest_capture("http://thoxuan.test/other") is None
    # Validators come from the newest 200 capture, not the 304 revisit.
    assert index.validators(URL) == {"etag": '"v2"', "last_modified": "Sat, 01 Jun 2024"}


def test_find_payload_returns_first_response(index):
    add(index, digest="sha1:SAME", timestamp="2024-01-01T00:00:00Z")
    add(index, digest="sha1:SAME", timestamp="2024-02-01T00:00:00Z", record_type="revisit")
    found = index.find_payload("sha1:SAME")
    assert found == {"url": URL, "timestamp": "2024-01-01T00:00:00Z", "record_id": "<urn:uuid:1>"}
    assert index.find_payload("sha1:NONE") is None


def test_url_key_ignores_scheme_www_and_fragment():
    assert url_key("https://WWW.Thoxuan.test/a?b=1#x") == url_key("http://thoxuan.test/a?b=1")
    assert url_key("http://thoxuan.test") == "thoxuan.test/"


def test_crawl_lifecycle_counts_from_index(index):
    crawl_id = index.start_crawl(["thoxuan"], {"DEPTH_LIMIT": 3})
    assert index.crawl(crawl_id)["outcome"] == "running"
    capture = add(index, crawl_id=crawl_id)
    assert index.upsert_article(article(), site="thoxuan", capture_id=capture,
                                captured="2024-03-01T10:00:00Z", crawl_id=crawl_id) == "new"
    index.finish_crawl(crawl_id, "ok", {"errors": 2}, ["portal-archive-1.warc.gz"])
    crawl = index.crawls()[0]
    assert (crawl["outcome"], crawl["pages"], crawl["new"], crawl["changed"], crawl["errors"]) == \
        ("ok", 1, 1, 0, 2)
    assert crawl["warcs"] == ["portal-archive-1.warc.gz"]
    assert crawl["settings"] == {"DEPTH_LIMIT": 3} and crawl["finished"]


def test_upsert_site_is_idempotent(index):
    index.upsert_site({"id": "thoxuan", "name": "Thọ Xuân", "hosts": ["thoxuan.test"]})
    index.upsert_site({"id": "thoxuan", "name": "Huyện Thọ Xuân", "hosts": ["thoxuan.test"],
                       "province": "Thanh Hóa"})
    assert index.sites() == [{"id": "thoxuan", "name": "Huyện Thọ Xuân", "hosts": ["thoxuan.test"],
                              "province": "Thanh Hóa", "family": None, "start_urls": [],
                              "status": None, "redirects_to": None, "successor": None}]


def test_versions_only_when_text_changes_between_crawls(index):
    first, second, third = (index.start_crawl(["thoxuan"], {}) for _ in range(3))
    assert index.upsert_article(article(), site="thoxuan", crawl_id=first,
                                captured="2024-03-01T10:00:00Z") == "new"
    assert index.upsert_article(article(), site="thoxuan", crawl_id=second,
                                captured="2024-04-01T10:00:00Z") == "unchanged"
    changed = article(body="Kỳ họp thứ năm bàn về nông thôn mới nâng cao.")
    assert index.upsert_article(changed, site="thoxuan", crawl_id=third,
                                captured="2024-05-01T10:00:00Z") == "changed"
    stored = index.article(URL)
    assert stored["versions"] == 2 and stored["body"].endswith("nâng cao.")
    assert stored["last_captured"] == "2024-05-01T10:00:00Z"
    versions = index.article_versions(stored["id"])
    assert [v["version"] for v in versions] == [1, 2]
    assert versions[0]["body"] == "Kỳ họp thứ năm bàn về nông thôn mới."
    assert versions[0]["title"] == versions[1]["title"] == "Họp Hội đồng nhân dân huyện"
    assert versions[0]["images"] == versions[1]["images"] == [
        {"src": "http://thoxuan.test/a.jpg", "caption": "Toàn cảnh"}]
    assert versions[0]["url"] == URL
    assert versions[1]["changed"] == ["body"]
    assert versions[1]["body"].endswith("nâng cao.")
    # The newest text is stored once, in articles.
    raw = index.conn.execute("SELECT title, body FROM article_versions WHERE version = 2").fetchone()
    assert tuple(raw) == (None, None)


def test_alias_page_joins_its_canonical_article(index):
    crawl_id = index.start_crawl(["thoxuan"], {})
    index.upsert_article(article(), site="thoxuan", crawl_id=crawl_id)
    printed = article(url="http://thoxuan.test/print.aspx?p=7372", body="In: khác")
    # Same crawl: the print view does not make a new version.
    assert index.upsert_article(printed, site="thoxuan", crawl_id=crawl_id) == "unchanged"
    stored = index.article("http://thoxuan.test/print.aspx?p=7372")
    assert stored["url"] == URL and stored["versions"] == 1
    assert stored["aliases"] == ["http://thoxuan.test/print.aspx?p=7372"]
    assert stored["images"] == [{"src": "http://thoxuan.test/a.jpg", "caption": "Toàn cảnh"}]
    assert stored["attachments"] == [{"href": "http://thoxuan.test/qd.pdf", "name": "Quyết định"}]
    add(index, url="http://thoxuan.test/print.aspx?p=7372", timestamp="2024-03-02T00:00:00Z")
    add(index, timestamp="2024-03-01T00:00:00Z")
    assert [c["url"] for c in index.article_captures(stored["id"])] == [
        URL, "http://thoxuan.test/print.aspx?p=7372"]


def test_mark_gone_and_reappear(index):
    first = index.start_crawl(["thoxuan"], {})
    index.upsert_article(article(), site="thoxuan", crawl_id=first)
    second = index.start_crawl(["thoxuan"], {})
    assert index.unseen_articles("thoxuan", second) == [URL]
    assert index.mark_gone(URL, second)
    assert index.article(URL)["gone"] == index.crawl(second)["started"]
    assert index.unseen_articles("thoxuan", second) == []
    third = index.start_crawl(["thoxuan"], {})
    index.upsert_article(article(), site="thoxuan", crawl_id=third)
    assert index.article(URL)["gone"] is None
    assert not index.mark_gone("http://thoxuan.test/unknown", third)


def test_migrations_of_another_component_run_once(index, tmp_path):
    schedule = (Migration(1, "schedules", "CREATE TABLE schedules (id INTEGER PRIMARY KEY, cron TEXT);"),
                Migration(2, "tz", lambda db: db["schedules"].add_column("tz", str)))
    assert index.apply_migrations("schedule", schedule) == [1, 2]
    assert index.apply_migrations("schedule", schedule) == []
    assert index.schema_version("schedule") == 2
    assert "tz" in index.db["schedules"].columns_dict
    index.close()
    reopened = Index(tmp_path / "index.sqlite")
    assert reopened.apply_migrations("schedule", schedule) == []
    reopened.close()


def test_failed_migration_rolls_back(index):
    broken = (Migration(1, "half", "CREATE TABLE half (id INTEGER);\nCREATE TABLE half (id INTEGER);"),)
    with pytest.raises(sqlite3.OperationalError):
        index.apply_migrations("broken", broken)
    assert "half" not in index.db.table_names()
    assert index.schema_version("broken") == 0


def test_fts_rebuild_indexes_folded_text(index):
    index.upsert_article(article(), site="thoxuan")
    index.rebuild_fts()
    rows = index.conn.execute(
        "SELECT rowid FROM articles_fts WHERE articles_fts MATCH 'hdnd OR \"hoi dong nhan dan\"'"
    ).fetchall()
    assert len(rows) == 1
    settings = json.loads(json.dumps(index.crawls()))
    assert settings == []


def test_old_fts_declaration_is_migrated_for_datasette(tmp_path):
    path = tmp_path / "index.sqlite"
    with Index(path) as index:
        index.upsert_article(article(), site="thoxuan")
        # Recreate the FTS table as early databases declared it (single quotes).
        index.conn.executescript(
            "DROP TABLE articles_fts;"
            "CREATE VIRTUAL TABLE articles_fts USING fts5(title, body, author, search_tags,"
            " content='articles', content_rowid='id', tokenize='unicode61 remove_diacritics 2');"
            "DELETE FROM schema_migrations WHERE version = 3;")
    with Index(path) as index:
        sql = index.conn.execute("SELECT sql FROM sqlite_master WHERE name = 'articles_fts'").fetchone()[0]
        assert 'content="articles"' in sql
        rows = index.conn.execute(
            "SELECT rowid FROM articles_fts WHERE articles_fts MATCH 'nong AND hoi'").fetchall()
        assert len(rows) == 1


def test_readonly_index_reads_and_refuses_writes(tmp_path):
    path = tmp_path / "an archive" / "index.sqlite"
    with Index(path) as index:
        index.upsert_article(article(), site="thoxuan")
    with Index(path, readonly=True) as index:
        assert index.article(URL)["title"] == "Họp Hội đồng nhân dân huyện"
        with pytest.raises(sqlite3.OperationalError):
            index.upsert_site({"id": "x"})
