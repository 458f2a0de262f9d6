"""`portal-archive crawl` and `portal-archive worker`: crawls, alone or sharing a Redis frontier."""
from __future__ import annotations

from portal_crawler.console import Reply
from portal_crawler.cli.datadir import writable_data_dir
from portal_crawler.cli.options import data_option, setting_pairs, settings_option, verbose_option
from portal_crawler.errors import UserError

# how long a crawl waits for `index` to finish with the data directory before giving up
INDEX_WAIT_SECONDS = 30.0


def cmd_crawl(args) -> Reply:
    from archive.datalock import DataDirBusy, index_lock
    from archive.sitelock import SiteBusy, site_lock
    from portal_crawler.crawl_runner import CrawlRequest, check_targets, run_crawl
    from portal_crawler.scheduler import site_lock_keys
    data = writable_data_dir(args.data)
    settings = setting_pairs(args.set)
    if args.recheck:
        settings["PORTAL_RECHECK"] = args.recheck
    request = CrawlRequest(targets=args.targets, data_dir=data, proxy=args.proxy or "",
                           max_pages=args.max_pages, resume=args.resume, settings=settings,
                           profiles=args.profile or [], redis_url=args.redis, verbose=args.verbose)
    check_targets(request.targets, request.profiles)
    if args.max_pages is not None and args.max_pages < 1:
        raise UserError("--max-pages must be at least 1")
    if args.redis:
        check_redis(args.redis)
    try:
        # one crawl of a site at a time, whether started by hand or by a schedule,
        # and never while `index` re-reads the WARCs into the index (shared with other crawls)
        with site_lock(data, site_lock_keys(args.targets, args.profile or []), args.targets), \
                index_lock(data, "crawl", exclusive=False, wait=INDEX_WAIT_SECONDS):
            report = run_crawl(request)
    except (SiteBusy, DataDirBusy) as exc:
        raise UserError(str(exc)) from None
    return Reply(report.render(), 0 if report.outcome == "ok" else 1)


def check_redis(url: str) -> None:
    """Fail before Scrapy starts when the shared frontier cannot be reached."""
    try:
        from redis.exceptions import RedisError

        from portal_crawler.distributed import connect
    except ImportError as exc:
        raise UserError(f"--redis needs the redis extra (pip install -e '.[redis]'): {exc}") from None
    try:
        connect(url).ping()
    except (RedisError, ValueError) as exc:
        raise UserError(f"Redis at {url}: {exc}") from None


def cmd_worker(args) -> Reply:
    from redis.exceptions import RedisError

    from archive.datalock import DataDirBusy, index_lock
    from portal_crawler.crawl_runner import run_worker
    from portal_crawler.distributed import RunNotFound
    data = writable_data_dir(args.data)
    check_redis(args.redis)
    try:
        with index_lock(data, "crawl", exclusive=False, wait=INDEX_WAIT_SECONDS):
            report = run_worker(data, args.redis, settings=setting_pairs(args.set), proxy=args.proxy or "",
                                verbose=args.verbose, run_id=args.run, wait=args.wait)
    except (RunNotFound, DataDirBusy) as exc:
        raise UserError(str(exc)) from None
    except RedisError as exc:  # Redis gone while waiting for a run
        raise UserError(f"Redis at {args.redis}: {exc}") from None
    return Reply(report.render())


def register(sub) -> None:
    p = sub.add_parser("crawl", help="crawl portals into WARC files and the index")
    p.add_argument("targets", nargs="+", metavar="TARGET", help="site id from the registry, or a start URL")
    data_option(p)
    p.add_argument("--proxy", help="send every request through this HTTP proxy")
    p.add_argument("--max-pages", type=int, help="stop after this many responses")
    p.add_argument("--resume", action="store_true", help="continue the last unfinished crawl of these targets")
    p.add_argument("--recheck", choices=("due", "all"), default=None,
                   help="which archived articles to ask for again: those the revisit policy says are due "
                        "(default) or all")
    p.add_argument("--profile", action="append", help="a TOML file of your own site profiles")
    p.add_argument("--redis", help="share the frontier through this Redis URL (workers join with `worker`)")
    settings_option(p, "a Scrapy setting for this run")
    verbose_option(p)
    p.set_defaults(func=cmd_crawl)

    p = sub.add_parser("worker", help="a distributed crawl worker pulling from Redis")
    p.add_argument("--redis", required=True)
    p.add_argument("--run", help="the crawl run to join (default: the newest live one)")
    p.add_argument("--wait", type=float, default=120.0, help="seconds to wait for a run to appear")
    p.add_argument("--proxy")
    settings_option(p)
    verbose_option(p)
    data_option(p)
    p.set_defaults(func=cmd_worker)
