"""A URL taken apart for pattern matching (decoded, never raising)."""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from .canonicalise import host_of_netloc


@dataclass(frozen=True)
class UrlParts:
    scheme: str
    host: str
    path: str                               # percent-decoded, '/' when empty
    raw_query: str
    query: tuple[tuple[str, str], ...]      # decoded (name, value) pairs, in order

    @property
    def query_names(self) -> list[str]:
        return [name for name, _ in self.query]

    @property
    def last_segment(self) -> str:
        return self.path.rstrip("/").rpartition("/")[2] if self.path != "/" else ""

    @property
    def extension(self) -> str:
        """Lower-case extension of the last path segment ('' when there is none)."""
        name = self.path.rpartition("/")[2]
        stem, dot, ext = name.rpartition(".")
        return ext.lower() if dot and stem else ""


def split_url(url: str) -> UrlParts | None:
    """``None`` when ``url`` cannot be parsed at all."""
    try:
        parts = urlsplit(str(url).strip())
    except ValueError:
        return None
    query = tuple(
        (unquote(name, errors="replace"), unquote(value.replace("+", " "), errors="replace"))
        for name, _, value in (p.partition("=") for p in parts.query.split("&") if p)
    )
    return UrlParts(
        scheme=parts.scheme.lower(),
        host=host_of_netloc(parts.netloc),
        path=unquote(parts.path, errors="replace") or "/",
        raw_query=parts.query,
        query=query,
    )
