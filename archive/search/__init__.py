"""Vietnamese full-text search over the index: queries -> ranked hits with snippets.

Modules: query (parsing), abbreviations, expression (FTS5 text), filters (site, dates,
author), plan (what one search runs), fts (running statements), ranking, texts, run
(the search itself), results, tuning (`SearchTuning`: every number below, passed in).

How a query runs
  1. The query is parsed (`parse_query`): plain text is literal (every word must
     occur; "quoted text" is a phrase); with `advanced=True` AND/OR/NOT, parentheses
     and prefix* work too.  Malformed advanced input raises `QuerySyntaxError`, whose
     message is meant for the user.  Plain input never raises.
  2. Every term is folded with `archive.textfold.fold` exactly like the indexed text,
     and abbreviations (archive/abbreviations.txt) are OR-ed with their spelled-out
     forms and back.
  3. Filters become part of the FTS5 match: the index stores tokens for the site and
     the publication year/month/day in the `search_tags` column, so "site X between two
     dates" is a doclist intersection inside FTS5, never a per-row check chosen by the
     query planner.  Author is a column filter on the folded author.
  4. Candidates are the newest `candidates` matches by rowid (FTS5 walks its doclists
     backwards and stops), so a query's cost does not grow with the number of
     matches.  Scoring every match of a common word would cost ~0.5 s on 200k
     articles.  `total` is exact below that many matches, else estimated from the
     candidates' density in rowids (`total_exact` False).
  5. Ranking is BM25 (title weighted over author over body) of the candidates, exact
     when a query has fewer matches than `candidates`.  FTS5's BM25 first counts every
     match of each phrase (for the IDF); phrases are therefore scored as the AND of
     their words, and words so common that counting them would cost more than
     `bm25_budget` doclist entries are not scored at all: their IDF is near zero, and
     ranking falls back to newest first (see `ranking.ranked_ids`).
     Among the best `rerank`, hits where the query's words appear with exactly the
     typed diacritics (tone-mark placement ignored) come first, then hits with
     more of the query's words in the title.
  6. Only the hits of the requested page get snippets, cut in Python from the original
     text the ranking already fetched (archive.snippets), so they keep their diacritics.
"""

from archive.search.abbreviations import Abbreviations, load_abbreviations
from archive.search.expression import to_fts
from archive.search.plan import QueryPlan
from archive.search.query import Node, QueryError, QuerySyntaxError, Term, parse_query, query_terms
from archive.search.results import Hit, SearchResult
from archive.search.run import KINDS, search
from archive.search.tuning import DEFAULT_TUNING, SearchTuning
from archive.snippets import HIGHLIGHT

__all__ = ["Abbreviations", "DEFAULT_TUNING", "HIGHLIGHT", "Hit", "KINDS", "Node", "QueryError",
           "QueryPlan", "QuerySyntaxError", "SearchResult", "SearchTuning", "Term", "load_abbreviations",
           "parse_query", "query_terms", "search", "to_fts"]
