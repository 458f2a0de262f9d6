"""Schedule arithmetic: cron and Archive-It style rules in a DST-free zone, month ends,
new schedules, and the stored schedules in a real index file."""
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from archive.schedule import (DEFAULT_TZ, Rule, ScheduleError, add_schedule, get_schedule,
                              list_schedules, remove_schedule)

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def local(*args):
    return datetime(*args, tzinfo=HCM)


def occurrences(rule, start, count):
    out, moment = [], start
    for _ in range(count):
        moment = rule.after(moment)
        out.append(moment)
    return out


def test_default_zone_is_ho_chi_minh():
    assert DEFAULT_TZ == "Asia/Ho_Chi_Minh"
    assert Rule(cron="0 2 * * *").tz == "Asia/Ho_Chi_Minh"


def test_cron_is_read_in_the_schedule_zone():
    after = datetime(2026, 3, 10, 0, 0, tzinfo=timezone.utc)
    hcm = Rule(cron="0 2 * * *").after(after)
    utc = Rule(cron="0 2 * * *", tz="UTC").after(after)
    assert hcm == local(2026, 3, 11, 2, 0)
    assert hcm.astimezone(timezone.utc) == datetime(2026, 3, 10, 19, 0, tzinfo=timezone.utc)
    assert utc == datetime(2026, 3, 10, 2, 0, tzinfo=timezone.utc)


def test_next_occurrence_is_strictly_after():
    rule = Rule(cron="0 2 * * *")
    assert rule.after(local(2026, 5, 1, 2, 0)) == local(2026, 5, 2, 2, 0)
    assert rule.after(local(2026, 5, 1, 1, 59)) == local(2026, 5, 1, 2, 0)


def test_zone_has_no_dst_every_day_of_the_year_is_24_hours():
    days = occurrences(Rule(cron="30 2 * * *"), local(2025, 12, 31, 12, 0), 366)
    assert days[0] == local(2026, 1, 1, 2, 30) and days[-1] == local(2027, 1, 1, 2, 30)
    gaps = {(b - a).total_seconds() for a, b in zip(days, days[1:])}
    assert gaps == {86400.0}
    assert {d.astimezone(timezone.utc).hour for d in days} == {19}


def test_a_dst_zone_does_show_the_difference():
    # Guards the test above: the same check in a DST zone finds 23 h and 25 h days.
    berlin = ZoneInfo("Europe/Berlin")
    days = occurrences(Rule(cron="30 2 * * *", tz="Europe/Berlin"), datetime(2025, 12, 31, tzinfo=berlin), 366)
    gaps = {(b - a).total_seconds() for a, b in zip(days, days[1:])}
    assert gaps != {86400.0}


def test_cron_on_the_31st_skips_short_months():
    runs = occurrences(Rule(cron="0 3 31 * *"), local(2026, 1, 31, 3, 0), 5)
    assert [(d.month, d.day) for d in runs] == [(3, 31), (5, 31), (7, 31), (8, 31), (10, 31)]


def test_cron_last_day_of_month():
    runs = occurrences(Rule(cron="0 3 L * *"), local(2028, 1, 31, 3, 0), 3)
    assert [(d.month, d.day) for d in runs] == [(2, 29), (3, 31), (4, 30)]


def test_every_monthly_from_the_31st_clamps_to_month_end_without_drifting():
    rule = Rule(every="monthly", anchor=local(2026, 1, 31, 10, 15))
    runs = occurrences(rule, local(2026, 1, 31, 10, 15), 13)
    assert [(d.year, d.month, d.day) for d in runs[:4]] == [(2026, 2, 28), (2026, 3, 31), (2026, 4, 30), (2026, 5, 31)]
    assert runs[11] == local(2027, 1, 31, 10, 15)
    assert runs[12] == local(2027, 2, 28, 10, 15)
    assert {(d.hour, d.minute) for d in runs} == {(10, 15)}


def test_every_monthly_in_a_leap_year():
    rule = Rule(every="monthly", anchor=local(2028, 1, 30, 8, 0))
    assert occurrences(rule, local(2028, 1, 30, 8, 0), 2) == [local(2028, 2, 29, 8, 0), local(2028, 3, 30, 8, 0)]


