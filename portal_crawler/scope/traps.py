"""Caps on unbounded URL spaces, kept per crawl.

A ``TrapGuard`` is created once per crawl (no module state).  ``check`` admits the first
``cap`` distinct URLs of each trap rule per host, and refuses URLs whose shape alone says
"endless": repeated path segments, very long URLs, too many parameters, or a chain of
same-path links that only change the query (prev/next of an unknown calendar widget).

When several workers split one crawl, ``shared`` (e.g. a Redis-backed store) decides the
caps for all of them; the guard asks it once per distinct trap URL.
"""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from typing import Protocol

from .canonicalise import canonicalize, host_of
from .memo import Memo
from .parts import UrlParts, split_url
from .policy import SITE_TRAP, trap_rule
from .rules import UrlRules, load_rules


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    rule: str | None = None     # the rule that matched (allowed under a cap, or denied)
    chain: int = 0              # same-path query chain length to hand to the next check

    def __bool__(self) -> bool:
        return self.allowed

    def __iter__(self):
        """``allowed, rule = guard.check(url)``"""
        return iter((self.allowed, self.rule))


class SharedAdmissions(Protocol):
    """Trap caps kept for every worker of a crawl at once."""

    def admit(self, rule: str, host: str, key: str, cap: int) -> bool:
        """True when ``key`` was admitted before or fits under ``cap``; atomic."""


