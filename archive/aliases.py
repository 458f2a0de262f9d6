"""Views of one article at several URLs become one article row, found by what they share.

A print view with no canonical link, a shortlink (``/node/12``), a session or parameter
variant: each is extracted as a page of its own, and its URL says nothing about the article
it shows.  What the pages share is their text: the same title and (nearly) the same body on
one site.  Every article row keeps keys of its texts in ``article_keys``; a page whose URL
the index does not know is matched against them before it becomes a new row, in whichever
order the views arrive.  The article page's own links to its views (``views``: its print
link, its rel=shortlink) tie them too, merging a view's row made before the article was
seen.  Which URL names the row is decided by ``url_rank``: a declared canonical or a
readable path beats a print view or a bare number; once the article page is archived, a
view's text never replaces its text (``is_view``).

A part of the index's store, not one of its callers: `archive/index/articles.py` calls these
functions inside its write transaction, so they take that connection and run their SQL on it.

Keys (``article_keys.key``)::

    t|<site>|<title words>           the folded title: candidates, checked by body overlap
    x|<site>|<sha1 of title + body>  the exact text: a match on its own
"""
from __future__ import annotations

import functools
import hashlib
import re
import sqlite3
import tomllib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from archive import textfold
from archive.urlkey import lookup_keys

VIEWS_PATH = Path(__file__).resolve().parent / "article_views.toml"
WORD = re.compile(r"\w+")
MIN_WORDS = 20            # a body shorter than this is matched by its exact text only
SAME_BODY = 0.8           # share of words two bodies have in common to be one article
CANDIDATES = 20           # rows with the same title looked at, newest first

SCHEMA = """
CREATE TABLE article_keys (
    key TEXT NOT NULL, article_id INTEGER NOT NULL, PRIMARY KEY (key, article_id)
) WITHOUT ROWID;
CREATE INDEX article_keys_article ON article_keys(article_id);
"""


@dataclass(frozen=True)
class ViewWords:
    """URL words that mark a page as a view of an article printed elsewhere (data)."""
    print_words: frozenset[str]
    print_phrases: tuple[str, ...] = ()


@functools.lru_cache(maxsize=1)
def view_words() -> ViewWords:
    with open(VIEWS_PATH, "rb") as handle:
        data = tomllib.load(handle)
    views = data["views"]
    return ViewWords(frozenset(w.lower() for w in views["print_words"]),
                     tuple(p.lower() for p in views.get("print_phrases", [])))


def url_rank(url: str, words: ViewWords | None = None) -> int:
    """How poor a name ``url`` is for its article: 2 a print view, 1 a bare number as the
    last path segment (a shortlink), 0 a readable path.  Lower names the row."""
    words = words or view_words()
    parts = urlsplit(url)
    path = unquote(parts.path).lower()
    tokens = set(re.split(r"[/?&=;._-]+", path + "?" + unquote(parts.query).lower()))
    if tokens & words.print_words or any(phrase in path for phrase in words.print_phrases):
        return 2
    last = parts.path.rstrip("/").rpartition("/")[2]
    return 1 if last.isdigit() else 0


def title_words(title: str | None) -> str:
    return " ".join(WORD.findall(textfold.fold(title or "").lower()))


def body_words(body: str | None) -> tuple[str, ...]:
    return _folded_words(body or "")


# One upsert reads the same body's words up to three times (its text key when looking the
# article up and again when remembering it, its overlap with a candidate): a pure
# function's cache of the last few bodies.
@functools.lru_cache(maxsize=16)
def _folded_words(text: str) -> tuple[str, ...]:
    return tuple(WORD.findall(textfold.fold(text).lower()))


def keys_of(site: str | None, fields: dict) -> list[str]:
    title = title_words(fields.get("title"))
    if not title:
        return []
    text = hashlib.sha1(f"{title}\n{' '.join(body_words(fields.get('body')))}".encode("utf-8")).hexdigest()
    return [f"t|{site or ''}|{title}", f"x|{site or ''}|{text}"]


def record(conn: sqlite3.Connection, article_id: int, site: str | None, fields: dict, views) -> None:
    """After an upsert: the keys of this text, and the views the page names (adopt_views)."""
    remember(conn, article_id, site, fields)
    adopt_views(conn, article_id, fields, views)


def remember(conn: sqlite3.Connection, article_id: int, site: str | None, fields: dict) -> None:
    """Keep the keys of this text of the article (old texts' keys stay: a stale view of an
    older version still finds its article)."""
    conn.executemany("INSERT OR IGNORE INTO article_keys (key, article_id) VALUES (?, ?)",
                     [(key, article_id) for key in keys_of(site, fields)])


