"""`portal-archive schedule add|list|remove|run-due` and `portal-archive scheduler`: argument
handling and output only; the work is in archive/schedule.py and portal_crawler/scheduler.py."""
from __future__ import annotations

import json
import logging
import signal
import threading
from pathlib import Path

from archive.schedule import ScheduleError, add_schedule, list_schedules, remove_schedule
from archive.sitelock import holder
from portal_crawler.crawl_runner import check_targets
from portal_crawler.scheduler import SubprocessCrawl, profile_files, run_due, run_forever, site_lock_keys

logger = logging.getLogger(__name__)


def schedule_command(args, data: Path) -> int:
    from portal_crawler.cli import UserError, setting_pairs
    index_path = data / "index.sqlite"
    try:
        if args.action == "add":
            settings = setting_pairs(args.set)
            check_targets(args.targets, profile_files(settings))
            schedule_id = add_schedule(index_path, args.targets, cron=args.cron, every=args.every,
                                       settings=settings, tz=args.tz)
            schedule = next(s for s in list_schedules(index_path) if s.id == schedule_id)
            print(f"schedule {schedule_id}: {' '.join(schedule.targets)} ({schedule.rule.describe()}, "
                  f"{schedule.rule.tz}); first run due now")
        elif args.action == "list":
            print_schedules(data, args.json)
        elif args.action == "remove":
            remove_schedule(index_path, args.id)
            print(f"schedule {args.id} removed")
        elif args.action == "run-due":
            results = run_due(index_path, SubprocessCrawl(data))
            print_results(results)
            return 1 if any(r.outcome == "failed" for r in results) else 0
    except ScheduleError as error:
        raise UserError(str(error)) from None
    return 0


def print_schedules(data: Path, as_json: bool) -> None:
    rows = []
    for schedule in list_schedules(data / "index.sqlite"):
        row = schedule.to_dict()
        keys = site_lock_keys(schedule.targets, profile_files(schedule.settings))
        holders = [h for h in (holder(data, k) for k in keys) if h is not None]
        row["running"] = holders[0] if holders else None
        rows.append(row)
    if as_json:
        print(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    if not rows:
        print("no schedules (add one with `portal-archive schedule add TARGET --every daily`)")
        return
    print(f"{'id':>3}  {'rule':<18} {'next run':<20} {'last run':<20} {'last result':<14} targets")
    for row in rows:
        rule = f"cron {row['cron']}" if row["cron"] else row["every"]
        last = row["last_result"] or {}
        result = last.get("outcome", "-") + (f" #{last['crawl_id']}" if last.get("crawl_id") else "")
        if row["running"] is not None:
            result = "running"
        print(f"{row['id']:>3}  {rule:<18} {row['next_run'][:16].replace('T', ' '):<20} "
              f"{(row['last_run'] or '-')[:16].replace('T', ' '):<20} {result:<14} {' '.join(row['targets'])}")


def print_results(results) -> None:
    if not results:
        print("nothing due")
    for r in results:
        crawl = f" crawl {r.crawl_id}" if r.crawl_id else ""
        print(f"schedule {r.schedule_id}: {r.outcome}{crawl} ({' '.join(r.targets)})"
              + (f": {r.error}" if r.error else ""), flush=True)


def scheduler_loop(args, data: Path) -> int:
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    print(f"scheduler: watching {data / 'index.sqlite'} (checks at least every {args.interval:g}s; Ctrl-C stops)",
          flush=True)
    run_forever(data / "index.sqlite", SubprocessCrawl(data), poll=args.interval, stop=stop,
                on_results=print_results)
    return 0
