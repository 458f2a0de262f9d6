"""Vietnamese full-text search over the index: queries -> ranked hits with snippets.

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
  4. Candidates are the newest CANDIDATES matches by rowid (FTS5 walks its doclists
     backwards and stops), so a query's cost does not grow with the number of
     matches.  Scoring every match of a common word would cost ~0.5 s on 200k
     articles.  `total` is exact below CANDIDATES matches, else estimated from the
     candidates' density in rowids (`total_exact` False).
  5. Ranking is BM25 (title weighted over author over body) of the candidates, exact
     when a query has fewer matches than CANDIDATES.  FTS5's BM25 first counts every
     match of each phrase (for the IDF); phrases are therefore scored as the AND of
     their words, and words so common that counting them would cost more than
     BM25_BUDGET doclist entries are not scored at all: their IDF is near zero, and
     ranking falls back to newest first (see `_ranked_ids`).
     Among the best RERANK, hits where the query's words appear with exactly the
     typed diacritics (tone-mark placement ignored) come first, then hits with
     more of the query's words in the title.
  6. Only the hits of the requested page get snippets, cut in Python from the original
     text the ranking already fetched (archive.snippets), so they keep their diacritics.
"""

from __future__ import annotations

import logging
import re
import sqlite3
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from importlib import resources

from archive import textfold
from archive.index import site_tag
from archive.snippets import HIGHLIGHT, SNIPPET_TOKENS, SnippetCutter, whole_word, words_pattern

log = logging.getLogger(__name__)

# Matches ranked per query (the newest); see the module docstring.
CANDIDATES = 200
# How many of the best-ranked candidates are checked for exact diacritics.
EXACT_CHECK = 30
EXACT_BONUS = 1000.0
# Doclist entries BM25's IDF step may walk before ranking falls back to newest first.
BM25_BUDGET = 60_000
DENSITY_SAMPLE = 32
# Rows BM25 may score per query (the candidates' window of the scoring form).
SCORED_ROWS = 1000
# Candidates reordered by exact diacritics and title words (the best by BM25/newest).
RERANK = 100
TITLE_BONUS = 100.0
# Query words found next to each other, in order (folded): above title words, below exact marks.
PHRASE_BONUS = 300.0
# How many of the best-ranked candidates are checked for the words side by side (each check
# folds the whole text: a few of them cost what the search itself costs).
PHRASE_CHECK = 20
DOCUMENT_CANDIDATES = 1000
# BM25 weights of articles_fts columns: title, body, author, search_tags.
ARTICLE_WEIGHTS = (10.0, 1.0, 2.0, 0.0)
DOCUMENT_WEIGHTS = (5.0, 1.0)
KINDS = ("articles", "documents", "all")


class QueryError(ValueError):
    """A query that cannot be run; str(error) is a message for the user (English), `key`
    and `values` name it for translation (the web app's strings, keys "q_*")."""

    def __init__(self, message: str, key: str = "", **values):
        super().__init__(message)
        self.key, self.values = key, values


class QuerySyntaxError(QueryError):
    """Malformed advanced-syntax query."""


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
    total_exact: bool = True  # False when total is estimated (more than CANDIDATES matches)
    query: str = ""  # the FTS5 expression that ran, for debugging

    def to_dicts(self) -> list[dict]:
        return [hit.to_dict() for hit in self.hits]


# -- query parsing ----------------------------------------------------------------

@dataclass(frozen=True)
class Term:
    """A word or phrase as typed (`text`) and its folded tokens."""
    text: str
    tokens: tuple[str, ...]
    prefix: bool = False


@dataclass(frozen=True)
class Node:
    op: str  # "AND", "OR", "NOT"
    children: tuple = field(default_factory=tuple)


TOKEN_PATTERN = re.compile(r'"[^"]*"?|\(|\)|[^\s()"]+')
OPERATORS = ("AND", "OR", "NOT")


def _term(text: str, prefix: bool = False) -> Term | None:
    tokens = tuple(textfold.fold(word) for word in textfold.words(text))
    return Term(text, tokens, prefix) if tokens else None


# Beyond these a query is no longer something a reader types, and every word multiplies the
# work (abbreviation variants, phrase checks): a 37 kB query cost 4 s of CPU.
MAX_QUERY_CHARS = 500
MAX_QUERY_WORDS = 32


