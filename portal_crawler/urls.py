"""The crawler's URL knowledge, as pure functions; the code lives in ``portal_crawler.scope``.

    canonicalize(url, case_insensitive_paths=False) -> str
    is_case_insensitive_server(headers) -> bool
    ScopePolicy.from_profile(profile) .in_scope(url) .classify(url) .canonicalize(url)
    TrapGuard() .check(url, parent_url=, parent_chain=) -> Verdict .report()
    print_view_of(url) -> PrintView | None,  alias_key(url) -> str
    parse_sitemap(body, base_url) -> (page_urls, sitemap_urls)
    postback_fallback_links(html, base_url) -> [url | PostbackForm]
"""
from portal_crawler.scope import *  # noqa: F401,F403
from portal_crawler.scope import __all__  # noqa: F401
