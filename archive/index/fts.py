"""Upkeep of the two FTS5 indexes (articles_fts, documents_fts) beside the stored rows.

Both are external-content tables over folded text (archive/textfold.py): every row is
inserted folded, and removed by giving FTS5 the folded values it indexed.  Never FTS5's
'rebuild', which would index the unfolded columns: `rebuild()` refills them folded.
"""
from __future__ import annotations

import sqlite3

from archive import textfold
from archive.index.migrations import split_sql
from archive.index.schema import FTS_FILL


def search_tags(site: str | None, published: str | None) -> str:
    """Filter tokens indexed with an article: site, year, month and day of publication.

    They let a site or date filter run inside the FTS5 match (a doclist
    intersection) instead of as a per-row check; see archive/search/filters.py.
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


def _article_values(fields: dict, tags: str) -> tuple:
    return (textfold.fold(fields.get("title") or ""), textfold.fold(fields.get("body") or ""),
            textfold.fold(fields.get("author") or ""), tags)


def insert_article(conn: sqlite3.Connection, article_id: int, fields: dict, tags: str) -> None:
    conn.execute(
        "INSERT INTO articles_fts (rowid, title, body, author, search_tags) VALUES (?, ?, ?, ?, ?)",
        (article_id, *_article_values(fields, tags)),
    )


def delete_article(conn: sqlite3.Connection, row) -> None:
    """Remove an articles row's folded tokens: external content needs the values indexed."""
    conn.execute(
        "INSERT INTO articles_fts (articles_fts, rowid, title, body, author, search_tags)"
        " VALUES ('delete', ?, ?, ?, ?, ?)",
        (row["id"], *_article_values(dict(row), row["search_tags"] or "")),
    )


def insert_document(conn: sqlite3.Connection, document_id: int, name: str | None, text: str) -> None:
    conn.execute("INSERT INTO documents_fts (rowid, name, text) VALUES (?, ?, ?)",
                 (document_id, textfold.fold(name or ""), textfold.fold(text)))


def delete_document(conn: sqlite3.Connection, row) -> None:
    """Remove a documents row's folded tokens."""
    conn.execute(
        "INSERT INTO documents_fts (documents_fts, rowid, name, text) VALUES ('delete', ?, ?, ?)",
        (row["id"], textfold.fold(row["name"] or ""), textfold.fold(row["text"] or "")))


def rebuild(conn: sqlite3.Connection) -> None:
    """Re-create both FTS indexes from the stored text, folded (inside a transaction)."""
    conn.execute("INSERT INTO articles_fts (articles_fts) VALUES ('delete-all')")
    conn.execute("INSERT INTO documents_fts (documents_fts) VALUES ('delete-all')")
    for statement in split_sql(FTS_FILL):
        conn.execute(statement)


def set_automerge(conn: sqlite3.Connection, level: int) -> None:
    """0 stops FTS5 merging segments while loading (queries stay correct, only slower)."""
    conn.execute(f"INSERT INTO articles_fts (articles_fts, rank) VALUES ('automerge', {int(level)})")


def merge_all(conn: sqlite3.Connection) -> None:
    """Merge every segment of both indexes into one (inside a transaction)."""
    conn.execute("INSERT INTO articles_fts (articles_fts) VALUES ('optimize')")
    conn.execute("INSERT INTO documents_fts (documents_fts) VALUES ('optimize')")
