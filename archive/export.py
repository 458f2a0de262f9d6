"""Export of the archived articles as JSON lines or CSV (the `export` command).

One record per canonical article: the extract fields of its newest version (url,
canonical, title, published, author, body, images, attachments) plus `aliases`
(its other URLs), `captured` (ISO time of its newest capture), `versions` (how
many different texts were archived), `gone` (ISO time of the crawl that found
it missing, or null) and `sources` (where each version came from, oldest first:
{version, captured, source: "crawl" or the web archive, memento: its URI or null}).
`Index.export_rows` streams everything from one SQL statement, so exporting 200k articles
needs no per-article queries.
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


def iter_records(index, site: str | None = None) -> Iterator[dict]:
    """Export records in article order (oldest first)."""
    for row in index.export_rows(site):
        yield {
            "url": row["url"],
            "canonical": row["url"],
            "title": row["title"],
            "published": row["published"],
            "author": row["author"],
            "body": row["body"],
            "images": row["images"],
            "attachments": row["attachments"],
            "aliases": row["aliases"],
            "captured": row["captured"],
            "versions": row["versions"],
            "gone": row["gone"],
            "sources": row["sources"],
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
