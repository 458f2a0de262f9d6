"""A bounded memo for pure per-URL answers: the same menu links recur on every page."""
from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

T = TypeVar("T")


class Memo(Generic[T]):
    """Remembers up to ``size`` answers, then starts afresh (cheap, and a crawl's
    repeated links come back within a few pages).  Only for pure functions."""

    def __init__(self, size: int = 20_000):
        self.size = size
        self._answers: dict[Hashable, T] = {}

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        try:
            return self._answers[key]
        except KeyError:
            pass
        if len(self._answers) >= self.size:
            self._answers.clear()
        answer = self._answers[key] = compute()
        return answer

    def __len__(self) -> int:
        return len(self._answers)
