"""Articles and their versions: `articles`, `aliases`, `article_versions`, `images`,
`attachments`.  What an arriving text means (a new version, a rewrite, nothing) is decided
by archive/version_rules.py; which URL names an article and which views belong to it by
archive/aliases.py.  This module reads and writes the rows."""
from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from typing import Iterator

from archive import aliases, textfold, version_rules
from archive.timeline import OWN_CRAWL, article_media, keep_own_text, place_older_text
import archive.index.fts as fts
from archive.index.store import to_json
from archive.timeutil import iso_timestamp, utc_now
from archive.version_rules import ARTICLE_FIELDS, changed_fields, text_hash, version_page

EXPORT_SQL = """
SELECT a.url, a.title, a.published, a.author, a.body, a.versions, a.gone,
       a.last_captured AS captured,  -- its newest capture, under any of its URLs
       (SELECT json_group_array(json_object('src', src, 'caption', caption))
          FROM (SELECT src, caption FROM images WHERE article_id = a.id ORDER BY id)) AS images,
       (SELECT json_group_array(json_object('href', href, 'name', name))
          FROM (SELECT href, name FROM attachments WHERE article_id = a.id ORDER BY id)) AS attachments,
       (SELECT json_group_array(url)
          FROM (SELECT url FROM aliases WHERE article_id = a.id ORDER BY url)) AS aliases,
       (SELECT json_group_array(json_object('version', version, 'captured', captured,
                                            'source', coalesce(source, 'crawl'), 'memento', source_uri))
          FROM (SELECT v.version, v.captured, c.source, c.source_uri FROM article_versions v
                LEFT JOIN captures c ON c.id = v.capture_id
                WHERE v.article_id = a.id ORDER BY v.version)) AS sources
FROM articles a
{where}
ORDER BY a.id
"""


