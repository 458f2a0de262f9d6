"""The records passed between stages: what extraction returns, and the crawl's items."""
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


# -- crawl items: what the spider hands the pipeline ------------------------------------

@dataclass
class PageItem:
    """An HTML page answered in this crawl (fetched, 304, or read back on resume)."""
    url: str
    article: dict                     # Article.to_dict() or the indexed record reused
    outlinks: list[str]
    site: str | None = None
    capture_id: int | None = None
    warc_ref: object | None = None    # archive.warc.WarcRef of the response/revisit record
    not_modified: bool = False        # 304, or a payload identical to the last capture
    from_archive: str | None = None   # "resume" when read back from this crawl's WARCs
    asset_links: list[str] = field(default_factory=list)
    links_digest: str | None = None   # the payload the links were parsed from: keep them for recrawls


@dataclass
class NotDueItem:
    """An archived article the revisit policy did not ask for again: seen, not rechecked."""
    url: str
    site: str | None = None


@dataclass
class DocumentItem:
    url: str
    body: bytes
    mime: str
    site: str | None = None
    capture_id: int | None = None
    linked_from: str | None = None


@dataclass
class GoneItem:
    """A page that answered 404 or 410."""
    url: str
    status: int
    site: str | None = None
