"""Rules for an article's versions that do not depend on how the index stores them.

The store (archive/index/articles.py) reads what it holds about the article and asks
these functions what an arriving text means; it only carries out the answer."""
from __future__ import annotations

import hashlib

# The fields that make an article's text: a version differs from the one before in one of them.
ARTICLE_FIELDS = ("title", "published", "author", "body")

# What an arriving text does to the stored article (`arriving_text`).
KEEP = "keep"                # the stored text stays
REWRITE = "rewrite"          # the newest version's text is replaced in place
NEW_VERSION = "new version"  # the text becomes the article's next version


def text_hash(fields: dict) -> str:
    """Hash of the NFC-normalized text fields (compare versions)."""
    material = "\x00".join(fields.get(f) or "" for f in ARTICLE_FIELDS)
    return hashlib.sha1(material.encode("utf-8")).hexdigest()[:16]  # 64 bits: per-article compare


def changed_fields(old, new) -> list[str]:
    """The text fields that differ between two versions (rows or dicts)."""
    return [f for f in ARTICLE_FIELDS if (old[f] or "") != (new[f] or "")]


def version_page(article: dict) -> str | None:
    """The page a text was read from, kept with its version when it is not the article's
    canonical URL (an alias, a print view); None for the canonical page itself."""
    canonical = article.get("canonical") or article.get("url")
    return article.get("url") if article.get("url") != canonical else None


def older_than_current(newest_captured: str | None, payload_captured: str | None) -> bool:
    """True when a text archived at `payload_captured` is older than the article's newest
    version (captured at `newest_captured`): a 304 or an identical payload of one URL of
    the article (an alias, a print view) brings back the text of an earlier capture, which
    must not replace a newer edit read from another of its URLs."""
    if not payload_captured:
        return False
    return bool(newest_captured and payload_captured < newest_captured)


def same_crawl_other_page(version_crawl, version_page: str | None, crawl_id, page: str | None) -> bool:
    """A text read by crawl `crawl_id` from `page` belongs with a version that crawl read
    from `version_page`: one crawl, two pages of one article (its page and a print view)
    make one version; the same page at two capture times (an import) makes two."""
    return crawl_id is not None and version_crawl == crawl_id and version_page != page


def arriving_text(*, same_text: bool, view: bool, stale: bool, same_crawl: bool,
                  article_page: bool) -> str:
    """What a text read for an archived article does: KEEP, REWRITE or NEW_VERSION.

    `same_text`: it equals the stored text; `view`: it was read from a view (a print page)
    of an article whose own page is archived; `stale`: `older_than_current`; `same_crawl`:
    `same_crawl_other_page` of the newest version; `article_page`: it was
    read from the article's own URL, not an alias.  Within one crawl the article page's text
    wins over an alias page's and makes no new version; a later crawl's different text does.
    """
    if same_text or view or stale:
        return KEEP
    if same_crawl:
        return REWRITE if article_page else KEEP
    return NEW_VERSION
