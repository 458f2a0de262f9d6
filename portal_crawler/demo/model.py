"""The demo content model: sites and articles read from content.toml, and rendered pages."""
from __future__ import annotations

import html
import tomllib
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import format_datetime
from pathlib import Path

from archive.timeutil import VIETNAM

# Circumflex, breve, horn: part of the letter in cp1258 (â ă ơ ...); tone marks stay combining.
VOWEL_QUALITY_MARKS = "\u0302\u0306\u031b"
WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật")


@dataclass(frozen=True)
class DemoSite:
    id: str
    host: str
    style: str
    name: str
    district: str
    province: str
    today: str
    address: str
    phone: str
    editor: str
    licence: str
    categories: tuple[tuple[str, str], ...]

    @property
    def base(self) -> str:
        return f"http://{self.host}"

    def category_name(self, slug: str) -> str:
        return dict(self.categories)[slug]


@dataclass(frozen=True)
class DemoArticle:
    site: str
    id: int
    category: str
    slug: str
    title: str
    published: datetime
    paragraphs: tuple[str, ...]
    author: str | None = None
    author_style: str = "lone"
    source: str | None = None
    sapo: bool = False
    print_copy: bool = False
    alias: bool = False
    normalization: str = "NFC"
    encoding: str = "utf-8"
    images: tuple[dict, ...] = ()
    attachments: tuple[dict, ...] = ()

    @property
    def year(self) -> int:
        return self.published.year


@dataclass(frozen=True)
class Page:
    """One route of a demo site: what the server answers for `route` (path + query)."""
    route: str
    body: bytes
    content_type: str
    kind: str                      # home, listing, article, static, robots, sitemap, asset, error
    headers: dict = field(default_factory=dict)


class PortalLayout:
    """What both demo layouts share: the site, its articles newest first, paged listings."""
    page_size = 3

    def __init__(self, site: DemoSite, articles: list[DemoArticle]):
        self.site = site
        self.articles = sorted(articles, key=lambda a: a.published, reverse=True)

    @property
    def start_urls(self) -> list[str]:
        return [self.site.base + "/"]

    def category_pages(self, category: str):
        """(page number, page count, articles on that page) for one category's listing."""
        items = [a for a in self.articles if a.category == category]
        count = -(-len(items) // self.page_size)
        for number in range(1, count + 1):
            yield number, count, items[(number - 1) * self.page_size:number * self.page_size]


def load_content(path: Path) -> tuple[list[DemoSite], list[DemoArticle]]:
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    sites = [DemoSite(**{**s, "categories": tuple(tuple(c) for c in s["categories"])})
             for s in data["site"]]
    articles = []
    for raw in data["article"]:
        fields = dict(raw)
        fields["published"] = datetime.fromisoformat(fields["published"]).replace(tzinfo=VIETNAM)
        fields["paragraphs"] = tuple(fields["paragraphs"])
        fields["images"] = tuple(fields.get("images", ()))
        fields["attachments"] = tuple(fields.get("attachments", ()))
        articles.append(DemoArticle(**fields))
    return sites, articles


def esc(text: str) -> str:
    return html.escape(text, quote=True)


def weekday_vn(moment: datetime) -> str:
    return WEEKDAYS[moment.weekday()]


def http_date(moment: datetime) -> str:
    return format_datetime(moment.astimezone(timezone.utc), usegmt=True)


def encode_cp1258(text: str) -> bytes:
    """Encode Vietnamese text as Windows-1258: base letters precomposed, tone marks combining.

    cp1258 holds â ê ô ơ ư ă đ but no toned letters, so each toned letter becomes its
    base letter followed by a combining tone mark, as Vietnamese Windows text did.
    """
    out = bytearray()
    for char in unicodedata.normalize("NFC", text):
        try:
            out += char.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        decomposed = unicodedata.normalize("NFD", char)
        base, marks = decomposed[0], decomposed[1:]
        quality = "".join(m for m in marks if m in VOWEL_QUALITY_MARKS)
        tones = "".join(m for m in marks if m not in VOWEL_QUALITY_MARKS)
        try:
            encoded = unicodedata.normalize("NFC", base + quality).encode("cp1258") + tones.encode("cp1258")
        except UnicodeEncodeError:
            encoded = char.encode("cp1258", errors="xmlcharrefreplace")
        out += encoded
    return bytes(out)


def encode_page(text: str, encoding: str = "utf-8", normalization: str = "NFC") -> bytes:
    if encoding == "windows-1258":
        return encode_cp1258(text)
    return unicodedata.normalize(normalization, text).encode("utf-8")