class TrapGuard:
    """Per-crawl trap counters.  ``caps`` overrides the TOML cap of a rule by name."""

    def __init__(self, rules: UrlRules | None = None, caps: dict[str, int] | None = None,
                 case_insensitive_paths: bool = False, shared: SharedAdmissions | None = None):
        self.rules = rules or load_rules()
        self.caps = ({t.name: t.cap for t in self.rules.traps}
                     | {SITE_TRAP: self.rules.guard.site_trap_cap} | dict(caps or {}))
        self.case_insensitive_paths = case_insensitive_paths
        self._admitted: dict[tuple[str, str], set[str]] = {}
        self.shared = shared
        self._full: set[tuple[str, str]] = set()  # caps the shared store said are spent
        self._denied: Counter[str] = Counter()
        self._allowed: Counter[str] = Counter()
        # url -> (shape rule, shared trap rule, canonical key of a trap url): all pure
        self._shapes: Memo[tuple[str | None, str | None, str | None]] = Memo()

    @classmethod
    def from_settings(cls, settings) -> "TrapGuard":
        """From Scrapy settings (or any mapping): ``PORTAL_URL_RULES`` (a TOML path, default
        the bundled rules) and ``PORTAL_TRAP_CAPS`` (rule -> cap, a dict or JSON text)."""
        path = settings.get("PORTAL_URL_RULES")
        caps = settings.get("PORTAL_TRAP_CAPS") or {}
        if isinstance(caps, str):
            caps = json.loads(caps)
        return cls(rules=load_rules(path), caps={str(k): int(v) for k, v in dict(caps).items()})

    def check(self, url: str, *, parent_url: str | None = None, parent_chain: int = 0,
              trap: str | None = None) -> Verdict:
        """Allow or deny ``url``.  ``parent_url``/``parent_chain``: the page the link was
        found on and that page's ``Verdict.chain`` (the spider keeps it in request meta).
        ``trap``: the rule name from ``ScopePolicy.trap_rule`` (covers a profile's own
        trap_patterns); by default the shared rules decide."""
        shape, shared_trap, key = self._shapes.get(url, lambda: self._classify_shape(url))
        if shape is not None:
            return self._deny(shape)
        chain = self._chain(url, parent_url, parent_chain) if parent_url else 0
        if chain > self.rules.guard.max_same_path_chain:
            return self._deny("same-path-chain")
        rule = trap or shared_trap
        if rule is None:
            return Verdict(True, None, chain)
        return self._admit(rule, host_of(url), key or self._key(url), chain)

    def report(self) -> dict[str, int]:
        """Rule name -> how many links it refused (what was capped)."""
        return dict(self._denied)

    def admitted(self) -> dict[str, int]:
        """Trap rule name -> how many distinct URLs it let through (all hosts)."""
        return dict(self._allowed)

    def snapshot(self) -> dict:
        """Plain data to keep across a resumed crawl (e.g. in Scrapy's ``spider.state``)."""
        return {"admitted": [[rule, host, sorted(urls)] for (rule, host), urls in self._admitted.items()],
                "denied": dict(self._denied), "allowed": dict(self._allowed)}

    def restore(self, snapshot: dict | None) -> None:
        """Continue from ``snapshot()``: caps already spent stay spent after a resume."""
        if not snapshot:
            return
        for rule, host, urls in snapshot.get("admitted", []):
            self._admitted.setdefault((rule, host), set()).update(urls)
        self._denied.update(snapshot.get("denied", {}))
        self._allowed.update(snapshot.get("allowed", {}))

    def _admit(self, rule: str, host: str, key: str, chain: int) -> Verdict:
        seen = self._admitted.setdefault((rule, host), set())
        if key in seen:  # the same calendar link on every page costs the cap once
            return Verdict(True, rule, chain)
        cap = self.caps.get(rule, 0)
        if len(seen) >= cap or (rule, host) in self._full:
            return self._deny(rule)
        if self.shared is not None and not self.shared.admit(rule, host, key, cap):
            self._full.add((rule, host))  # a spent cap stays spent: no need to ask again
            return self._deny(rule)
        seen.add(key)
        self._allowed[rule] += 1
        return Verdict(True, rule, chain)

    def _deny(self, rule: str) -> Verdict:
        self._denied[rule] += 1
        return Verdict(False, rule)

    def _classify_shape(self, url: str) -> tuple[str | None, str | None, str | None]:
        """(shape rule that refuses ``url``, shared trap rule, canonical key if a trap)."""
        parts = split_url(url)
        if parts is None:
            return "unparseable", None, None
        rule = trap_rule(parts, self.rules)
        return self._shape_rule(url, parts), rule, self._key(url) if rule else None

    def _key(self, url: str) -> str:
        return canonicalize(url, case_insensitive_paths=self.case_insensitive_paths, rules=self.rules)

    def _shape_rule(self, url: str, parts: UrlParts) -> str | None:
        limits = self.rules.guard
        if len(url) > limits.max_url_length:
            return "long-url"
        if len(parts.query) > limits.max_query_params:
            return "too-many-params"
        segments = [s.lower() for s in parts.path.split("/") if s]
        if len(segments) > limits.max_path_segments:
            return "deep-path"
        if _repeats(segments, limits.max_segment_repeats):
            return "repeated-segments"
        return None

    def _chain(self, url: str, parent_url: str, parent_chain: int) -> int:
        """Length of the run of links that stay on one path and change only a
        non-paging query parameter."""
        parts = split_url(url)
        if parts is None or not parts.query:
            return 0
        parent = split_url(parent_url)
        if parent is None or parent.host != parts.host or parent.path.lower() != parts.path.lower():
            return 0
        if self._only_paging_changed(parent, parts):
            return parent_chain
        return parent_chain + 1

    def _only_paging_changed(self, parent: UrlParts, child: UrlParts) -> bool:
        paging = self.rules.paging_query_names
        if paging is None:
            return False
        def rest(p: UrlParts) -> list[tuple[str, str]]:
            return sorted((n.lower(), v) for n, v in p.query if not paging.match(n))
        return rest(parent) == rest(child)


def _repeats(segments: list[str], times: int) -> bool:
    """A word segment used ``times`` times (/tin-tuc/a/tin-tuc/b/tin-tuc), or any block of
    segments repeated ``times`` times in a row (/a/b/a/b/a/b, /1/1/1): a relative-link loop.
    Numbers alone may recur apart (/2019/1/1/1.jpg is a date folder, not a loop)."""
    words = Counter(s for s in segments if not s.isdigit())
    if words and max(words.values()) >= times:
        return True
    for width in range(1, len(segments) // times + 1):
        for start in range(len(segments) - width * times + 1):
            block = segments[start:start + width]
            if all(segments[start + k * width:start + (k + 1) * width] == block for k in range(1, times)):
                return True
    return False
