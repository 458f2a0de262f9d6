"""Rules for an article's versions that do not depend on how the index stores them."""
from __future__ import annotations


def older_than_current(conn, article_id: int, payload_captured: str | None) -> bool:
    """True when a text archived at `payload_captured` is older than the article's newest
    version: a 304 or an identical payload of one URL of the article (an alias, a print
    view) brings back the text of an earlier capture, which must not replace a newer edit
    read from another of its URLs."""
    if not payload_captured:
        return False
    row = conn.execute("SELECT captured FROM article_versions WHERE article_id = ? ORDER BY version DESC LIMIT 1",
                       (article_id,)).fetchone()
    return bool(row and row[0] and payload_captured < row[0])
