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
  4. Ranking is BM25 (title weighted over author over body) over a bounded candidate
     set: the newest CANDIDATES matches by rowid (FTS5 walks its doclists backwards and
     stops).  Scoring every match of a common word would cost ~0.5 s on 200k
     articles; a rare term has fewer matches than the bound, so its ranking is exact.
     Among the best of them, hits where the query's words appear with exactly the
     typed diacritics (tone-mark placement ignored) come first.
  5. Only the hits of the requested page get snippets, cut from the original text
     (external-content FTS5 over the unfolded columns), so they keep their diacritics.
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

log = logging.getLogger(__name__)

# Matches ranked by BM25 per query (newest first); see the module docstring.
CANDIDATES = 1000
# How many of the best-ranked candidates are checked for exact diacritics.
EXACT_CHECK = 100
# Matches counted exactly; beyond this `total` is a lower bound (total_exact=False).
COUNT_CAP = 10_000
# BM25 weights of articles_fts columns: title, body, author, search_tags.
ARTICLE_WEIGHTS = (10.0, 1.0, 2.0, 0.0)
DOCUMENT_WEIGHTS = (5.0, 1.0)
SNIPPET_TOKENS = 24
HIGHLIGHT = ("<mark>", "</mark>")
KINDS = ("articles", "documents", "all")


class QueryError(ValueError):
    """A query that cannot be run; str(error) is a message for the user."""


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
    total_exact: bool = True  # False when total is a lower bound (COUNT_CAP reached)
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


def parse_query(query: str, advanced: bool = False):
    """Parse a query into a tree of Node/Term; None when it has no searchable word."""
    query = textfold.normalize(query or "").strip()
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
                                   "check the parentheses.")
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
                                   "remove the trailing AND/OR/NOT or close the parenthesis.")
        piece, at = self._take()
        if piece == "(":
            node = self._or()
            if self._peek() != ")":
                raise QuerySyntaxError(f"The parenthesis at character {at + 1} is never closed.")
            self._take()
            return node
        if piece == ")":
            raise QuerySyntaxError(f"Unexpected ')' at character {at + 1}.")
        if piece in OPERATORS:
            raise QuerySyntaxError(f"{piece} at character {at + 1} needs a word on both sides "
                                   "(to search for the word itself, put it in quotes).")
        if piece.startswith('"'):
            if len(piece) < 2 or not piece.endswith('"'):
                raise QuerySyntaxError(f"The quote at character {at + 1} is never closed.")
            term = _term(piece[1:-1])
            if term is None:
                raise QuerySyntaxError(f"The phrase at character {at + 1} has no word in it.")
            return term
        prefix = piece.endswith("*")
        term = _term(piece.rstrip("*"), prefix=prefix)
        if term is None:
            raise QuerySyntaxError(f"{piece!r} at character {at + 1} has no letter or digit "
                                   "to search for.")
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
                width = len(member)
                for start in range(len(tokens) - width + 1):
                    if tokens[start:start + width] == member:
                        for other in group:
                            if other != member:
                                results.append(tokens[:start] + other + tokens[start + width:])
        return results


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


def _term_expression(term: Term, abbreviations: Abbreviations) -> str:
    spellings = [term.tokens]
    if not term.prefix:
        spellings += abbreviations.variants(term.tokens)
        if len(term.tokens) > 1:
            spellings += abbreviations.rewrite_phrase(term.tokens)
    parts = [_phrase(tokens, term.prefix) for tokens in dict.fromkeys(spellings)]
    return parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")"


def _plain_words_expression(terms: list[Term], abbreviations: Abbreviations) -> str:
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
            others = [_phrase(other) for other in group if other != member]
            parts.append("(" + " OR ".join([words] + others) + ")")
            start += len(member)
        else:
            parts.append(_term_expression(terms[start], abbreviations))
            start += 1
    return " AND ".join(parts)


def to_fts(tree, abbreviations: Abbreviations) -> str:
    if isinstance(tree, Term):
        return _term_expression(tree, abbreviations)
    if tree.op == "AND" and all(isinstance(child, Term) for child in tree.children):
        return _plain_words_expression(list(tree.children), abbreviations)
    inner = f" {tree.op} ".join(to_fts(child, abbreviations) for child in tree.children)
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
    raise QueryError(f"Cannot read the date {text!r}: use YYYY-MM-DD.")


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
    """Fewest zy/zm/zd tokens covering the days since..until (inclusive)."""
    tags = []
    day = since
    while day <= until:
        year_end = date(day.year, 12, 31)
        next_month = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
        month_end = date.fromordinal(next_month.toordinal() - 1)
        if day.month == 1 and day.day == 1 and year_end <= until:
            tags.append(f"zy{day.year:04d}")
            day = date(day.year + 1, 1, 1)
        elif day.day == 1 and month_end <= until:
            tags.append(f"zm{day.year:04d}{day.month:02d}")
            day = next_month
        else:
            tags.append(f"zd{day.year:04d}{day.month:02d}{day.day:02d}")
            day = date.fromordinal(day.toordinal() + 1)
    return tags


