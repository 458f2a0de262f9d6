"""The connection under an `Index`: opening, transactions, migrations, bulk loading.

One store wraps one connection (sqlite-utils `Database` over `sqlite3`): open one per
thread.  The database runs in WAL mode with a busy timeout, so one writer and any number
of readers never see "database is locked"; every write transaction starts with
`BEGIN IMMEDIATE`, so two writers queue instead of deadlocking.
"""
from __future__ import annotations

import contextlib
import json
import logging
import sqlite3
from pathlib import Path
from typing import Iterator, Sequence

import sqlite_utils

from archive import textfold
import archive.index.fts as fts
from archive.index.migrations import (MIGRATIONS, PROVENANCE_MIGRATIONS, Migration, applied_version,
                                      apply_pending)

# 32 kB pages: rows of ~3 kB articles waste less of each page than with 16 kB
# (database 5% smaller, measured on 20k generated articles).
PAGE_SIZE = 32768
BUSY_TIMEOUT_MS = 60_000
logger = logging.getLogger(__name__)


class Transactions:
    """Write transactions on `self.conn` (a connection in autocommit mode), for the index
    and the state database alike."""

    _commit_later = None       # defer_commits(); None: each transaction commits at its end
    _commit_pending = False
    _depth = 0

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction (BEGIN IMMEDIATE); nested calls join the outer one. With
        defer_commits(), its COMMIT is shared with the transactions that follow it before
        the scheduled commit runs; each stays atomic on its own (a savepoint)."""
        if self._commit_pending and not self.conn.in_transaction:
            self._commit_pending = False  # something committed it already (a `with conn:`)
        if self._depth or (self.conn.in_transaction and not self._commit_pending):
            yield self.conn
            return
        joining = self._commit_pending
        self.conn.execute("SAVEPOINT unit" if joining else "BEGIN IMMEDIATE")
        self._depth += 1
        try:
            yield self.conn
        except BaseException:
            if not self.conn.in_transaction:
                # SQLite rolled the whole transaction back (disk full, I/O error): with it
                # the writes that waited for the deferred commit
                if joining:
                    logger.error("a failed write undid the index writes awaiting their commit")
                self._commit_pending = False
            elif joining:
                self.conn.execute("ROLLBACK TO unit")
                self.conn.execute("RELEASE unit")
            else:
                self.conn.execute("ROLLBACK")
            raise
        finally:
            self._depth -= 1
        if joining:
            self.conn.execute("RELEASE unit")
        elif self._commit_later is None:
            self.conn.execute("COMMIT")
        else:
            self._commit_pending = True
            self._commit_later(self.commit_pending)

    def defer_commits(self, commit_later) -> None:
        """Let write transactions share COMMITs: `commit_later(callback)` runs callback
        soon (a crawl passes its event loop's call-soon, so the writes of one turn of the
        loop commit once: a commit writes whole pages, and a crawl writes a few rows per
        response). Other connections see the rows once the callback ran; close() commits."""
        self._commit_later = commit_later

    def commit_pending(self) -> None:
        """COMMIT the transactions a deferred commit holds (nothing when none is pending)."""
        if self._commit_pending:
            if self.conn.in_transaction:
                self.conn.execute("COMMIT")  # when it fails, the commit stays pending
            self._commit_pending = False


class Store(Transactions):
    """`Store(path)` opens, creates and migrates the index's database."""

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
            self.apply_migrations("provenance", PROVENANCE_MIGRATIONS)

    def close(self) -> None:
        self.commit_pending()
        self.conn.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- transactions and migrations -------------------------------------------------

    def apply_migrations(self, component: str, migrations: Sequence[Migration]) -> list[int]:
        """Apply the migrations of `component` not applied yet; return their versions."""
        return apply_pending(self, component, migrations)

    def schema_version(self, component: str = "index") -> int:
        return applied_version(self.conn, component)

    # -- maintenance -----------------------------------------------------------------

    def rebuild_fts(self) -> None:
        """Re-create both FTS indexes from the stored text, folded (not FTS5 'rebuild')."""
        with self.transaction() as conn:
            fts.rebuild(conn)

    @contextlib.contextmanager
    def bulk_load(self) -> Iterator[None]:
        """Faster loading of many articles (index --rebuild, benchmarks).

        FTS5 stops merging segments while loading and merges them all once at the
        end ('optimize'); queries stay correct meanwhile, only slower.
        """
        fts.set_automerge(self.conn, 0)
        try:
            yield
        finally:
            fts.set_automerge(self.conn, 4)
            self.optimize()

    def optimize(self) -> None:
        """Merge FTS segments (faster queries after a bulk load) and update statistics."""
        with self.transaction() as conn:
            fts.merge_all(conn)
        self.conn.execute("ANALYZE")
        # executescript steps the pragma to completion (execute() frees a single page).
        self.conn.executescript("PRAGMA incremental_vacuum;")
        self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def to_json(value) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False)


def decoded(row, *json_columns: str) -> dict:
    """The row as a dict, its JSON columns read back."""
    item = dict(row)
    for column in json_columns:
        if item.get(column) is not None:
            item[column] = json.loads(item[column])
    return item
