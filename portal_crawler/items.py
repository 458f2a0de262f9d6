"""The records passed between stages: what extraction returns."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Image:
    src: str
    caption: str | None = None


@dataclass(frozen=True)
class Attachment:
    href: str
    name: str


@dataclass
class Article:
    url: str
    canonical: str
    title: str | None = None
    published: str | None = None      # ISO 8601 with +07:00, or YYYY-MM-DD, or None
    author: str | None = None
    body: str = ""
    images: list[Image] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    language: str | None = None
    encoding: str | None = None
    family: str | None = None         # detected CMS family, None for the generic path
    is_article: bool = False
    text_truncated: bool = False      # the page was longer than extraction reads (the WARC keeps it whole)
    views: list[str] = field(default_factory=list)   # its print view and shortlink URLs

    def to_dict(self) -> dict:
        return asdict(self)
