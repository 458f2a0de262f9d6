"""Where a WARC record lives, and the error raised when a record is not whole."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class WarcRef:
    """One record: `filename` is the basename under DATA/warcs/; offset and length
    cover the record's whole gzip member, so one seek + one read gets it back."""

    filename: str
    offset: int
    length: int
    record_id: str


class WarcFormatError(ValueError):
    """A record that is torn, truncated or not a WARC record at all."""
