"""Dates as Vietnamese readers write them (14/03/2019 15:41), and WARC-style 14-digit stamps."""
from __future__ import annotations

import re
from datetime import date, datetime, timezone

from archive.timeutil import ISO_UTC_FORMAT, VIETNAM, parse_iso

_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_STAMP = re.compile(r"^\d{4,14}$")


def parse_time(value) -> datetime | date | None:
    """An ISO 8601 string (with Z or an offset), YYYY-MM-DD, or a 14-digit stamp; None if unreadable."""
    if value is None or value == "":
        return None
    if isinstance(value, (datetime, date)):
        return value
    text = str(value).strip()
    if _DATE_ONLY.match(text):
        return date.fromisoformat(text)
    if _STAMP.match(text):
        padded = text + "00000101000000"[len(text):]  # a partial stamp means its earliest moment
        try:
            return datetime.strptime(padded, "%Y%m%d%H%M%S").replace(tzinfo=timezone.utc)
        except ValueError:
            return None
    return parse_iso(text)


def display(value, *, to_vietnam: bool = True) -> str:
    """14/03/2019 15:41 (Vietnam time), or 14/03/2019 for a date without a time; '' when unknown."""
    moment = parse_time(value)
    if moment is None:
        return "" if value in (None, "") else str(value)
    if not isinstance(moment, datetime):
        return moment.strftime("%d/%m/%Y")
    if to_vietnam:
        moment = moment.astimezone(VIETNAM)
    return moment.strftime("%d/%m/%Y %H:%M")


def display_seconds(value) -> str:
    """14/03/2019 15:41:05 (Vietnam time): capture times, where seconds matter for proof."""
    moment = parse_time(value)
    if not isinstance(moment, datetime):
        return display(value)
    return moment.astimezone(VIETNAM).strftime("%d/%m/%Y %H:%M:%S")


def iso_utc(value) -> str:
    """2019-03-14T08:41:05Z: the unambiguous form for citations and the JSON API."""
    moment = parse_time(value)
    if not isinstance(moment, datetime):
        return "" if moment is None else moment.isoformat()
    return moment.astimezone(timezone.utc).strftime(ISO_UTC_FORMAT)


def stamp14(value) -> str:
    """20190314084105: the capture-time path segment of archived URLs (UTC)."""
    moment = parse_time(value)
    if isinstance(moment, datetime):
        return moment.astimezone(timezone.utc).strftime("%Y%m%d%H%M%S")
    if isinstance(moment, date):
        return moment.strftime("%Y%m%d") + "000000"
    return ""


def parse_user_date(text: str | None) -> str | None:
    """A date typed in a filter, 14/03/2019 or 2019-03-14, as YYYY-MM-DD; None if empty.

    Raises ValueError for text that is not a date, so the page can say so.
    """
    text = (text or "").strip()
    if not text:
        return None
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return datetime.strptime(text, pattern).date().isoformat()
        except ValueError:
            continue
    raise ValueError(text)
