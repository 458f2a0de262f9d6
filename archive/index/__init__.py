"""The SQLite index of an archive: schema, versioned migrations, upserts, getters.

The index is derived from the WARC files (the source of truth) and can be rebuilt.
One `Index` wraps one connection (sqlite-utils `Database` over `sqlite3`): open one
per thread.  The database runs in WAL mode with a busy timeout, so one writer and
any number of readers never see "database is locked"; every write transaction
starts with `BEGIN IMMEDIATE`, so two writers queue instead of deadlocking.

Tables
  sites             one row per portal (id, name, hosts, province, family, start_urls)
  crawls            one row per crawl run (targets, started, finished, outcome, counts,
                    warcs, settings and stats as JSON)
  captures          a CDX in SQLite: one row per archived WARC record (response, revisit)
  articles          one row per canonical article; holds the text of its newest version
  aliases           other URLs of an article (print views, alias URLs)
  article_versions  one row per distinct text of an article; `changed` lists the fields
                    that differ from the version before.  The newest version's text
                    (title, published, author, body) and media are NULL there: they live in
                    `articles`, `images`, `attachments`, stored once, and are copied into
                    the version row when a newer text arrives (`article_versions()` fills
                    them in).  `url` is the page URL when it was not the canonical one.
  images, attachments   per article
  documents         text of PDF/DOCX attachments, linked to the article that links them
  articles_fts, documents_fts   FTS5 external-content tables over folded text
                    (content="articles" in double quotes: Datasette finds them so)
                    (see archive/search.py; never use FTS5 'rebuild' on them, it would
                    index unfolded text: use `Index.rebuild_fts()`)

Migrations
  Each schema change is a `Migration(version, name, apply)` where `apply` is SQL text
  or a callable taking the sqlite-utils `Database`.  Versions are counted per
  component in `schema_migrations(component, version, name, applied)`.  To change
  this module's schema append a Migration to `MIGRATIONS` with the next version;
  another module adds its own tables without editing this file:

      SCHEDULE_MIGRATIONS = (Migration(1, "schedules", "CREATE TABLE schedules (...)"),)
      index.apply_migrations("schedule", SCHEDULE_MIGRATIONS)

  Applied migrations are never edited; each runs once, inside a transaction.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Callable, Iterator, Sequence, Union

import sqlite_utils

from archive import aliases, textfold, version_rules
from archive.redact import redacted
from archive.timeutil import iso_timestamp, utc_now  # noqa: F401  (re-exported)
from archive.urlkey import lookup_keys, url_key

log = logging.getLogger(__name__)

# 32 kB pages: rows of ~3 kB articles waste less of each page than with 16 kB
# (database 5% smaller, measured on 20k generated articles).
PAGE_SIZE = 32768
BUSY_TIMEOUT_MS = 60_000
FTS_TOKENIZER = "unicode61 remove_diacritics 2"
# Columns of articles_fts; `search_tags` holds filter tokens (site, year, month, day).
ARTICLE_FTS_COLUMNS = ("title", "body", "author", "search_tags")
DOCUMENT_FTS_COLUMNS = ("name", "text")


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    apply: Union[str, Callable[[sqlite_utils.Database], None]]


FTS_SCHEMA = f"""
CREATE VIRTUAL TABLE articles_fts USING fts5(
    {", ".join(ARTICLE_FTS_COLUMNS)},
    content="articles", content_rowid="id", tokenize="{FTS_TOKENIZER}"
);
CREATE VIRTUAL TABLE documents_fts USING fts5(
    {", ".join(DOCUMENT_FTS_COLUMNS)},
    content="documents", content_rowid="id", tokenize="{FTS_TOKENIZER}"
);
"""

SCHEMA_V1 = f"""
CREATE TABLE sites (
    id TEXT PRIMARY KEY, name TEXT, hosts TEXT, province TEXT, family TEXT,
    start_urls TEXT
);
CREATE TABLE crawls (
    id INTEGER PRIMARY KEY, targets TEXT, started TEXT, finished TEXT,
    outcome TEXT NOT NULL DEFAULT 'running', pages INTEGER, new INTEGER,
    changed INTEGER, errors INTEGER, warcs TEXT, settings TEXT, stats TEXT
);
CREATE TABLE captures (
    id INTEGER PRIMARY KEY, url TEXT NOT NULL, url_key TEXT NOT NULL,
    timestamp TEXT NOT NULL, status INTEGER, mime TEXT, payload_digest TEXT,
    warc_file TEXT NOT NULL, offset INTEGER NOT NULL, length INTEGER NOT NULL,
    record_id TEXT, record_type TEXT NOT NULL DEFAULT 'response',
    refers_to TEXT, refers_to_url TEXT, refers_to_date TEXT,
    crawl_id INTEGER REFERENCES crawls(id), site TEXT, etag TEXT, last_modified TEXT
);
CREATE INDEX captures_url_key ON captures(url_key, timestamp);
CREATE INDEX captures_digest ON captures(payload_digest);
CREATE INDEX captures_crawl ON captures(crawl_id);
CREATE TABLE articles (
    id INTEGER PRIMARY KEY, url TEXT NOT NULL UNIQUE, site TEXT, published TEXT,
    author TEXT, title TEXT, language TEXT, text_hash TEXT, versions INTEGER NOT NULL DEFAULT 1,
    first_captured TEXT, last_captured TEXT, capture_id INTEGER, last_crawl_id INTEGER,
    gone TEXT, gone_crawl_id INTEGER, search_tags TEXT, body TEXT
);
CREATE INDEX articles_site_published ON articles(site, published);
CREATE INDEX articles_published ON articles(published);
CREATE TABLE aliases (
    url TEXT PRIMARY KEY, article_id INTEGER NOT NULL REFERENCES articles(id)
);
CREATE INDEX aliases_article ON aliases(article_id);
CREATE TABLE article_versions (
    id INTEGER PRIMARY KEY, article_id INTEGER NOT NULL REFERENCES articles(id),
    version INTEGER NOT NULL, captured TEXT, capture_id INTEGER, crawl_id INTEGER,
    url TEXT, text_hash TEXT, changed TEXT, title TEXT, published TEXT, author TEXT,
    images TEXT, attachments TEXT, body TEXT, UNIQUE(article_id, version)
);
CREATE INDEX article_versions_crawl ON article_versions(crawl_id);
CREATE TABLE images (
    id INTEGER PRIMARY KEY, article_id INTEGER NOT NULL REFERENCES articles(id),
    src TEXT NOT NULL, caption TEXT, UNIQUE(article_id, src)
);
CREATE TABLE attachments (
    id INTEGER PRIMARY KEY, article_id INTEGER NOT NULL REFERENCES articles(id),
    href TEXT NOT NULL, name TEXT, UNIQUE(article_id, href)
);
CREATE INDEX attachments_href ON attachments(href);
CREATE TABLE documents (
    id INTEGER PRIMARY KEY, url TEXT NOT NULL UNIQUE, article_id INTEGER REFERENCES articles(id),
    site TEXT, name TEXT, mime TEXT, capture_id INTEGER, captured TEXT, pages INTEGER,
    text_hash TEXT, text TEXT
);
CREATE INDEX documents_article ON documents(article_id);
{FTS_SCHEMA}"""

# FTS5 tuning: 16 kB leaves (half a 32 kB database page), a larger in-memory
# buffer before a segment is written, fewer emergency merges.
FTS_CONFIG = """
INSERT INTO articles_fts (articles_fts, rank) VALUES ('pgsz', 16000);
INSERT INTO articles_fts (articles_fts, rank) VALUES ('hashsize', 16777216);
INSERT INTO articles_fts (articles_fts, rank) VALUES ('crisismerge', 64);
INSERT INTO documents_fts (documents_fts, rank) VALUES ('pgsz', 16000);
"""



# Fills both FTS indexes from the stored text, folded (a migration and rebuild_fts).
FTS_FILL = """
INSERT INTO articles_fts (rowid, title, body, author, search_tags)
    SELECT id, fold(title), fold(body), fold(author), search_tags FROM articles;