def same_article(conn: sqlite3.Connection, site: str | None, fields: dict) -> sqlite3.Row | None:
    """The article row whose text this page shows: the same exact text, or the same title
    with the same date (when both have one) and most of the same body words."""
    keys = keys_of(site, fields)
    if not keys:
        return None
    title_key, text_key = keys
    row = conn.execute(
        "SELECT articles.* FROM article_keys JOIN articles ON articles.id = article_keys.article_id"
        " WHERE article_keys.key = ? ORDER BY articles.id LIMIT 1", (text_key,)).fetchone()
    if row is not None:
        return row
    words = body_words(fields.get("body"))
    if len(words) < MIN_WORDS:
        return None
    for row in conn.execute(
            "SELECT articles.* FROM article_keys JOIN articles ON articles.id = article_keys.article_id"
            " WHERE article_keys.key = ? ORDER BY articles.id DESC LIMIT ?", (title_key, CANDIDATES)):
        if _same_day(row["published"], fields.get("published")) and \
                _overlap(words, body_words(row["body"])) >= SAME_BODY:
            return row
    return None


def prefer_url(conn: sqlite3.Connection, row: sqlite3.Row, url: str, canonical: str) -> sqlite3.Row:
    """The row named by the better of its URL and this page's canonical; the other stays
    an alias.  A canonical the page declares (``canonical != url``) counts as readable."""
    incoming = 0 if canonical != url else url_rank(canonical)
    if canonical == row["url"] or incoming >= url_rank(row["url"]):
        return row
    conn.execute("DELETE FROM aliases WHERE url = ?", (canonical,))
    conn.execute("UPDATE articles SET url = ? WHERE id = ?", (canonical, row["id"]))
    conn.execute("INSERT OR IGNORE INTO aliases (url, article_id) VALUES (?, ?)", (row["url"], row["id"]))
    return conn.execute("SELECT * FROM articles WHERE id = ?", (row["id"],)).fetchone()


def adopt_views(conn: sqlite3.Connection, article_id: int, fields: dict, views) -> None:
    """The print views and shortlink the article's page names are aliases of it; one that
    became an article row of its own with the same title before its article was seen is
    merged into it.  A site's front page is never taken (some pages name it as shortlink)."""
    title = title_words(fields.get("title"))
    for url in views or []:
        if urlsplit(url).path in ("", "/"):
            continue
        other = conn.execute("SELECT * FROM articles WHERE url = ?", (url,)).fetchone()
        if other is not None and other["id"] != article_id:
            if title_words(other["title"]) != title:
                continue  # another article: its URL is not this one's view
            _merge(conn, other, article_id)
        conn.execute("INSERT OR IGNORE INTO aliases (url, article_id) VALUES (?, ?)", (url, article_id))


def _merge(conn: sqlite3.Connection, other: sqlite3.Row, article_id: int) -> None:
    """Fold the row of a view into its article's row: its URLs and keys move over; its own
    text rows go (the text stays in the WARC files, and the article has its own)."""
    gone = other["id"]
    conn.execute("UPDATE aliases SET article_id = ? WHERE article_id = ?", (article_id, gone))
    conn.execute("UPDATE OR IGNORE article_keys SET article_id = ? WHERE article_id = ?", (article_id, gone))
    conn.execute("UPDATE documents SET article_id = ? WHERE article_id = ?", (article_id, gone))
    conn.execute(
        "INSERT INTO articles_fts (articles_fts, rowid, title, body, author, search_tags)"
        " VALUES ('delete', ?, fold(?), fold(?), fold(?), ?)",
        (gone, other["title"] or "", other["body"] or "", other["author"] or "", other["search_tags"] or ""))
    for table in ("article_keys", "images", "attachments", "article_versions"):
        conn.execute(f"DELETE FROM {table} WHERE article_id = ?", (gone,))
    conn.execute("DELETE FROM articles WHERE id = ?", (gone,))
    if other["first_captured"]:
        conn.execute("UPDATE articles SET first_captured = min(coalesce(first_captured, :seen), :seen)"
                     " WHERE id = :id", {"seen": other["first_captured"], "id": article_id})


def is_view(conn: sqlite3.Connection, row: sqlite3.Row, url: str, canonical: str) -> bool:
    """The article has another URL whose own page is archived, and the page at url either
    names no canonical of its own or is a print view by its URL (``url_rank`` 2; print
    layouts name their article by rel=canonical or a footer line, yet their text differs):
    the page is a view (a print layout, a shortlink) whose text never replaces the
    article page's."""
    if url == row["url"] or (canonical != url and url_rank(url) < 2):
        return False
    return conn.execute("SELECT 1 FROM captures WHERE url_key IN (?, ?) AND status = 200 LIMIT 1",
                        lookup_keys(row["url"])).fetchone() is not None


def migrate(db) -> None:
    """The keys table, filled for the articles an older index holds (an index migration)."""
    for statement in SCHEMA.split(";"):
        if statement.strip():
            db.execute(statement)
    rows = db.execute("SELECT id, site, title, body FROM articles").fetchall()
    for article_id, site, title, body in rows:
        remember(db.conn, article_id, site, {"title": title, "body": body})


def _same_day(one: str | None, other: str | None) -> bool:
    return not one or not other or one[:10] == other[:10]


def _overlap(one: tuple[str, ...], other: tuple[str, ...]) -> float:
    """Shared distinct words over the distinct words of the longer body."""
    first, second = set(one), set(other)
    if not first or not second:
        return 0.0
    return len(first & second) / max(len(first), len(second))
