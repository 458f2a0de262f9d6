"""The numbers a crawl report and the crawls table show, from Scrapy's stats, and the report
lines crawls and imports print alike."""
from __future__ import annotations

from datetime import datetime, timezone


def crawl_summary(stats: dict, recheck: dict | None = None) -> dict:
    """The numbers a crawl report and the crawls table show. With the recheck report, the
    article counts are distinct articles of the index, not upserts (an article seen at two
    URLs counts once)."""
    errors = sum(v for k, v in stats.items() if k.startswith("errors/") and isinstance(v, int))
    errors += stats.get("spider_exceptions/count", 0)
    started = stats.get("start_time")
    seconds = (datetime.now(timezone.utc) - started).total_seconds() if started else 0.0
    counts = recheck or {"new": stats.get("articles/new", 0), "changed": stats.get("articles/changed", 0),
                         "unchanged": stats.get("articles/unchanged", 0)}
    summary = {
        "seconds": seconds,
        "pages": stats.get("response_received_count", 0),
        "new": counts["new"],
        "changed": counts["changed"],
        "unchanged": counts["unchanged"],
        "errors": errors,
        "gone": stats.get("pages/gone", 0),
        "not_modified": stats.get("pages/not_modified", 0),
        "revisits": stats.get("warc/revisit", 0),
        "bytes": stats.get("downloader/response_bytes", 0),
        "stats": {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in stats.items()},
    }
    if recheck is not None:
        summary["recheck"] = recheck
    return summary


def warcs_line(warcs: list[str]) -> str:
    """The report's line naming the WARC files written (the first three)."""
    return f"  warcs      {len(warcs)} file(s): {', '.join(warcs[:3])}{' ...' if len(warcs) > 3 else ''}"