def parse_query(query: str, advanced: bool = False):
    """Parse a query into a tree of Node/Term; None when it has no searchable word."""
    query = textfold.normalize(query or "").strip()
    if len(query) > MAX_QUERY_CHARS:
        raise QueryError(f"The query is {len(query)} characters long; at most {MAX_QUERY_CHARS} are searched.",
                         "q_too_long", length=len(query), limit=MAX_QUERY_CHARS)
    count = len(textfold.words(query))
    if count > MAX_QUERY_WORDS:
        raise QueryError(f"The query has {count} words; at most {MAX_QUERY_WORDS} are searched.",
                         "q_too_many_words", count=count, limit=MAX_QUERY_WORDS)
    if not advanced:
        terms = []
        for piece in TOKEN_PATTERN.findall(query):
            # An unclosed quote is taken literally: a phrase to the end.
            term = _term(piece.strip('"'))
            if term:
                terms.append(term)
        if not terms:
            return None
        return terms[0] if len(terms) == 1 else Node("AND", tuple(terms))
    return _AdvancedParser(query).parse()


class _AdvancedParser:
    """Recursive descent: or := and ("OR" and)*; and := not (["AND"] not)*;
    not := unary ("NOT" unary)*; unary := "(" or ")" | phrase | word[*]."""

    def __init__(self, query: str):
        self.query = query
        self.pieces = [(m.group(), m.start()) for m in TOKEN_PATTERN.finditer(query)]
        self.position = 0

    def parse(self):
        if not self.pieces:
            return None
        tree = self._or()
        if self.position < len(self.pieces):
            piece, at = self.pieces[self.position]
            raise QuerySyntaxError(f"Unexpected {piece!r} at character {at + 1}: "
                                   "check the parentheses.", "q_unexpected", piece=piece, at=at + 1)
        return tree

    def _peek(self) -> str | None:
        return self.pieces[self.position][0] if self.position < len(self.pieces) else None

    def _take(self) -> tuple[str, int]:
        piece = self.pieces[self.position]
        self.position += 1
        return piece

    def _or(self):
        children = [self._and()]
        while self._peek() == "OR":
            self._take()
            children.append(self._and())
        return children[0] if len(children) == 1 else Node("OR", tuple(children))

    def _and(self):
        children = [self._not()]
        while self._peek() not in (None, ")", "OR"):
            if self._peek() == "AND":
                self._take()
            children.append(self._not())
        return children[0] if len(children) == 1 else Node("AND", tuple(children))

    def _not(self):
        node = self._unary()
        while self._peek() == "NOT":
            self._take()
            node = Node("NOT", (node, self._unary()))
        return node

    def _unary(self):
        if self._peek() is None:
            raise QuerySyntaxError("The query ends where a word was expected: "
                                   "remove the trailing AND/OR/NOT or close the parenthesis.", "q_trailing_operator")
        piece, at = self._take()
        if piece == "(":
            node = self._or()
            if self._peek() != ")":
                raise QuerySyntaxError(f"The parenthesis at character {at + 1} is never closed.",
                                       "q_unclosed_parenthesis", at=at + 1)
            self._take()
            return node
        if piece == ")":
            raise QuerySyntaxError(f"Unexpected ')' at character {at + 1}.", "q_unexpected", piece=")", at=at + 1)
        if piece in OPERATORS:
            raise QuerySyntaxError(f"{piece} at character {at + 1} needs a word on both sides "
                                   "(to search for the word itself, put it in quotes).",
                                   "q_operator_alone", piece=piece, at=at + 1)
        if piece.startswith('"'):
            if len(piece) < 2 or not piece.endswith('"'):
                raise QuerySyntaxError(f"The quote at character {at + 1} is never closed.",
                                       "q_unclosed_quote", at=at + 1)
            term = _term(piece[1:-1])
            if term is None:
                raise QuerySyntaxError(f"The phrase at character {at + 1} has no word in it.",
                                       "q_empty_phrase", at=at + 1)
            return term
        prefix = piece.endswith("*")
        term = _term(piece.rstrip("*"), prefix=prefix)
        if term is None:
            raise QuerySyntaxError(f"{piece!r} at character {at + 1} has no letter or digit "
                                   "to search for.", "q_no_letter", piece=piece, at=at + 1)
        if prefix and len(term.tokens) > 1:
            term = Term(term.text, term.tokens, prefix=True)
        return term