MIN_DAY = date(1900, 1, 1)


def published_range(conn) -> tuple[date, date] | None:
    """First and last publication day in the index (two index lookups)."""
    row = conn.execute("SELECT (SELECT min(published) FROM articles WHERE published >= '0'),"
                       " (SELECT max(published) FROM articles)").fetchone()
    try:
        return date.fromisoformat(row[0][:10]), date.fromisoformat(row[1][:10])
    except (TypeError, ValueError):
        return None


def filter_expression(site=None, since=None, until=None, author=None, bounds=None) -> str:
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
            raise QueryError("The start date is after the end date.")
        first, last = bounds or (MIN_DAY, date.today())
        since_day = max(since_day or first, first)
        until_day = min(until_day or last, last)
        # An empty intersection still needs a valid expression that matches nothing.
        tags = date_tags(since_day, until_day) if since_day <= until_day else ["zdnone"]
        parts.append("search_tags : (" + " OR ".join(tags) + ")")
    if author:
        term = _term(author)
        if term is None:
            raise QueryError("The author filter has no letter or digit in it.")
        parts.append("author : (" + " AND ".join(_phrase((t,)) for t in term.tokens) + ")")
    return " AND ".join(parts)


# -- exact diacritics -------------------------------------------------------------

def exact_fraction(terms: list[Term], text: str) -> float:
    """Share of the query words typed with marks that occur in text with the same marks."""
    marked = [(word, textfold.fold(word), textfold.tone_key(word))
              for term in terms for word in textfold.words(term.text) if textfold.has_marks(word)]
    if not marked:
        return 0.0
    original = textfold.normalize(text)
    folded = textfold.fold(original)
    found = 0
    for _word, folded_word, key in marked:
        for match in re.finditer(r"\b" + re.escape(folded_word) + r"\b", folded):
            if textfold.tone_key(original[match.start():match.end()]) == key:
                found += 1
                break
    return found / len(marked)


# -- running a search -------------------------------------------------------------

def search(index, query: str, site=None, since=None, until=None, author=None, limit: int = 20,
           offset: int = 0, kind: str = "articles", advanced: bool = False) -> SearchResult:
    """Search the archive; see the module docstring.  Raises QueryError for bad input."""
    if kind not in KINDS:
        raise QueryError(f"kind must be one of {', '.join(KINDS)}.")
    tree = parse_query(query, advanced)
    if tree is None:
        return SearchResult([], 0)
    limit, offset = max(0, int(limit)), max(0, int(offset))
    expression = to_fts(tree, load_abbreviations())
    terms = query_terms(tree)
    if kind == "articles":
        return _search_articles(index.conn, expression, terms, site, since, until, author,
                                limit, offset)
    if kind == "documents":
        return _search_documents(index.conn, expression, terms, site, since, until, author,
                                 limit, offset)
    wanted = limit + offset
    articles = _search_articles(index.conn, expression, terms, site, since, until, author, wanted, 0)
    documents = _search_documents(index.conn, expression, terms, site, since, until, author,
                                  wanted, 0)
    hits = sorted(articles.hits + documents.hits, key=lambda hit: -hit.score)
    return SearchResult(hits[offset:offset + limit], articles.total + documents.total,
                        articles.total_exact and documents.total_exact, expression)


def _run(conn: sqlite3.Connection, sql: str, params) -> list:
    try:
        return conn.execute(sql, params).fetchall()
    except sqlite3.OperationalError as error:
        if "fts5" in str(error) or "syntax error" in str(error):
            log.warning("FTS5 rejected %r: %s", params, error)
            raise QuerySyntaxError("The search could not be understood; "
                                   "try plain words or a \"quoted phrase\".") from error
        raise


def _count(conn, table: str, match: str) -> tuple[int, bool]:
    row = _run(conn, f"SELECT count(*) FROM (SELECT rowid FROM {table} WHERE {table} MATCH ?"
                     f" LIMIT {COUNT_CAP + 1})", (match,))
    total = row[0][0]
    return (COUNT_CAP, False) if total > COUNT_CAP else (total, True)