INSERT INTO documents_fts (rowid, name, text) SELECT id, fold(name), fold(text) FROM documents;
"""


def _fts_found_by_datasette(db: sqlite_utils.Database) -> None:
    """Re-create FTS tables declared content='articles' as content="articles".

    Datasette finds the FTS table of a table only by the double-quoted form;
    early databases used single quotes.  The new tables are filled with folded text.
    """
    sql = db.execute("SELECT sql FROM sqlite_master WHERE name = 'articles_fts'").fetchone()[0]
    if 'content="articles"' in sql:
        return
    db.execute("DROP TABLE articles_fts")
    db.execute("DROP TABLE documents_fts")
    for statement in _split_sql(FTS_SCHEMA) + _split_sql(FTS_CONFIG) + _split_sql(FTS_FILL):
        db.execute(statement)


def _canonical_capture_keys(db: sqlite_utils.Database) -> None:
    """Re-key captures by the canonical form (query sorted, session ids out): a capture is
    found from any spelling of its URL.  Old rows do not say whether their server folds
    case, so they keep their path's case."""
    rows = db.execute("SELECT id, url FROM captures").fetchall()
    db.conn.executemany("UPDATE captures SET url_key = ? WHERE id = ?",
                        [(url_key(url), capture_id) for capture_id, url in rows])


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "initial schema", SCHEMA_V1),
    Migration(2, "fts5 tuning", FTS_CONFIG),
    Migration(3, "fts tables Datasette can find", _fts_found_by_datasette),
    Migration(4, "captures keyed by canonical url", _canonical_capture_keys),
    Migration(5, "article text keys (views of one article)", aliases.migrate),
)

ARTICLE_FIELDS = ("title", "published", "author", "body")




def text_hash(fields: dict) -> str:
    """Hash of the NFC-normalized text fields (compare versions)."""
    material = "\x00".join(fields.get(f) or "" for f in ARTICLE_FIELDS)
    return hashlib.sha1(material.encode("utf-8")).hexdigest()[:16]  # 64 bits: per-article compare


