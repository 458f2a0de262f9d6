"""`index --rebuild` builds beside the old index and swaps it in when complete; schedules
live in DATA/state.sqlite and survive it; one index writer per data directory."""
from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time

import pytest

from archive.index import Index, Migration
from archive.schedule import SCHEDULE_TABLES_SQL
from archive.warc import iter_records

CLI = [sys.executable, "-m", "portal_crawler.cli"]
MARK = "title of the old index"


@pytest.fixture
def copy(demo_crawled, tmp_path):
    target = tmp_path / "data"
    shutil.copytree(demo_crawled, target)
    return target


def run(*args):
    return subprocess.run([*CLI, *map(str, args)], capture_output=True, text=True, timeout=300)


def response_records(data) -> int:
    return sum(1 for path in (data / "warcs").glob("*.warc.gz") for record, _ in iter_records(path)
               if record.rec_type in ("response", "revisit") and record.http is not None)


def test_searches_during_a_rebuild_see_the_old_index(copy):
    db = copy / "index.sqlite"
    with sqlite3.connect(db) as marking:   # tell the old index from the rebuilt one
        marking.execute("UPDATE articles SET title = ? WHERE id = 1", (MARK,))
    articles = sqlite3.connect(db).execute("SELECT count(*) FROM articles").fetchone()[0]
    held = sqlite3.connect(db)             # a reader open all along, like the web app's
    assert held.execute("SELECT title FROM articles WHERE id = 1").fetchone() == (MARK,)
    rebuild = subprocess.Popen([*CLI, "index", "--rebuild", "--data", str(copy)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    seen = []   # (the new index was being built around the query, the title it saw)
    while rebuild.poll() is None:
        building = (copy / "index.sqlite.rebuilding").exists()
        for conn in (held, sqlite3.connect(db)):
            count, = conn.execute("SELECT count(*) FROM articles").fetchone()
            title, = conn.execute("SELECT title FROM articles WHERE id = 1").fetchone()
            assert count == articles        # never an empty or half-built index
            seen.append((building and (copy / "index.sqlite.rebuilding").exists(), title))
    titles = [title for _, title in seen]
    assert any(building and title == MARK for building, title in seen), "no query ran during the build"
    # the old index until the swap, the new one after it: never back
    assert titles == sorted(titles, key=lambda t: t != MARK)
    out, err = rebuild.communicate()
    assert rebuild.returncode == 0, err
    assert held.execute("SELECT title FROM articles WHERE id = 1").fetchone()[0] != MARK  # swapped in
    assert sqlite3.connect(db).execute("SELECT count(*) FROM articles").fetchone()[0] == articles
    assert not list(copy.glob("index.sqlite.rebuilding*"))


def test_schedules_and_their_runs_survive_a_rebuild(copy):
    added = run("schedule", "add", "demo-yentho", "--every", "weekly", "-s", "DOWNLOAD_DELAY=2", "--data", copy)
    assert added.returncode == 0, added.stderr
    before = json.loads(run("schedule", "list", "--json", "--data", copy).stdout)
    assert len(before) == 1
    result = run("index", "--rebuild", "--data", copy)
    assert result.returncode == 0, result.stderr
    after = json.loads(run("schedule", "list", "--json", "--data", copy).stdout)
    assert after == before and after[0]["settings"] == {"DOWNLOAD_DELAY": "2"}
    assert (copy / "state.sqlite").exists()


def test_schedules_an_older_index_held_are_moved_to_the_state_database(copy):
    with Index(copy / "index.sqlite") as index:   # as earlier versions kept them
        index.apply_migrations("schedule", [Migration(1, "schedules and schedule_runs", SCHEDULE_TABLES_SQL)])
        with index.transaction() as conn:
            conn.execute("INSERT INTO schedules (id, targets, cron, every, tz, settings, created)"
                         " VALUES (7, '[\"demo-huonglam\"]', '0 2 * * *', NULL, 'Asia/Ho_Chi_Minh', '{}',"
                         " '2026-01-01T00:00:00+00:00')")
            conn.execute("INSERT INTO schedule_runs (schedule_id, started, finished, outcome, crawl_id)"
                         " VALUES (7, '2026-01-02T02:00:00+00:00', '2026-01-02T02:05:00+00:00', 'ok', 1)")
    result = run("index", "--rebuild", "--data", copy)   # the first command after the upgrade
    assert result.returncode == 0, result.stderr
    [schedule] = json.loads(run("schedule", "list", "--json", "--data", copy).stdout)
    assert schedule["id"] == 7 and schedule["targets"] == ["demo-huonglam"] and schedule["cron"] == "0 2 * * *"
    assert schedule["last_result"]["outcome"] == "ok" and schedule["last_result"]["crawl_id"] == 1


def test_a_rebuild_and_an_index_at_once_index_each_record_once(copy):
    expected = response_records(copy)
    rebuild = subprocess.Popen([*CLI, "index", "--rebuild", "--data", str(copy)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    plain = subprocess.Popen([*CLI, "index", "--data", str(copy)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    outcomes = []
    for process in (rebuild, plain):
        out, err = process.communicate(timeout=300)
        outcomes.append((process.returncode, err))
        assert process.returncode == 0 or (process.returncode == 2 and len(err.splitlines()) == 1
                                           and "another index" in err), err
    db = sqlite3.connect(copy / "index.sqlite")
    total, distinct = db.execute("SELECT count(*), count(DISTINCT record_id) FROM captures").fetchone()
    assert total == distinct == expected, outcomes


def test_a_second_index_writer_exits_2_with_one_line(copy):
    from archive.datalock import index_lock
    with index_lock(copy, "index --rebuild"):
        result = run("index", "--data", copy, "--wait", "0")
        assert result.returncode == 2
        [line] = result.stderr.splitlines()
        assert f"another index --rebuild is running on {copy} (pid {os.getpid()})" in line
        started = time.monotonic()
        waited = run("index", "--rebuild", "--data", copy, "--wait", "1")
        assert waited.returncode == 2 and time.monotonic() - started >= 1
    assert run("index", "--data", copy, "--wait", "0").returncode == 0   # free again


def test_crawls_share_the_index_lock_and_keep_index_out(copy):
    from archive.datalock import DataDirBusy, index_lock
    with index_lock(copy, "crawl", exclusive=False), index_lock(copy, "crawl", exclusive=False):
        result = run("index", "--data", copy, "--wait", "0")
        assert result.returncode == 2
        assert "a crawl is writing to the index of" in result.stderr and len(result.stderr.splitlines()) == 1
    with index_lock(copy, "index"):
        with pytest.raises(DataDirBusy, match=f"another index is running on {copy}"):
            with index_lock(copy, "crawl", exclusive=False):
                pass


def test_a_rebuild_killed_midway_leaves_the_old_index_as_it_was(copy):
    db = copy / "index.sqlite"
    before = sqlite3.connect(db).execute("SELECT count(*), count(DISTINCT record_id) FROM captures").fetchone()
    rebuild = subprocess.Popen([*CLI, "index", "--rebuild", "--data", str(copy)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while rebuild.poll() is None and not (copy / "index.sqlite.rebuilding").exists():
        time.sleep(0.001)
    rebuild.kill()
    rebuild.wait()
    assert sqlite3.connect(db).execute("SELECT count(*), count(DISTINCT record_id) FROM captures").fetchone() == before
    found = run("search", "nong thon moi", "--json", "--data", copy)
    assert found.returncode == 0 and json.loads(found.stdout)
    again = run("index", "--rebuild", "--data", copy, "--wait", "0")   # the killed one holds nothing
    assert again.returncode == 0, again.stderr
    assert not list(copy.glob("index.sqlite.rebuilding*"))
