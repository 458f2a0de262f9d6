"""The index's tables, as SQL text: the first migration and the FTS5 declarations.

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
                    (see archive/search/; never use FTS5 'rebuild' on them, it would
                    index unfolded text: use `Index.rebuild_fts()`)

A schema change is a new migration (archive/index/migrations.py), never an edit here:
SCHEMA_V1 is what migration 1 created.
"""
from __future__ import annotations

FTS_TOKENIZER = "unicode61 remove_diacritics 2"
# Columns of articles_fts; `search_tags` holds filter tokens (site, year, month, day).
ARTICLE_FTS_COLUMNS = ("title", "body", "author", "search_tags")
DOCUMENT_FTS_COLUMNS = ("name", "text")

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
