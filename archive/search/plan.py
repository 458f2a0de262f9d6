"""What one search runs: the FTS5 match, its scoring form, the filters, the terms, the tuning."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from archive.search.abbreviations import load_abbreviations
from archive.search.expression import to_fts
from archive.search.filters import day, exact_days, filter_parts, published_range, until_day_of
from archive.search.query import Term, query_terms
from archive.search.tuning import DEFAULT_TUNING, SearchTuning


@dataclass(frozen=True)
class QueryPlan:
    """What one search runs: the match, its scoring form, the filters and the terms."""
    expression: str  # the query alone
    scoring: str  # the query with phrases as AND of words (cheap for BM25's IDF)
    filter_parts: tuple[str, ...]  # FTS5 conditions for site / date / author
    terms: tuple[Term, ...]
    site: object = None
    since: object = None
    until: object = None
    author: str | None = None
    day_range: tuple[str, str] | None = None  # exact check when the date cover is wider
    tuning: SearchTuning = DEFAULT_TUNING

    @classmethod
    def build(cls, conn, tree, site, since, until, author,
              tuning: SearchTuning = DEFAULT_TUNING) -> "QueryPlan":
        abbreviations = load_abbreviations()
        bounds = published_range(conn) if (since or until) else None
        day_range = None
        since_day, until_day = day(since), until_day_of(until)
        if exact_days(since_day, until_day):
            day_range = ((since_day or date.min).isoformat(), (until_day or date.max).isoformat())
        return cls(to_fts(tree, abbreviations), to_fts(tree, abbreviations, phrases=False),
                   tuple(filter_parts(site, since, until, author, bounds)),
                   tuple(query_terms(tree)), site, since, until, author, day_range, tuning)

    @property
    def filters(self) -> str:
        return " AND ".join(self.filter_parts)

    def with_filters(self, expression: str) -> str:
        return f"({expression}) AND {self.filters}" if self.filters else expression

    @property
    def match(self) -> str:
        return self.with_filters(self.expression)
