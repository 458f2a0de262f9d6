"""Site, date and author filters as FTS5 conditions on the search_tags and author columns."""

from __future__ import annotations

from datetime import date, datetime

from archive.index import site_tag
from archive.search.expression import phrase
from archive.search.query import QueryError, make_term


def day(value) -> date | None:
    """A date filter as given (date, datetime, YYYY-MM-DD, YYYY-MM or YYYY) -> its first day."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        pass
    if len(text) == 4 and text.isdigit():
        return date(int(text), 1, 1)
    if len(text) == 7 and text[4] == "-":
        return date(int(text[:4]), int(text[5:7]), 1)
    raise QueryError(f"Cannot read the date {text!r}: use YYYY-MM-DD.", "q_bad_date", value=text)


def until_day_of(value) -> date | None:
    """Inclusive end: '2024' means to 31 Dec 2024, '2024-03' to 31 Mar."""
    first = day(value)
    text = str(value).strip() if value is not None else ""
    if first is None:
        return None
    if len(text) == 4:
        return date(first.year, 12, 31)
    if len(text) == 7:
        next_month = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
        return date.fromordinal(next_month.toordinal() - 1)
    return first


def date_tags(since: date, until: date) -> list[str]:
    """Fewest zy/zm tokens covering the days since..until: whole years, else months.

    Partial months at either end are covered whole (a few tokens instead of up to
    sixty day tokens, each of which FTS5 would open); `exact_days` says when the
    cover is wider than the range and rows need an exact check.
    """
    tags = []
    month = date(since.year, since.month, 1)
    while month <= until:
        next_month = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
        if month.month == 1 and date(month.year, 12, 1) <= until:
            tags.append(f"zy{month.year:04d}")
            month = date(month.year + 1, 1, 1)
        else:
            tags.append(f"zm{month.year:04d}{month.month:02d}")
            month = next_month
    return tags


def exact_days(since: date | None, until: date | None) -> bool:
    """True when since..until does not start and end on month boundaries."""
    ends_mid_month = until is not None and until < date.max and \
        date.fromordinal(until.toordinal() + 1).day != 1
    return (since is not None and since.day != 1) or ends_mid_month


MIN_DAY = date(1900, 1, 1)


def published_range(conn) -> tuple[date, date] | None:
    """First and last publication day in the index (two index lookups)."""
    row = conn.execute("SELECT (SELECT min(published) FROM articles WHERE published >= '0'),"
                       " (SELECT max(published) FROM articles)").fetchone()
    try:
        return date.fromisoformat(row[0][:10]), date.fromisoformat(row[1][:10])
    except (TypeError, ValueError):
        return None


def filter_parts(site=None, since=None, until=None, author=None, bounds=None) -> list[str]:
    """FTS5 conditions on the search_tags/author columns for the filters given.

    `bounds` (first, last publication day in the index) keeps the date cover short
    for open-ended ranges.
    """
    parts = []
    sites = [site] if isinstance(site, str) else list(site or [])
    if sites:
        parts.append("search_tags : (" + " OR ".join(site_tag(s) for s in sites) + ")")
    since_day, until_day = day(since), until_day_of(until)
    if since_day or until_day:
        if since_day and until_day and since_day > until_day:
            raise QueryError("The start date is after the end date.", "q_dates_reversed")
        first, last = bounds or (MIN_DAY, date.today())
        since_day = max(since_day or first, first)
        until_day = min(until_day or last, last)
        # An empty intersection still needs a valid expression that matches nothing.
        tags = date_tags(since_day, until_day) if since_day <= until_day else ["zmnone"]
        parts.append("search_tags : (" + " OR ".join(tags) + ")")
    if author:
        term = make_term(author)
        if term is None:
            raise QueryError("The author filter has no letter or digit in it.", "q_author_empty")
        parts.append("author : (" + " AND ".join(phrase((t,)) for t in term.tokens) + ")")
    return parts
