"""The replay index of WARC files: CDXJ lines (cdxj-indexer, pywb's own indexer) of what a
replay tool may serve as a page.

Left out: lines of non-http(s) URLs (an old `application/json` metadata record of ours is
indexed under its page's SURT key and would be replayed in place of the page) and lines of
304 answers. A server-not-modified revisit keeps the server's `HTTP/1.1 304` in the WARC, and
both pywb (which replays a revisit's own status with its original's payload) and
ReplayWeb.page would serve that empty 304 as the page. It is evidence of a check, not a
page: without its line the replayer finds the 200 capture it stands for.

    python -m archive.replay_index FILE.warc.gz... > index.cdxj     (pywb: collections/C/indexes/)
"""
from __future__ import annotations

import io
import json
import os
import sys

from warcio.exceptions import ArchiveLoadFailed

CAPTURE_RECORDS = ("response", "revisit")
CAPTURE_SCHEMES = ("http://", "https://")
NOT_REPLAYABLE_STATUS = ("304",)


def is_replayable_line(line: str) -> bool:
    """A CDXJ line of an http(s) URL whose answer is a page (not a 304)."""
    try:
        fields = json.loads(line.split(" ", 2)[2])
        url = fields.get("url") or ""
    except (IndexError, ValueError, AttributeError):
        return False
    return url.lower().startswith(CAPTURE_SCHEMES) and str(fields.get("status")) not in NOT_REPLAYABLE_STATUS


def replay_index(warc_paths) -> str:
    """Sorted CDXJ lines of the replayable captures in warc_paths; filenames are basenames."""
    try:
        from cdxj_indexer.main import CDXJIndexer
    except ImportError as exc:  # an optional dependency: say how to get it
        raise RuntimeError("the replay index needs cdxj-indexer: pip install cdxj-indexer") from exc
    out = io.StringIO()
    out.close = lambda: None  # cdxj-indexer closes what it writes to
    CDXJIndexer(out, [str(p) for p in warc_paths], sort=True, post_append=True,
                records=",".join(CAPTURE_RECORDS)).process_all()
    return "".join(line + "\n" for line in out.getvalue().split("\n") if line and is_replayable_line(line))


def main(argv: list[str]) -> int:
    if not argv or any(arg.startswith("-") for arg in argv):
        print("usage: python -m archive.replay_index FILE.warc.gz... > index.cdxj", file=sys.stderr)
        return 2
    missing = [path for path in argv if not os.path.isfile(path)]
    if missing:
        print(f"replay_index: no such WARC file: {missing[0]}", file=sys.stderr)
        return 2
    try:
        lines = replay_index(argv)
    except ArchiveLoadFailed as exc:  # damaged data: cdxj-indexer cannot read past it
        print(f"replay_index: cannot index damaged WARC data: {exc}", file=sys.stderr)
        return 1
    sys.stdout.write(lines)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
