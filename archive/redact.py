"""Credentials kept out of what the archive stores and shows: a URL's userinfo
(`http://user:password@proxy:3128`) becomes `***`, wherever such a URL sits in a text."""
from __future__ import annotations

import re

# scheme://userinfo@ : userinfo ends at the last @ before the path, as urllib reads it
_USERINFO = re.compile(r"(?P<scheme>\b[A-Za-z][A-Za-z0-9+.-]*://)[^/?#\s'\"]+@")
REDACTED = "***"


def redact_text(text: str) -> str:
    """text with the userinfo of every URL in it replaced by ***."""
    return _USERINFO.sub(lambda m: f"{m.group('scheme')}{REDACTED}@", text)


def redacted(value):
    """A copy of a JSON-like value (dicts, lists, strings) with every URL's userinfo
    replaced by ***: for settings and stats before they are stored."""
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, dict):
        return {key: redacted(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [redacted(item) for item in value]
    return value
