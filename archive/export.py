"""Export of the archived articles as JSON lines or CSV (the `export` command).

One record per canonical article: the extract fields of its newest version (url,
canonical, title, published, author, body, images, attachments) plus `aliases`
(its other URLs), `captured` (ISO time of its newest capture), `versions` (how
many different texts were archived), `gone` (ISO time of the crawl that found
it missing, or null) and `sources` (where each version came from, oldest first:
{version, captured, source: "crawl" or the web archive, memento: its URI or null}).  One SQL statement streams everything, so exporting 200k
articles needs no per-article queries.
"""

from __future__ import annotations

import csv
import json
from typing import Iterator, TextIO

FIELDS = ("url", "canonical", "title", "published", "author", "body", "images", "attachments",
          "aliases", "captured", "versions", "gone", "sources")
FORMATS = ("jsonl", "csv")
# A cell starting with one of these is a formula to spreadsheet programs (=HYPERLINK(...),
# +cmd|..., @SUM, and tab or CR before any of them): such cells get a leading apostrophe,
# which spreadsheets read as "text" (OWASP, CSV injection). JSON lines stay as archived.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

EXPORT_SQL = """
SELECT a.url, a.title, a.published, a.author, a.body, a.versions, a.gone,
       coalesce((SELECT c.timestamp FROM captures c WHERE c.id = a.capture_id), a.last_captured)
           AS captured,
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


def iter_records(index, site: str | None = None) -> Iterator[dict]:
    """Export records in article order (oldest first)."""
    where, params = ("WHERE a.site = ?", (site,)) if site else ("", ())
    cursor = index.conn.execute(EXPORT_SQL.format(where=where), params)
    for row in cursor:
        yield {
            "url": row["url"],
            "canonical": row["url"],
            "title": row["title"],
            "published": row["published"],
            "author": row["author"],
            "body": row["body"],
            "images": json.loads(row["images"]),
            "attachments": json.loads(row["attachments"]),
            "aliases": json.loads(row["aliases"]),
            "captured": row["captured"],
            "versions": row["versions"],
            "gone": row["gone"],
            "sources": json.loads(row["sources"]),
        }


def export(index, out: TextIO, fmt: str = "jsonl", site: str | None = None) -> int:
    """Write every article (of `site`) to out as fmt ('jsonl' or 'csv'); return how many."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    count = 0
    if fmt == "jsonl":
        for record in iter_records(index, site):
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            count += 1
        return count
    writer = csv.DictWriter(out, fieldnames=FIELDS)
    writer.writeheader()
    for record in iter_records(index, site):
        for key in ("images", "attachments", "aliases", "sources"):
            record[key] = json.dumps(record[key], ensure_ascii=False)
        writer.writerow({key: csv_cell(value) for key, value in record.items()})
        count += 1
    return count


def csv_cell(value):
    """The value, with text that a spreadsheet would run as a formula made plain text."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
