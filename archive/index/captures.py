"""Captures: a CDX in SQLite, one row per archived response or revisit record.

A row is found by any spelling of its URL: `url_key` is the canonical form
(archive/urlkey.py), and lookups try the keys of both path cases (`lookup_keys`).
"""
from __future__ import annotations

from typing import Iterator

from archive.timeutil import iso_timestamp
from archive.urlkey import lookup_keys, url_key


class Captures:
    """Methods of `Index` (a `Store`) for the captures table."""

    def add_capture(self, *, url: str, timestamp, status: int | None, mime: str | None,
                    payload_digest: str | None, warc_file: str, offset: int, length: int,
                    record_id: str | None, record_type: str = "response",
                    refers_to: str | None = None, refers_to_url: str | None = None,
                    refers_to_date=None, crawl_id: int | None = None, site: str | None = None,
                    etag: str | None = None, last_modified: str | None = None,
                    case_insensitive: bool = False) -> int:
        """``url``: as requested; the row is found by any spelling of it (``url_key``).
        ``case_insensitive``: the server answers any case of the path (IIS)."""
        with self.transaction() as conn:
            cursor = conn.execute(
                "INSERT INTO captures (url, url_key, timestamp, status, mime, payload_digest,"
                " warc_file, offset, length, record_id, record_type, refers_to, refers_to_url,"
                " refers_to_date, crawl_id, site, etag, last_modified)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    url, url_key(url, fold_case=case_insensitive), iso_timestamp(timestamp), status,
                    mime, payload_digest,
                    warc_file, offset, length, record_id, record_type, refers_to, refers_to_url,
                    iso_timestamp(refers_to_date), crawl_id, site, etag, last_modified,
                ),
            )
            return cursor.lastrowid

    def find_payload(self, digest: str) -> dict | None:
        """The first response record with this payload digest (target of a revisit)."""
        row = self.conn.execute(
            "SELECT url, timestamp, record_id FROM captures"
            " WHERE payload_digest = ? AND record_type = 'response' ORDER BY id LIMIT 1",
            (digest,),
        ).fetchone()
        return dict(row) if row else None

    def validators(self, url: str) -> dict | None:
        """etag and last_modified of the newest 200 capture of url (for conditional GETs)."""
        row = self.conn.execute(
            "SELECT etag, last_modified FROM captures WHERE url_key IN (?, ?) AND status = 200"
            " ORDER BY timestamp DESC, id DESC LIMIT 1",
            lookup_keys(url),
        ).fetchone()
        if row is None or (row["etag"] is None and row["last_modified"] is None):
            return None
        return dict(row)

    def captures(self, url: str) -> list[dict]:
        """Response and revisit captures of url, oldest first."""
        rows = self.conn.execute(
            "SELECT * FROM captures WHERE url_key IN (?, ?) AND record_type IN ('response', 'revisit')"
            " ORDER BY timestamp, id",
            lookup_keys(url),
        ).fetchall()
        return [dict(row) for row in rows]

    def capture(self, capture_id: int) -> dict | None:
        row = self.conn.execute("SELECT * FROM captures WHERE id = ?", (capture_id,)).fetchone()
        return dict(row) if row else None

    def nearest_capture(self, url: str, at=None) -> dict | None:
        """The capture of url nearest in time to `at` (default: the newest)."""
        if at is None:
            row = self.conn.execute(
                "SELECT * FROM captures WHERE url_key IN (?, ?) AND record_type IN ('response', 'revisit')"
                " ORDER BY timestamp DESC, id DESC LIMIT 1",
                lookup_keys(url),
            ).fetchone()
        else:
            row = self.conn.execute(
                "SELECT * FROM captures WHERE url_key IN (?, ?) AND record_type IN ('response', 'revisit')"
                " ORDER BY abs(julianday(timestamp) - julianday(?)), timestamp DESC, id DESC LIMIT 1",
                (*lookup_keys(url), iso_timestamp(at)),
            ).fetchone()
        return dict(row) if row else None

    def spellings(self, url: str) -> list[str]:
        """The other spellings of url the archive captured (same canonical key)."""
        return [row[0] for row in self.conn.execute(
            "SELECT DISTINCT url FROM captures WHERE url_key IN (?, ?) AND url != ?",
            (*lookup_keys(url), url))]


    def capture_ids_by_record(self) -> dict[str, int]:
        """The capture id of every WARC record id the index holds."""
        return {row[0]: row[1] for row in self.conn.execute("SELECT record_id, id FROM captures")}

    def capture_count(self) -> int:
        """How many response and revisit captures the index holds."""
        return self.conn.execute(
            "SELECT count(*) FROM captures WHERE record_type IN ('response', 'revisit')").fetchone()[0]

    def site_capture_urls(self, site: str) -> set[str]:
        """Every URL captured of the portal `site` (the captures' site column)."""
        return {row[0] for row in self.conn.execute("SELECT DISTINCT url FROM captures WHERE site = ?", (site,))}

    def warc_files_of(self, urls) -> set[str]:
        """Names of the WARC files that hold captures of urls (as captured) or the
        originals their revisits refer to."""
        names: set[str] = set()
        urls = sorted(urls)
        for start in range(0, len(urls), 500):
            chunk = urls[start:start + 500]
            marks = ",".join("?" * len(chunk))
            names.update(row[0] for row in self.conn.execute(
                f"SELECT DISTINCT warc_file FROM captures WHERE url IN ({marks})"
                f" UNION SELECT DISTINCT o.warc_file FROM captures r JOIN captures o ON o.record_id = r.refers_to"
                f" WHERE r.url IN ({marks}) AND r.record_type = 'revisit'", chunk + chunk))
        return names

    def set_capture_source(self, capture_id: int, source: str | None, uri: str | None,
                           digest: str | None) -> None:
        """Where an imported capture came from: the archive, the memento URI, its digest."""
        with self.transaction() as conn:
            conn.execute("UPDATE captures SET source = ?, source_uri = ?, source_digest = ? WHERE id = ?",
                         (source, uri, digest, capture_id))

    def indexed_warc_files(self) -> set[str]:
        """Names of the WARC files the captures table holds records of."""
        return {row[0] for row in self.conn.execute("SELECT DISTINCT warc_file FROM captures")}

    def payloads_on_host(self, host: str, *, not_from: str) -> list[tuple[str, str, str]]:
        """(url_key, payload digest, timestamp) of the 200 captures of host (its bare name, keys
        start with it) that have a digest, leaving out those imported from the archive `not_from`."""
        return [(row[0], row[1], row[2]) for row in self.conn.execute(
            "SELECT url_key, payload_digest, timestamp FROM captures WHERE url_key >= ? AND url_key < ?"
            " AND payload_digest IS NOT NULL AND status = 200 AND coalesce(source, '') != ?",
            (host + "/", host + "0", not_from))]

    def ok_capture_keys(self) -> set[str]:
        """url_keys of every capture answered 200."""
        return {row[0] for row in self.conn.execute("SELECT url_key FROM captures WHERE status = 200")}

    def html_responses(self) -> Iterator[dict]:
        """The 200 text/html response captures, oldest first: url, url_key, warc_file,
        offset, length, record_id."""
        for row in self.conn.execute(
                "SELECT url, url_key, warc_file, offset, length, record_id FROM captures"
                " WHERE status = 200 AND record_type = 'response' AND mime LIKE 'text/html%' ORDER BY timestamp"):
            yield dict(row)
