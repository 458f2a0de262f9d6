"""Times typed by users (`snapshot --at`): ISO 8601 dates and times, or WARC/CDX 14-digit stamps."""
from __future__ import annotations

import re
from datetime import datetime, timezone

from archive.timeutil import VIETNAM

DIGITS = re.compile(r"^\d{4,14}$")


def parse_user_time(value: str) -> datetime:
    """A timezone-aware datetime; a time without an offset is read as Vietnam time (UTC+7),
    and a partial stamp (`2019`, `201903141541`) means the start of that period."""
    text = value.strip()
    if DIGITS.match(text):
        if len(text) % 2:
            raise ValueError(f"{value!r}: a stamp has an even number of digits (YYYYMMDDhhmmss)")
        padded = text + "0101000000"[len(text) - 4:] if len(text) < 14 else text
        try:
            return datetime.strptime(padded, "%Y%m%d%H%M%S").replace(tzinfo=timezone.utc)
        except ValueError:
            raise ValueError(f"{value!r} is not a date and time (YYYYMMDDhhmmss)") from None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{value!r} is not a date and time (ISO 8601, e.g. 2019-03-14T15:41, "
                         "or YYYYMMDDhhmmss)") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=VIETNAM)