# -- abbreviations ----------------------------------------------------------------

@dataclass(frozen=True)
class Abbreviations:
    """Folded token sequences that mean the same: each group OR-ed in queries."""
    groups: tuple[tuple[tuple[str, ...], ...], ...]

    def variants(self, tokens: tuple[str, ...]) -> list[tuple[str, ...]]:
        """Other spellings of a token sequence that equals a group member."""
        for group in self.groups:
            if tokens in group:
                return [member for member in group if member != tokens]
        return []

    def rewrite_phrase(self, tokens: tuple[str, ...]) -> list[tuple[str, ...]]:
        """Spellings of a phrase with one abbreviation swapped for its other forms."""
        results = []
        for group in self.groups:
            for member in group:
                for start in _run_starts(tokens, member):
                    for other in group:
                        if other != member:
                            results.append(tokens[:start] + other + tokens[start + len(member):])
        return results

    def groups_in(self, tokens: tuple[str, ...]) -> list[tuple[tuple[str, ...], ...]]:
        """The groups with a member spelled in `tokens` (as consecutive words)."""
        return [group for group in self.groups if any(_run_starts(tokens, member) for member in group)]


def _run_starts(tokens: tuple[str, ...], run: tuple[str, ...]) -> list[int]:
    """Where `run` occurs in `tokens` as consecutive tokens."""
    return [start for start in range(len(tokens) - len(run) + 1) if tokens[start:start + len(run)] == run]


@lru_cache(maxsize=1)
def load_abbreviations() -> Abbreviations:
    text = resources.files("archive").joinpath("abbreviations.txt").read_text(encoding="utf-8")
    groups: dict[tuple[str, ...], set[tuple[str, ...]]] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        short, spelled = (part.strip() for part in line.split("=", 1))
        short_tokens = tuple(textfold.fold(w) for w in textfold.words(short))
        spelled_tokens = tuple(textfold.fold(w) for w in textfold.words(spelled))
        if short_tokens and spelled_tokens:
            groups.setdefault(spelled_tokens, {spelled_tokens}).add(short_tokens)
    merged: list[set] = []
    for members in groups.values():
        for existing in merged:
            if existing & members:
                existing |= members
                break
        else:
            merged.append(set(members))
    return Abbreviations(tuple(tuple(sorted(group)) for group in merged))


# -- FTS5 expression --------------------------------------------------------------

def _phrase(tokens: tuple[str, ...], prefix: bool = False) -> str:
    return '"' + " ".join(tokens) + '"' + (" *" if prefix else "")


def _spelling(tokens: tuple[str, ...], prefix: bool, phrases: bool) -> str:
    if phrases or len(tokens) == 1:
        return _phrase(tokens, prefix)
    words = [_phrase((token,)) for token in tokens[:-1]] + [_phrase(tokens[-1:], prefix)]
    return "(" + " AND ".join(words) + ")"


def _term_expression(term: Term, abbreviations: Abbreviations, phrases: bool = True) -> str:
    spellings = [term.tokens]
    if not term.prefix:
        spellings += abbreviations.variants(term.tokens)
        if len(term.tokens) > 1:
            spellings += abbreviations.rewrite_phrase(term.tokens)
    parts = [_spelling(tokens, term.prefix, phrases) for tokens in dict.fromkeys(spellings)]
    return parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")"


def _plain_words_expression(terms: list[Term], abbreviations: Abbreviations,
                            phrases: bool = True) -> str:
    """AND of plain words, where a run of words spelling an abbreviation also finds it."""
    single = all(len(t.tokens) == 1 and not t.prefix for t in terms)
    sequence = tuple(t.tokens[0] for t in terms) if single else ()
    parts, start = [], 0
    while start < len(terms):
        matched = None
        if single:
            for group in abbreviations.groups:
                for member in group:
                    if len(member) > 1 and sequence[start:start + len(member)] == member:
                        matched = (member, group)
                        break
                if matched:
                    break
        if matched:
            member, group = matched
            words = "(" + " AND ".join(_phrase((token,)) for token in member) + ")"
            others = [_spelling(other, False, phrases) for other in group if other != member]
            parts.append("(" + " OR ".join([words] + others) + ")")
            start += len(member)
        else:
            parts.append(_term_expression(terms[start], abbreviations, phrases))
            start += 1
    return " AND ".join(parts)