class Articles:
    """Methods of `Index` (a `Store` with `Captures`) for articles and their versions."""

    def _article_row(self, *urls: str) -> sqlite3.Row | None:
        """The article one of urls names: as its URL or an alias, spelled as given or as
        another archived spelling of the same URL (parameters in another order, a session id)."""
        urls = [url for url in dict.fromkeys(urls) if url]
        for url in urls:
            row = self._article_row_spelled(url)
            if row is not None:
                return row
        for url in urls:
            for spelling in self.spellings(url):
                row = self._article_row_spelled(spelling)
                if row is not None:
                    return row
        return None

    def _article_row_spelled(self, url: str) -> sqlite3.Row | None:
        row = self.conn.execute("SELECT * FROM articles WHERE url = ?", (url,)).fetchone()
        if row is None:
            row = self.conn.execute(
                "SELECT articles.* FROM aliases JOIN articles ON articles.id = aliases.article_id"
                " WHERE aliases.url = ?",
                (url,),
            ).fetchone()
        return row

    def capture_of_any_form(self, url: str, at=None) -> dict | None:
        """The capture nearest `at` (default: the newest) of url in any spelling, else of the
        article url names as an alias (a print view, a shortlink): what a reader citing
        any URL of the article means."""
        capture = self.nearest_capture(url, at=at)
        if capture is not None:
            return capture
        row = self._article_row(url)
        if row is None:
            return None
        if at is None and row["capture_id"] is not None:
            return self.capture(row["capture_id"])
        captures = self.article_captures(row["id"])
        if not captures:
            return None
        if at is None:
            return captures[-1]
        moment = _julian(iso_timestamp(at))
        return min(captures, key=lambda c: (abs(_julian(c["timestamp"]) - moment), c["id"]))

    # -- writing ---------------------------------------------------------------------

    def upsert_article(self, article: dict, site: str | None = None, capture_id: int | None = None,
                       captured=None, crawl_id: int | None = None, payload_captured=None) -> str:
        """Add or update one extracted article; return "new", "changed" or "unchanged".

        The article is keyed by its canonical URL; its page URL, when different,
        becomes an alias.  A new version is recorded only when the text differs
        from the newest version archived by an earlier crawl; within one crawl the
        canonical page's text wins over an alias page's.  `payload_captured` is when the
        text's bytes were archived (for a 304 or identical-payload revisit: its original):
        a text older than the article's newest version never replaces it, in whatever order
        its URLs answer (archive/version_rules.py).
        """
        url = article["url"]
        canonical = article.get("canonical") or url
        captured = iso_timestamp(captured) or utc_now()
        fields = {f: textfold.normalize(article.get(f)) or None for f in ARTICLE_FIELDS}
        fields["body"] = fields["body"] or ""
        digest = text_hash(fields)
        with self.transaction() as conn:
            # a view whose URL is not known yet (print view, shortlink) is found by its text
            row = self._article_row(canonical, url) or aliases.same_article(conn, site, fields)
            if row is None:
                article_id = self._insert_article(conn, article, canonical, site, fields, digest,
                                                  capture_id, captured, crawl_id)
                self._add_alias(conn, article_id, canonical, url)
                aliases.record(conn, article_id, site, fields, article.get("views"))
                return "new"
            row = aliases.prefer_url(conn, row, url, canonical)
            aliases.record(conn, row["id"], site, fields, article.get("views"))
            # a view (print page) of an article whose own page is archived: that page's text
            # and capture stay the article's
            view = aliases.is_view(conn, row, url, canonical)
            capture_id = None if view else capture_id
            article_id = row["id"]
            self._add_alias(conn, article_id, row["url"], url, canonical)
            placed = place_older_text(conn, row, article, fields, digest, capture_id, captured, crawl_id)
            if placed is not None:  # captured before the newest version (an import): an older text
                return placed
            newest_crawl, newest_page, newest_captured = self._newest_version(conn, article_id)
            stale = version_rules.older_than_current(
                newest_captured, iso_timestamp(payload_captured) or captured)
            # capture_id follows the newest capture (a rebuild may replay WARCs out of order)
            # that holds the newest text (not a 304 pointing back at an older payload).
            conn.execute(
                "UPDATE articles SET capture_id = CASE WHEN :captured >= coalesce(last_captured, '')"
                " AND NOT :stale THEN coalesce(:capture_id, capture_id) ELSE capture_id END,"
                " last_captured = max(coalesce(last_captured, ''), :captured),"
                " last_crawl_id = coalesce(:crawl_id, last_crawl_id),"
                " gone = NULL, gone_crawl_id = NULL WHERE id = :id",
                {"captured": captured, "capture_id": capture_id, "crawl_id": crawl_id, "id": article_id,
                 "stale": stale},
            )
            outcome = version_rules.arriving_text(
                same_text=row["text_hash"] == digest, view=view, stale=stale,
                same_crawl=version_rules.same_crawl_other_page(newest_crawl, newest_page or row["url"],
                                                               crawl_id, url),
                article_page=url == row["url"] or canonical == url)
            if outcome == version_rules.KEEP:
                return "unchanged"
            self._replace_text(conn, row, article, fields, digest, capture_id, captured,
                               crawl_id, new_version=outcome == version_rules.NEW_VERSION)
            return "changed" if outcome == version_rules.NEW_VERSION else "unchanged"

    @staticmethod
    def _newest_version(conn, article_id: int) -> tuple:
        """(crawl_id, page URL or None for the canonical, captured) of the article's newest version."""
        row = conn.execute(
            "SELECT crawl_id, url, captured FROM article_versions WHERE article_id = ?"
            " ORDER BY version DESC LIMIT 1", (article_id,)).fetchone()
        return tuple(row) if row else (None, None, None)

    def _insert_article(self, conn, article, canonical, site, fields, digest, capture_id,
                        captured, crawl_id) -> int:
        tags = fts.search_tags(site, fields["published"])
        cursor = conn.execute(
            "INSERT INTO articles (url, site, published, author, title, language, text_hash,"
            " versions, first_captured, last_captured, capture_id, last_crawl_id, search_tags, body)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?)",
            (canonical, site, fields["published"], fields["author"], fields["title"],
             article.get("language"), digest, captured, captured, capture_id, crawl_id, tags,
             fields["body"]),
        )
        article_id = cursor.lastrowid
        fts.insert_article(conn, article_id, fields, tags)
        self._insert_version(conn, article_id, 1, article, digest, capture_id, captured,
                             crawl_id, changed=None)
        self._set_media(conn, article_id, article, replace=False)
        return article_id

    def _replace_text(self, conn, row, article, fields, digest, capture_id, captured, crawl_id,
                      *, new_version: bool) -> None:
        article_id = row["id"]
        site = row["site"]
        tags = fts.search_tags(site, fields["published"])
        fts.delete_article(conn, row)
        current = conn.execute(
            "SELECT max(version) FROM article_versions WHERE article_id = ?", (article_id,)
        ).fetchone()[0] or 0
        if new_version:
            keep_own_text(conn, article_id, current, row)  # the superseded version (see schema.py)
            self._insert_version(conn, article_id, current + 1, article, digest,
                                 capture_id, captured, crawl_id, changed=changed_fields(row, fields))
        else:
            conn.execute("DELETE FROM article_versions WHERE article_id = ? AND version = ?",
                         (article_id, current))
            previous = conn.execute(
                "SELECT * FROM article_versions WHERE article_id = ? AND version = ?",
                (article_id, current - 1),
            ).fetchone()
            changed = changed_fields(previous, fields) if previous is not None else None
            self._insert_version(conn, article_id, current, article, digest,
                                 capture_id, captured, crawl_id, changed=changed)
        conn.execute(
            "UPDATE articles SET published = ?, author = ?, title = ?, body = ?, text_hash = ?,"
            " search_tags = ?, language = coalesce(?, language),"
            " versions = (SELECT count(*) FROM article_versions WHERE article_id = ?) WHERE id = ?",
            (fields["published"], fields["author"], fields["title"], fields["body"], digest, tags,
             article.get("language"), article_id, article_id),
        )
        fts.insert_article(conn, article_id, fields, tags)
        self._set_media(conn, article_id, article)

    @staticmethod
    def _insert_version(conn, article_id, version, article, digest, capture_id,
                        captured, crawl_id, changed) -> None:
        """The newest version row: its text and media stay in articles/images/attachments."""
        conn.execute(
            "INSERT INTO article_versions (article_id, version, captured, capture_id, crawl_id,"
            " url, text_hash, changed) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (article_id, version, captured, capture_id, crawl_id, version_page(article), digest,
             to_json(changed)),
        )

    def _media(self, article_id: int) -> tuple[list[dict], list[dict]]:
        return article_media(self.conn, article_id)

    @staticmethod
    def _set_media(conn, article_id: int, article: dict, replace: bool = True) -> None:
        if replace:
            conn.execute("DELETE FROM images WHERE article_id = ?", (article_id,))
            conn.execute("DELETE FROM attachments WHERE article_id = ?", (article_id,))
        conn.executemany(
            "INSERT OR IGNORE INTO images (article_id, src, caption) VALUES (?, ?, ?)",
            [(article_id, image["src"], image.get("caption"))
             for image in article.get("images") or [] if image.get("src")],
        )
        conn.executemany(
            "INSERT OR IGNORE INTO attachments (article_id, href, name) VALUES (?, ?, ?)",
            [(article_id, item["href"], item.get("name"))
             for item in article.get("attachments") or [] if item.get("href")],
        )

    @staticmethod
    def _add_alias(conn, article_id: int, article_url: str, *urls: str) -> None:
        for url in urls:
            if url and url != article_url:
                conn.execute("INSERT OR IGNORE INTO aliases (url, article_id) VALUES (?, ?)",
                             (url, article_id))

    def mark_gone(self, url: str, crawl_id: int) -> bool:
        """Record that the crawl `crawl_id` found the article at url missing."""
        crawl = self.crawl(crawl_id)
        when = (crawl or {}).get("started") or utc_now()
        with self.transaction() as conn:
            row = self._article_row(url)
            if row is None:
                return False
            conn.execute("UPDATE articles SET gone = ?, gone_crawl_id = ? WHERE id = ?",
                         (when, crawl_id, row["id"]))
            return True

    # -- reading ---------------------------------------------------------------------

    def unseen_articles(self, site: str, crawl_id: int) -> list[str]:
        """Canonical URLs of the site's articles that crawl `crawl_id` did not see."""
        rows = self.conn.execute(
            "SELECT url FROM articles WHERE site = ? AND coalesce(last_crawl_id, -1) != ?"
            " AND gone IS NULL ORDER BY id",
            (site, crawl_id),
        ).fetchall()
        return [row[0] for row in rows]

    def article(self, url: str) -> dict | None:
        """An article by canonical URL or alias, with aliases, images, attachments, documents."""
        row = self._article_row(url)
        if row is None:
            return None
        return self._article_dict(row)

    def _article_dict(self, row) -> dict:
        article = dict(row)
        article_id = article["id"]
        article["canonical"] = article["url"]
        article["aliases"] = [r[0] for r in self.conn.execute(
            "SELECT url FROM aliases WHERE article_id = ? ORDER BY url", (article_id,))]
        article["images"], article["attachments"] = self._media(article_id)
        article["documents"] = [dict(r) for r in self.conn.execute(
            "SELECT id, url, name, mime, pages FROM documents WHERE article_id = ? ORDER BY id",
            (article_id,))]
        captured = self.conn.execute(
            "SELECT timestamp FROM captures WHERE id = ?", (article["capture_id"],)).fetchone()
        article["captured"] = captured[0] if captured else article["last_captured"]
        return article

    def article_versions(self, article_id: int) -> list[dict]:
        """Every archived text of an article, oldest first, each with its full text."""
        rows = [dict(r) for r in self.conn.execute(
            "SELECT * FROM article_versions WHERE article_id = ? ORDER BY version", (article_id,))]
        article = self.conn.execute("SELECT * FROM articles WHERE id = ?", (article_id,)).fetchone()
        if not rows or article is None:
            return rows
        for version in rows:
            for key in ("changed", "images", "attachments"):
                version[key] = json.loads(version[key]) if version[key] else None
            version["url"] = version["url"] or article["url"]
        newest = rows[-1]
        for field in ARTICLE_FIELDS:
            newest[field] = article[field]
        newest["images"], newest["attachments"] = self._media(article_id)
        return rows

    def article_captures(self, article_id: int) -> list[dict]:
        """Captures of the article's canonical URL and all its aliases, oldest first."""
        urls = [r[0] for r in self.conn.execute(
            "SELECT url FROM articles WHERE id = ? UNION SELECT url FROM aliases WHERE article_id = ?",
            (article_id, article_id))]
        captures = [capture for url in urls for capture in self.captures(url)]
        return sorted(captures, key=lambda c: (c["timestamp"], c["id"]))

    def iter_articles(self, site: str | None = None) -> Iterator[dict]:
        """Every article row (newest text), in id order; for export."""
        sql = "SELECT * FROM articles" + (" WHERE site = ?" if site else "") + " ORDER BY id"
        for row in self.conn.execute(sql, (site,) if site else ()):
            yield dict(row)

    def article_count(self) -> int:
        return self.conn.execute("SELECT count(*) FROM articles").fetchone()[0]

    def recent_articles(self, limit: int = 10) -> list[dict]:
        """url, title, site, published of the newest published articles."""
        rows = self.conn.execute(
            "SELECT url, title, site, published FROM articles"
            " ORDER BY coalesce(published, '') DESC, id DESC LIMIT ?", (limit,)).fetchall()
        return [dict(row) for row in rows]

    def browse_articles(self, *, site=None, since=None, until=None, author=None,
                        limit: int = 20, offset: int = 0) -> tuple[list[dict], int]:
        """Articles matching only filters (no words), newest first, and how many there are:
        url, title, published, site, author and the body's start as snippet."""
        filters = [("site = ?", site), ("substr(published, 1, 10) >= ?", since),
                   ("substr(published, 1, 10) <= ?", until),
                   ("fold(author) LIKE '%' || fold(?) || '%'", author)]
        given = [(clause, value) for clause, value in filters if value]
        where = (" WHERE " + " AND ".join(clause for clause, _ in given)) if given else ""
        params = [value for _, value in given]
        total = self.conn.execute(f"SELECT count(*) FROM articles{where}", params).fetchone()[0]
        rows = self.conn.execute(
            f"SELECT url, title, published, site, author, substr(body, 1, 240) AS snippet FROM articles{where}"
            " ORDER BY coalesce(published, '') DESC, id DESC LIMIT ? OFFSET ?", (*params, limit, offset)).fetchall()
        return [dict(row) for row in rows], total

    def export_rows(self, site: str | None = None) -> Iterator[dict]:
        """Every article (of `site`) in id order, from one statement (no per-article queries):
        url, title, published, author, body, versions, gone, captured (its newest capture's time),
        images, attachments, aliases and sources (lists; a version's source: "crawl" or the
        web archive it was imported from, and its memento)."""
        where, params = ("WHERE a.site = ?", (site,)) if site else ("", ())
        for row in self.conn.execute(EXPORT_SQL.format(where=where), params):
            item = dict(row)
            for key in ("images", "attachments", "aliases", "sources"):
                item[key] = json.loads(item[key])
            yield item

    def article_urls(self) -> set[str]:
        """Every URL naming an archived article: canonical URLs and aliases."""
        return {row[0] for row in self.conn.execute("SELECT url FROM articles UNION SELECT url FROM aliases")}

    def version_count(self) -> int:
        """How many versions of all articles the index holds."""
        return self.conn.execute("SELECT count(*) FROM article_versions").fetchone()[0]

    def version_sources(self, article_id: int) -> list[dict]:
        """Where each version of the article came from, oldest first: version, captured,
        source ("crawl" or the web archive it was imported from), memento (its URI or None)."""
        rows = self.conn.execute(
            "SELECT v.version, v.captured, c.source, c.source_uri FROM article_versions v"
            " LEFT JOIN captures c ON c.id = v.capture_id WHERE v.article_id = ? ORDER BY v.version",
            (article_id,)).fetchall()
        return [{"version": r[0], "captured": r[1], "source": r[2] or OWN_CRAWL, "memento": r[3]}
                for r in rows]


def _julian(timestamp: str) -> float:
    return datetime.fromisoformat(timestamp.replace("Z", "+00:00")).timestamp()
