"""The texts one search reads: fetched once, folded once."""

from __future__ import annotations

from archive import textfold


class ArticleTexts:
    """Titles and bodies (NFC, as stored) of one search's articles, fetched once, folded once."""

    def __init__(self, conn):
        self.conn = conn
        self.rows: dict[int, tuple[str, str]] = {}
        self.folded: dict[int, tuple[str, str]] = {}

    def fetch(self, rowids: list[int]) -> None:
        missing = [rowid for rowid in rowids if rowid not in self.rows]
        if missing:
            for rowid, title, body in self.conn.execute(
                    "SELECT id, coalesce(title, ''), coalesce(body, '') FROM articles"
                    f" WHERE id IN ({','.join('?' * len(missing))})", missing):
                self.rows[rowid] = (title, body)

    def text(self, rowid: int) -> str:
        title, body = self.rows.get(rowid, ("", ""))
        return f"{title} {body}"

    def body(self, rowid: int) -> str:
        return self.rows.get(rowid, ("", ""))[1]

    def _folded(self, rowid: int) -> tuple[str, str]:
        if rowid not in self.folded:
            title, body = self.rows.get(rowid, ("", ""))
            self.folded[rowid] = (textfold.fold(title), textfold.fold(body))
        return self.folded[rowid]

    def folded_text(self, rowid: int) -> str:
        title, body = self._folded(rowid)
        return f"{title} {body}"

    def folded_body_if_done(self, rowid: int) -> str | None:
        """The folded body when an earlier step folded it (the snippet folds what it needs)."""
        return self.folded[rowid][1] if rowid in self.folded else None
