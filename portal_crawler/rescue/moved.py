"""Sites that moved: a start page answered by a redirect off the site's own hosts.

The crawl archives the 3xx answer as it was (the recorder) and stays on the site's hosts
(the spider's scope); afterwards the site is marked `redirected` (to the Location) in the
index's sites table, so an archivist knows to import the rest from web archives.
"""
from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from archive.warc import WarcRef, read_record

from .select import bare_host

log = logging.getLogger(__name__)

REDIRECTS = (301, 302, 303, 307, 308)


def mark_moved_sites(index, warcs_dir: Path, crawl_id: int, profiles) -> list[tuple[str, str]]:
    """(site id, where it redirects) for each site whose start page this crawl found moved."""
    moved = []
    for profile in profiles:
        hosts = {bare_host(h) for h in profile.hosts}
        for start in profile.start_urls:
            capture = next((c for c in reversed(index.captures(start)) if c.get("crawl_id") == crawl_id), None)
            if capture is None or capture.get("status") not in REDIRECTS:
                continue
            try:
                record = read_record(warcs_dir, WarcRef(capture["warc_file"], capture["offset"],
                                                        capture["length"], capture["record_id"]))
            except (OSError, ValueError) as exc:
                log.warning("cannot read the redirect of %s: %s", start, exc)
                continue
            location = urljoin(start, record.http.header("Location") or "")
            if location and bare_host(urlsplit(location).hostname) not in hosts:
                index.set_site_status(profile.id, "redirected", location, profile.successor)
                moved.append((profile.id, location))
                log.warning("%s: %s redirects to %s, off the site's hosts", profile.id, start, location)
                break
    return moved
