"""`portal-archive schedule add|list|remove|run-due` and `portal-archive scheduler`: arguments and
output only; the work is in archive/schedule.py and portal_crawler/scheduler.py."""
from __future__ import annotations

import json
import logging
import signal
import threading
from pathlib import Path

from archive.schedule import DEFAULT_TZ, EVERY, ScheduleError, add_schedule, list_schedules, remove_schedule
from archive.sitelock import holder
from portal_crawler.console import Reply, emit, short_time
from portal_crawler.cli.datadir import writable_data_dir
from portal_crawler.cli.options import Parser, data_option, setting_pairs, settings_option
from portal_crawler.crawl_runner import check_targets
from portal_crawler.errors import UserError
from portal_crawler.scheduler import SubprocessCrawl, profile_files, run_due, run_forever, site_lock_keys


def cmd_schedule(args) -> Reply:
    data = writable_data_dir(args.data)
    index_path = data / "index.sqlite"
    try:
        if args.action == "add":
            settings = schedule_settings(setting_pairs(args.set), data)
            # refuse at `add` what would fail at every run
            check_targets(args.targets, profile_files(settings))
            schedule_id = add_schedule(index_path, args.targets, cron=args.cron, every=args.every,
                                       settings=settings, tz=args.tz)
            schedule = next(s for s in list_schedules(index_path) if s.id == schedule_id)
            return Reply(f"schedule {schedule_id}: {' '.join(schedule.targets)} ({schedule.rule.describe()}, "
                         f"{schedule.rule.tz}); first run due now")
        if args.action == "list":
            return Reply(schedules_text(data, args.json))
        if args.action == "remove":
            remove_schedule(index_path, args.id)
            return Reply(f"schedule {args.id} removed")
        results = run_due(index_path, SubprocessCrawl(data))  # run-due
        return Reply(results_text(results), 1 if any(r.outcome == "failed" for r in results) else 0)
    except ScheduleError as error:
        raise UserError(str(error)) from None


def schedule_settings(settings: dict, data: Path) -> dict:
    """The settings kept with a schedule: a proxy's credentials go to DATA/proxy-credentials."""
    from portal_crawler.proxy import ProxyError, without_stored_credentials
    try:
        return without_stored_credentials(settings, data)
    except ProxyError as error:
        raise UserError(f"PORTAL_PROXY: {error}") from None


def schedules_text(data: Path, as_json: bool) -> str:
    rows = []
    for schedule in list_schedules(data / "index.sqlite"):
        row = schedule.to_dict()
        keys = site_lock_keys(schedule.targets, profile_files(schedule.settings))
        holders = [h for h in (holder(data, k) for k in keys) if h is not None]
        row["running"] = holders[0] if holders else None
        rows.append(row)
    if as_json:
        return json.dumps(rows, ensure_ascii=False, indent=1)
    if not rows:
        return "no schedules (add one with `portal-archive schedule add TARGET --every daily`)"
    lines = [f"{'id':>3}  {'rule':<18} {'next run':<20} {'last run':<20} {'last result':<14} targets"]
    for row in rows:
        rule = f"cron {row['cron']}" if row["cron"] else row["every"]
        last = row["last_result"] or {}
        result = last.get("outcome", "-") + (f" #{last['crawl_id']}" if last.get("crawl_id") else "")
        if row["running"] is not None:
            result = "running"
        lines.append(f"{row['id']:>3}  {rule:<18} {short_time(row['next_run']):<20} "
                     f"{short_time(row['last_run'] or '-'):<20} {result:<14} {' '.join(row['targets'])}")
    return "\n".join(lines)


def results_text(results) -> str:
    if not results:
        return "nothing due"
    return "\n".join(f"schedule {r.schedule_id}: {r.outcome}" + (f" crawl {r.crawl_id}" if r.crawl_id else "")
                     + f" ({' '.join(r.targets)})" + (f": {r.error}" if r.error else "") for r in results)


def cmd_scheduler(args) -> Reply:
    data = writable_data_dir(args.data)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    emit(f"scheduler: watching the schedules of {data} (checks at least every {args.interval:g}s; Ctrl-C stops)")
    # a long-running loop: each round's results are shown as they come
    run_forever(data / "index.sqlite", SubprocessCrawl(data), poll=args.interval, stop=stop,
                on_results=lambda results: emit(results_text(results)))
    return Reply()


def register(sub) -> None:
    p = sub.add_parser("schedule", help="recurring crawls: add, list, remove, run-due")
    data_option(p)
    actions = p.add_subparsers(dest="action", metavar="ACTION", parser_class=Parser, required=True)
    a = actions.add_parser("add")
    a.add_argument("targets", nargs="+", metavar="TARGET")
    when = a.add_mutually_exclusive_group(required=True)
    when.add_argument("--cron", help='a cron expression, e.g. "0 2 * * *"')
    when.add_argument("--every", choices=EVERY)
    a.add_argument("--tz", default=DEFAULT_TZ)
    settings_option(a)
    data_option(a)
    a = actions.add_parser("list")
    a.add_argument("--json", action="store_true")
    data_option(a)
    a = actions.add_parser("remove")
    a.add_argument("id", type=int)
    data_option(a)
    a = actions.add_parser("run-due")
    data_option(a)
    p.set_defaults(func=cmd_schedule)

    p = sub.add_parser("scheduler", help="a long-running loop that runs what is due")
    data_option(p)
    p.add_argument("--interval", type=float, default=60.0, help="seconds between checks")
    p.set_defaults(func=cmd_scheduler)
