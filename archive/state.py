"""What the WARC files cannot reproduce, kept apart from the derived index: DATA/state.sqlite.

The index (DATA/index.sqlite) is derived: `index --rebuild` throws it away and reads it
back from the WARCs. Schedules and their runs, and any knowledge entered or learned about
sites, would not come back, so they live here, in a database the rebuild never touches.
Components add their tables through the same versioned migrations as the index
(`State.apply_migrations(component, migrations)`); a migration that finds an older index
holding such tables copies them over once, so upgrading loses nothing.

    with open_state(data_dir) as state:
        state.apply_migrations("schedule", SCHEDULE_MIGRATIONS)
        state.conn.execute("SELECT * FROM schedules")
"""
from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import sqlite_utils

from archive.index import BUSY_TIMEOUT_MS, Index
from archive.index.store import Transactions

STATE_FILE = "state.sqlite"
INDEX_FILE = "index.sqlite"


def state_path(where) -> Path:
    """DATA/state.sqlite from the data directory or from any database file inside it
    (callers that knew only DATA/index.sqlite keep working)."""
    where = Path(where)
    return (where.parent if where.suffix == ".sqlite" else where) / STATE_FILE


class State(Transactions):
    """One connection to DATA/state.sqlite (WAL, busy timeout, BEGIN IMMEDIATE writes)."""

    # The same migration mechanism as the index (schema_migrations table).
    apply_migrations = Index.apply_migrations
    schema_version = Index.schema_version

    def __init__(self, where):
        self.path = state_path(where)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(str(self.path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                               check_same_thread=False)
        conn.row_factory = sqlite3.Row
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA journal_mode = WAL")
        self.conn = conn
        self.db = sqlite_utils.Database(conn)

    @property
    def index_path(self) -> Path:
        return self.path.with_name(INDEX_FILE)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> "State":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


@contextmanager
def open_state(where) -> Iterator[State]:
    state = State(where)
    try:
        yield state
    finally:
        state.close()


def copy_from_index(db: sqlite_utils.Database, tables: tuple[str, ...]) -> int:
    """Copy `tables` (already created here) from the index.sqlite beside this database, where
    earlier versions kept them; return the rows copied. Run inside a state migration."""
    main = next(row[2] for row in db.execute("PRAGMA database_list") if row[1] == "main")
    index_path = Path(main).with_name(INDEX_FILE)
    if not index_path.exists():
        return 0
    source = sqlite3.connect(index_path.resolve().as_uri() + "?mode=ro", uri=True,
                             timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        return sum(copy_table(source, db.conn, table) for table in tables)
    finally:
        source.close()


def copy_table(source: sqlite3.Connection, dest: sqlite3.Connection, table: str) -> int:
    """Copy the rows of `table` from source into the same table of dest (the columns both
    have; rows whose key dest holds already are kept as they are); return rows read."""
    if source.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)).fetchone() is None:
        return 0
    there = {row[1] for row in source.execute(f"PRAGMA table_info([{table}])")}
    columns = [row[1] for row in dest.execute(f"PRAGMA table_info([{table}])") if row[1] in there]
    if not columns:
        return 0
    names = ", ".join(f"[{c}]" for c in columns)
    rows = source.execute(f"SELECT {names} FROM [{table}]").fetchall()
    dest.executemany(f"INSERT OR IGNORE INTO [{table}] ({names}) VALUES ({', '.join('?' * len(columns))})", rows)
    return len(rows)
