"""The SQLite index of an archive: `Index(path)` opens, creates and migrates it.

The index is derived from the WARC files (the source of truth) and can be rebuilt.
Callers use `Index` methods, not SQL of their own; the package keeps one job a module:

    schema.py      the tables, as SQL text (what migration 1 created; FTS declarations)
    migrations.py  MIGRATIONS (append a Migration to change the schema) and their machinery
    store.py       the connection: WAL, transactions, migrations, bulk loading, optimize
    crawls.py      sites and crawl runs
    captures.py    the CDX: one row per archived response or revisit record
    articles.py    articles, aliases, versions, media (the rules: archive/version_rules.py)
    documents.py   the text of PDF/DOCX attachments
    fts.py         upkeep of the FTS5 indexes over folded text

Modules that keep tables of their own in the same database take its connection or an
`Index` (archive/aliases.py, archive/versions.py, archive/page_links.py), and the search
package runs its FTS5 queries on `index.conn` (archive/search/): they are parts of the
store, not its callers.
"""
from __future__ import annotations

from archive.index.articles import Articles
from archive.index.captures import Captures
from archive.index.crawls import Crawls
from archive.index.documents import Documents
from archive.index.fts import search_tags, site_tag
from archive.index.migrations import MIGRATIONS, Migration
from archive.index.schema import (ARTICLE_FTS_COLUMNS, DOCUMENT_FTS_COLUMNS, FTS_CONFIG, FTS_FILL,
                                  FTS_SCHEMA, FTS_TOKENIZER, SCHEMA_V1)
from archive.index.store import BUSY_TIMEOUT_MS, PAGE_SIZE, Store
from archive.timeutil import iso_timestamp, utc_now
from archive.urlkey import url_key
from archive.version_rules import ARTICLE_FIELDS, text_hash

__all__ = [
    "ARTICLE_FIELDS", "ARTICLE_FTS_COLUMNS", "BUSY_TIMEOUT_MS", "DOCUMENT_FTS_COLUMNS", "FTS_CONFIG",
    "FTS_FILL", "FTS_SCHEMA", "FTS_TOKENIZER", "Index", "MIGRATIONS", "Migration", "PAGE_SIZE",
    "SCHEMA_V1", "iso_timestamp", "search_tags", "site_tag", "text_hash", "url_key", "utc_now",
]


class Index(Articles, Documents, Captures, Crawls, Store):
    """The archive's SQLite index.  `Index(path)` opens, creates and migrates."""
