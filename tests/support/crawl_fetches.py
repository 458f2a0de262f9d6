"""What a crawl fetched and indexed, read from its WARC files and index: shared by the
distributed-crawl tests and bench/distributed_bench.py."""
from __future__ import annotations

from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit


def fetches(warc_dirs) -> tuple[Counter, list[str]]:
    """(successful fetches per (method, URL), WARC file names) over the WARC files of every
    directory. robots.txt (fetched once per worker by design) and 5xx answers (retried on
    purpose) are left out."""
    from warcio.archiveiterator import ArchiveIterator
    status, requests, names = {}, [], []
    for directory in warc_dirs:
        for path in sorted(Path(directory).glob("*.warc.gz")):
            names.append(path.name)
            with open(path, "rb") as stream:
                for record in ArchiveIterator(stream):
                    headers = record.rec_headers
                    if record.rec_type in ("response", "revisit") and record.http_headers:
                        status[headers.get_header("WARC-Record-ID")] = int(record.http_headers.get_statuscode())
                    elif record.rec_type == "request":
                        method = record.http_headers.protocol if record.http_headers else "GET"
                        requests.append((method, headers.get_header("WARC-Target-URI"),
                                         headers.get_header("WARC-Concurrent-To")))
    fetched = Counter()
    for method, url, response_id in requests:
        if urlsplit(url).path != "/robots.txt" and status.get(response_id, 0) < 500:
            fetched[(method, url)] += 1
    return fetched, names


def canonical_articles(index_path: Path, source) -> tuple[list[str], list[str]]:
    """(canonical truth articles of a PortalSource missing from the index's article rows,
    ones indexed more than once), paths compared case-insensitively on hosts that fold case."""
    indexed = source.indexed_keys(index_path, aliases=False)
    canonical = source.canonical_keys()
    return [k for k in canonical if k not in indexed], [k for k in canonical if indexed[k] > 1]
