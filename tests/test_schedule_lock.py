"""The site lock survives crashes: a process killed with SIGKILL while holding it frees it,
a child that inherited it keeps it, and a killed run-due leaves a run that is retried."""
import json
import os
import signal
import subprocess
import sys
import textwrap
from datetime import timedelta
from pathlib import Path

import pytest

from archive.schedule import add_schedule, get_schedule, opened, utcnow
from archive.sitelock import INHERITED_ENV, SiteBusy, holder, site_lock
from portal_crawler.scheduler import run_due

ROOT = Path(__file__).resolve().parent.parent


def spawn(code: str, **kwargs) -> subprocess.Popen:
    """A Python child that prints 'ready' once it holds what it should hold."""
    proc = subprocess.Popen([sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT, stdout=subprocess.PIPE,
                            text=True, **kwargs)
    line = proc.stdout.readline().strip()
    assert line == "ready", f"child said {line!r}"
    return proc


def kill9(proc):
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL


def test_a_lock_held_by_a_killed_process_is_free(tmp_path):
    child = spawn(f"""
        import time
        from archive.sitelock import site_lock
        with site_lock({str(tmp_path)!r}, ["trieuson.thanhhoa.test"], ["trieuson"]):
            print("ready", flush=True)
            time.sleep(120)
    """)
    try:
        with pytest.raises(SiteBusy) as refused:
            with site_lock(tmp_path, ["trieuson.thanhhoa.test"]):
                pass
        assert f"pid {child.pid}" in str(refused.value)
        assert holder(tmp_path, "trieuson.thanhhoa.test")["targets"] == ["trieuson"]
    finally:
        kill9(child)
    assert holder(tmp_path, "trieuson.thanhhoa.test") is None
    with site_lock(tmp_path, ["trieuson.thanhhoa.test"]) as held:
        assert held.keys == ["trieuson.thanhhoa.test"]


def test_all_or_none_of_several_sites(tmp_path):
    with site_lock(tmp_path, ["b.test"]):
        child = subprocess.run([sys.executable, "-c", textwrap.dedent(f"""
            from archive.sitelock import SiteBusy, holder, site_lock
            try:
                with site_lock({str(tmp_path)!r}, ["a.test", "b.test", "c.test"]):
                    print("locked")
            except SiteBusy as busy:
                print("busy", busy.key, holder({str(tmp_path)!r}, "a.test"))
        """)], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert child.stdout.split() == ["busy", "b.test", "None"]


def test_a_child_that_inherited_the_lock_keeps_it_after_the_parent_lets_go(tmp_path):
    with site_lock(tmp_path, ["camxuyen.hatinh.test"]) as held:
        child = spawn(f"""
            import time
            from archive.sitelock import site_lock
            with site_lock({str(tmp_path)!r}, ["camxuyen.hatinh.test"]) as inner:
                print("ready" if inner.keys == [] else "locked twice", flush=True)
                time.sleep(120)
        """, pass_fds=held.fds, env={**os.environ, **held.env()})
    try:
        with pytest.raises(SiteBusy):
            with site_lock(tmp_path, ["camxuyen.hatinh.test"]):
                pass
    finally:
        kill9(child)
    with site_lock(tmp_path, ["camxuyen.hatinh.test"]):
        pass


def test_a_stray_environment_variable_does_not_switch_locking_off(tmp_path, monkeypatch):
    with site_lock(tmp_path, ["haihau.namdinh.test"]):
        result = subprocess.run(
            [sys.executable, "-c", textwrap.dedent(f"""
                from archive.sitelock import SiteBusy, site_lock
                try:
                    with site_lock({str(tmp_path)!r}, ["haihau.namdinh.test"]):
                        print("locked")
                except SiteBusy:
                    print("busy")
            """)], cwd=ROOT, capture_output=True, text=True, timeout=60,
            env={**os.environ, INHERITED_ENV: json.dumps({"haihau.namdinh.test": 0})})
    assert result.stdout.strip() == "busy"


def test_run_due_killed_mid_crawl_leaves_the_site_free_and_the_run_retried(tmp_path):
    index = tmp_path / "index.sqlite"
    sid = add_schedule(index, ["http://langgiang.bacgiang.test/"], every="daily")
    child = spawn(f"""
        import time
        from portal_crawler.scheduler import run_due

        def slow_crawl(targets, settings, lock):
            print("ready", flush=True)
            time.sleep(120)

        run_due({str(index)!r}, slow_crawl)
    """)
    try:
        assert get_schedule(index, sid).last_run["outcome"] == "running"
        assert holder(tmp_path, "langgiang.bacgiang.test")["pid"] == child.pid
        busy = run_due(index, lambda *a: None)
        assert [r.outcome for r in busy] == ["busy"]
    finally:
        kill9(child)
    assert holder(tmp_path, "langgiang.bacgiang.test") is None
    calls = []
    [result] = run_due(index, lambda targets, settings, lock: calls.append(targets) or 7)
    assert result.outcome == "ok" and result.crawl_id == 7 and calls == [["http://langgiang.bacgiang.test/"]]
    with opened(index) as db:
        rows = [tuple(r) for r in db.conn.execute("SELECT outcome, pid FROM schedule_runs ORDER BY id")]
    assert rows == [("interrupted", child.pid), ("ok", os.getpid())]
    assert not get_schedule(index, sid).is_due(utcnow() + timedelta(hours=23))