def test_every_daily_and_weekly_keep_the_anchor_time():
    anchor = local(2026, 6, 3, 14, 37, 29)        # a Wednesday; seconds are dropped
    daily = Rule(every="daily", anchor=anchor)
    weekly = Rule(every="weekly", anchor=anchor)
    assert daily.after(anchor) == local(2026, 6, 4, 14, 37)
    assert daily.after(local(2026, 6, 20, 9, 0)) == local(2026, 6, 20, 14, 37)
    assert weekly.after(anchor) == local(2026, 6, 10, 14, 37)
    assert weekly.after(local(2026, 6, 12, 0, 0)) == local(2026, 6, 17, 14, 37)
    assert weekly.after(local(2026, 6, 17, 14, 37)) == local(2026, 6, 24, 14, 37)


def test_every_is_counted_from_the_anchor_even_years_later():
    rule = Rule(every="monthly", anchor=local(2026, 1, 31, 1, 0))
    assert rule.after(local(2031, 2, 10, 0, 0)) == local(2031, 2, 28, 1, 0)
    assert rule.after(local(2031, 2, 28, 1, 0)) == local(2031, 3, 31, 1, 0)


def test_cron_aliases():
    assert Rule(cron="@daily").after(local(2026, 1, 1, 12, 0)) == local(2026, 1, 2, 0, 0)
    assert Rule(cron="@monthly").after(local(2026, 1, 31, 12, 0)) == local(2026, 2, 1, 0, 0)


@pytest.mark.parametrize("kwargs, message", [
    ({"cron": "61 * * * *"}, "bad cron expression"),
    ({"cron": "0 3 * *"}, "bad cron expression"),
    ({}, "exactly one"),
    ({"cron": "0 3 * * *", "every": "daily"}, "exactly one"),
    ({"every": "hourly"}, "--every must be one of"),
    ({"cron": "0 3 * * *", "tz": "Mars/Olympus"}, "unknown time zone"),
])
def test_bad_rules_say_what_is_wrong(kwargs, message):
    kwargs.setdefault("tz", DEFAULT_TZ)
    with pytest.raises(ScheduleError, match=message):
        Rule(anchor=local(2026, 1, 1), **kwargs)


def test_stored_schedule_is_due_at_once_then_at_the_next_occurrence(tmp_path):
    index = tmp_path / "index.sqlite"
    created = local(2026, 7, 1, 9, 30).astimezone(timezone.utc)
    sid = add_schedule(index, ["trieuson", "http://haihau.namdinh.test/"], every="weekly",
                       settings={"DOWNLOAD_DELAY": "1"}, now=created)
    schedule = get_schedule(index, sid)
    assert schedule.targets == ["trieuson", "http://haihau.namdinh.test/"]
    assert schedule.settings == {"DOWNLOAD_DELAY": "1"}
    assert schedule.next_run() == created
    assert schedule.is_due(created) and not schedule.is_due(created - timedelta(seconds=1))
    listed = schedule.to_dict()
    assert listed["next_run"] == "2026-07-01T09:30:00+07:00"
    assert listed["last_run"] is None and listed["last_result"] is None


def test_add_list_remove(tmp_path):
    index = tmp_path / "index.sqlite"
    first = add_schedule(index, ["trieuson"], cron="0 2 * * *")
    second = add_schedule(index, ["camxuyen"], every="monthly", tz="UTC")
    assert [s.id for s in list_schedules(index)] == [first, second]
    assert list_schedules(index)[1].rule.tz == "UTC"
    remove_schedule(index, first)
    assert [s.id for s in list_schedules(index)] == [second]
    with pytest.raises(ScheduleError, match="no schedule with id"):
        remove_schedule(index, first)


def test_nothing_is_stored_for_bad_input(tmp_path):
    index = tmp_path / "index.sqlite"
    with pytest.raises(ScheduleError):
        add_schedule(index, ["trieuson"], cron="not a cron")
    with pytest.raises(ScheduleError, match="at least one TARGET"):
        add_schedule(index, [], every="daily")
    assert list_schedules(index) == []
