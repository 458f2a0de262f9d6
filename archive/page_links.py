"""The links of archived pages, kept for recrawls: a page answered 304 or with the same bytes
as its last capture has the same links, so they are read here instead of parsed again.

A crawl cache, not part of the derived index: `index --rebuild` leaves it empty and the next
crawl fills it again (a page without stored links is simply parsed).

A part of the store with a table of its own (migration component "page_links"): it runs its
SQL on the `Index`'s connection, in the index's transactions."""
from __future__ import annotations

import json

from archive.index import Index, Migration, url_key

MIGRATIONS = (Migration(1, "page links", """
CREATE TABLE page_links (
    url_key TEXT PRIMARY KEY, digest TEXT NOT NULL, pages TEXT NOT NULL, assets TEXT NOT NULL
);"""),)


class PageLinks:
    """Links per page URL, valid for one payload digest (the bytes they were parsed from)."""

    def __init__(self, index: Index):
        self.index = index
        index.apply_migrations("page_links", MIGRATIONS)

    def store(self, url: str, digest: str, pages: list[str], assets: list[str]) -> None:
        with self.index.transaction() as conn:
            conn.execute("INSERT OR REPLACE INTO page_links (url_key, digest, pages, assets) VALUES (?, ?, ?, ?)",
                         (url_key(url), digest, json.dumps(pages), json.dumps(assets)))

    def get(self, url: str, digest: str | None) -> tuple[list[str], list[str]] | None:
        """(page links, asset links) parsed from the payload `digest` of url, or None."""
        if not digest:
            return None
        row = self.index.conn.execute("SELECT digest, pages, assets FROM page_links WHERE url_key = ?",
                                      (url_key(url),)).fetchone()
        if row is None or row["digest"] != digest:
            return None
        return json.loads(row["pages"]), json.loads(row["assets"])
