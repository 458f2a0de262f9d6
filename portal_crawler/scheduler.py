"""Runs the schedules that are due: once (`schedule run-due`) or in a loop (`scheduler`).

Each due schedule runs under its sites' locks (archive/sitelock.py), so a site never runs
twice at once, even when `run-due` from cron and a `scheduler` loop overlap. The crawl
itself is a callable `run_crawl(targets, settings, lock)`; the default, `SubprocessCrawl`,
runs `portal-archive crawl` in a child process (a Twisted reactor cannot be restarted, and a
crawl that crashes must not take the scheduler with it) and hands it the lock descriptors,
so the sites stay locked while either process lives.
"""
from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from archive.index import Index
from archive.schedule import (finish_run, get_schedule, iso, list_schedules, mark_interrupted,
                              start_run, utcnow)
from archive.sitelock import HeldLocks, SiteBusy, lock_key, site_lock

logger = logging.getLogger(__name__)

RunCrawl = Callable[[list, dict, HeldLocks], "int | dict | None"]


@dataclass(frozen=True)
class RunResult:
    schedule_id: int
    targets: list[str]
    outcome: str                 # ok | failed | busy (not run: a site was locked)
    crawl_id: int | None = None
    error: str | None = None
    started: str | None = None
    finished: str | None = None

    def to_dict(self) -> dict:
        return dict(self.__dict__)


def site_lock_keys(targets, profiles=()) -> list[str]:
    """Lock names for targets: the hosts of a registry site, the host of a start URL, so
    `crawl trieuson` and `crawl http://trieuson.thanhhoa.test/` exclude each other."""
    from portal_crawler.sites.registry import RegistryError, load_registry
    keys = []
    try:
        registry = load_registry(list(profiles))
    except RegistryError as error:
        logger.info("site registry unreadable, locking by target name: %s", error)
        registry = None
    for target in targets:
        hosts = []
        if "://" not in target and registry is not None:
            try:
                hosts = list(registry.get(target).hosts)
            except RegistryError:
                hosts = []
        keys += [lock_key(h) for h in hosts] or [lock_key(target)]
    return sorted(set(keys))


def outcome_of(value) -> tuple[str, int | None, str | None]:
    """(outcome, crawl_id, error) from what run_crawl returned: a dict, a crawl id or None."""
    if isinstance(value, dict):
        return value.get("outcome") or "ok", value.get("crawl_id"), value.get("error")
    if isinstance(value, int) and not isinstance(value, bool):
        return "ok", value, None
    return "ok", None, None


def run_due(index_path, run_crawl: RunCrawl, now: datetime | None = None,
            lock_keys: Callable[[list, list], list] = site_lock_keys) -> list[RunResult]:
    """Run every schedule due at `now` (default: the clock) once; return what happened."""
    index_path = Path(index_path)
    data_dir = index_path.parent
    results = []
    for schedule in list_schedules(index_path):
        moment = now or utcnow()
        if not schedule.is_due(moment):
            continue
        try:
            with site_lock(data_dir, lock_keys(schedule.targets, profile_files(schedule.settings)),
                           schedule.targets) as lock:
                # We hold the locks, so a 'running' row left behind belongs to a dead process.
                if mark_interrupted(index_path, schedule.id, now=moment):
                    logger.warning("schedule %d: an earlier run was interrupted; running it again", schedule.id)
                # Another scheduler may have run it between our read and our lock.
                if not get_schedule(index_path, schedule.id).is_due(moment):
                    continue
                results.append(run_one(index_path, schedule, run_crawl, lock, now))
        except SiteBusy as busy:
            logger.info("schedule %d skipped: %s", schedule.id, busy)
            results.append(RunResult(schedule.id, schedule.targets, "busy", error=str(busy)))
    return results


def run_one(index_path, schedule, run_crawl: RunCrawl, lock: HeldLocks, now: datetime | None) -> RunResult:
    started = now or utcnow()
    run_id = start_run(index_path, schedule.id, now=started)
    logger.info("schedule %d: crawling %s", schedule.id, " ".join(schedule.targets))
    try:
        outcome, crawl_id, error = outcome_of(run_crawl(list(schedule.targets), dict(schedule.settings), lock))
    except Exception as exc:  # noqa: BLE001  one broken crawl must not stop the other schedules
        logger.exception("schedule %d: the crawl raised", schedule.id)
        outcome, crawl_id, error = "failed", None, f"{type(exc).__name__}: {exc}"
    # With a fixed `now` (tests, replays) a run ends when it started: the clock is not ours.
    finished = now or utcnow()
    finish_run(index_path, run_id, outcome, crawl_id=crawl_id, error=error, now=finished)
    return RunResult(schedule.id, list(schedule.targets), outcome, crawl_id, error, iso(started), iso(finished))


