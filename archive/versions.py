"""What a crawl did to the archived articles: when each was last asked for, which changed,
and the recheck report (every article of the crawled sites counted once, in one bucket).

A part of the index's store, not one of its callers: these queries read the captures and
versions tables together, so they take the `Index` and run their SQL on its connection."""
from __future__ import annotations

from archive.index import Index
from archive.urlkey import lookup_keys

# Statuses that say nothing about the article (the server failed): not a check.
CHECKED_BELOW = 500
# The captures that checked a page: its answers (a revisit too) below CHECKED_BELOW.
A_CHECK = f"record_type IN ('response', 'revisit') AND coalesce(status, 0) < {CHECKED_BELOW}"


def _article_keys(index: Index, article_id: int, url: str) -> list[str]:
    aliases = [r[0] for r in index.conn.execute("SELECT url FROM aliases WHERE article_id = ?", (article_id,))]
    # both spellings: a case-insensitive (IIS) server's captures are keyed case-folded
    return sorted({key for u in (url, *aliases) for key in lookup_keys(u)})


def recheck_times(index: Index, article_id: int, before_crawl: int | None = None) -> tuple[str | None, str | None]:
    """(when any URL of the article was last asked for, when its newest version after the
    first was captured or None). `before_crawl`: leave that crawl's captures out: a 304 of
    one alias in this crawl says nothing about the article's other URLs."""
    row = index.conn.execute("SELECT url FROM articles WHERE id = ?", (article_id,)).fetchone()
    if row is None:
        return None, None
    keys = _article_keys(index, article_id, row[0])
    marks = ",".join("?" * len(keys))
    checked = index.conn.execute(
        f"SELECT max(timestamp) FROM captures WHERE url_key IN ({marks}) AND {A_CHECK}"
        " AND coalesce(crawl_id, -1) != coalesce(?, -2)",
        (*keys, before_crawl)).fetchone()[0]
    changed = index.conn.execute(
        "SELECT captured FROM article_versions WHERE article_id = ? AND version > 1"
        " ORDER BY version DESC LIMIT 1", (article_id,)).fetchone()
    return checked, changed[0] if changed else None


def canonical_of_alias(index: Index, url: str) -> str | None:
    """The canonical URL of the archived article that has url as an alias, else None."""
    row = index._article_row(url)
    return row["url"] if row is not None and row["url"] != url else None


def mark_gone(index: Index, url: str, crawl_id: int | None) -> str:
    """A 404/410 for url: the article is gone when its canonical URL is ("gone"); one of its
    aliases (a shortlink, a print view) answering so leaves it be ("alias_gone")."""
    if canonical_of_alias(index, url) is not None:
        return "alias_gone"
    return "gone" if index.mark_gone(url, crawl_id) else "not_found"


def mark_seen(index: Index, url: str, crawl_id: int) -> bool:
    """The crawl reached a link to the archived article at url but did not ask for it
    (not due): it is still on the portal, its text and captures stay as they are."""
    row = index._article_row(url)
    if row is None:
        return False
    with index.transaction() as conn:
        conn.execute("UPDATE articles SET last_crawl_id = ? WHERE id = ?", (crawl_id, row["id"]))
    return True


def recheck_report(index: Index, crawl_id: int, sites: list[str], mode: str = "due") -> dict:
    """Every article of `sites` in exactly one bucket for crawl `crawl_id`:

    new; rechecked (asked for in this crawl by any of its URLs): changed / unchanged / gone;
    not due (reached, not asked for: the revisit policy) with the range of their last
    checks; gone before (found missing by an earlier crawl, not asked for again);
    not reached (a crawl cut short, or one worker's share)."""
    report = {"mode": mode, "articles": 0, "new": 0, "changed": 0, "unchanged": 0, "gone": 0,
              "not_due": 0, "not_due_checked": None, "gone_before": 0, "not_reached": 0}
    if not sites:
        return report
    marks = ",".join("?" * len(sites))
    first_version = dict(index.conn.execute(
        "SELECT article_id, min(version) FROM article_versions WHERE crawl_id = ? GROUP BY article_id",
        (crawl_id,)).fetchall())
    checked_keys = {r[0] for r in index.conn.execute(
        f"SELECT DISTINCT url_key FROM captures WHERE crawl_id = ? AND {A_CHECK}", (crawl_id,))}
    not_due_times = []
    rows = index.conn.execute(
        f"SELECT id, url, last_crawl_id, gone, gone_crawl_id FROM articles WHERE site IN ({marks})", sites)
    for row in rows.fetchall():
        report["articles"] += 1
        article_id = row["id"]
        checked = any(k in checked_keys for k in _article_keys(index, article_id, row["url"]))
        if row["gone_crawl_id"] == crawl_id and row["gone"]:
            report["gone"] += 1
        elif article_id in first_version:
            report["new" if first_version[article_id] == 1 else "changed"] += 1
        elif checked:
            report["unchanged"] += 1
        elif row["gone"]:
            report["gone_before"] += 1
        elif row["last_crawl_id"] == crawl_id:
            report["not_due"] += 1
            when, _ = recheck_times(index, article_id)
            if when:
                not_due_times.append(when)
        else:
            report["not_reached"] += 1
    if not_due_times:
        report["not_due_checked"] = [min(not_due_times), max(not_due_times)]
    report["rechecked"] = report["changed"] + report["unchanged"] + report["gone"]
    return report
