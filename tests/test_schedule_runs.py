"""run-due and the scheduler loop over a real index file, with a recording stand-in for the
crawl (the real crawl is exercised in test_schedule_crawl.py)."""
import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from archive.schedule import add_schedule, get_schedule, start_run
from archive.sitelock import SiteBusy, site_lock
from portal_crawler.scheduler import run_due, run_forever, site_lock_keys

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def local(*args):
    return datetime(*args, tzinfo=HCM)


class RecordingCrawl:
    """Records each call; returns a crawl id like the real crawl does."""

    def __init__(self, fail=False):
        self.calls, self.fail = [], fail

    def __call__(self, targets, settings, lock):
        self.calls.append((targets, settings, tuple(lock.keys)))
        if self.fail:
            raise RuntimeError("portal unreachable")
        return {"outcome": "ok", "crawl_id": 100 + len(self.calls)}


def test_new_schedule_runs_at_once_then_waits_for_its_occurrence(tmp_path):
    index = tmp_path / "index.sqlite"
    created = local(2026, 6, 1, 1, 0)                              # a Monday, 01:00
    sid = add_schedule(index, ["http://trieuson.thanhhoa.test/"], cron="0 2 * * *",
                       settings={"DOWNLOAD_DELAY": "2"}, now=created)
    crawl = RecordingCrawl()
    [result] = run_due(index, crawl, now=created)
    assert result.outcome == "ok" and result.crawl_id == 101 and result.schedule_id == sid
    assert crawl.calls == [(["http://trieuson.thanhhoa.test/"], {"DOWNLOAD_DELAY": "2"}, ("trieuson.thanhhoa.test",))]
    # The next occurrence after the first run (01:00) is 02:00 the same day, not earlier.
    assert run_due(index, crawl, now=local(2026, 6, 1, 1, 30)) == []
    assert len(run_due(index, crawl, now=local(2026, 6, 1, 2, 0))) == 1
    assert get_schedule(index, sid).next_run() == local(2026, 6, 2, 2, 0)
    listed = get_schedule(index, sid).to_dict()
    assert listed["last_run"] == "2026-06-01T02:00:00+07:00"
    assert listed["last_result"]["outcome"] == "ok" and listed["last_result"]["crawl_id"] == 102


def test_missed_runs_while_the_machine_was_off_run_once(tmp_path):
    index = tmp_path / "index.sqlite"
    sid = add_schedule(index, ["camxuyen"], every="daily", now=local(2026, 6, 1, 2, 0))
    crawl = RecordingCrawl()
    assert len(run_due(index, crawl, now=local(2026, 6, 1, 2, 0))) == 1
    # Off from Monday until Thursday 10:00: three occurrences missed, one run.
    thursday = local(2026, 6, 4, 10, 0)
    assert [r.outcome for r in run_due(index, crawl, now=thursday)] == ["ok"]
    assert run_due(index, crawl, now=thursday + timedelta(minutes=1)) == []
    assert run_due(index, crawl, now=local(2026, 6, 5, 1, 59)) == []
    assert get_schedule(index, sid).next_run() == local(2026, 6, 5, 2, 0)
    assert len(run_due(index, crawl, now=local(2026, 6, 5, 2, 0))) == 1
    assert len(crawl.calls) == 3


def test_a_failed_crawl_is_recorded_and_not_retried_before_its_next_occurrence(tmp_path):
    index = tmp_path / "index.sqlite"
    sid = add_schedule(index, ["haihau"], every="weekly", now=local(2026, 6, 1, 2, 0))
    crawl = RecordingCrawl(fail=True)
    [result] = run_due(index, crawl, now=local(2026, 6, 1, 2, 0))
    assert result.outcome == "failed" and "portal unreachable" in result.error
    last = get_schedule(index, sid).to_dict()["last_result"]
    assert last["outcome"] == "failed" and "RuntimeError: portal unreachable" in last["error"]
    assert run_due(index, crawl, now=local(2026, 6, 7, 23, 0)) == []
    assert len(run_due(index, crawl, now=local(2026, 6, 8, 2, 0))) == 1


