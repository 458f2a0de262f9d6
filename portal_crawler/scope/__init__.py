"""The crawler's URL knowledge as pure functions over data (``sites/url_rules.toml``):
canonical URLs, scope and kinds, trap caps, print/alias views, sitemaps, postback paging.

    canonicalize(url, case_insensitive_paths=False) -> str      (a key, never what is fetched)
    request_url(url) -> str     (the link as a browser sends it: what is fetched)
    is_case_insensitive_server(headers) -> bool
    ScopePolicy.from_profile(profile) .in_scope(url) .classify(url) .canonicalize(url)
                .trap_rule(url) .print_view_of(url) .alias_key(url) .allows_requisite(url)
    TrapGuard.from_settings(settings) .check(url, trap=, parent_url=, parent_chain=) -> Verdict
              .report() .admitted() .snapshot() .restore(snapshot)
    print_view_of(url) -> PrintView | None,  alias_key(url) -> str
    parse_sitemap(body, base_url) -> (page_urls, sitemap_urls)
    postback_fallback_links(html, base_url) -> [url | PostbackForm]
"""
from .canonicalise import canonicalize, host_of, is_case_insensitive_server, request_url
from .policy import (ASSET, DOCUMENT, KINDS, PAGE, SITE_TRAP, SKIP, TRAP, ScopePolicy, classify,
                     site_hosts)
from .postback import PostbackForm, postback_fallback_links
from .rules import RulesError, UrlRules, load_rules
from .sitemaps import parse_sitemap
from .traps import TrapGuard, Verdict
from .views import PrintView, alias_key, print_view_of

__all__ = [
    "canonicalize", "host_of", "is_case_insensitive_server", "request_url",
    "ScopePolicy", "classify", "site_hosts", "KINDS", "SITE_TRAP", "PAGE", "ASSET", "DOCUMENT", "TRAP", "SKIP",
    "PostbackForm", "postback_fallback_links",
    "RulesError", "UrlRules", "load_rules",
    "parse_sitemap",
    "TrapGuard", "Verdict",
    "PrintView", "alias_key", "print_view_of",
]