def seconds_until_next(index_path, now: datetime, poll: float) -> float:
    """Until the next future occurrence, at most poll (a schedule still due now was busy:
    it is tried again at the next wake-up, not in a tight loop)."""
    upcoming = [t for t in (s.next_run() for s in list_schedules(index_path)) if t > now]
    if not upcoming:
        return poll
    return min(max((min(upcoming) - now).total_seconds(), 1.0), poll)


def run_forever(index_path, run_crawl: RunCrawl, poll: float = 60.0, stop: threading.Event | None = None,
                on_results: Callable[[list], None] | None = None) -> None:
    """Run what is due, sleep until the next occurrence (at most `poll` seconds), repeat
    until `stop` is set. Schedules added or removed meanwhile are seen at the next wake-up."""
    stop = stop or threading.Event()
    while not stop.is_set():
        results = run_due(index_path, run_crawl)
        if results and on_results:
            on_results(results)
        stop.wait(seconds_until_next(index_path, utcnow(), poll))


# ---------------------------------------------------------------------- the default crawl
@dataclass(frozen=True)
class SubprocessCrawl:
    """`portal-archive crawl TARGET... --data DIR -s NAME=VALUE...` in a child process.
    Its output goes to DIR/logs/; the crawl's id and outcome are read back from the index."""
    data_dir: Path
    extra_args: tuple = ()                # e.g. ("--proxy", URL)
    command: tuple = field(default_factory=lambda: (sys.executable, "-m", "portal_crawler.cli"))

    def __call__(self, targets, settings, lock: HeldLocks) -> dict:
        index_path = Path(self.data_dir) / "index.sqlite"
        before = latest_crawl_id(index_path)
        args = [*self.command, "crawl", *targets, "--data", str(self.data_dir), *self.extra_args]
        for profile in profile_files(settings):
            args += ["--profile", profile]
        for name, value in settings.items():
            args += ["-s", f"{name}={value}"]
        logs = Path(self.data_dir) / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        log_path = logs / f"crawl-{datetime.now(timezone.utc):%Y%m%dT%H%M%S}-{os.getpid()}.log"
        with open(log_path, "wb") as log:
            status = subprocess.run(args, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                    pass_fds=lock.fds, env={**os.environ, **lock.env()}).returncode
        crawl = crawl_after(index_path, before, targets)
        if status == 0 and crawl and crawl.get("outcome") == "ok":
            return {"outcome": "ok", "crawl_id": crawl["id"], "error": None}
        error = f"exit status {status}: {last_line(log_path)} (log: {log_path})"
        if crawl is None:   # it died before starting its crawl: record one, so `crawls` shows it
            crawl = {"id": record_failed_crawl(index_path, targets, settings, error)}
        return {"outcome": "failed", "crawl_id": crawl["id"], "error": error}


def profile_files(settings: dict) -> list[str]:
    """A schedule's own site profiles (-s PORTAL_PROFILES=a.toml,b.toml) for --profile."""
    return [p.strip() for p in str(settings.get("PORTAL_PROFILES") or "").split(",") if p.strip()]


def record_failed_crawl(index_path: Path, targets, settings: dict, error: str) -> int:
    with Index(index_path) as index:
        crawl_id = index.start_crawl(list(targets), dict(settings))
        index.finish_crawl(crawl_id, "failed", {"errors": 1, "pages": 0, "new": 0, "changed": 0, "error": error}, [])
        return crawl_id


def latest_crawl_id(index_path: Path) -> int:
    with Index(index_path) as index:
        return index.latest_crawl_id()


def crawl_after(index_path: Path, after_id: int, targets) -> dict | None:
    """The crawl of these targets started after crawl `after_id` (the sites were locked, so
    no other crawl of them can have started meanwhile)."""
    with Index(index_path) as index:
        runs = [c for c in index.crawls() if c["id"] > after_id]
    matching = [c for c in runs if sorted(c.get("targets") or []) == sorted(targets)]
    return (matching or runs or [None])[0]


def last_line(path: Path) -> str:
    try:
        lines = [line for line in path.read_text(encoding="utf-8", errors="replace").splitlines() if line.strip()]
    except OSError:
        return ""
    return lines[-1][:300] if lines else "(no output)"
