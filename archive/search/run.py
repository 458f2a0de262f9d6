"""Running a search: candidates from FTS5, ranking, snippets for the page asked for."""

from __future__ import annotations

from archive import textfold
from archive.search.abbreviations import Abbreviations, load_abbreviations
from archive.search.fts import estimate_total, run
from archive.search.filters import day, until_day_of
from archive.search.plan import QueryPlan
from archive.search.query import QueryError, parse_query
from archive.search.ranking import ExactMatcher, ranked_ids
from archive.search.results import Hit, SearchResult
from archive.search.texts import ArticleTexts
from archive.search.tuning import DEFAULT_TUNING, SearchTuning
from archive.snippets import HIGHLIGHT, SNIPPET_TOKENS, SnippetCutter

KINDS = ("articles", "documents", "all")


def search(index, query: str, site=None, since=None, until=None, author=None, limit: int = 20,
           offset: int = 0, kind: str = "articles", advanced: bool = False,
           tuning: SearchTuning = DEFAULT_TUNING) -> SearchResult:
    """Search the archive; see the package docstring.  Raises QueryError for bad input."""
    if kind not in KINDS:
        raise QueryError(f"kind must be one of {', '.join(KINDS)}.", "q_bad_kind", kinds=", ".join(KINDS))
    tree = parse_query(query, advanced)
    if tree is None:
        return SearchResult([], 0)
    limit, offset = max(0, int(limit)), max(0, int(offset))
    plan = QueryPlan.build(index.conn, tree, site, since, until, author, tuning)
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


def _search_articles(conn, plan: QueryPlan, limit: int, offset: int) -> SearchResult:
    match = plan.match
    if plan.day_range:
        # The match runs first (CROSS JOIN), newest first; each row it yields is
        # checked against the exact days.
        candidates = [row[0] for row in run(
            conn, "SELECT f.rowid FROM articles_fts f CROSS JOIN articles a ON a.id = f.rowid"
                  " WHERE articles_fts MATCH ? AND substr(a.published, 1, 10) BETWEEN ? AND ?"
                  f" ORDER BY f.rowid DESC LIMIT {plan.tuning.candidates}", (match, *plan.day_range))]
    else:
        candidates = [row[0] for row in run(
            conn, "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?"
                  f" ORDER BY rowid DESC LIMIT {plan.tuning.candidates}", (match,))]
    total, total_exact = estimate_total(conn, "articles_fts", candidates, plan.tuning.candidates)
    texts = ArticleTexts(conn)
    ranked = ranked_ids(conn, plan, "articles_fts", plan.tuning.article_weights, candidates, texts)
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
    since_day, until_day = day(plan.since), until_day_of(plan.until)
    if since_day:
        where.append("substr(a.published, 1, 10) >= ?")
        params.append(since_day.isoformat())
    if until_day:
        where.append("substr(a.published, 1, 10) <= ?")
        params.append(until_day.isoformat())
    if plan.author:
        where.append("fold(a.author) LIKE ?")
        params.append("%" + textfold.fold(plan.author) + "%")
    weights = ", ".join(str(w) for w in plan.tuning.document_weights)
    rows = run(
        conn,
        f"SELECT d.id, bm25(documents_fts, {weights}), d.url, d.name, a.published, d.site,"
        f" a.author, snippet(documents_fts, 1, ?, ?, '…', {SNIPPET_TOKENS}), a.url"
        " FROM documents_fts CROSS JOIN documents d ON d.id = documents_fts.rowid"
        " LEFT JOIN articles a ON a.id = d.article_id"
        f" WHERE {' AND '.join(where)} ORDER BY 2 LIMIT {plan.tuning.document_candidates}",
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
                score=-row[1] + plan.tuning.exact_bonus * matcher.share(texts.get(row[0], "")))
            for row in rows]
    hits.sort(key=lambda hit: -hit.score)
    return SearchResult(hits[offset:offset + limit], len(rows), len(rows) < plan.tuning.document_candidates,
                        plan.expression)
