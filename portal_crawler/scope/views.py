"""Print views and alias URLs: other addresses of one article, recognised from data."""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from .canonicalise import canonicalize
from .parts import split_url
from .rules import UrlRules, ViewRule, load_rules


@dataclass(frozen=True)
class PrintView:
    rule: str
    target: str | None   # the article URL it prints, when the print URL says enough


def print_view_of(url: str, rules: UrlRules | None = None, *,
                  case_insensitive_paths: bool = False) -> PrintView | None:
    """``None`` unless ``url`` is a print view; then the rule that recognised it and,
    where derivable, the URL of the article it prints (canonical form)."""
    rules = rules or load_rules()
    parts = split_url(url)
    if parts is None or not parts.host:
        return None
    for rule in rules.print_views:
        if rule.query is not None:
            matching = [i for i, pair in enumerate(parts.query) if rule.query.match("=".join(pair))]
            if matching:
                target = _without_params(url, matching) if rule.drop_query else None
                return PrintView(rule.name, target and canonicalize(
                    target, case_insensitive_paths=case_insensitive_paths, rules=rules))
        elif rule.path is not None:
            match = rule.path.search(parts.path)
            if match and not _excluded(rule, parts.path):
                target = None
                if rule.template:
                    path = match.expand(rule.template)
                    target = canonicalize(_replace_path(url, path), rules=rules,
                                          case_insensitive_paths=case_insensitive_paths)
                return PrintView(rule.name, target)
    return None


def alias_key(url: str, *, case_insensitive_paths: bool = False,
              rules: UrlRules | None = None) -> str:
    """A key shared by the alias forms of one article (``host|id:5542`` for
    ``/vi/news/cat/slug-5542.html``, ``/slug-5542.html`` and ``/vi/cat?id=5542``); the
    canonical URL when no alias rule knows the form.  Print views take their target's key."""
    rules = rules or load_rules()
    view = print_view_of(url, rules, case_insensitive_paths=case_insensitive_paths)
    if view is not None and view.target:
        url = view.target
    canonical = canonicalize(url, case_insensitive_paths=case_insensitive_paths, rules=rules)
    parts = split_url(canonical)
    if parts is None or not parts.host:
        return canonical
    for rule in rules.aliases:
        key = _alias_match(rule, parts.path, parts.query)
        if key is not None:
            return f"{parts.host}|{key.lower()}"
    return canonical


def _alias_match(rule: ViewRule, path: str, query) -> str | None:
    if _excluded(rule, path) or rule.template is None:
        return None
    if rule.path is not None:
        match = rule.path.search(path)
        return match.expand(rule.template) if match else None
    if rule.query is None or not query or (len(query) > 1 and not rule.any_param):
        return None  # ?id=5542 alone is the article; with other parameters, another view
    for pair in query:
        match = rule.query.match("=".join(pair))
        if match:
            return match.expand(rule.template)
    return None


def _excluded(rule: ViewRule, path: str) -> bool:
    return rule.exclude is not None and rule.exclude.search(path) is not None


def _without_params(url: str, indexes: list[int]) -> str:
    parts = urlsplit(url)
    kept = [p for i, p in enumerate(q for q in parts.query.split("&") if q) if i not in indexes]
    return urlunsplit(parts._replace(query="&".join(kept), fragment=""))


def _replace_path(url: str, path: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=path, query="", fragment=""))
