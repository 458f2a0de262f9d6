"""Ordering candidates: BM25, then exact diacritics, the query's words side by side and title words."""

from __future__ import annotations

import re
from dataclasses import dataclass

from archive import textfold
from archive.search.expression import phrase
from archive.search.fts import row_count, run
from archive.search.query import Term
from archive.search.texts import ArticleTexts
from archive.snippets import whole_word, words_pattern


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


def ranked_ids(conn, plan, table: str, weights, candidates: list[int],
                texts: ArticleTexts) -> list[tuple[int, float]]:
    """Order the candidates (newest first), best first.

    BM25 runs on the scoring form of the query restricted to the candidates' rowid
    window (at most `scored_rows` rows), so FTS5 scores only rows in that window.  Its
    IDF step still walks every match of each word; when the words are so common that
    this walk would cost more than `bm25_budget` entries, BM25 is skipped and the
    candidates stay newest first (such words get an IDF near zero anyway: FTS5 clamps
    it to 1e-6 for words in over half the rows).  The best `rerank` are then ordered
    by exact diacritics (share of marked query words found as typed), then by the
    share of query words in the title, then by that order.
    """
    if not candidates:
        return []
    tuning = plan.tuning
    low, high = candidates[-1], candidates[0]
    scores: dict[int, float] = {}
    if idf_cost(conn, table, plan) <= tuning.bm25_budget:
        weight_list = ", ".join(str(w) for w in weights)
        rows = run(conn, f"SELECT rowid, bm25({table}, {weight_list}) FROM {table}"
                          f" WHERE {table} MATCH ? AND rowid BETWEEN ? AND ?"
                          f" ORDER BY rowid DESC LIMIT {tuning.scored_rows}",
                    (plan.with_filters(plan.scoring), low, high))
        scores = {rowid: -score for rowid, score in rows}
    # Newest first breaks ties (and is the order when BM25 was skipped).
    order = {rowid: position for position, rowid in enumerate(candidates)}
    ranked = sorted(candidates, key=lambda rowid: (-scores.get(rowid, 0.0), order[rowid]))
    head, tail = ranked[:tuning.rerank], ranked[tuning.rerank:]
    title = title_shares(conn, plan, head)
    matcher = ExactMatcher.for_terms(list(plan.terms))
    exact: dict[int, float] = {}
    adjacent: dict[int, float] = {}
    side_by_side = adjacent_words(plan.terms)
    if matcher.spellings:
        texts.fetch(head[:tuning.exact_check])
        exact = {rowid: matcher.share(texts.text(rowid)) for rowid in head[:tuning.exact_check]}
    if side_by_side:
        texts.fetch(head[:tuning.phrase_check])  # rows fetched above are not fetched again
        adjacent = {rowid: 1.0 for rowid in head[:tuning.phrase_check] if has_phrase(side_by_side, texts.folded_text(rowid))}

    def score(rowid: int) -> float:
        # Exact diacritics lift a hit above every folded-only one, the words side by side
        # above scattered ones, title words above body-only matches (BM25 of a few words
        # stays well under the title bonus).
        return (tuning.exact_bonus * exact.get(rowid, 0.0) + tuning.phrase_bonus * adjacent.get(rowid, 0.0)
                + tuning.title_bonus * title.get(rowid, 0.0) + scores.get(rowid, 0.0))

    head.sort(key=lambda rowid: -score(rowid))  # stable: BM25 / newest order within ties
    return [(rowid, score(rowid)) for rowid in head] + [(rowid, score(rowid)) for rowid in tail]


def adjacent_words(terms) -> re.Pattern | None:
    """The query's words side by side in folded text, when a plain query has several words:
    'uy ban nhan dan' should rank 'Ủy ban nhân dân' above a text with 'ủy', 'ban', 'nhân'
    and 'dân' far apart."""
    tokens = [token for term in terms for token in term.tokens]
    if len(tokens) < 2 or any(term.prefix for term in terms):
        return None
    return re.compile(r"\W+".join(re.escape(token) for token in tokens))


def has_phrase(pattern: re.Pattern, text: str) -> bool:
    match = pattern.search(text)
    while match:
        if whole_word(text, *match.span()):
            return True
        # Retry one character on: a match inside a word may overlap a real one ("ba a a").
        match = pattern.search(text, match.start() + 1)
    return False


def title_shares(conn, plan, rowids: list[int]) -> dict[int, float]:
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


def idf_cost(conn, table: str, plan) -> int:
    """Rough number of doclist entries BM25's IDF step would walk for this query.

    Each word's match count is estimated from the rowid density of its newest
    `density_sample` matches (cheap: FTS5 reads the doclist backwards and stops).
    """
    words = {phrase((token,)) for term in plan.terms for token in term.tokens}
    rows = row_count(conn, table)
    sample_size = plan.tuning.density_sample
    cost = 0
    for expression in [*words, *plan.filter_parts]:
        sample = [r[0] for r in conn.execute(
            f"SELECT rowid FROM {table} WHERE {table} MATCH ? ORDER BY rowid DESC LIMIT {sample_size}",
            (expression,))]
        if len(sample) < sample_size:
            cost += len(sample)
        else:
            cost += round(len(sample) / max(1, sample[0] - sample[-1] + 1) * rows)
    return cost