def to_fts(tree, abbreviations: Abbreviations, phrases: bool = True) -> str:
    """FTS5 expression of a parsed query; phrases=False matches phrase words anywhere."""
    if isinstance(tree, Term):
        return _term_expression(tree, abbreviations, phrases)
    if tree.op == "AND" and all(isinstance(child, Term) for child in tree.children):
        return _plain_words_expression(list(tree.children), abbreviations, phrases)
    inner = f" {tree.op} ".join(to_fts(child, abbreviations, phrases) for child in tree.children)
    return f"({inner})"


def query_terms(tree) -> list[Term]:
    """The positive terms of a query (not under NOT), for exact-diacritic ranking."""
    if tree is None:
        return []
    if isinstance(tree, Term):
        return [tree]
    children = tree.children[:1] if tree.op == "NOT" else tree.children
    return [term for child in children for term in query_terms(child)]


# -- filters ----------------------------------------------------------------------

def _day(value) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        pass
    if len(text) == 4 and text.isdigit():
        return date(int(text), 1, 1)
    if len(text) == 7 and text[4] == "-":
        return date(int(text[:4]), int(text[5:7]), 1)
    raise QueryError(f"Cannot read the date {text!r}: use YYYY-MM-DD.", "q_bad_date", value=text)


def _until_day(value) -> date | None:
    """Inclusive end: '2024' means to 31 Dec 2024, '2024-03' to 31 Mar."""
    day = _day(value)
    text = str(value).strip() if value is not None else ""
    if day is None:
        return None
    if len(text) == 4:
        return date(day.year, 12, 31)
    if len(text) == 7:
        next_month = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
        return date.fromordinal(next_month.toordinal() - 1)
    return day


def date_tags(since: date, until: date) -> list[str]:
    """Fewest zy/zm tokens covering the days since..until: whole years, else months.

    Partial months at either end are covered whole (a few tokens instead of up to
    sixty day tokens, each of which FTS5 would open); `exact_days` says when the
    cover is wider than the range and rows need an exact check.
    """
    tags = []
    month = date(since.year, since.month, 1)
    while month <= until:
        next_month = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
        if month.month == 1 and date(month.year, 12, 1) <= until:
            tags.append(f"zy{month.year:04d}")
            month = date(month.year + 1, 1, 1)
        else:
            tags.append(f"zm{month.year:04d}{month.month:02d}")
            month = next_month
    return tags


def exact_days(since: date | None, until: date | None) -> bool:
    """True when since..until does not start and end on month boundaries."""
    ends_mid_month = until is not None and until < date.max and \
        date.fromordinal(until.toordinal() + 1).day != 1
    return (since is not None and since.day != 1) or ends_mid_month


MIN_DAY = date(1900, 1, 1)


def published_range(conn) -> tuple[date, date] | None:
    """First and last publication day in the index (two index lookups)."""
    row = conn.execute("SELECT (SELECT min(published) FROM articles WHERE published >= '0'),"
                       " (SELECT max(published) FROM articles)").fetchone()
    try:
        return date.fromisoformat(row[0][:10]), date.fromisoformat(row[1][:10])
    except (TypeError, ValueError):
        return None


def filter_parts(site=None, since=None, until=None, author=None, bounds=None) -> list[str]:
    """FTS5 conditions on the search_tags/author columns for the filters given.

    `bounds` (first, last publication day in the index) keeps the date cover short
    for open-ended ranges.
    """
    parts = []
    sites = [site] if isinstance(site, str) else list(site or [])
    if sites:
        parts.append("search_tags : (" + " OR ".join(site_tag(s) for s in sites) + ")")
    since_day, until_day = _day(since), _until_day(until)
    if since_day or until_day:
        if since_day and until_day and since_day > until_day:
            raise QueryError("The start date is after the end date.", "q_dates_reversed")
        first, last = bounds or (MIN_DAY, date.today())
        since_day = max(since_day or first, first)
        until_day = min(until_day or last, last)
        # An empty intersection still needs a valid expression that matches nothing.
        tags = date_tags(since_day, until_day) if since_day <= until_day else ["zmnone"]
        parts.append("search_tags : (" + " OR ".join(tags) + ")")
    if author:
        term = _term(author)
        if term is None:
            raise QueryError("The author filter has no letter or digit in it.", "q_author_empty")
        parts.append("author : (" + " AND ".join(_phrase((t,)) for t in term.tokens) + ")")
    return parts


