"""The rules for an article's versions, apart from the store that carries them out."""
from archive.version_rules import (KEEP, NEW_VERSION, REWRITE, arriving_text, changed_fields,
                                   older_than_current, same_crawl_other_page, text_hash)

TEXT = {"title": "Hội nghị", "published": "2024-05-01", "author": None, "body": "Nội dung."}


def decide(**given):
    facts = {"same_text": False, "view": False, "stale": False, "same_crawl": False, "article_page": True}
    return arriving_text(**{**facts, **given})


def test_a_different_text_of_a_later_crawl_is_a_new_version():
    assert decide() == NEW_VERSION


def test_the_same_text_a_view_or_an_older_text_keeps_what_is_stored():
    assert decide(same_text=True) == KEEP
    assert decide(view=True) == KEEP
    assert decide(stale=True) == KEEP
    assert decide(stale=True, same_crawl=True) == KEEP


def test_within_one_crawl_the_article_page_rewrites_and_an_alias_page_does_not():
    assert decide(same_crawl=True, article_page=True) == REWRITE
    assert decide(same_crawl=True, article_page=False) == KEEP


def test_one_crawl_two_pages_is_one_version_the_same_page_twice_is_two():
    assert same_crawl_other_page(7, "https://a.test/bai-1", 7, "https://a.test/in/1")
    assert not same_crawl_other_page(7, "https://a.test/bai-1", 7, "https://a.test/bai-1")
    assert not same_crawl_other_page(6, "https://a.test/bai-1", 7, "https://a.test/in/1")
    assert not same_crawl_other_page(None, "https://a.test/bai-1", None, "https://a.test/in/1")


def test_a_text_archived_before_the_newest_version_is_older():
    assert older_than_current("2026-01-02T00:00:00Z", "2026-01-01T00:00:00Z")
    assert not older_than_current("2026-01-02T00:00:00Z", "2026-01-02T00:00:00Z")
    assert not older_than_current(None, "2026-01-01T00:00:00Z")
    assert not older_than_current("2026-01-02T00:00:00Z", None)


def test_changed_fields_and_hash_read_the_text_fields_only():
    edited = {**TEXT, "body": "Nội dung mới.", "author": ""}
    assert changed_fields(TEXT, edited) == ["body"]  # None and "" are the same empty author
    assert text_hash(TEXT) == text_hash({**TEXT, "url": "https://a.test/other"})
    assert text_hash(TEXT) != text_hash(edited)