def test_a_locked_site_is_skipped_and_stays_due(tmp_path):
    index = tmp_path / "index.sqlite"
    sid = add_schedule(index, ["http://langgiang.bacgiang.test/"], every="daily", now=local(2026, 6, 1, 2, 0))
    crawl = RecordingCrawl()
    with site_lock(tmp_path, ["langgiang.bacgiang.test"]):
        [result] = run_due(index, crawl, now=local(2026, 6, 1, 3, 0))
    assert result.outcome == "busy" and "pid " in result.error
    assert crawl.calls == []
    assert get_schedule(index, sid).last_run is None
    assert len(run_due(index, crawl, now=local(2026, 6, 1, 3, 1))) == 1


def test_the_lock_is_held_while_the_crawl_runs(tmp_path):
    index = tmp_path / "index.sqlite"
    add_schedule(index, ["http://trieuson.thanhhoa.test/"], every="daily", now=local(2026, 6, 1, 2, 0))
    seen = []

    def crawl(targets, settings, lock):
        try:
            with site_lock(tmp_path, ["trieuson.thanhhoa.test"]):
                seen.append("acquired")
        except SiteBusy as busy:
            seen.append(str(busy))
        return None

    run_due(index, crawl, now=local(2026, 6, 1, 2, 0))
    assert len(seen) == 1 and "already being crawled" in seen[0]


def test_an_interrupted_run_is_marked_and_run_again_at_once(tmp_path):
    index = tmp_path / "index.sqlite"
    sid = add_schedule(index, ["trieuson"], every="daily", now=local(2026, 6, 1, 2, 0))
    crawl = RecordingCrawl()
    run_due(index, crawl, now=local(2026, 6, 1, 2, 0))
    # A run started by a process that then died: its row says 'running' and nobody holds the lock.
    start_run(index, sid, now=local(2026, 6, 2, 2, 0))
    assert get_schedule(index, sid).last_run["outcome"] == "running"
    [result] = run_due(index, crawl, now=local(2026, 6, 2, 2, 5))
    assert result.outcome == "ok"
    from archive.schedule import opened
    with opened(index) as db:
        outcomes = [r[0] for r in db.conn.execute("SELECT outcome FROM schedule_runs ORDER BY id")]
    assert outcomes == ["ok", "interrupted", "ok"]


def test_registry_sites_and_their_urls_share_a_lock(tmp_path):
    profiles = tmp_path / "sites.toml"
    profiles.write_text('''
[[site]]
id = "trieuson"
name = "Triệu Sơn"
hosts = ["trieuson.thanhhoa.test", "www.trieuson.thanhhoa.test"]
start_urls = ["http://trieuson.thanhhoa.test/"]
''', encoding="utf-8")
    by_id = site_lock_keys(["trieuson"], profiles=[profiles])
    by_url = site_lock_keys(["http://WWW.Trieuson.Thanhhoa.test/portal/"], profiles=[profiles])
    assert by_id == by_url == ["trieuson.thanhhoa.test"]
    assert site_lock_keys(["an-unknown-site"], profiles=[profiles]) == ["an-unknown-site"]


def test_run_forever_runs_what_is_due_until_stopped(tmp_path):
    index = tmp_path / "index.sqlite"
    add_schedule(index, ["trieuson"], every="daily")
    add_schedule(index, ["camxuyen"], cron="0 2 * * *")
    stop = threading.Event()
    batches = []

    def on_results(results):
        batches.append(results)
        stop.set()

    crawl = RecordingCrawl()
    thread = threading.Thread(target=run_forever, args=(index, crawl),
                              kwargs={"poll": 0.2, "stop": stop, "on_results": on_results})
    thread.start()
    thread.join(timeout=30)
    assert not thread.is_alive()
    assert [sorted(r.targets[0] for r in batch) for batch in batches] == [["camxuyen", "trieuson"]]
    assert len(crawl.calls) == 2