# -- exact diacritics -------------------------------------------------------------

@dataclass(frozen=True)
class ExactMatcher:
    """Finds the query words typed with marks, with exactly those marks, in a text."""
    spellings: tuple[tuple[str, ...], ...]  # per marked word: its tone placements

    @classmethod
    def for_terms(cls, terms: list[Term]) -> "ExactMatcher":
        words = dict.fromkeys(word.lower() for term in terms for word in textfold.words(term.text)
                              if textfold.has_marks(word))
        return cls(tuple(tuple(textfold.tone_spellings(word)) for word in words))

    def share(self, text: str) -> float:
        """Share of the marked query words found in text with their exact marks."""
        if not self.spellings:
            return 0.0
        lowered = text.lower()
        found = sum(1 for spellings in self.spellings
                    if any(_contains_word(lowered, spelling) for spelling in spellings))
        return found / len(self.spellings)


def _contains_word(text: str, word: str) -> bool:
    """word occurs in text as a whole word (str.find: much faster than a regex here)."""
    at = text.find(word)
    while at >= 0:
        if whole_word(text, at, at + len(word)):
            return True
        at = text.find(word, at + 1)
    return False


# -- running a search -------------------------------------------------------------

def search(index, query: str, site=None, since=None, until=None, author=None, limit: int = 20,
           offset: int = 0, kind: str = "articles", advanced: bool = False) -> SearchResult:
    """Search the archive; see the module docstring.  Raises QueryError for bad input."""
    if kind not in KINDS:
        raise QueryError(f"kind must be one of {', '.join(KINDS)}.", "q_bad_kind", kinds=", ".join(KINDS))
    tree = parse_query(query, advanced)
    if tree is None:
        return SearchResult([], 0)
    limit, offset = max(0, int(limit)), max(0, int(offset))
    plan = QueryPlan.build(index.conn, tree, site, since, until, author)
    if kind == "articles":
        return _search_articles(index.conn, plan, limit, offset)
    if kind == "documents":
        return _search_documents(index.conn, plan, limit, offset)
    wanted = limit + offset
    articles = _search_articles(index.conn, plan, wanted, 0)
    documents = _search_documents(index.conn, plan, wanted, 0)
    hits = sorted(articles.hits + documents.hits, key=lambda hit: -hit.score)
    return SearchResult(hits[offset:offset + limit], articles.total + documents.total,
                        articles.total_exact and documents.total_exact, plan.match)


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

    @classmethod
    def build(cls, conn, tree, site, since, until, author) -> "QueryPlan":
        abbreviations = load_abbreviations()
        bounds = published_range(conn) if (since or until) else None
        day_range = None
        since_day, until_day = _day(since), _until_day(until)
        if exact_days(since_day, until_day):
            day_range = ((since_day or date.min).isoformat(), (until_day or date.max).isoformat())
        return cls(to_fts(tree, abbreviations), to_fts(tree, abbreviations, phrases=False),
                   tuple(filter_parts(site, since, until, author, bounds)),
                   tuple(query_terms(tree)), site, since, until, author, day_range)

    @property
    def filters(self) -> str:
        return " AND ".join(self.filter_parts)

    def with_filters(self, expression: str) -> str:
        return f"({expression}) AND {self.filters}" if self.filters else expression

    @property
    def match(self) -> str:
        return self.with_filters(self.expression)


def _run(conn: sqlite3.Connection, sql: str, params) -> list:
    try:
        return conn.execute(sql, params).fetchall()
    except sqlite3.OperationalError as error:
        if "fts5" in str(error) or "syntax error" in str(error):
            log.warning("FTS5 rejected %r: %s", params, error)
            raise QuerySyntaxError("The search could not be understood; "
                                   "try plain words or a \"quoted phrase\".", "q_not_understood") from error
        raise


