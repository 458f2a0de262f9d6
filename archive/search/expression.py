"""A parsed query -> an FTS5 expression over folded text, abbreviations OR-ed in."""

from __future__ import annotations

from archive.search.abbreviations import Abbreviations
from archive.search.query import Term


def phrase(tokens: tuple[str, ...], prefix: bool = False) -> str:
    return '"' + " ".join(tokens) + '"' + (" *" if prefix else "")


def _spelling(tokens: tuple[str, ...], prefix: bool, phrases: bool) -> str:
    if phrases or len(tokens) == 1:
        return phrase(tokens, prefix)
    words = [phrase((token,)) for token in tokens[:-1]] + [phrase(tokens[-1:], prefix)]
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
        matched = _spelled_out_at(sequence, start, abbreviations) if single else None
        if matched:
            member, group = matched
            words = "(" + " AND ".join(phrase((token,)) for token in member) + ")"
            others = [_spelling(other, False, phrases) for other in group if other != member]
            parts.append("(" + " OR ".join([words] + others) + ")")
            start += len(member)
        else:
            parts.append(_term_expression(terms[start], abbreviations, phrases))
            start += 1
    return " AND ".join(parts)


def _spelled_out_at(sequence: tuple[str, ...], start: int, abbreviations: Abbreviations):
    """(member, group) of the first abbreviation whose words of several stand at `start`, else None."""
    for group in abbreviations.groups:
        for member in group:
            if len(member) > 1 and sequence[start:start + len(member)] == member:
                return member, group
    return None


def to_fts(tree, abbreviations: Abbreviations, phrases: bool = True) -> str:
    """FTS5 expression of a parsed query; phrases=False matches phrase words anywhere."""
    if isinstance(tree, Term):
        return _term_expression(tree, abbreviations, phrases)
    if tree.op == "AND" and all(isinstance(child, Term) for child in tree.children):
        return _plain_words_expression(list(tree.children), abbreviations, phrases)
    inner = f" {tree.op} ".join(to_fts(child, abbreviations, phrases) for child in tree.children)
    return f"({inner})"