def search_tags(site: str | None, published: str | None) -> str:
    """Filter tokens indexed with an article: site, year, month and day of publication.

    They let a site or date filter run inside the FTS5 match (a doclist
    intersection) instead of as a per-row check; see archive/search.py.
    """
    tags = [site_tag(site)]
    day = (published or "")[:10]
    if len(day) == 10 and day[4] == "-" and day[7] == "-":
        compact = day.replace("-", "")
        tags += [f"zy{compact[:4]}", f"zm{compact[:6]}", f"zd{compact}"]
    else:
        tags.append("zynone")
    return " ".join(tags)


def site_tag(site: str | None) -> str:
    folded = textfold.fold(site or "")
    return "zs" + ("".join(c for c in folded if c.isascii() and c.isalnum()) or "none")


def _json(value) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False)


class Index:
    """The archive's SQLite index.  `Index(path)` opens, creates and migrates."""

    def __init__(self, path: str | Path, *, readonly: bool = False, cache_mb: int = 64):
        self.path = Path(path)
        if not readonly:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(
            self.path.resolve().as_uri() + "?mode=ro" if readonly else str(self.path),
            uri=readonly,
            timeout=BUSY_TIMEOUT_MS / 1000,
            isolation_level=None,  # transactions are explicit: BEGIN IMMEDIATE
            check_same_thread=False,
        )
        conn.row_factory = sqlite3.Row
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        if not readonly:
            # Both only take effect on a new file.  Incremental auto-vacuum lets optimize()
            # give back the pages FTS5 merges free, without a full VACUUM.
            conn.execute(f"PRAGMA page_size = {PAGE_SIZE}")
            conn.execute("PRAGMA auto_vacuum = INCREMENTAL")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = OFF")
        # searches want a large page cache; a crawl, which mostly appends, passes a small one
        # so its memory does not grow with the archive
        conn.execute(f"PRAGMA cache_size = -{int(cache_mb) * 1024}")
        self.conn = conn
        self.db = sqlite_utils.Database(conn)
        textfold.register_sql_functions(conn)
        if not readonly:
            self.apply_migrations("index", MIGRATIONS)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> "Index":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- transactions and migrations -------------------------------------------------

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction (BEGIN IMMEDIATE); nested calls join the outer one."""
        if self.conn.in_transaction:
            yield self.conn
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def apply_migrations(self, component: str, migrations: Sequence[Migration]) -> list[int]:
        """Apply the migrations of `component` not applied yet; return their versions."""
        self.conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (component TEXT NOT NULL,"
            " version INTEGER NOT NULL, name TEXT, applied TEXT, PRIMARY KEY (component, version))"
        )
        done_before = {row[0] for row in self.conn.execute(
            "SELECT version FROM schema_migrations WHERE component = ?", (component,))}
        applied = []
        for migration in sorted(migrations, key=lambda m: m.version):
            if migration.version in done_before:
                continue  # readers opening the index take no write lock
            with self.transaction() as conn:
                done = conn.execute(
                    "SELECT 1 FROM schema_migrations WHERE component = ? AND version = ?",
                    (component, migration.version),
                ).fetchone()
                if done:
                    continue
                if isinstance(migration.apply, str):
                    for statement in _split_sql(migration.apply):
                        conn.execute(statement)
                else:
                    migration.apply(self.db)
                conn.execute(
                    "INSERT INTO schema_migrations VALUES (?, ?, ?, ?)",
                    (component, migration.version, migration.name, utc_now()),
                )
                applied.append(migration.version)
                log.info("applied migration %s %d: %s", component, migration.version, migration.name)
        return applied

    def schema_version(self, component: str = "index") -> int:
        row = self.conn.execute(
            "SELECT max(version) FROM schema_migrations WHERE component = ?", (component,)
        ).fetchone()
        return row[0] or 0

    # -- sites and crawls ----------------------------------------------------------

    def upsert_site(self, site: dict) -> None:
        row = {
            "id": site["id"],
            "name": site.get("name"),
            "hosts": _json(list(site.get("hosts") or [])),
            "province": site.get("province"),
            "family": site.get("family"),
            "start_urls": _json(list(site.get("start_urls") or [])),
        }
        with self.transaction():
            self.db["sites"].upsert(row, pk="id")

    def sites(self) -> list[dict]:
        rows = self.conn.execute("SELECT * FROM sites ORDER BY id").fetchall()
        return [_decode(row, "hosts", "start_urls") for row in rows]

    def start_crawl(self, targets: list[str], settings: dict | None = None) -> int:
        with self.transaction() as conn:
            cursor = conn.execute(
                "INSERT INTO crawls (targets, started, outcome, settings) VALUES (?, ?, 'running', ?)",
                (_json(list(targets)), utc_now(), _json(redacted(settings or {}))),
            )
            return cursor.lastrowid

    def restore_crawl(self, crawl_id: int, targets: list[str], started: str) -> bool:
        """Recreate a crawl run known from its WARC files (index --rebuild); False when the
        index has it already.  Close it with finish_crawl(..., "rebuilt", finished=...)."""
        with self.transaction() as conn:
            cursor = conn.execute(
                "INSERT OR IGNORE INTO crawls (id, targets, started, outcome, settings)"
                " VALUES (?, ?, ?, 'running', '{}')", (crawl_id, _json(list(targets)), started))
            return cursor.rowcount == 1

    def finish_crawl(self, crawl_id: int, outcome: str, stats: dict | None = None,
                     warcs: list[str] | None = None, finished: str | None = None) -> None:
        """Close a crawl run.  Counts not given in `stats` are taken from the index."""
        stats = dict(stats or {})
        with self.transaction() as conn:
            counted = conn.execute(
                "SELECT (SELECT count(*) FROM captures WHERE crawl_id = :id"
                "        AND record_type IN ('response', 'revisit')),"
                " (SELECT count(*) FROM article_versions WHERE crawl_id = :id AND version = 1),"
                " (SELECT count(*) FROM article_versions WHERE crawl_id = :id AND version > 1)",
                {"id": crawl_id},
            ).fetchone()
            conn.execute(
                "UPDATE crawls SET finished = ?, outcome = ?, pages = ?, new = ?, changed = ?,"
                " errors = ?, warcs = ?, stats = ? WHERE id = ?",
                (
                    finished or utc_now(), outcome,
                    stats.get("pages", counted[0]), stats.get("new", counted[1]),
                    stats.get("changed", counted[2]), stats.get("errors", 0),
                    _json(list(warcs or [])), _json(redacted(stats)), crawl_id,
                ),
            )

    def crawl(self, crawl_id: int) -> dict | None:
        row = self.conn.execute("SELECT * FROM crawls WHERE id = ?", (crawl_id,)).fetchone()
        return _decode(row, "targets", "warcs", "settings", "stats") if row else None

    def crawls(self) -> list[dict]:
        """Every crawl run, newest first (the `crawls --json` shape plus settings/stats)."""
        rows = self.conn.execute("SELECT * FROM crawls ORDER BY id DESC").fetchall()
        return [_decode(row, "targets", "warcs", "settings", "stats") for row in rows]

    # -- captures (the CDX) --------------------------------------------------------

    def add_capture(self, *, url: str, timestamp, status: int | None, mime: str | None,
                    payload_digest: str | None, warc_file: str, offset: int, length: int,
                    record_id: str | None, record_type: str = "response",
                    refers_to: str | None = None, refers_to_url: str | None = None,
                    refers_to_date=None, crawl_id: int | None = None, site: str | None = None,
                    etag: str | None = None, last_modified: str | None = None,
                    case_insensitive: bool = False) -> int:
        """``url``: as requested; the row is found by any spelling of it (``url_key``).
        ``case_insensitive``: the server answers any case of the path (IIS)."""
        with self.transaction() as conn:
            cursor = conn.execute(
                "INSERT INTO captures (url, url_key, timestamp, status, mime, payload_digest,"
                " warc_file, offset, length, record_id, record_type, refers_to, refers_to_url,"
                " refers_to_date, crawl_id, site, etag, last_modified)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    url, url_key(url, fold_case=case_insensitive), iso_timestamp(timestamp), status,
                    mime, payload_digest,
                    warc_file, offset, length, record_id, record_type, refers_to, refers_to_url,
                    iso_timestamp(refers_to_date), crawl_id, site, etag, last_modified,
                ),
            )
            return cursor.lastrowid

    def find_payload(self, digest: str) -> dict | None:
        """The first response record with this payload digest (target of a revisit)."""
        row = self.conn.execute(
            "SELECT url, timestamp, record_id FROM captures"
            " WHERE payload_digest = ? AND record_type = 'response' ORDER BY id LIMIT 1",
            (digest,),
        ).fetchone()
        return dict(row) if row else None

    def validators(self, url: str) -> dict | None:
        """etag and last_modified of the newest 200 capture of url (for conditional GETs)."""
        row = self.conn.execute(
            "SELECT etag, last_modified FROM captures WHERE url_key IN (?, ?) AND status = 200"
            " ORDER BY timestamp DESC, id DESC LIMIT 1",
            lookup_keys(url),
        ).fetchone()
        if row is None or (row["etag"] is None and row["last_modified"] is None):
            return None
        return dict(row)

    def captures(self, url: str) -> list[dict]:
        """Response and revisit captures of url, oldest first."""
        rows = self.conn.execute(
            "SELECT * FROM captures WHERE url_key IN (?, ?) AND record_type IN ('response', 'revisit')"
            " ORDER BY timestamp, id",
            lookup_keys(url),
        ).fetchall()
        return [dict(row) for row in rows]

    def capture(self, capture_id: int) -> dict | None:
        row = self.conn.execute("SELECT * FROM captures WHERE id = ?", (capture_id,)).fetchone()
        return dict(row) if row else None

    def nearest_capture(self, url: str, at=None) -> dict | None:
        """The capture of url nearest in time to `at` (default: the newest)."""
        if at is None:
            row = self.conn.execute(
                "SELECT * FROM captures WHERE url_key IN (?, ?) AND record_type IN ('response', 'revisit')"
                " ORDER BY timestamp DESC, id DESC LIMIT 1",
                lookup_keys(url),
            ).fetchone()
        else:
            row = self.conn.execute(
                "SELECT * FROM captures WHERE url_key IN (?, ?) AND record_type IN ('response', 'revisit')"
                " ORDER BY abs(julianday(timestamp) - julianday(?)), timestamp DESC, id DESC LIMIT 1",
                (*lookup_keys(url), iso_timestamp(at)),
            ).fetchone()
        return dict(row) if row else None

    # -- articles ------------------------------------------------------------------

    def _article_row(self, *urls: str) -> sqlite3.Row | None:
        """The article one of urls names: as its URL or an alias, spelled as given or as
        another archived spelling of the same URL (parameters in another order, a session id)."""
        urls = [url for url in dict.fromkeys(urls) if url]
        for url in urls:
            row = self._article_row_spelled(url)
            if row is not None:
                return row
        for url in urls:
            for spelling in self.spellings(url):
                row = self._article_row_spelled(spelling)
                if row is not None:
                    return row
        return None

    def _article_row_spelled(self, url: str) -> sqlite3.Row | None:
        row = self.conn.execute("SELECT * FROM articles WHERE url = ?", (url,)).fetchone()
        if row is None:
            row = self.conn.execute(
                "SELECT articles.* FROM aliases JOIN articles ON articles.id = aliases.article_id"
                " WHERE aliases.url = ?",
                (url,),
            ).fetchone()
        return row

    def spellings(self, url: str) -> list[str]:
        """The other spellings of url the archive captured (same canonical key)."""
        return [row[0] for row in self.conn.execute(
            "SELECT DISTINCT url FROM captures WHERE url_key IN (?, ?) AND url != ?",
            (*lookup_keys(url), url))]

    def capture_of_any_form(self, url: str, at=None) -> dict | None:
        """The capture nearest `at` (default: the newest) of url in any spelling, else of the
        article url names as an alias (a print view, a shortlink): what a reader citing
        any URL of the article means."""
        capture = self.nearest_capture(url, at=at)
        if capture is not None:
            return capture
        row = self._article_row(url)
        if row is None:
            return None
        if at is None and row["capture_id"] is not None:
            return self.capture(row["capture_id"])
        captures = self.article_captures(row["id"])
        if not captures:
            return None
        if at is None:
            return captures[-1]
        moment = _julian(iso_timestamp(at))
        return min(captures, key=lambda c: (abs(_julian(c["timestamp"]) - moment), c["id"]))

    def upsert_article(self, article: dict, site: str | None = None, capture_id: int | None = None,
                       captured=None, crawl_id: int | None = None, payload_captured=None) -> str:
        """Add or update one extracted article; return "new", "changed" or "unchanged".

        The article is keyed by its canonical URL; its page URL, when different,
        becomes an alias.  A new version is recorded only when the text differs
        from the newest version archived by an earlier crawl; within one crawl the
        canonical page's text wins over an alias page's.  `payload_captured` is when the
        text's bytes were archived (for a 304 or identical-payload revisit: its original):
        a text older than the article's newest version never replaces it, in whatever order
        its URLs answer (archive/version_rules.py).
        """
        url = article["url"]
        canonical = article.get("canonical") or url
        captured = iso_timestamp(captured) or utc_now()
        fields = {f: textfold.normalize(article.get(f)) or None for f in ARTICLE_FIELDS}
        fields["body"] = fields["body"] or ""
        digest = text_hash(fields)
        with self.transaction() as conn:
            # a view whose URL is not known yet (print view, shortlink) is found by its text
            row = self._article_row(canonical, url) or aliases.same_article(conn, site, fields)
            if row is None:
                article_id = self._insert_article(conn, article, canonical, site, fields, digest,
                                                  capture_id, captured, crawl_id)
                self._add_alias(conn, article_id, canonical, url)
                aliases.record(conn, article_id, site, fields, article.get("views"))
                return "new"
            row = aliases.prefer_url(conn, row, url, canonical)
            aliases.record(conn, row["id"], site, fields, article.get("views"))
            # a view (print page) of an article whose own page is archived: that page's text
            # and capture stay the article's
            view = aliases.is_view(conn, row, url, canonical)
            capture_id = None if view else capture_id
            article_id = row["id"]
            self._add_alias(conn, article_id, row["url"], url, canonical)
            stale = version_rules.older_than_current(conn, article_id, iso_timestamp(payload_captured) or captured)
            # capture_id follows the newest capture (a rebuild may replay WARCs out of order)
            # that holds the newest text (not a 304 pointing back at an older payload).
            conn.execute(
                "UPDATE articles SET capture_id = CASE WHEN :captured >= coalesce(last_captured, '')"
                " AND NOT :stale THEN coalesce(:capture_id, capture_id) ELSE capture_id END,"
                " last_captured = max(coalesce(last_captured, ''), :captured),"
                " last_crawl_id = coalesce(:crawl_id, last_crawl_id),"
                " gone = NULL, gone_crawl_id = NULL WHERE id = :id",
                {"captured": captured, "capture_id": capture_id, "crawl_id": crawl_id, "id": article_id,
                 "stale": stale},
            )
            if row["text_hash"] == digest or view or stale:
                return "unchanged"
            same_crawl = crawl_id is not None and self._newest_version_crawl(article_id) == crawl_id
            if same_crawl:
                if url == row["url"] or canonical == url:
                    self._replace_text(conn, row, article, fields, digest, capture_id, captured,
                                       crawl_id, new_version=False)
                return "unchanged"
            self._replace_text(conn, row, article, fields, digest, capture_id, captured,
                               crawl_id, new_version=True)
            return "changed"

    def _newest_version_crawl(self, article_id: int):
        row = self.conn.execute(
            "SELECT crawl_id FROM article_versions WHERE article_id = ? ORDER BY version DESC LIMIT 1",
            (article_id,),
        ).fetchone()
        return row[0] if row else None

    def _insert_article(self, conn, article, canonical, site, fields, digest, capture_id,
                        captured, crawl_id) -> int:
        tags = search_tags(site, fields["published"])
        cursor = conn.execute(
            "INSERT INTO articles (url, site, published, author, title, language, text_hash,"
            " versions, first_captured, last_captured, capture_id, last_crawl_id, search_tags, body)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?)",
            (canonical, site, fields["published"], fields["author"], fields["title"],
             article.get("language"), digest, captured, captured, capture_id, crawl_id, tags,
             fields["body"]),
        )
        article_id = cursor.lastrowid
        self._fts_insert(conn, article_id, fields, tags)
        self._insert_version(conn, article_id, 1, article, fields, digest, capture_id, captured,
                             crawl_id, changed=None)
        self._set_media(conn, article_id, article, replace=False)
        return article_id

    def _replace_text(self, conn, row, article, fields, digest, capture_id, captured, crawl_id,
                      *, new_version: bool) -> None:
        article_id = row["id"]
        site = row["site"]
        tags = search_tags(site, fields["published"])
        self._fts_delete(conn, row)
        current = conn.execute(
            "SELECT max(version) FROM article_versions WHERE article_id = ?", (article_id,)
        ).fetchone()[0] or 0
        if new_version:
            # The superseded version keeps its own text from now on (see module docstring).
            images, attachments = self._media(article_id)
            conn.execute(
                "UPDATE article_versions SET title = ?, published = ?, author = ?, body = ?,"
                " images = ?, attachments = ? WHERE article_id = ? AND version = ?",
                (row["title"], row["published"], row["author"], row["body"],
                 _json(images), _json(attachments),
                 article_id, current),
            )
            changed = [f for f in ARTICLE_FIELDS if (row[f] or "") != (fields[f] or "")]
            self._insert_version(conn, article_id, current + 1, article, fields, digest,
                                 capture_id, captured, crawl_id, changed=changed)
        else:
            conn.execute("DELETE FROM article_versions WHERE article_id = ? AND version = ?",
                         (article_id, current))
            previous = conn.execute(
                "SELECT * FROM article_versions WHERE article_id = ? AND version = ?",
                (article_id, current - 1),
            ).fetchone()
            changed = None
            if previous is not None:
                old = dict(previous)
                changed = [f for f in ARTICLE_FIELDS if (old[f] or "") != (fields[f] or "")]
            self._insert_version(conn, article_id, current, article, fields, digest,
                                 capture_id, captured, crawl_id, changed=changed)
        conn.execute(
            "UPDATE articles SET published = ?, author = ?, title = ?, body = ?, text_hash = ?,"
            " search_tags = ?, language = coalesce(?, language),"
            " versions = (SELECT count(*) FROM article_versions WHERE article_id = ?) WHERE id = ?",
            (fields["published"], fields["author"], fields["title"], fields["body"], digest, tags,
             article.get("language"), article_id, article_id),
        )
        self._fts_insert(conn, article_id, fields, tags)
        self._set_media(conn, article_id, article)

    def _insert_version(self, conn, article_id, version, article, fields, digest, capture_id,
                        captured, crawl_id, changed) -> None:
        """The newest version row: its text and media stay in articles/images/attachments."""
        canonical = article.get("canonical") or article.get("url")
        page_url = article.get("url") if article.get("url") != canonical else None
        conn.execute(
            "INSERT INTO article_versions (article_id, version, captured, capture_id, crawl_id,"
            " url, text_hash, changed) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (article_id, version, captured, capture_id, crawl_id, page_url, digest, _json(changed)),
        )

    def _media(self, article_id: int) -> tuple[list[dict], list[dict]]:
        images = [dict(r) for r in self.conn.execute(
            "SELECT src, caption FROM images WHERE article_id = ? ORDER BY id", (article_id,))]
        attachments = [dict(r) for r in self.conn.execute(
            "SELECT href, name FROM attachments WHERE article_id = ? ORDER BY id", (article_id,))]
        return images, attachments

    def _set_media(self, conn, article_id: int, article: dict, replace: bool = True) -> None:
        if replace:
            conn.execute("DELETE FROM images WHERE article_id = ?", (article_id,))
            conn.execute("DELETE FROM attachments WHERE article_id = ?", (article_id,))
        conn.executemany(
            "INSERT OR IGNORE INTO images (article_id, src, caption) VALUES (?, ?, ?)",
            [(article_id, image["src"], image.get("caption"))
             for image in article.get("images") or [] if image.get("src")],
        )
        conn.executemany(
            "INSERT OR IGNORE INTO attachments (article_id, href, name) VALUES (?, ?, ?)",
            [(article_id, item["href"], item.get("name"))
             for item in article.get("attachments") or [] if item.get("href")],
        )

    def _add_alias(self, conn, article_id: int, article_url: str, *urls: str) -> None:
        for url in urls:
            if url and url != article_url:
                conn.execute("INSERT OR IGNORE INTO aliases (url, article_id) VALUES (?, ?)",
                             (url, article_id))

    @staticmethod
    def _fts_values(fields: dict, tags: str) -> tuple:
        return (textfold.fold(fields.get("title") or ""), textfold.fold(fields.get("body") or ""),
                textfold.fold(fields.get("author") or ""), tags)

    def _fts_insert(self, conn, article_id: int, fields: dict, tags: str) -> None:
        conn.execute(
            "INSERT INTO articles_fts (rowid, title, body, author, search_tags) VALUES (?, ?, ?, ?, ?)",
            (article_id, *self._fts_values(fields, tags)),
        )

    def _fts_delete(self, conn, row) -> None:
        """Remove a row's folded tokens: external content needs the values indexed."""
        conn.execute(
            "INSERT INTO articles_fts (articles_fts, rowid, title, body, author, search_tags)"
            " VALUES ('delete', ?, ?, ?, ?, ?)",
            (row["id"], *self._fts_values(dict(row), row["search_tags"] or "")),
        )

    def mark_gone(self, url: str, crawl_id: int) -> bool:
        """Record that the crawl `crawl_id` found the article at url missing."""
        crawl = self.crawl(crawl_id)
        when = (crawl or {}).get("started") or utc_now()
        with self.transaction() as conn:
            row = self._article_row(url)
            if row is None:
                return False
            conn.execute("UPDATE articles SET gone = ?, gone_crawl_id = ? WHERE id = ?",
                         (when, crawl_id, row["id"]))
            return True

    def unseen_articles(self, site: str, crawl_id: int) -> list[str]:
        """Canonical URLs of the site's articles that crawl `crawl_id` did not see."""
        rows = self.conn.execute(
            "SELECT url FROM articles WHERE site = ? AND coalesce(last_crawl_id, -1) != ?"
            " AND gone IS NULL ORDER BY id",
            (site, crawl_id),
        ).fetchall()
        return [row[0] for row in rows]

    def article(self, url: str) -> dict | None:
        """An article by canonical URL or alias, with aliases, images, attachments, documents."""
        row = self._article_row(url)
        if row is None:
            return None
        return self._article_dict(row)

    def _article_dict(self, row) -> dict:
        article = dict(row)
        article_id = article["id"]
        article["canonical"] = article["url"]
        article["aliases"] = [r[0] for r in self.conn.execute(
            "SELECT url FROM aliases WHERE article_id = ? ORDER BY url", (article_id,))]
        article["images"], article["attachments"] = self._media(article_id)
        article["documents"] = [dict(r) for r in self.conn.execute(
            "SELECT id, url, name, mime, pages FROM documents WHERE article_id = ? ORDER BY id",
            (article_id,))]
        captured = self.conn.execute(
            "SELECT timestamp FROM captures WHERE id = ?", (article["capture_id"],)).fetchone()
        article["captured"] = captured[0] if captured else article["last_captured"]
        return article

    def article_versions(self, article_id: int) -> list[dict]:
        """Every archived text of an article, oldest first, each with its full text."""
        rows = [dict(r) for r in self.conn.execute(
            "SELECT * FROM article_versions WHERE article_id = ? ORDER BY version", (article_id,))]
        article = self.conn.execute("SELECT * FROM articles WHERE id = ?", (article_id,)).fetchone()
        if not rows or article is None:
            return rows
        for version in rows:
            for key in ("changed", "images", "attachments"):
                version[key] = json.loads(version[key]) if version[key] else None
            version["url"] = version["url"] or article["url"]
        newest = rows[-1]
        for field in ARTICLE_FIELDS:
            newest[field] = article[field]
        newest["images"], newest["attachments"] = self._media(article_id)
        return rows

    def article_captures(self, article_id: int) -> list[dict]:
        """Captures of the article's canonical URL and all its aliases, oldest first."""
        urls = [r[0] for r in self.conn.execute(
            "SELECT url FROM articles WHERE id = ? UNION SELECT url FROM aliases WHERE article_id = ?",
            (article_id, article_id))]
        captures = [capture for url in urls for capture in self.captures(url)]
        return sorted(captures, key=lambda c: (c["timestamp"], c["id"]))

    def iter_articles(self, site: str | None = None) -> Iterator[dict]:
        """Every article row (newest text), in id order; for export."""
        sql = "SELECT * FROM articles" + (" WHERE site = ?" if site else "") + " ORDER BY id"
        for row in self.conn.execute(sql, (site,) if site else ()):
            yield dict(row)

    # -- documents (attachment text) -------------------------------------------------

    def upsert_document(self, url: str, text: str, *, article_url: str | None = None,
                        name: str | None = None, mime: str | None = None, site: str | None = None,
                        capture_id: int | None = None, captured=None, pages: int | None = None) -> int:
        """Store the text of an attachment, linked to the article that links it."""
        text = textfold.normalize(text)
        digest = hashlib.sha1(text.encode("utf-8")).hexdigest()
        with self.transaction() as conn:
            article = self._article_row(article_url) if article_url else None
            if article is None:
                article = conn.execute(
                    "SELECT articles.* FROM attachments JOIN articles ON articles.id = attachments.article_id"
                    " WHERE attachments.href = ? ORDER BY articles.id LIMIT 1", (url,)).fetchone()
            article_id = article["id"] if article else None
            site = site or (article["site"] if article else None)
            old = conn.execute("SELECT * FROM documents WHERE url = ?", (url,)).fetchone()
            if old is not None:
                conn.execute(
                    "INSERT INTO documents_fts (documents_fts, rowid, name, text) VALUES ('delete', ?, ?, ?)",
                    (old["id"], textfold.fold(old["name"] or ""), textfold.fold(old["text"] or "")))
                conn.execute(
                    "UPDATE documents SET article_id = coalesce(?, article_id), site = ?, name = ?,"
                    " mime = ?, capture_id = ?, captured = ?, pages = ?, text_hash = ?, text = ? WHERE id = ?",
                    (article_id, site, name, mime, capture_id, iso_timestamp(captured), pages, digest,
                     text, old["id"]))
                document_id = old["id"]
            else:
                document_id = conn.execute(
                    "INSERT INTO documents (url, article_id, site, name, mime, capture_id, captured,"
                    " pages, text_hash, text) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (url, article_id, site, name, mime, capture_id, iso_timestamp(captured), pages,
                     digest, text)).lastrowid
            conn.execute("INSERT INTO documents_fts (rowid, name, text) VALUES (?, ?, ?)",
                         (document_id, textfold.fold(name or ""), textfold.fold(text)))
            return document_id

    # -- maintenance -----------------------------------------------------------------

    def rebuild_fts(self) -> None:
        """Re-create both FTS indexes from the stored text, folded (not FTS5 'rebuild')."""
        with self.transaction() as conn:
            conn.execute("INSERT INTO articles_fts (articles_fts) VALUES ('delete-all')")
            conn.execute("INSERT INTO documents_fts (documents_fts) VALUES ('delete-all')")
            for statement in _split_sql(FTS_FILL):
                conn.execute(statement)

    @contextlib.contextmanager
    def bulk_load(self) -> Iterator[None]:
        """Faster loading of many articles (index --rebuild, benchmarks).

        FTS5 stops merging segments while loading and merges them all once at the
        end ('optimize'); queries stay correct meanwhile, only slower.
        """
        self.conn.execute("INSERT INTO articles_fts (articles_fts, rank) VALUES ('automerge', 0)")
        try:
            yield
        finally:
            self.conn.execute("INSERT INTO articles_fts (articles_fts, rank) VALUES ('automerge', 4)")
            self.optimize()

    def optimize(self) -> None:
        """Merge FTS segments (faster queries after a bulk load) and update statistics."""
        with self.transaction() as conn:
            conn.execute("INSERT INTO articles_fts (articles_fts) VALUES ('optimize')")
            conn.execute("INSERT INTO documents_fts (documents_fts) VALUES ('optimize')")
        self.conn.execute("ANALYZE")
        # executescript steps the pragma to completion (execute() frees a single page).
        self.conn.executescript("PRAGMA incremental_vacuum;")
        self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _julian(timestamp: str) -> float:
    return datetime.fromisoformat(timestamp.replace("Z", "+00:00")).timestamp()


def _decode(row, *json_columns: str) -> dict:
    item = dict(row)
    for column in json_columns:
        if item.get(column) is not None:
            item[column] = json.loads(item[column])
    return item


def _split_sql(script: str) -> list[str]:
    """Statements of a migration script (complete_statement handles ';' in strings)."""
    statements, current = [], ""
    for line in script.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            statements.append(current.strip())
            current = ""
    if current.strip():
        statements.append(current.strip())
    return statements
