"""One timeline per article: versions ordered by capture time, whatever their source.

Captures imported from a public web archive carry their source (the archive, the memento
URI, the archive's digest) in `captures.source*`; a capture of our own crawl has NULL
there. A text captured before the article's newest version (a 2019 memento imported after
our 2026 crawl) is placed among the older versions, in time order, instead of becoming
the newest text.

`place_older_text` is a part of the index's store: `Index.upsert_article` calls it inside
its write transaction, with that connection.  The provenance columns are their own
migration component ("provenance", in archive/index/migrations.py), so they never collide
with the index's own migration numbers.
"""
from __future__ import annotations

import json

from archive.version_rules import ARTICLE_FIELDS, changed_fields, same_crawl_other_page, version_page

OWN_CRAWL = "crawl"

# WARC headers of an imported record (cdx_toolkit writes the first two the same way).
SOURCE_URI = "WARC-Source-URI"          # the memento URI, or the source WARC file's URL
SOURCE_RANGE = "WARC-Source-Range"      # bytes=START-END of that file
SOURCE_ARCHIVE = "WARC-Source-Archive"  # the archive's name: its replay prefix or data URL
SOURCE_DIGEST = "WARC-Source-Digest"    # the digest the archive's CDX gave for the payload
SITE_HEADER = "Portal-Archive-Site"     # the registry site the record belongs to

# A version row written whole, with its text and media.
INSERT_VERSION = ("INSERT INTO article_versions (article_id, version, captured, capture_id, crawl_id, url,"
                  " text_hash, changed, title, published, author, body, images, attachments)"
                  " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")


def record_source(record) -> tuple[str | None, str | None, str | None]:
    """(archive, memento, digest) of a WARC record; Nones for our own crawl's. A record
    copied from a byte range of a WARC file is named by the file's URL and the range
    ("URL bytes=START-END"): one file holds many captures."""
    uri, byte_range = record.header(SOURCE_URI), record.header(SOURCE_RANGE)
    memento = f"{uri} {byte_range}" if uri and byte_range else uri
    return record.header(SOURCE_ARCHIVE), memento, record.header(SOURCE_DIGEST)


def place_older_text(conn, row, article: dict, fields: dict, digest: str, capture_id, captured: str,
                     crawl_id) -> str | None:
    """Put a text captured before the article's newest version into its time order.

    Returns None when `captured` is not older than the newest version (the caller's usual
    path applies), else "changed" (a version was inserted) or "unchanged" (the text was
    the one in force then, or the next version's text seen earlier)."""
    article_id = row["id"]
    versions = conn.execute(
        "SELECT * FROM article_versions WHERE article_id = ? ORDER BY version", (article_id,)).fetchall()
    if not versions or captured >= (versions[-1]["captured"] or ""):
        if versions and captured < (row["last_captured"] or "") and digest != versions[-1]["text_hash"]:
            return _split_newest(conn, row, article, fields, digest, capture_id, captured, crawl_id, versions[-1])
        return None
    position = next(i for i, v in enumerate(versions) if (v["captured"] or "") > captured)
    before = versions[position - 1] if position else None
    after = versions[position]
    conn.execute("UPDATE articles SET first_captured = min(coalesce(first_captured, :t), :t) WHERE id = :id",
                 {"t": captured, "id": article_id})
    if before is not None and before["text_hash"] == digest:
        return "unchanged"
    page = article.get("url")
    for neighbour in (before, after):
        # one crawl, another page of the article (print view, alias): the same version,
        # whichever of its pages was processed first
        if neighbour is not None and same_crawl_other_page(neighbour["crawl_id"], neighbour["url"] or row["url"],
                                                           crawl_id, page):
            return "unchanged"
    if after["text_hash"] == digest:  # that text was archived earlier than we knew
        conn.execute("UPDATE article_versions SET captured = ?, capture_id = ?, crawl_id = ? WHERE id = ?",
                     (captured, capture_id, crawl_id, after["id"]))
        return "unchanged"
    newest = versions[-1]
    text_of = {v["id"]: {f: v[f] for f in ARTICLE_FIELDS} for v in versions}
    text_of[newest["id"]] = {f: row[f] for f in ARTICLE_FIELDS}  # the newest text lives in articles
    # make room: versions from `after` on move up by one (two steps: UNIQUE(article_id, version))
    conn.execute("UPDATE article_versions SET version = -version - 1 WHERE article_id = ? AND version >= ?",
                 (article_id, after["version"]))
    conn.execute("UPDATE article_versions SET version = -version WHERE article_id = ? AND version < 0",
                 (article_id,))
    previous = text_of[before["id"]] if before is not None else None
    conn.execute(INSERT_VERSION, (article_id, after["version"], captured, capture_id, crawl_id,
                                  version_page(article), digest, _changed(previous, fields),
                                  *_text_and_media(fields, article)))
    conn.execute("UPDATE article_versions SET changed = ? WHERE id = ?",
                 (_changed(fields, text_of[after["id"]]), after["id"]))
    conn.execute("UPDATE articles SET versions = versions + 1 WHERE id = ?", (article_id,))
    return "changed"


