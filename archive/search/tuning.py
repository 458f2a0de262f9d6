"""The search's tuning: how many matches are ranked, checked and lifted, and by how much."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SearchTuning:
    # Matches ranked per query (the newest); see the package docstring.
    candidates: int = 200
    # How many of the best-ranked candidates are checked for exact diacritics.
    exact_check: int = 30
    exact_bonus: float = 1000.0
    # Doclist entries BM25's IDF step may walk before ranking falls back to newest first.
    bm25_budget: int = 60_000
    density_sample: int = 32
    # Rows BM25 may score per query (the candidates' window of the scoring form).
    scored_rows: int = 1000
    # Candidates reordered by exact diacritics and title words (the best by BM25/newest).
    rerank: int = 100
    title_bonus: float = 100.0
    # Query words found next to each other, in order (folded): above title words, below exact marks.
    phrase_bonus: float = 300.0
    # How many of the best-ranked candidates are checked for the words side by side (each
    # check folds the whole text: a few of them cost what the search itself costs).
    phrase_check: int = 20
    document_candidates: int = 1000
    # BM25 weights of articles_fts columns: title, body, author, search_tags.
    article_weights: tuple[float, ...] = (10.0, 1.0, 2.0, 0.0)
    document_weights: tuple[float, ...] = (5.0, 1.0)


DEFAULT_TUNING = SearchTuning()
