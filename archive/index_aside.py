"""Rebuilding the index beside the old one and swapping it in when complete.

`index --rebuild` reads every WARC file again, which takes a while and may meet damage.
Meanwhile the old index keeps answering searches: the new one is built in
DATA/index.sqlite.rebuilding, and only a finished build replaces it, in one SQLite
transaction (the backup API writing into the live database through its WAL), so a reader
sees the old index or the new one, never half of one. Renaming the new file over the old
one would not do: readers of the old file keep its -wal and -shm files open by name and
would delete the new database's on closing.

Rows the WARCs cannot give back in full (crawl runs with their settings, outcome and
counts; site rows from the registry) are carried from the old index into the new one.
The caller holds the data directory's index lock (archive/datalock.py).
"""
from __future__ import annotations

import logging
import os
import sqlite3
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from archive.index import BUSY_TIMEOUT_MS, PAGE_SIZE, Index
from archive.state import copy_table

log = logging.getLogger(__name__)

KEPT_TABLES = ("crawls", "sites")
SUFFIXES = ("", "-wal", "-shm")


def aside_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".rebuilding")


@contextmanager
def building_aside(db_path) -> Iterator[Index]:
    """A new index beside db_path, holding the old index's kept rows; it replaces db_path
    when the block ends without an exception, and is thrown away when it raises."""
    db_path = Path(db_path)
    new_path = aside_path(db_path)
    remove_database(new_path)   # left by a rebuild that was killed (we hold the index lock)
    old = open_old(db_path)
    try:
        create_empty(new_path, page_size(old))
        index = Index(new_path)
        if old is not None:
            with index.transaction() as conn:
                for table in KEPT_TABLES:
                    copy_table(old, conn, table)
    finally:
        if old is not None:
            old.close()
    try:
        yield index
    except BaseException:
        index.close()
        remove_database(new_path)
        raise
    index.close()
    swap_in(new_path, db_path)


def open_old(db_path: Path) -> sqlite3.Connection | None:
    """The old index, read-only; None when there is none or it is not a readable database."""
    if not db_path.exists():
        return None
    conn = sqlite3.connect(db_path.resolve().as_uri() + "?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError as exc:
        log.warning("%s is not a readable database (%s): nothing carried over from it", db_path, exc)
        conn.close()
        return None
    return conn


def page_size(old: sqlite3.Connection | None) -> int:
    # The backup API cannot change the page size of a database in WAL mode: match the old one.
    return old.execute("PRAGMA page_size").fetchone()[0] if old is not None else PAGE_SIZE


def create_empty(path: Path, size: int) -> None:
    conn = sqlite3.connect(str(path))
    try:
        conn.execute(f"PRAGMA page_size = {int(size)}")
        conn.execute("PRAGMA journal_mode = WAL")
    finally:
        conn.close()


def swap_in(new_path: Path, db_path: Path) -> None:
    """Replace the database at db_path by the one at new_path, atomically for its readers."""
    if db_path.exists():
        if copy_into(new_path, db_path):
            remove_database(new_path)
            return
        keep_aside(db_path)
    # No old database: any -wal or -shm left by a deleted one must not be read as the new one's.
    for suffix in SUFFIXES[1:]:
        Path(str(db_path) + suffix).unlink(missing_ok=True)
    os.replace(new_path, db_path)
    remove_database(new_path)


def copy_into(new_path: Path, db_path: Path) -> bool:
    """Write every page of new_path into db_path in one transaction; False when db_path is
    not a database that can take them."""
    source = sqlite3.connect(str(new_path))
    target = sqlite3.connect(str(db_path), timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        target.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        source.backup(target)
        target.execute("PRAGMA wal_checkpoint(PASSIVE)")
        return True
    except sqlite3.DatabaseError as exc:
        log.warning("cannot write into %s (%s): keeping it aside, the new index takes its place", db_path, exc)
        return False
    finally:
        source.close()
        target.close()


def keep_aside(db_path: Path) -> None:
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
    for suffix in SUFFIXES:
        path = Path(str(db_path) + suffix)
        if path.exists():
            os.replace(path, db_path.with_name(f"{db_path.name}.unreadable-{stamp}{suffix}"))


def remove_database(path: Path) -> None:
    for suffix in SUFFIXES:
        Path(str(path) + suffix).unlink(missing_ok=True)