def _estimate_total(conn, table: str, rowids: list[int], limit: int) -> tuple[int, bool]:
    """Exact when the candidates are all the matches; else from their density in rowids."""
    if len(rowids) < limit:
        return len(rowids), True
    span = max(1, rowids[0] - rowids[-1] + 1)
    density = len(rowids) / span
    return max(len(rowids), round(density * _row_count(conn, table))), False


def _row_count(conn, table: str) -> int:
    """Rows of an FTS table, from its content table's largest id (one index lookup)."""
    content = {"articles_fts": "articles", "documents_fts": "documents"}[table]
    return conn.execute(f"SELECT coalesce(max(rowid), 0) FROM {content}").fetchone()[0]


def _ranked_ids(conn, plan: QueryPlan, table: str, weights, candidates: list[int],
                texts: "ArticleTexts") -> list[tuple[int, float]]:
    """Order the candidates (newest first), best first.

    BM25 runs on the scoring form of the query restricted to the candidates' rowid
    window (at most SCORED_ROWS rows), so FTS5 scores only rows in that window.  Its
    IDF step still walks every match of each word; when the words are so common that
    this walk would cost more than BM25_BUDGET entries, BM25 is skipped and the
    candidates stay newest first (such words get an IDF near zero anyway: FTS5 clamps
    it to 1e-6 for words in over half the rows).  The best RERANK are then ordered
    by exact diacritics (share of marked query words found as typed), then by the
    share of query words in the title, then by that order.
    """
    if not candidates:
        return []
    low, high = candidates[-1], candidates[0]
    scores: dict[int, float] = {}
    if _idf_cost(conn, table, plan) <= BM25_BUDGET:
        weight_list = ", ".join(str(w) for w in weights)
        rows = _run(conn, f"SELECT rowid, bm25({table}, {weight_list}) FROM {table}"
                          f" WHERE {table} MATCH ? AND rowid BETWEEN ? AND ?"
                          f" ORDER BY rowid DESC LIMIT {SCORED_ROWS}",
                    (plan.with_filters(plan.scoring), low, high))
        scores = {rowid: -score for rowid, score in rows}
    # Newest first breaks ties (and is the order when BM25 was skipped).
    order = {rowid: position for position, rowid in enumerate(candidates)}
    ranked = sorted(candidates, key=lambda rowid: (-scores.get(rowid, 0.0), order[rowid]))
    head, tail = ranked[:RERANK], ranked[RERANK:]
    title = _title_shares(conn, plan, head)
    matcher = ExactMatcher.for_terms(list(plan.terms))
    exact: dict[int, float] = {}
    adjacent: dict[int, float] = {}
    phrase = _adjacent_words(plan.terms)
    if matcher.spellings:
        texts.fetch(head[:EXACT_CHECK])
        exact = {rowid: matcher.share(texts.text(rowid)) for rowid in head[:EXACT_CHECK]}
    if phrase:
        texts.fetch(head[:PHRASE_CHECK])  # rows fetched above are not fetched again
        adjacent = {rowid: 1.0 for rowid in head[:PHRASE_CHECK] if _has_phrase(phrase, texts.folded_text(rowid))}

    def score(rowid: int) -> float:
        # Exact diacritics lift a hit above every folded-only one, the words side by side
        # above scattered ones, title words above body-only matches (BM25 of a few words
        # stays well under TITLE_BONUS).
        return (EXACT_BONUS * exact.get(rowid, 0.0) + PHRASE_BONUS * adjacent.get(rowid, 0.0)
                + TITLE_BONUS * title.get(rowid, 0.0) + scores.get(rowid, 0.0))

    head.sort(key=lambda rowid: -score(rowid))  # stable: BM25 / newest order within ties
    return [(rowid, score(rowid)) for rowid in head] + [(rowid, score(rowid)) for rowid in tail]


def _adjacent_words(terms) -> re.Pattern | None:
    """The query's words side by side in folded text, when a plain query has several words:
    'uy ban nhan dan' should rank 'Ủy ban nhân dân' above a text with 'ủy', 'ban', 'nhân'
    and 'dân' far apart."""
    tokens = [token for term in terms for token in term.tokens]
    if len(tokens) < 2 or any(term.prefix for term in terms):
        return None
    return re.compile(r"\W+".join(re.escape(token) for token in tokens))


