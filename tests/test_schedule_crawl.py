"""Acceptance: a schedule runs the real crawl of a site (of portalgen's corpus where ../shared
has it, and of the bundled demo portal) through the CLI
(`schedule add`, `schedule run-due`, `schedule list`, `crawls`), records the run, keeps the
site locked while it crawls, and shows a failed run as failed."""
from __future__ import annotations

import json
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from archive.sitelock import holder

ROOT = Path(__file__).resolve().parent.parent
CLI = [sys.executable, "-m", "portal_crawler.cli"]


def cli(*args, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *map(str, args)], cwd=ROOT, capture_output=True, text=True, timeout=600, **kwargs)


@pytest.fixture(scope="module")
def scheduled(portal_source, tmp_path_factory):
    base = tmp_path_factory.mktemp(f"schedule-crawl-{portal_source.name}")
    site = portal_source.largest_site
    data = base / "data"
    with portal_source.serve(base) as server:
        added = cli("schedule", "add", site.start_urls[0], "--every", "daily",
                    "-s", f"PORTAL_PROXY={server.url}", "--data", data)
        # While run-due crawls, the site's lock is held: a second scheduler finds it busy.
        running = subprocess.Popen([*CLI, "schedule", "run-due", "--data", str(data)], cwd=ROOT,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        seen_holder, concurrent = None, None
        deadline = time.monotonic() + 60
        while running.poll() is None and time.monotonic() < deadline and seen_holder is None:
            seen_holder = holder(data, site.host)
            time.sleep(0.1)
        if seen_holder is not None:
            concurrent = cli("schedule", "run-due", "--data", data)
        out, err = running.communicate(timeout=600)
        again = cli("schedule", "run-due", "--data", data)
    return {"source": portal_source, "site": site, "data": data, "added": added, "run": (running.returncode, out, err),
            "holder": seen_holder, "concurrent": concurrent, "again": again,
            "list": cli("schedule", "list", "--json", "--data", data),
            "crawls": cli("crawls", "--json", "--data", data)}


def test_schedule_add_says_the_first_run_is_due_now(scheduled):
    assert scheduled["added"].returncode == 0, scheduled["added"].stderr
    assert "schedule 1" in scheduled["added"].stdout and "due now" in scheduled["added"].stdout


def test_run_due_runs_the_real_crawl_and_records_it(scheduled):
    code, out, err = scheduled["run"]
    assert code == 0, out + err
    assert out.startswith("schedule 1: ok crawl "), out
    crawl_id = int(out.split("crawl ")[1].split()[0])
    runs = json.loads(scheduled["crawls"].stdout)
    [run] = [r for r in runs if r["id"] == crawl_id]
    assert run["outcome"] == "ok" and run["pages"] > 20 and run["new"] > 0
    assert run["targets"] == scheduled["site"].start_urls
    warcs = list((scheduled["data"] / "warcs").glob("*.warc.gz"))
    assert warcs and set(run["warcs"]) <= {w.name for w in warcs}
    source, host = scheduled["source"], scheduled["site"].host
    indexed = source.indexed_keys(scheduled["data"] / "index.sqlite")
    wanted = [k for k in source.canonical_keys() if k.startswith(host + "/")]
    assert wanted and not [k for k in wanted if k not in indexed]


def test_the_site_is_locked_while_the_scheduled_crawl_runs(scheduled):
    assert scheduled["holder"] is not None, "never saw the site locked during the crawl"
    concurrent = scheduled["concurrent"]
    assert concurrent.returncode == 0, concurrent.stderr
    assert "busy" in concurrent.stdout and "already being crawled" in concurrent.stdout
    assert holder(scheduled["data"], scheduled["site"].host) is None


def test_list_shows_last_result_and_next_run_and_nothing_is_due_again(scheduled):
    assert scheduled["again"].stdout.strip() == "nothing due"
    [row] = json.loads(scheduled["list"].stdout)
    assert row["last_result"]["outcome"] == "ok" and row["last_result"]["crawl_id"]
    assert row["every"] == "daily" and row["tz"] == "Asia/Ho_Chi_Minh"
    created = datetime.fromisoformat(row["created"])
    assert datetime.fromisoformat(row["next_run"]) == created.replace(second=0) + timedelta(days=1)
    assert row["next_run"].endswith("+07:00")
    assert row["settings"]["PORTAL_PROXY"].startswith("http://127.0.0.1:")


def test_a_failed_scheduled_crawl_is_visible(tmp_path):
    # A schedule of the archivist's own site profile; the profile file is gone by run time.
    profile = tmp_path / "my-sites.toml"
    profile.write_text('''[[site]]
id = "mysite"
name = "My site"
hosts = ["mysite.test"]
start_urls = ["http://mysite.test/"]
''', encoding="utf-8")
    data = tmp_path / "data"
    added = cli("schedule", "add", "mysite", "--cron", "0 3 * * *", "-s", f"PORTAL_PROFILES={profile}", "--data", data)
    assert added.returncode == 0, added.stderr
    profile.unlink()
    run = cli("schedule", "run-due", "--data", data)
    assert run.returncode == 1
    assert run.stdout.startswith("schedule 1: failed crawl ") and "exit status 2" in run.stdout, run.stdout
    [row] = json.loads(cli("schedule", "list", "--json", "--data", data).stdout)
    assert row["last_result"]["outcome"] == "failed" and "my-sites.toml" in row["last_result"]["error"]
    assert row["next_run"].endswith("T03:00:00+07:00")
    [crawl] = json.loads(cli("crawls", "--json", "--data", data).stdout)
    assert crawl["outcome"] == "failed" and crawl["targets"] == ["mysite"] and crawl["errors"] == 1
    assert (data / "logs").is_dir()


def test_bad_schedule_input_exits_2_with_one_line(tmp_path):
    bad = cli("schedule", "add", "http://trieuson.thanhhoa.test/", "--cron", "0 3 * *", "--data", tmp_path)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "bad cron expression" in bad.stderr
    unknown = cli("schedule", "add", "no-such-site", "--every", "daily", "--data", tmp_path)
    assert unknown.returncode == 2 and "unknown site id" in unknown.stderr
    gone = cli("schedule", "remove", "42", "--data", tmp_path)
    assert gone.returncode == 2 and "no schedule with id 42" in gone.stderr
