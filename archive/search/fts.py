"""Running FTS5 statements: syntax errors become QuerySyntaxError, row counts are cheap."""

from __future__ import annotations

import logging
import sqlite3

from archive.search.query import QuerySyntaxError

log = logging.getLogger(__name__)


def run(conn: sqlite3.Connection, sql: str, params) -> list:
    try:
        return conn.execute(sql, params).fetchall()
    except sqlite3.OperationalError as error:
        if "fts5" in str(error) or "syntax error" in str(error):
            log.warning("FTS5 rejected %r: %s", params, error)
            raise QuerySyntaxError("The search could not be understood; "
                                   "try plain words or a \"quoted phrase\".", "q_not_understood") from error
        raise


def estimate_total(conn, table: str, rowids: list[int], limit: int) -> tuple[int, bool]:
    """Exact when the candidates are all the matches; else from their density in rowids."""
    if len(rowids) < limit:
        return len(rowids), True
    span = max(1, rowids[0] - rowids[-1] + 1)
    density = len(rowids) / span
    return max(len(rowids), round(density * row_count(conn, table))), False


def row_count(conn, table: str) -> int:
    """Rows of an FTS table, from its content table's largest id (one index lookup)."""
    content = {"articles_fts": "articles", "documents_fts": "documents"}[table]
    return conn.execute(f"SELECT coalesce(max(rowid), 0) FROM {content}").fetchone()[0]
