"""The revisit policy's arithmetic: new articles often, old ones rarely (capped), a recent
change sooner, `all` everything; a bad setting fails at start."""
from datetime import datetime, timedelta, timezone

import pytest

from archive.revisit import ArticleHistory, RevisitPolicy
from portal_crawler.session import CrawlSettings

NOW = datetime(2026, 6, 1, 2, 0, tzinfo=timezone.utc)
POLICY = RevisitPolicy()  # 12 h .. 30 days, factor 0.2


def history(published_days_ago, checked_hours_ago, changed_days_ago=None, first_days_ago=None):
    def ago(**kw):
        return NOW - timedelta(**kw)
    return ArticleHistory(
        published=ago(days=published_days_ago) if published_days_ago is not None else None,
        first_captured=ago(days=first_days_ago if first_days_ago is not None else 400),
        last_changed=ago(days=changed_days_ago) if changed_days_ago is not None else None,
        last_checked=ago(hours=checked_hours_ago))


def test_new_articles_are_due_daily_old_ones_monthly():
    assert POLICY.verdict(history(1, 24), NOW).due
    assert POLICY.interval(history(1, 24), NOW) == timedelta(hours=12)
    assert POLICY.interval(history(30, 24), NOW) == timedelta(days=6)
    assert not POLICY.verdict(history(30, 24), NOW).due
    assert POLICY.interval(history(2000, 24), NOW) == timedelta(days=30)      # capped
    assert POLICY.verdict(history(2000, 24 * 31), NOW).due


def test_a_recent_change_brings_the_next_check_sooner():
    stable, changed = history(2000, 24 * 3), history(2000, 24 * 3, changed_days_ago=5)
    assert not POLICY.verdict(stable, NOW).due
    assert POLICY.interval(changed, NOW) == timedelta(days=1)
    assert POLICY.verdict(changed, NOW).due


def test_without_a_publication_date_the_first_capture_counts():
    assert POLICY.interval(history(None, 24, first_days_ago=2), NOW) == timedelta(hours=12)


def test_all_and_never_checked_are_due():
    assert RevisitPolicy(mode="all").verdict(history(2000, 1), NOW).due
    assert POLICY.verdict(ArticleHistory(None, None, None, None), NOW).due


@pytest.mark.parametrize("settings, message", [
    ({"PORTAL_RECHECK": "sometimes"}, "recheck mode"),
    ({"PORTAL_RECHECK_FACTOR": "fast"}, "PORTAL_RECHECK_FACTOR"),
    ({"PORTAL_ARTICLE_RECHECK_HOURS": "-1"}, "negative"),
    ({"PORTAL_NOW": "tomorrow"}, "PORTAL_NOW"),
])
def test_a_bad_setting_fails_at_start(settings, message):
    with pytest.raises(ValueError, match=message):
        CrawlSettings.from_settings(settings)


def test_zero_hours_means_every_article():
    assert CrawlSettings.from_settings({"PORTAL_ARTICLE_RECHECK_HOURS": "0"}).policy.rechecks_all


def test_a_check_of_one_url_in_this_crawl_does_not_make_the_others_checked(tmp_path):
    """An alias answering 304 early in a crawl must not make the canonical URL 'just checked'
    (its edit would be missed): the policy judges by the checks of earlier crawls."""
    from archive.index import Index
    from archive.versions import recheck_times
    index = Index(tmp_path / "index.sqlite")
    url, alias = "http://a.test/tin/1.html", "http://a.test/node/1"
    first, second = index.start_crawl(["a"], {}), index.start_crawl(["a"], {})
    index.upsert_article({"url": alias, "canonical": url, "title": "T", "body": "Nội dung.", "is_article": True},
                         crawl_id=first, captured="2026-05-30T02:00:00Z")
    for crawl_id, when, status in ((first, "2026-05-30T02:00:00Z", 200), (second, "2026-06-01T02:00:00Z", 304)):
        index.add_capture(url=alias, timestamp=when, status=status, mime="text/html", payload_digest=None,
                          warc_file="x.warc.gz", offset=0, length=1, record_id=f"<urn:{when}>",
                          record_type="revisit" if status == 304 else "response", crawl_id=crawl_id)
    article_id = index.article(url)["id"]
    assert recheck_times(index, article_id)[0] == "2026-06-01T02:00:00Z"
    assert recheck_times(index, article_id, before_crawl=second)[0] == "2026-05-30T02:00:00Z"
    index.close()