def _rank(candidates: list, terms: list[Term], texts) -> list[tuple[int, float]]:
    """(rowid, score) best first: BM25, then exact diacritics among the best."""
    ordered = sorted(candidates, key=lambda row: row[1])  # bm25: lower is better
    if not any(textfold.has_marks(term.text) for term in terms):
        return [(rowid, -bm25) for rowid, bm25 in ordered]
    head, tail = ordered[:EXACT_CHECK], ordered[EXACT_CHECK:]
    text_of = texts([rowid for rowid, _ in head])
    scored = [(rowid, -bm25, exact_fraction(terms, text_of.get(rowid, ""))) for rowid, bm25 in head]
    scored.sort(key=lambda item: (-item[2], -item[1]))
    # The exact share lifts a hit above every folded-only one: add it as a big bonus.
    return [(rowid, score + 1000.0 * exact) for rowid, score, exact in scored] + \
        [(rowid, -bm25) for rowid, bm25 in tail]


def _search_articles(conn, expression, terms, site, since, until, author, limit, offset):
    bounds = published_range(conn) if (since or until) else None
    filters = filter_expression(site, since, until, author, bounds)
    match = f"({expression}) AND {filters}" if filters else expression
    weights = ", ".join(str(w) for w in ARTICLE_WEIGHTS)
    candidates = _run(
        conn,
        f"SELECT rowid, bm25(articles_fts, {weights}) FROM articles_fts WHERE articles_fts MATCH ?"
        f" ORDER BY rowid DESC LIMIT {CANDIDATES}",
        (match,),
    )
    if len(candidates) < CANDIDATES:
        total, exact_total = len(candidates), True
    else:
        total, exact_total = _count(conn, "articles_fts", match)

    def texts(rowids):
        rows = conn.execute(
            f"SELECT id, coalesce(title, '') || ' ' || coalesce(body, '') FROM articles"
            f" WHERE id IN ({','.join('?' * len(rowids))})", rowids).fetchall()
        return {row[0]: row[1] for row in rows}

    ranked = _rank([tuple(row) for row in candidates], terms, texts)[offset:offset + limit]
    hits = []
    for rowid, score in ranked:
        row = _run(
            conn,
            "SELECT a.url, a.title, a.published, a.site, a.author,"
            f" snippet(articles_fts, 1, ?, ?, '…', {SNIPPET_TOKENS}),"
            " highlight(articles_fts, 0, ?, ?)"
            " FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid"
            " WHERE articles_fts MATCH ? AND articles_fts.rowid = ?",
            (*HIGHLIGHT, *HIGHLIGHT, match, rowid),
        )
        if not row:
            continue
        url, title, published, site_id, author_name, snippet, _title_marked = row[0]
        hits.append(Hit(url, title, published, site_id, author_name, snippet or "", score))
    return SearchResult(hits, total, exact_total, match)


def _search_documents(conn, expression, terms, site, since, until, author, limit, offset):
    """Documents are few: a plain join with SQL filters is fast enough."""
    where, params = ["documents_fts MATCH ?"], [expression]
    sites = [site] if isinstance(site, str) else list(site or [])
    if sites:
        where.append(f"d.site IN ({','.join('?' * len(sites))})")
        params += sites
    since_day, until_day = _day(since), _until_day(until)
    if since_day:
        where.append("substr(a.published, 1, 10) >= ?")
        params.append(since_day.isoformat())
    if until_day:
        where.append("substr(a.published, 1, 10) <= ?")
        params.append(until_day.isoformat())
    if author:
        where.append("fold(a.author) LIKE ?")
        params.append("%" + textfold.fold(author) + "%")
    weights = ", ".join(str(w) for w in DOCUMENT_WEIGHTS)
    rows = _run(
        conn,
        f"SELECT d.id, bm25(documents_fts, {weights}), d.url, d.name, a.published, d.site,"
        f" a.author, snippet(documents_fts, 1, ?, ?, '…', {SNIPPET_TOKENS}), a.url"
        " FROM documents_fts CROSS JOIN documents d ON d.id = documents_fts.rowid"
        " LEFT JOIN articles a ON a.id = d.article_id"
        f" WHERE {' AND '.join(where)} ORDER BY rowid DESC LIMIT {CANDIDATES}",
        (*HIGHLIGHT, *params),
    )
    by_id = {row[0]: row for row in rows}

    def texts(rowids):
        found = conn.execute(
            f"SELECT id, coalesce(name, '') || ' ' || coalesce(text, '') FROM documents"
            f" WHERE id IN ({','.join('?' * len(rowids))})", rowids).fetchall()
        return {row[0]: row[1] for row in found}

    ranked = _rank([(row[0], row[1]) for row in rows], terms, texts)
    hits = [Hit(url=by_id[rowid][2], title=by_id[rowid][3], published=by_id[rowid][4],
                site=by_id[rowid][5], author=by_id[rowid][6], snippet=by_id[rowid][7] or "",
                score=score, kind="document", article_url=by_id[rowid][8])
            for rowid, score in ranked[offset:offset + limit]]
    return SearchResult(hits, len(rows), len(rows) < CANDIDATES, expression)
