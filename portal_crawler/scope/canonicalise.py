"""One spelling per URL: the key the crawler deduplicates by, and the spelling it fetches.

The string work lives in ``archive.urlkey`` (the index computes the same keys); this module
applies a site's URL rules to it.  ``canonicalize`` never raises and is idempotent:
canonicalize(canonicalize(u)) == canonicalize(u).  It is a key, never what is requested:
``request_url`` is (the link as written, with only a browser's normalisation).
"""
from __future__ import annotations

from archive.urlkey import browser_url as request_url  # what is sent for a link
from archive.urlkey import canonical_url, host_of, host_of_netloc, is_case_insensitive_server

from .rules import UrlRules, load_rules

__all__ = ["canonicalize", "request_url", "host_of", "host_of_netloc", "is_case_insensitive_server"]


def canonicalize(url: str, *, case_insensitive_paths: bool = False,
                 rules: UrlRules | None = None) -> str:
    """The canonical form of ``url``: lower-case scheme and host, no default port, no
    fragment, no session ids, sorted query, normalised escapes, path lower-cased on
    case-insensitive servers, no empty ``?``.  A string that is not an http(s) URL comes
    back trimmed but otherwise unchanged."""
    rules = rules or load_rules()
    return canonical_url(url, case_insensitive_paths=case_insensitive_paths, session=rules.session,
                         schemes=rules.crawlable_schemes)