def _has_phrase(phrase: re.Pattern, text: str) -> bool:
    match = phrase.search(text)
    while match:
        if whole_word(text, *match.span()):
            return True
        # Retry one character on: a match inside a word may overlap a real one ("ba a a").
        match = phrase.search(text, match.start() + 1)
    return False


def _title_shares(conn, plan: QueryPlan, rowids: list[int]) -> dict[int, float]:
    """Share of the query's words in each article's title (folded), by rowid.

    Done on the titles here: an FTS5 column filter walks whole doclists and
    costs more than the search itself.
    """
    words = {token for term in plan.terms for token in term.tokens}
    if not words or not rowids:
        return {}
    marks = ",".join(str(rowid) for rowid in rowids)
    rows = conn.execute(f"SELECT id, title FROM articles WHERE id IN ({marks})").fetchall()
    # One fold call for all titles (fold keeps "\n", so lines stay aligned).
    folded = textfold.fold("\n".join((title or "").replace("\n", " ") for _, title in rows))
    pattern = words_pattern(words)
    shares = {}
    for (rowid, _title), line in zip(rows, folded.split("\n")):
        found = {match.group() for match in pattern.finditer(line) if whole_word(line, *match.span())}
        if found:
            shares[rowid] = len(found) / len(words)
    return shares


def _idf_cost(conn, table: str, plan: QueryPlan) -> int:
    """Rough number of doclist entries BM25's IDF step would walk for this query.

    Each word's match count is estimated from the rowid density of its newest
    DENSITY_SAMPLE matches (cheap: FTS5 reads the doclist backwards and stops).
    """
    words = {_phrase((token,)) for term in plan.terms for token in term.tokens}
    rows = _row_count(conn, table)
    cost = 0
    for expression in [*words, *plan.filter_parts]:
        sample = [r[0] for r in conn.execute(
            f"SELECT rowid FROM {table} WHERE {table} MATCH ? ORDER BY rowid DESC LIMIT {DENSITY_SAMPLE}",
            (expression,))]
        if len(sample) < DENSITY_SAMPLE:
            cost += len(sample)
        else:
            cost += round(len(sample) / max(1, sample[0] - sample[-1] + 1) * rows)
    return cost


def _search_articles(conn, plan: QueryPlan, limit: int, offset: int) -> SearchResult:
    match = plan.match
    if plan.day_range:
        # The match runs first (CROSS JOIN), newest first; each row it yields is
        # checked against the exact days.
        candidates = [row[0] for row in _run(
            conn, "SELECT f.rowid FROM articles_fts f CROSS JOIN articles a ON a.id = f.rowid"
                  " WHERE articles_fts MATCH ? AND substr(a.published, 1, 10) BETWEEN ? AND ?"
                  f" ORDER BY f.rowid DESC LIMIT {CANDIDATES}", (match, *plan.day_range))]
    else:
        candidates = [row[0] for row in _run(
            conn, "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?"
                  f" ORDER BY rowid DESC LIMIT {CANDIDATES}", (match,))]
    total, total_exact = _estimate_total(conn, "articles_fts", candidates, CANDIDATES)
    texts = ArticleTexts(conn)
    ranked = _ranked_ids(conn, plan, "articles_fts", ARTICLE_WEIGHTS, candidates, texts)
    page = dict(ranked[offset:offset + limit])
    if not page:
        return SearchResult([], total, total_exact, match)
    texts.fetch(list(page))
    cutter = snippet_cutter(plan.terms, load_abbreviations())
    marks = ",".join(str(rowid) for rowid in page)
    rows = {row[0]: row for row in conn.execute(
        f"SELECT id, url, title, published, site, author FROM articles WHERE id IN ({marks})")}
    hits = [Hit(*rows[rowid][1:6], snippet=cutter.cut(texts.body(rowid), texts.folded_body_if_done(rowid)),
                score=score)
            for rowid, score in page.items() if rowid in rows]
    return SearchResult(hits, total, total_exact, match)


