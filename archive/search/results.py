"""What a search returns."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Hit:
    url: str
    title: str | None
    published: str | None
    site: str | None
    author: str | None
    snippet: str
    score: float
    kind: str = "article"
    article_url: str | None = None  # for a document: the article that links it

    def to_dict(self) -> dict:
        return {"url": self.url, "title": self.title, "published": self.published,
                "site": self.site, "author": self.author, "snippet": self.snippet,
                "score": self.score, "kind": self.kind, "article_url": self.article_url}


@dataclass
class SearchResult:
    hits: list[Hit]
    total: int
    total_exact: bool = True  # False when total is estimated (more matches than were ranked)
    query: str = ""  # the FTS5 expression that ran, for debugging
