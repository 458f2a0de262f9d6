"""Which URLs belong to a site, and what kind of thing each one is."""
from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from .canonicalise import canonicalize, host_of
from .memo import Memo
from .parts import UrlParts, split_url
from .rules import UrlRules, load_rules
from .views import PrintView, alias_key, print_view_of

PAGE, ASSET, DOCUMENT, TRAP, SKIP = "page", "asset", "document", "trap", "skip"
KINDS = (PAGE, ASSET, DOCUMENT, TRAP, SKIP)
SITE_TRAP = "site-trap"  # the trap rule of a profile's own trap_patterns
# Skip rules that also put a URL out of scope (not just out of the archive).
_OUT_OF_SCOPE_SKIPS = frozenset({"share"})


def site_hosts(hosts: Iterable[str]) -> frozenset[str]:
    """Canonical host names plus their ``www.`` twins (portals answer on both)."""
    result = set()
    for host in hosts:
        name = host_of(host if "://" in host else f"http://{host}")
        if not name:
            continue
        result.add(name)
        result.add(name[4:] if name.startswith("www.") else "www." + name)
    return frozenset(result)


@dataclass(frozen=True)
class ScopePolicy:
    """Scope and classification for one site.  Build it with ``from_profile`` or
    ``for_start_url``; robots.txt is Scrapy's job, not this one."""
    hosts: frozenset[str]
    requisite_hosts: frozenset[str] = frozenset()   # CDN/provincial hosts for images, files
    case_insensitive_paths: bool = False
    # A profile's own regexes (over the whole URL): never fetched / capped as SITE_TRAP.
    deny_patterns: tuple[re.Pattern, ...] = ()
    trap_patterns: tuple[re.Pattern, ...] = ()
    rules: UrlRules = field(default_factory=load_rules, repr=False, compare=False)
    # Answers already given: in_scope and classify are pure, and pages repeat their menus.
    _memo: Memo = field(default_factory=Memo, repr=False, compare=False, init=False)

    @classmethod
    def from_profile(cls, profile, rules: UrlRules | None = None) -> "ScopePolicy":
        """``profile``: a mapping (or object with attributes) with ``hosts`` or ``host``,
        optional ``aliases``, ``start_urls``, ``requisite_hosts``, ``case_insensitive``,
        ``deny_patterns`` and ``trap_patterns`` (regexes; a bad one raises re.error)."""
        def get(name, default=None):
            if isinstance(profile, Mapping):
                return profile.get(name, default)
            return getattr(profile, name, default)

        names = list(_as_list(get("hosts")) + _as_list(get("host")) + _as_list(get("aliases")))
        names += [host_of(u) for u in _as_list(get("start_urls"))]
        if not any(names):
            raise ValueError(f"site profile {get('id', '')!r} names no host")
        insensitive = get("case_insensitive_paths", get("case_insensitive", False))
        return cls(
            hosts=site_hosts(n for n in names if n),
            requisite_hosts=site_hosts(_as_list(get("requisite_hosts"))),
            case_insensitive_paths=bool(insensitive),
            deny_patterns=tuple(re.compile(p, re.IGNORECASE) for p in _as_list(get("deny_patterns"))),
            trap_patterns=tuple(re.compile(p, re.IGNORECASE) for p in _as_list(get("trap_patterns"))),
            rules=rules or load_rules(),
        )

    @classmethod
    def for_start_url(cls, url: str, rules: UrlRules | None = None) -> "ScopePolicy":
        return cls.from_profile({"start_urls": [url]}, rules)

    def with_case_insensitive_paths(self, value: bool = True) -> "ScopePolicy":
        """A copy for a server found to be IIS/SharePoint after the first response."""
        return dataclasses.replace(self, case_insensitive_paths=value)

    def with_hosts(self, *hosts: str) -> "ScopePolicy":
        """A copy that also accepts ``hosts`` (e.g. the target of a start-URL redirect)."""
        return dataclasses.replace(self, hosts=self.hosts | site_hosts(hosts))

    def canonicalize(self, url: str) -> str:
        """``canonicalize`` with this site's case rule (remembered per URL)."""
        return self._memo.get(("canonical", url), lambda: canonicalize(
            url, case_insensitive_paths=self.case_insensitive_paths, rules=self.rules))

    def print_view_of(self, url: str) -> PrintView | None:
        """``views.print_view_of`` with this site's case rule: a PrintView or None."""
        return print_view_of(url, self.rules, case_insensitive_paths=self.case_insensitive_paths)

    def alias_key(self, url: str) -> str:
        """``views.alias_key`` with this site's case rule."""
        return alias_key(url, case_insensitive_paths=self.case_insensitive_paths, rules=self.rules)

    def in_scope(self, url: str) -> bool:
        """An http(s) URL on one of the site's hosts that is not a share link."""
        return self._memo.get(("in_scope", url), lambda: self._in_scope(url))

    def _in_scope(self, url: str) -> bool:
        parts = split_url(url)
        if parts is None or parts.scheme not in self.rules.crawlable_schemes:
            return False
        if parts.host not in self.hosts:
            return False
        return skip_rule(parts, self.rules) not in _OUT_OF_SCOPE_SKIPS

    def allows_requisite(self, url: str) -> bool:
        """A page requisite or attachment may also come from ``requisite_hosts``."""
        if self.in_scope(url):
            return True
        parts = split_url(url)
        return (parts is not None and parts.scheme in self.rules.crawlable_schemes
                and parts.host in self.requisite_hosts
                and self.classify(url) in (ASSET, DOCUMENT))

    def classify(self, url: str) -> str:
        """One of 'page', 'asset', 'document', 'trap', 'skip' (whatever the host); the
        profile's deny/trap patterns come before the shared rules."""
        return self._memo.get(("classify", url), lambda: self._classify(url))

    def _classify(self, url: str) -> str:
        if any(p.search(url) for p in self.deny_patterns):
            return SKIP
        kind = classify(url, self.rules)
        if kind == PAGE and any(p.search(url) for p in self.trap_patterns):
            return TRAP
        return kind

    def trap_rule(self, url: str) -> str | None:
        """Name of the trap rule ``url`` falls under (SITE_TRAP for a profile pattern),
        for ``TrapGuard.check(url, trap=...)``."""
        if any(p.search(url) for p in self.trap_patterns):
            return SITE_TRAP
        parts = split_url(url)
        return trap_rule(parts, self.rules) if parts is not None else None


