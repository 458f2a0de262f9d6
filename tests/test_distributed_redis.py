"""Distributed crawling on a real redis-server: run bookkeeping, and a two-worker crawl through
the CLI (`crawl --redis`, `worker --redis`, `index --warcs`) of portalgen's small corpus (where
../shared has it) and of the bundled demo portal. Skips when redis-server is absent."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import redis_server
from tests.support.crawl_fetches import canonical_articles, fetches

pytestmark = pytest.mark.skipif(not redis_server.available(), reason="redis-server is not installed")

ROOT = Path(__file__).resolve().parent.parent
CLI = [sys.executable, "-m", "portal_crawler.cli"]


@pytest.fixture(scope="module")
def redis_url():
    with redis_server.RedisServer() as server:
        yield server.url


def test_each_run_has_its_own_frontier_and_dupefilter(redis_url):
    from portal_crawler.distributed import RunKeys, find_run, open_run
    first = open_run(redis_url, ["trieuson"], "coordinator-1")
    second = open_run(redis_url, ["trieuson"], "coordinator-2")
    assert first.run_id != second.run_id
    assert RunKeys(first.run_id).dupefilter != RunKeys(second.run_id).dupefilter
    assert RunKeys(first.run_id).requests != RunKeys(second.run_id).requests
    assert find_run(redis_url) == second                      # workers join the newest run
    assert find_run(redis_url, run_id=first.run_id) == first
    assert second.spider_kwargs() == {"site": "trieuson", "start_url": None, "redis_run": second.run_id}


def test_a_worker_without_a_live_run_gives_up_after_waiting(redis_url):
    import redis
    from portal_crawler.distributed import RunKeys, RunNotFound, find_run, open_run
    with pytest.raises(RunNotFound, match="no crawl run to join"):
        find_run(redis_url, run_id="no-such-run", wait=0.3, poll=0.1)
    # A coordinator that died before crawling: its start-up flag expires, nobody joins.
    dead = open_run(redis_url, ["camxuyen"], "coordinator-3")
    redis.Redis.from_url(redis_url).delete(RunKeys(dead.run_id).busy("coordinator-3"))
    with pytest.raises(RunNotFound):
        find_run(redis_url, wait=0)


def test_redis_settings_put_scrapy_on_the_run_scheduler(redis_url):
    from portal_crawler.distributed import redis_settings
    settings = redis_settings(redis_url)
    assert settings["SCHEDULER"] == "portal_crawler.distributed.RunScheduler"
    assert settings["REDIS_URL"] == redis_url
    assert settings["WARC_PREFIX"].startswith("portal-archive-") and settings["WARC_PREFIX"] != "portal-archive"


# ---------------------------------------------------------------------- a real two-worker crawl
@pytest.fixture(scope="module")
def crawl_redis_url():
    with redis_server.RedisServer() as server:
        yield server.url


@pytest.fixture(scope="module")
def two_workers(portal_source, tmp_path_factory, crawl_redis_url):
    redis_url = crawl_redis_url
    base = tmp_path_factory.mktemp(f"distributed-{portal_source.name}")
    coordinator, worker = base / "coordinator", base / "worker"
    worker_log = base / "worker.log"
    with portal_source.serve(base) as server, open(worker_log, "wb") as log:
        # The worker starts first and waits for the run the coordinator opens. Its output goes
        # to a file: a full pipe would stall it mid-crawl.
        joined = subprocess.Popen([*CLI, "worker", "--redis", redis_url, "--data", str(worker),
                                   "--proxy", server.url], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        crawl = subprocess.run([*CLI, "crawl", *portal_source.start_urls, "--redis", redis_url,
                                "--data", str(coordinator), "--proxy", server.url],
                               cwd=ROOT, capture_output=True, text=True, timeout=900)
        joined.wait(timeout=300)
    worker_out = worker_err = worker_log.read_text(encoding="utf-8", errors="replace")
    from portal_crawler.distributed import run_status
    status = run_status(redis_url)
    merge = subprocess.run([*CLI, "index", "--data", str(coordinator), "--warcs", str(worker / "warcs")],
                           cwd=ROOT, capture_output=True, text=True, timeout=600)
    return {"source": portal_source, "crawl": crawl, "worker": (joined.returncode, worker_out, worker_err),
            "status": status, "merge": merge, "dirs": [coordinator / "warcs", worker / "warcs"],
            "index": coordinator / "index.sqlite", "redis_ttls": redis_server.ttls(redis_url)}


def test_both_processes_finish_and_both_did_work(two_workers):
    crawl = two_workers["crawl"]
    assert crawl.returncode == 0, crawl.stderr[-3000:]
    code, out, err = two_workers["worker"]
    assert code == 0, err[-3000:]
    status = two_workers["status"]
    assert status["done"], status
    reports = list(status["workers"].values())
    assert len(reports) == 2 and all(r["state"] == "closed" for r in reports), reports
    assert all(r["pages"] > 0 and r["warcs"] for r in reports), reports


def test_no_url_is_fetched_twice_and_warc_names_never_collide(two_workers):
    fetched, names = fetches(two_workers["dirs"])
    assert len(fetched) > len(two_workers["source"].canonical_keys())
    # The spider learns from robots.txt (a host's first answer) that an IIS host folds
    # path case, so no page is fetched twice under two spellings, by one worker or two.
    twice = {key: n for key, n in fetched.items() if n > 1}
    assert not twice, list(twice.items())[:10]
    assert len(names) == len(set(names))
    # Each worker's files carry its own name (host-pid) in their prefix.
    workers = list(two_workers["status"]["workers"])
    owners = {name: [w for w in workers if name.startswith(f"portal-archive-{w}-")] for name in names}
    assert all(len(found) == 1 for found in owners.values()), owners
    assert {found[0] for found in owners.values()} == set(workers)


def test_trap_caps_hold_for_the_whole_run_not_per_worker(two_workers):
    from urllib.parse import urlsplit
    from portal_crawler.scope import TrapGuard
    cap = TrapGuard().caps["calendar"]
    fetched, _ = fetches(two_workers["dirs"])
    calendar: dict[str, set[str]] = {}
    for _method, url in fetched:
        if "date=" in url:
            calendar.setdefault(urlsplit(url).hostname, set()).add(url)
    assert calendar  # the corpus has calendars and each worker met some
    assert all(len(urls) <= cap for urls in calendar.values()), {h: len(u) for h, u in calendar.items()}


def test_two_guards_on_one_redis_store_share_one_cap(redis_url):
    import redis
    from portal_crawler.distributed import RedisAdmissions, RunKeys
    from portal_crawler.scope import TrapGuard
    store = RedisAdmissions(redis.Redis.from_url(redis_url), RunKeys("shared-caps-test"))
    first, second = TrapGuard(shared=store), TrapGuard(shared=store)
    cap = first.caps["calendar"]
    days = [f"http://tho.test/su-kien.aspx?date=2024-01-{day:02d}" for day in range(1, 2 * cap + 1)]
    admitted = [bool(guard.check(url)) for url in days for guard in (first, second)]
    assert sum(admitted[0::2]) + sum(admitted[1::2]) == 2 * cap  # each admitted URL counted by both
    assert sum(admitted[0::2]) == cap and admitted[1::2] == admitted[0::2]
    assert second.check(days[0]) and not second.check("http://tho.test/su-kien.aspx?date=2025-01-01")
    assert first.check("http://other.test/su-kien.aspx?date=2024-01-01")  # caps are per host


def test_the_run_frees_its_frontier_and_dupefilter(two_workers):
    run_id = two_workers["status"]["run_id"]
    ttls = {k: t for k, t in two_workers["redis_ttls"].items() if f":run:{run_id}:" in k}
    assert any(k.endswith(":done") for k in ttls)
    # Nothing of the run is kept for ever; the big keys go within the hour.
    assert all(t > 0 for t in ttls.values()), ttls
    assert all(t <= 3600 for k, t in ttls.items() if k.endswith((":requests", ":dupefilter"))), ttls


def test_merged_index_holds_every_canonical_article_once(two_workers):
    merge = two_workers["merge"]
    assert merge.returncode == 0, merge.stderr[-3000:]
    missing, twice = canonical_articles(two_workers["index"], two_workers["source"])
    assert not missing, missing[:5]
    assert not twice, twice[:5]


def test_a_recrawl_is_not_blocked_by_the_previous_runs_dupefilter(two_workers, crawl_redis_url, tmp_path):
    source = two_workers["source"]
    site = source.largest_site
    data = tmp_path / "data"
    with source.serve(tmp_path / "server") as server:
        again = subprocess.run([*CLI, "crawl", *site.start_urls, "--redis", crawl_redis_url, "--data", str(data),
                                "--proxy", server.url], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr[-3000:]
    fetched, _ = fetches([data / "warcs"])
    # Not just the start URL: the whole site again (a reused dupefilter would block it).
    articles = [k for k in source.canonical_keys() if k.startswith(site.host + "/")]
    assert len(fetched) > len(articles) > 5
    assert set(articles) <= {source.key(url) for _method, url in fetched}


# ---------------------------------------------------------------------- a worker killed mid-crawl
@pytest.fixture(scope="module")
def killed_worker(portal_source, tmp_path_factory):
    """A two-worker crawl where the joining worker is killed with SIGKILL while it holds
    leased requests; the coordinator carries on alone."""
    import os
    import signal
    import time
    import redis
    from portal_crawler.distributed import CURRENT_RUN_KEY, RunKeys
    base = tmp_path_factory.mktemp(f"killed-{portal_source.name}")
    coordinator, worker = base / "coordinator", base / "worker"
    with redis_server.RedisServer() as redis_srv, portal_source.serve(base) as server, \
            open(base / "worker.log", "wb") as worker_log, open(base / "coordinator.log", "wb") as crawl_log:
        joined = subprocess.Popen([*CLI, "worker", "--redis", redis_srv.url, "--data", str(worker),
                                   "--proxy", server.url], cwd=ROOT, stdout=worker_log, stderr=subprocess.STDOUT)
        crawl = subprocess.Popen([*CLI, "crawl", *portal_source.start_urls, "--redis", redis_srv.url,
                                  "--data", str(coordinator), "--proxy", server.url],
                                 cwd=ROOT, stdout=crawl_log, stderr=subprocess.STDOUT)
        client = redis.Redis.from_url(redis_srv.url, decode_responses=True)
        leases_at_kill, deadline = 0, time.monotonic() + 300
        while time.monotonic() < deadline and crawl.poll() is None:
            run_id = client.get(CURRENT_RUN_KEY)
            names = client.hkeys(RunKeys(run_id).workers) if run_id else []
            name = next((n for n in names if n.endswith(f"-{joined.pid}")), None)
            leases = client.hlen(RunKeys(run_id).leases(name)) if name else 0
            archived = sum(p.stat().st_size for p in (worker / "warcs").glob("*.open")) \
                if (worker / "warcs").is_dir() else 0
            if leases and archived > 20_000:
                leases_at_kill = leases
                os.kill(joined.pid, signal.SIGKILL)
                break
            time.sleep(0.05)
        joined.wait(timeout=30)
        crawl.wait(timeout=900)
        from portal_crawler.distributed import run_status
        status = run_status(redis_srv.url)
    merge = subprocess.run([*CLI, "index", "--data", str(coordinator), "--warcs", str(worker / "warcs")],
                           cwd=ROOT, capture_output=True, text=True, timeout=600)
    return {"source": portal_source, "crawl": crawl.returncode, "log": (base / "coordinator.log").read_text(errors="replace"),
            "killed": joined.returncode, "leases_at_kill": leases_at_kill, "status": status, "merge": merge,
            "index": coordinator / "index.sqlite", "worker_pid": joined.pid}


def test_a_killed_workers_leased_requests_go_back_on_the_queue(killed_worker):
    assert killed_worker["killed"] == -9 and killed_worker["leases_at_kill"] > 0
    assert killed_worker["crawl"] == 0, killed_worker["log"][-3000:]
    assert "back on the queue" in killed_worker["log"]
    status = killed_worker["status"]
    assert status["done"]
    states = {name.rsplit("-", 1)[-1]: report["state"] for name, report in status["workers"].items()}
    assert states.pop(str(killed_worker["worker_pid"])) == "crawling"  # it never closed
    assert list(states.values()) == ["closed"]


def test_nothing_is_lost_when_a_worker_is_killed(killed_worker):
    merge = killed_worker["merge"]
    assert merge.returncode == 0, merge.stderr[-3000:]
    assert "left open by a stopped crawl" in merge.stdout  # the dead worker's torn file, closed
    missing, twice = canonical_articles(killed_worker["index"], killed_worker["source"])
    assert not missing, missing[:5]
    assert not twice, twice[:5]
