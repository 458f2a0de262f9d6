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
