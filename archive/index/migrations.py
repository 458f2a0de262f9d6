"""Versioned migrations of the index's schema, and the machinery that applies them.

Each schema change is a `Migration(version, name, apply)` where `apply` is SQL text
or a callable taking the sqlite-utils `Database`.  Versions are counted per
component in `schema_migrations(component, version, name, applied)`.  To change
the index's schema append a Migration to `MIGRATIONS` with the next version;
another module adds its own tables without editing this file:

    SCHEDULE_MIGRATIONS = (Migration(1, "schedules", "CREATE TABLE schedules (...)"),)
    index.apply_migrations("schedule", SCHEDULE_MIGRATIONS)

Applied migrations are never edited; each runs once, inside a transaction.
"""
from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass
from typing import Callable, Sequence, Union

import sqlite_utils

from archive import aliases
from archive.index.schema import FTS_CONFIG, FTS_FILL, FTS_SCHEMA, SCHEMA_V1
from archive.timeutil import utc_now
from archive.urlkey import url_key

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    apply: Union[str, Callable[[sqlite_utils.Database], None]]


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
    for statement in split_sql(FTS_SCHEMA) + split_sql(FTS_CONFIG) + split_sql(FTS_FILL):
        db.execute(statement)


def _canonical_capture_keys(db: sqlite_utils.Database) -> None:
    """Re-key captures by the canonical form (query sorted, session ids out): a capture is
    found from any spelling of its URL.  Old rows do not say whether their server folds
    case, so they keep their path's case."""
    rows = db.execute("SELECT id, url FROM captures").fetchall()
    db.conn.executemany("UPDATE captures SET url_key = ? WHERE id = ?",
                        [(url_key(url), capture_id) for capture_id, url in rows])


# The index's own schema, component "index": append here, never edit an applied one.
MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "initial schema", SCHEMA_V1),
    Migration(2, "fts5 tuning", FTS_CONFIG),
    Migration(3, "fts tables Datasette can find", _fts_found_by_datasette),
    Migration(4, "captures keyed by canonical url", _canonical_capture_keys),
    Migration(5, "article text keys (views of one article)", aliases.migrate),
)

# Where imported captures came from and what became of a site (archive/timeline.py): a
# component of its own, so its versions never collide with the index's.
PROVENANCE_MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "capture provenance", """
ALTER TABLE captures ADD COLUMN source TEXT;
ALTER TABLE captures ADD COLUMN source_uri TEXT;
ALTER TABLE captures ADD COLUMN source_digest TEXT;
"""),
    Migration(2, "site status", """
ALTER TABLE sites ADD COLUMN status TEXT;
ALTER TABLE sites ADD COLUMN redirects_to TEXT;
ALTER TABLE sites ADD COLUMN successor TEXT;
"""),
)


def apply_pending(store, component: str, migrations: Sequence[Migration]) -> list[int]:
    """Apply the migrations of `component` not applied yet; return their versions.
    `store`: an open `Store` (its conn, db and transaction())."""
    store.conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (component TEXT NOT NULL,"
        " version INTEGER NOT NULL, name TEXT, applied TEXT, PRIMARY KEY (component, version))"
    )
    done_before = {row[0] for row in store.conn.execute(
        "SELECT version FROM schema_migrations WHERE component = ?", (component,))}
    applied = []
    for migration in sorted(migrations, key=lambda m: m.version):
        if migration.version in done_before:
            continue  # readers opening the index take no write lock
        with store.transaction() as conn:
            done = conn.execute(
                "SELECT 1 FROM schema_migrations WHERE component = ? AND version = ?",
                (component, migration.version),
            ).fetchone()
            if done:
                continue
            if isinstance(migration.apply, str):
                for statement in split_sql(migration.apply):
                    conn.execute(statement)
            else:
                migration.apply(store.db)
            conn.execute(
                "INSERT INTO schema_migrations VALUES (?, ?, ?, ?)",
                (component, migration.version, migration.name, utc_now()),
            )
            applied.append(migration.version)
            log.info("applied migration %s %d: %s", component, migration.version, migration.name)
    return applied


def applied_version(conn: sqlite3.Connection, component: str) -> int:
    row = conn.execute(
        "SELECT max(version) FROM schema_migrations WHERE component = ?", (component,)
    ).fetchone()
    return row[0] or 0


def split_sql(script: str) -> list[str]:
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
