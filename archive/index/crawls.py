"""Sites and crawl runs: the `sites` and `crawls` tables."""
from __future__ import annotations

from archive.index.store import decoded, to_json
from archive.redact import redacted
from archive.timeutil import utc_now

CRAWL_JSON = ("targets", "warcs", "settings", "stats")


class Crawls:
    """Methods of `Index` (a `Store`) for sites and crawl runs."""

    def upsert_site(self, site: dict) -> None:
        row = {
            "id": site["id"],
            "name": site.get("name"),
            "hosts": to_json(list(site.get("hosts") or [])),
            "province": site.get("province"),
            "family": site.get("family"),
            "start_urls": to_json(list(site.get("start_urls") or [])),
        }
        with self.transaction():
            self.db["sites"].upsert(row, pk="id")

    def sites(self) -> list[dict]:
        rows = self.conn.execute("SELECT * FROM sites ORDER BY id").fetchall()
        return [decoded(row, "hosts", "start_urls") for row in rows]

    def set_site_status(self, site_id: str, status: str | None, redirects_to: str | None = None,
                        successor: str | None = None) -> None:
        """A portal's status (live, redirected, gone), where it redirects and its successor unit;
        what is not given is kept."""
        with self.transaction() as conn:
            conn.execute("UPDATE sites SET status = coalesce(?, status), redirects_to = coalesce(?, redirects_to),"
                         " successor = coalesce(?, successor) WHERE id = ?",
                         (status, redirects_to, successor, site_id))

    def start_crawl(self, targets: list[str], settings: dict | None = None) -> int:
        with self.transaction() as conn:
            cursor = conn.execute(
                "INSERT INTO crawls (targets, started, outcome, settings) VALUES (?, ?, 'running', ?)",
                (to_json(list(targets)), utc_now(), to_json(redacted(settings or {}))),
            )
            return cursor.lastrowid

    def restore_crawl(self, crawl_id: int, targets: list[str], started: str) -> bool:
        """Recreate a crawl run known from its WARC files (index --rebuild); False when the
        index has it already.  Close it with finish_crawl(..., "rebuilt", finished=...)."""
        with self.transaction() as conn:
            cursor = conn.execute(
                "INSERT OR IGNORE INTO crawls (id, targets, started, outcome, settings)"
                " VALUES (?, ?, ?, 'running', '{}')", (crawl_id, to_json(list(targets)), started))
            return cursor.rowcount == 1

    def finish_crawl(self, crawl_id: int, outcome: str, stats: dict | None = None,
                     warcs: list[str] | None = None, finished: str | None = None) -> None:
        """Close a crawl run.  Counts not given in `stats` are taken from the index."""
        stats = dict(stats or {})
        with self.transaction() as conn:
            counted = conn.execute(
                "SELECT (SELECT count(*) FROM captures WHERE crawl_id = :id"
                "        AND record_type IN ('response', 'revisit')),"
                " (SELECT count(*) FROM article_versions WHERE crawl_id = :id AND version = 1),"
                " (SELECT count(*) FROM article_versions WHERE crawl_id = :id AND version > 1)",
                {"id": crawl_id},
            ).fetchone()
            conn.execute(
                "UPDATE crawls SET finished = ?, outcome = ?, pages = ?, new = ?, changed = ?,"
                " errors = ?, warcs = ?, stats = ? WHERE id = ?",
                (
                    finished or utc_now(), outcome,
                    stats.get("pages", counted[0]), stats.get("new", counted[1]),
                    stats.get("changed", counted[2]), stats.get("errors", 0),
                    to_json(list(warcs or [])), to_json(redacted(stats)), crawl_id,
                ),
            )

    def crawl(self, crawl_id: int) -> dict | None:
        row = self.conn.execute("SELECT * FROM crawls WHERE id = ?", (crawl_id,)).fetchone()
        return decoded(row, *CRAWL_JSON) if row else None

    def crawls(self) -> list[dict]:
        """Every crawl run, newest first (the `crawls --json` shape plus settings/stats)."""
        rows = self.conn.execute("SELECT * FROM crawls ORDER BY id DESC").fetchall()
        return [decoded(row, *CRAWL_JSON) for row in rows]


    def latest_crawl_id(self) -> int:
        """The id of the newest crawl run, 0 when there is none."""
        return self.conn.execute("SELECT coalesce(max(id), 0) FROM crawls").fetchone()[0]