def _split_newest(conn, row, article: dict, fields: dict, digest: str, capture_id, captured: str, crawl_id,
                  newest) -> str:
    """Another text captured while the newest version was in force (seen at its start and
    again at the article's last capture): the newest text then ran twice, with this one
    between. Two versions follow: this text, then the newest text again from the last
    capture, so the article's text stays the newest."""
    article_id = row["id"]
    current = {f: row[f] for f in ARTICLE_FIELDS}
    keep_own_text(conn, article_id, newest["version"], current)
    conn.execute(INSERT_VERSION, (article_id, newest["version"] + 1, captured, capture_id, crawl_id,
                                  version_page(article), digest, _changed(current, fields),
                                  *_text_and_media(fields, article)))
    conn.execute(INSERT_VERSION, (article_id, newest["version"] + 2, row["last_captured"], row["capture_id"],
                                  row["last_crawl_id"], newest["url"], newest["text_hash"], _changed(fields, current),
                                  current["title"], current["published"], current["author"], current["body"],
                                  newest["images"], newest["attachments"]))
    conn.execute("UPDATE articles SET versions = versions + 2 WHERE id = ?", (article_id,))
    return "changed"


def article_media(conn, article_id: int) -> tuple[list[dict], list[dict]]:
    """The article's images and attachments, as its tables hold them (the newest text's)."""
    images = [dict(r) for r in conn.execute("SELECT src, caption FROM images WHERE article_id = ? ORDER BY id",
                                            (article_id,))]
    attachments = [dict(r) for r in conn.execute(
        "SELECT href, name FROM attachments WHERE article_id = ? ORDER BY id", (article_id,))]
    return images, attachments


def keep_own_text(conn, article_id: int, version: int, text: dict) -> None:
    """The newest version's row holds no text (it lives in articles): once superseded, the
    row keeps its own text and media."""
    images, attachments = article_media(conn, article_id)
    conn.execute("UPDATE article_versions SET title = ?, published = ?, author = ?, body = ?, images = ?,"
                 " attachments = ? WHERE article_id = ? AND version = ?",
                 (text["title"], text["published"], text["author"], text["body"],
                  json.dumps(images, ensure_ascii=False), json.dumps(attachments, ensure_ascii=False),
                  article_id, version))


def _text_and_media(fields: dict, article: dict) -> tuple:
    """title, published, author, body, images, attachments (JSON) of a version row."""
    return (fields["title"], fields["published"], fields["author"], fields["body"],
            json.dumps(article.get("images") or [], ensure_ascii=False),
            json.dumps(article.get("attachments") or [], ensure_ascii=False))


def _changed(old: dict | None, new: dict) -> str | None:
    if old is None:
        return None
    return json.dumps(changed_fields(old, new))
