"""Snippets: a stretch of an article's original text around the query's words.

Cut in Python from the text the search already holds, rather than by FTS5's snippet():
that function makes SQLite walk every match in the page's rowid window and tokenize each
page row again, which was the largest single cost of a search on 200k articles.

The query's folded words are found in the folded text (`archive.textfold.fold` maps one
character to one character of the NFC text), and the snippet is cut from the original at
the same offsets, so it keeps its diacritics as written.  The stretch is chosen like
FTS5 chooses it, by the most distinct query words, with those words centred; it is
measured in characters (about SNIPPET_TOKENS syllables), so the text is never tokenized.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from archive import textfold

SNIPPET_TOKENS = 24  # for FTS5's snippet(), where it is still used (documents)
# About SNIPPET_TOKENS Vietnamese syllables with their spaces and punctuation.
SNIPPET_CHARS = 150
# Folding is most of a snippet's cost: the text's head is folded first, and the whole text
# only when the head lacks a query word or the snippet would run past it.
HEAD_CHARS = 700
ELLIPSIS = "…"
HIGHLIGHT = ("<mark>", "</mark>")
WORD = textfold.WORD_PATTERN
SPACES = re.compile(r"\s+")
MORE_THAN_A_SPACE = re.compile(r"\s\s|[^\S ]")


@dataclass(frozen=True)
class SnippetCutter:
    """Cuts snippets marking the given folded words (and words starting with a prefix)."""
    words: frozenset[str]
    prefixes: tuple[str, ...] = ()

    @cached_property
    def pattern(self) -> re.Pattern | None:
        return words_pattern(self.words, self.prefixes)

    def hits(self, folded: str) -> list[tuple[int, int]]:
        """Spans of the query's words in folded text (whole words only)."""
        if self.pattern is None:
            return []
        # The pattern checks the word's end; its start is checked here.
        return [match.span() for match in self.pattern.finditer(folded)
                if not (start := match.start()) or not folded[start - 1].isalnum()]

    def cut(self, text: str | None, folded: str | None = None) -> str:
        """Snippet of `text` with the query's words between HIGHLIGHT markers.

        `folded` is textfold.fold(text), when the caller has it already.
        """
        text = textfold.normalize(text or "")
        if not text:
            return ""
        if folded is None or len(folded) != len(text):
            folded = textfold.fold(text[:HEAD_CHARS]) if len(text) > 2 * HEAD_CHARS else ""
            if len(folded) != HEAD_CHARS:  # a short text (or a head NFC would change)
                folded = textfold.fold(text)
        hits = self.hits(folded)
        start, end, distinct = _stretch(hits, folded, len(text))
        if len(folded) < len(text) and not self._head_will_do(distinct, end, len(folded)):
            folded = textfold.fold(text)
            hits = self.hits(folded)
            start, end, distinct = _stretch(hits, folded, len(text))
        # Letters fold to letters: word edges are the same in text and folded text.
        start, end = _snap_to_words(text, start, end, hits)
        pieces = [ELLIPSIS] if WORD.search(text, 0, start) else []
        position = start
        for hit_start, hit_end in hits:
            if start <= hit_start and hit_end <= end:
                pieces += [text[position:hit_start], HIGHLIGHT[0], text[hit_start:hit_end], HIGHLIGHT[1]]
                position = hit_end
        pieces.append(text[position:end])
        if WORD.search(text, end):
            pieces.append(ELLIPSIS)
        # A preview on one line: paragraph breaks and runs of spaces become one space.
        snippet = "".join(pieces)
        return SPACES.sub(" ", snippet) if MORE_THAN_A_SPACE.search(snippet) else snippet

    def _head_will_do(self, distinct: int, end: int, head_length: int) -> bool:
        """The stretch found in the folded head holds every query word, and the snippet
        ends inside the head (a hit at its very end may be the start of a longer word,
        hence the margin): the rest of the text cannot do better."""
        return distinct >= len(self.words) + len(self.prefixes) and end < head_length - 20


def _stretch(hits: list[tuple[int, int]], folded: str, length: int) -> tuple[int, int, int]:
    """SNIPPET_CHARS characters (of a text `length` long) holding the most distinct query
    words (the first such stretch), centred on them: (start, end, distinct words)."""
    if not hits:
        return 0, min(length, SNIPPET_CHARS), 0
    words = [folded[start:end] for start, end in hits]
    wanted = len(set(words))
    best, best_distinct = (hits[0][0], hits[0][1]), 1
    counts: dict[str, int] = {}
    last = 0
    # A sliding window over the hits: hits[i:last] fit in SNIPPET_CHARS from hits[i].
    for i in range(len(hits) if wanted > 1 else 0):
        start = hits[i][0]
        last = max(last, i)
        while last < len(hits) and (last == i or hits[last][1] - start <= SNIPPET_CHARS):
            counts[words[last]] = counts.get(words[last], 0) + 1
            last += 1
        if len(counts) > best_distinct:
            best, best_distinct = (start, hits[last - 1][1]), len(counts)
            if best_distinct == wanted:
                break
        counts[words[i]] -= 1
        if not counts[words[i]]:
            del counts[words[i]]
    margin = max(0, SNIPPET_CHARS - (best[1] - best[0])) // 2
    # When the text's first stretch holds as many distinct words, start there (at the
    # beginning of a sentence, as FTS5 prefers too).
    opening: set[str] = set()
    for word, (_start, end) in zip(words, hits):
        if end > SNIPPET_CHARS:
            break
        opening.add(word)
    start = 0 if len(opening) >= best_distinct else max(0, min(best[0] - margin, length - SNIPPET_CHARS))
    return start, min(length, start + SNIPPET_CHARS), best_distinct


def _snap_to_words(text: str, start: int, end: int, hits) -> tuple[int, int]:
    """Move the stretch's ends off partial words and leading/trailing separators."""
    first_hit = min((s for s, _e in hits if s >= start), default=end)
    while 0 < start < first_hit and text[start - 1].isalnum():
        start += 1
    found = WORD.search(text, start, end)
    start = found.start() if found else start
    last_hit = max((e for s, e in hits if e <= end), default=start)
    while last_hit < end < len(text) and text[end].isalnum():
        end -= 1
    while end > start and not text[end - 1].isalnum() and text[end - 1] not in ".!?)\"'":
        end -= 1
    return start, end


def whole_word(text: str, start: int, end: int) -> bool:
    """text[start:end] is not part of a longer word."""
    return (start == 0 or not text[start - 1].isalnum()) and (end == len(text) or not text[end].isalnum())


def words_pattern(words, prefixes=()) -> re.Pattern | None:
    """Regex finding the folded words (or a word starting with a prefix) in folded text,
    up to a word's end.  That the match starts a word is left to the caller: a leading
    lookbehind or \\b makes the scan several times slower."""
    alternatives = [re.escape(word) for word in sorted(words, key=len, reverse=True)]
    alternatives += [re.escape(prefix) + r"\w*" for prefix in prefixes]
    return re.compile("(?:" + "|".join(alternatives) + r")(?!\w)") if alternatives else None
