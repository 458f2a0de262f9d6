"""Queries as typed -> a tree of Node/Term (plain or advanced syntax), and query errors."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from archive import textfold


class QueryError(ValueError):
    """A query that cannot be run; str(error) is a message for the user (English), `key`
    and `values` name it for translation (the web app's strings, keys "q_*")."""

    def __init__(self, message: str, key: str = "", **values):
        super().__init__(message)
        self.key, self.values = key, values


class QuerySyntaxError(QueryError):
    """Malformed advanced-syntax query."""


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


def make_term(text: str, prefix: bool = False) -> Term | None:
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
            term = make_term(piece.strip('"'))
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
            term = make_term(piece[1:-1])
            if term is None:
                raise QuerySyntaxError(f"The phrase at character {at + 1} has no word in it.",
                                       "q_empty_phrase", at=at + 1)
            return term
        prefix = piece.endswith("*")
        term = make_term(piece.rstrip("*"), prefix=prefix)
        if term is None:
            raise QuerySyntaxError(f"{piece!r} at character {at + 1} has no letter or digit "
                                   "to search for.", "q_no_letter", piece=piece, at=at + 1)
        if prefix and len(term.tokens) > 1:
            term = Term(term.text, term.tokens, prefix=True)
        return term


def query_terms(tree) -> list[Term]:
    """The positive terms of a query (not under NOT), for exact-diacritic ranking."""
    if tree is None:
        return []
    if isinstance(tree, Term):
        return [tree]
    children = tree.children[:1] if tree.op == "NOT" else tree.children
    return [term for child in children for term in query_terms(child)]