def classify(url: str, rules: UrlRules | None = None) -> str:
    """Kind of ``url``: 'skip' (not fetchable or not worth archiving: mailto:, login,
    admin, share), 'document', 'asset', 'trap' (an unbounded space), else 'page'."""
    rules = rules or load_rules()
    parts = split_url(url)
    if parts is None or parts.scheme not in rules.crawlable_schemes or not parts.host:
        return SKIP
    if skip_rule(parts, rules) is not None:
        return SKIP
    if parts.extension in rules.asset_extensions or _first_match(rules.asset_paths, parts):
        return ASSET
    if parts.extension in rules.document_extensions:
        return DOCUMENT
    document = _first_match(rules.document_paths, parts)
    if document is not None:
        ext = document.groupdict().get("ext")
        return ASSET if ext and ext.lower() in rules.asset_extensions else DOCUMENT
    if trap_rule(parts, rules) is not None:
        return TRAP
    return PAGE


def skip_rule(parts: UrlParts, rules: UrlRules) -> str | None:
    for rule in rules.skip_paths:
        if rule.pattern.search(parts.path):
            return rule.name
    for rule in rules.skip_query:
        if rule.pattern.search(parts.raw_query):
            return rule.name
    return None


def trap_rule(parts: UrlParts, rules: UrlRules) -> str | None:
    for rule in rules.traps:
        if rule.matches(parts.path, parts.query):
            return rule.name
    return None


def _first_match(patterns, parts: UrlParts) -> re.Match | None:
    """Match on the path, then on path?query (for rules that name a parameter)."""
    targets = [parts.path] + ([f"{parts.path}?{parts.raw_query}"] if parts.raw_query else [])
    for named in patterns:
        for target in targets:
            match = named.pattern.search(target)
            if match:
                return match
    return None


def _as_list(value) -> list[str]:
    """A profile value given as one string, a list of them, or not at all."""
    return [] if value is None else [value] if isinstance(value, str) else list(value)
