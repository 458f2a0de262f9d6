"""Abbreviations (archive/abbreviations.txt) and their spelled-out forms, as folded tokens."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from archive import textfold


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
