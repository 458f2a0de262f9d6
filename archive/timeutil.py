"""Time in the archive: the Vietnam zone, UTC stamps as the index stores them, parsing back."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone, tzinfo

# Vietnam keeps UTC+7 all year (no daylight saving); the IANA name is for cron rules.
VIETNAM = timezone(timedelta(hours=7), "ICT")
VIETNAM_ZONE_NAME = "Asia/Ho_Chi_Minh"

ISO_UTC = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
ISO_UTC_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
DATE_ONLY = re.compile(r"\d{4}-\d\d-\d\d")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def utc_now() -> str:
    """Now as the index stores times: ISO 8601 UTC to the second."""
    return utcnow().strftime(ISO_UTC_FORMAT)


def iso_timestamp(value) -> str | None:
    """ISO 8601 UTC ('2024-03-01T10:00:00Z') from a datetime, ISO text or 14-digit WARC time."""
    if value is None:
        return None
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(timezone.utc)
        return value.strftime(ISO_UTC_FORMAT)
    text = str(value).strip()
    if ISO_UTC.fullmatch(text):
        return text
    if text.isdigit() and len(text) >= 8:
        text = text.ljust(14, "0")
        return f"{text[:4]}-{text[4:6]}-{text[6:8]}T{text[8:10]}:{text[10:12]}:{text[12:14]}Z"
    parsed = parse_iso(text, date_only_at=timezone.utc)
    return text if parsed is None else iso_timestamp(parsed)


def parse_iso(text: str | None, date_only_at: tzinfo = VIETNAM) -> datetime | None:
    """An aware datetime from ISO text ('Z', an offset, or none: UTC); a bare date is its
    midnight in `date_only_at`.  None for empty or unreadable text."""
    if not text:
        return None
    text = str(text).strip()
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=date_only_at if DATE_ONLY.fullmatch(text) else timezone.utc)
    return parsed
