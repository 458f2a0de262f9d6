"""The crawler's URL knowledge as pure functions over data (``sites/url_rules.toml``):
canonical URLs, scope and kinds, trap caps, print/alias views, sitemaps, postback paging."""
from .canonicalise import canonicalize, host_of, is_case_insensitive_server
from .policy import (ASSET, DOCUMENT, KINDS, PAGE, SITE_TRAP, SKIP, TRAP, ScopePolicy, classify,
                     site_hosts)
from .postback import PostbackForm, postback_fallback_links
from .rules import UrlRules, load_rules
from .sitemaps import parse_sitemap
from .traps import TrapGuard, Verdict
from .views import PrintView, alias_key, print_view_of

__all__ = [
    "canonicalize", "host_of", "is_case_insensitive_server",
    "ScopePolicy", "classify", "site_hosts", "KINDS", "SITE_TRAP", "PAGE", "ASSET", "DOCUMENT", "TRAP", "SKIP",
    "PostbackForm", "postback_fallback_links",
    "UrlRules", "load_rules",
    "parse_sitemap",
    "TrapGuard", "Verdict",
    "PrintView", "alias_key", "print_view_of",
]
