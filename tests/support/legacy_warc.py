"""A WARC file as portal-archive wrote them before metadata records became warc-fields:
each page's response, then an `application/json` metadata record about it at
`metadata://host/path`, here dated `delay` seconds after the page (a slow extraction).
Written with warcio alone, so it does not depend on today's writer."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from io import BytesIO
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from archive.warc import metadata_uri

START = datetime(2024, 5, 6, 7, 8, 9, tzinfo=timezone.utc)


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def write_legacy_warc(path: Path, pages: list[tuple[str, str]], site: str, delay: int = 5) -> list[str]:
    """pages: (url, html). Returns the WARC-Date of each page's response."""
    dates = []
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=True, warc_version="1.1")
        for n, (url, html) in enumerate(pages):
            taken = START + timedelta(minutes=n)
            body = html.encode("utf-8")
            http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8"),
                                               ("Content-Length", str(len(body)))], protocol="HTTP/1.1")
            response = writer.create_warc_record(url, "response", payload=BytesIO(body), length=len(body),
                                                 http_headers=http, warc_headers_dict={"WARC-Date": iso(taken)})
            writer.write_record(response)
            payload = json.dumps({"site": site, "outlinks": [], "article": {"url": url}}).encode()
            metadata = writer.create_warc_record(
                metadata_uri(url), "metadata", payload=BytesIO(payload), length=len(payload),
                warc_content_type="application/json",
                warc_headers_dict={"WARC-Date": iso(taken + timedelta(seconds=delay)),
                                   "WARC-Concurrent-To": response.rec_headers.get_header("WARC-Record-ID")})
            writer.write_record(metadata)
            dates.append(iso(taken))
    return dates