class ArticleTexts:
    """Titles and bodies (NFC, as stored) of one search's articles, fetched once, folded once."""

    def __init__(self, conn):
        self.conn = conn
        self.rows: dict[int, tuple[str, str]] = {}
        self.folded: dict[int, tuple[str, str]] = {}

    def fetch(self, rowids: list[int]) -> None:
        missing = [rowid for rowid in rowids if rowid not in self.rows]
        if missing:
            for rowid, title, body in self.conn.execute(
                    "SELECT id, coalesce(title, ''), coalesce(body, '') FROM articles"
                    f" WHERE id IN ({','.join('?' * len(missing))})", missing):
                self.rows[rowid] = (title, body)

    def text(self, rowid: int) -> str:
        title, body = self.rows.get(rowid, ("", ""))
        return f"{title} {body}"

    def body(self, rowid: int) -> str:
        return self.rows.get(rowid, ("", ""))[1]

    def _folded(self, rowid: int) -> tuple[str, str]:
        if rowid not in self.folded:
            title, body = self.rows.get(rowid, ("", ""))
            self.folded[rowid] = (textfold.fold(title), textfold.fold(body))
        return self.folded[rowid]

    def folded_text(self, rowid: int) -> str:
        title, body = self._folded(rowid)
        return f"{title} {body}"

    def folded_body_if_done(self, rowid: int) -> str | None:
        """The folded body when an earlier step folded it (the snippet folds what it needs)."""
        return self.folded[rowid][1] if rowid in self.folded else None


def snippet_cutter(terms, abbreviations: Abbreviations) -> SnippetCutter:
    """Marks the query's words and every spelling of an abbreviation the query spells."""
    words = {token for term in terms if not term.prefix for token in term.tokens}
    prefixes = tuple(term.tokens[-1] for term in terms if term.prefix)
    words |= {token for term in terms if term.prefix for token in term.tokens[:-1]}
    sequence = tuple(token for term in terms for token in term.tokens)
    for group in abbreviations.groups_in(sequence):
        words |= {token for member in group for token in member}
    return SnippetCutter(frozenset(words), prefixes)


def _search_documents(conn, plan: QueryPlan, limit: int, offset: int) -> SearchResult:
    """Documents are few: a plain join with SQL filters, BM25 over every match."""
    where, params = ["documents_fts MATCH ?"], [plan.expression]
    sites = [plan.site] if isinstance(plan.site, str) else list(plan.site or [])
    if sites:
        where.append(f"d.site IN ({','.join('?' * len(sites))})")
        params += sites
    since_day, until_day = _day(plan.since), _until_day(plan.until)
    if since_day:
        where.append("substr(a.published, 1, 10) >= ?")
        params.append(since_day.isoformat())
    if until_day:
        where.append("substr(a.published, 1, 10) <= ?")
        params.append(until_day.isoformat())
    if plan.author:
        where.append("fold(a.author) LIKE ?")
        params.append("%" + textfold.fold(plan.author) + "%")
    weights = ", ".join(str(w) for w in DOCUMENT_WEIGHTS)
    rows = _run(
        conn,
        f"SELECT d.id, bm25(documents_fts, {weights}), d.url, d.name, a.published, d.site,"
        f" a.author, snippet(documents_fts, 1, ?, ?, '…', {SNIPPET_TOKENS}), a.url"
        " FROM documents_fts CROSS JOIN documents d ON d.id = documents_fts.rowid"
        " LEFT JOIN articles a ON a.id = d.article_id"
        f" WHERE {' AND '.join(where)} ORDER BY 2 LIMIT {DOCUMENT_CANDIDATES}",
        (*HIGHLIGHT, *params),
    )
    matcher = ExactMatcher.for_terms(list(plan.terms))
    texts = {}
    if matcher.spellings and rows:
        ids = [row[0] for row in rows]
        texts = dict(conn.execute(
            "SELECT id, coalesce(name, '') || ' ' || coalesce(text, '') FROM documents"
            f" WHERE id IN ({','.join('?' * len(ids))})", ids).fetchall())
    hits = [Hit(url=row[2], title=row[3], published=row[4], site=row[5], author=row[6],
                snippet=row[7] or "", kind="document", article_url=row[8],
                score=-row[1] + EXACT_BONUS * matcher.share(texts.get(row[0], "")))
            for row in rows]
    hits.sort(key=lambda hit: -hit.score)
    return SearchResult(hits[offset:offset + limit], len(rows), len(rows) < DOCUMENT_CANDIDATES,
                        plan.expression)
