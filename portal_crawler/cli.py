"""`portal-archive`: the one command users meet. Thin: parses arguments, calls the packages."""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import portal_crawler  # noqa: F401  (sets up the offline tldextract before Scrapy loads)
from portal_crawler.errors import UserError

DEFAULT_DATA = "archive-data"


class Parser(argparse.ArgumentParser):
    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message}\n")


def data_option(parser):
    parser.add_argument("--data", default=os.environ.get("PORTAL_ARCHIVE_DATA", DEFAULT_DATA),
                        help="data directory (default ./archive-data or $PORTAL_ARCHIVE_DATA)")


def setting_pairs(values) -> dict:
    out = {}
    for value in values or []:
        name, sep, setting = value.partition("=")
        if not sep or not name:
            raise UserError(f"-s takes NAME=VALUE, got {value!r}")
        out[name] = setting
    return out


# ---------------------------------------------------------------------------- data dir
def writable_data_dir(path: str) -> Path:
    data = Path(path)
    if data.exists() and not data.is_dir():
        raise UserError(f"{data} is not a directory")
    if data.is_dir() and any(data.iterdir()) and not (data / "warcs").is_dir() \
            and not (data / "index.sqlite").exists():
        raise UserError(f"{data} is not a portal-archive data directory (no warcs/ or index.sqlite)")
    data.mkdir(parents=True, exist_ok=True)
    return data


def existing_archive(path: str) -> Path:
    data = Path(path)
    if not data.is_dir():
        raise UserError(f"no archive at {data} (run `portal-archive crawl` or `portal-archive demo` first)")
    if not (data / "index.sqlite").exists():
        raise UserError(f"{data} is not a portal-archive data directory (no index.sqlite)")
    return data


def open_index(data: Path):
    from archive.index import Index
    return Index(data / "index.sqlite")


# ---------------------------------------------------------------------------- commands
def cmd_crawl(args):
    from archive.sitelock import SiteBusy, site_lock
    from portal_crawler.crawl_runner import CrawlRequest, check_targets, run_crawl
    from portal_crawler.scheduler import site_lock_keys
    data = writable_data_dir(args.data)
    request = CrawlRequest(targets=args.targets, data_dir=data, proxy=args.proxy or "",
                           max_pages=args.max_pages, resume=args.resume, settings=setting_pairs(args.set),
                           profiles=args.profile or [], redis_url=getattr(args, "redis", None),
                           verbose=args.verbose)
    check_targets(request)
    if args.max_pages is not None and args.max_pages < 1:
        raise UserError("--max-pages must be at least 1")
    if args.redis:
        check_redis(args.redis)
    try:
        # one crawl of a site at a time, whether started by hand or by a schedule
        with site_lock(data, site_lock_keys(args.targets, args.profile or []), args.targets):
            report = run_crawl(request)
    except SiteBusy as exc:
        raise UserError(str(exc)) from None
    print(report.render())
    return 0 if report.outcome == "ok" else 1


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


def cmd_extract(args):
    from portal_crawler.extract.warc_extract import extract_html, extract_warc
    path = Path(args.file)
    if not path.is_file():
        raise UserError(f"cannot read {path}")
    if path.name.endswith((".warc", ".warc.gz", ".warc.open", ".warc.gz.open")):
        out = open(args.output, "w", encoding="utf-8") if args.output else sys.stdout
        try:
            extract_warc(str(path), out)
        finally:
            if args.output:
                out.close()
        return 0
    if not args.url:
        raise UserError("extracting one HTML page needs --url URL")
    record = extract_html(str(path), args.url)
    text = json.dumps(record, ensure_ascii=False)
    if args.output:
        Path(args.output).write_text(text + "\n", encoding="utf-8")
    else:
        print(text)
    return 0


def cmd_index(args):
    from portal_crawler.reindex import reindex
    data = existing_archive_or_warcs(args.data)
    extra = [Path(d) for d in args.warcs or []]
    for d in extra:
        if not d.is_dir():
            raise UserError(f"{d} is not a directory of WARC files")
    stats = reindex(data, extra_warc_dirs=extra, rebuild=args.rebuild)
    print(f"indexed {stats['records']} records from {stats['files']} WARC files: "
          f"{stats['articles']} articles, {stats['versions']} versions, {stats['documents']} documents"
          + (f", {stats['errors']} unreadable records" if stats.get("errors") else "")
          + (f"; closed {stats['repaired']} WARC files left open by a stopped crawl" if stats.get("repaired") else "")
          + (f"; restored {stats['crawls']} crawl runs from warcinfo" if stats.get("crawls") else ""))
    return 0


def existing_archive_or_warcs(path: str) -> Path:
    data = Path(path)
    if not data.is_dir():
        raise UserError(f"no archive at {data}")
    if not (data / "warcs").is_dir() and not (data / "index.sqlite").exists():
        raise UserError(f"{data} is not a portal-archive data directory (no warcs/ or index.sqlite)")
    return data


def cmd_search(args):
    from archive.search import QueryError, search
    if args.limit < 1:
        raise UserError("--limit must be at least 1")
    data = existing_archive(args.data)
    index = open_index(data)
    try:
        result = search(index, args.query, site=args.site, since=args.since, until=args.until,
                        author=args.author, limit=args.limit, kind=args.kind, advanced=args.advanced)
    except QueryError as exc:
        raise UserError(str(exc)) from None
    hits = [hit_dict(h) for h in result.hits]
    if args.json:
        print(json.dumps(hits, ensure_ascii=False, indent=1))
        return 0
    print(f"{result.total} results for {args.query!r}")
    for n, hit in enumerate(hits, 1):
        published = (hit.get("published") or "")[:16].replace("T", " ")
        print(f"{n:>3}. {hit['title']}  [{hit.get('site') or ''}] {published}")
        print(f"     {hit['url']}")
        if hit.get("snippet"):
            print(f"     {terminal_snippet(hit['snippet'], sys.stdout.isatty())}")
    return 0


def hit_dict(hit) -> dict:
    return hit if isinstance(hit, dict) else hit.to_dict()


def terminal_snippet(snippet: str, tty: bool) -> str:
    """Search snippets mark matches with <mark>; a terminal shows them bold (or «» in a pipe)."""
    start, end = ("\033[1m", "\033[0m") if tty else ("«", "»")
    text = snippet.replace("<mark>", start).replace("</mark>", end)
    return " ".join(text.split())


def cmd_export(args):
    from archive.export import export
    data = existing_archive(args.data)
    export(open_index(data), sys.stdout, fmt=args.format, site=args.site)
    return 0


def parse_time(value: str | None):
    if value is None:
        return None
    from archive.timestamps import parse_user_time
    try:
        return parse_user_time(value)
    except ValueError as exc:
        raise UserError(f"--at: {exc}") from None


def cmd_snapshot(args):
    from archive.snapshot import SnapshotNotFound, snapshot
    data = existing_archive(args.data)
    try:
        status_line, headers, body = snapshot(open_index(data), data / "warcs", args.url, at=parse_time(args.at))
    except SnapshotNotFound as exc:
        raise UserError(str(exc)) from None
    if args.headers:
        payload = (status_line + "\n" + "".join(f"{k}: {v}\n" for k, v in headers)).encode("utf-8")
    else:
        payload = body
    if args.output:
        Path(args.output).write_bytes(payload)
    else:
        sys.stdout.buffer.write(payload)
        sys.stdout.buffer.flush()
    return 0


def cmd_export_wacz(args):
    from archive.wacz import export_wacz
    data = existing_archive(args.data)
    out = Path(args.output)
    if out.exists() and out.is_dir():
        raise UserError(f"{out} is a directory")
    if not out.parent.is_dir():
        raise UserError(f"cannot write {out}: {out.parent} is not a directory")
    try:
        info = export_wacz(data / "warcs", open_index(data), out, urls=args.url or None, site=args.site)
    except (LookupError, FileNotFoundError) as exc:  # nothing matched, or no closed WARC file yet
        raise UserError(str(exc).strip("'\"")) from None
    print(f"wrote {out}" + (f": {info}" if info else ""))
    return 0


def cmd_serve(args):
    from archive.web import serve
    data = existing_archive(args.data)
    try:
        serve(data, host=args.host, port=args.port, token=args.token, public=args.public)
    except OSError as exc:  # a non-loopback bind without a token or --public; a port in use
        raise UserError(str(exc)) from None
    return 0


def cmd_crawls(args):
    data = existing_archive(args.data)
    runs = open_index(data).crawls()
    if args.json:
        print(json.dumps(runs, ensure_ascii=False, indent=1))
        return 0
    print(f"{'id':>4}  {'started':<20} {'outcome':<8} {'pages':>6} {'new':>5} {'chg':>5} {'err':>4}  targets")
    for run in runs:
        print(f"{run['id']:>4}  {(run.get('started') or '')[:19]:<20} {run.get('outcome') or '':<8} "
              f"{run.get('pages') or 0:>6} {run.get('new') or 0:>5} {run.get('changed') or 0:>5} "
              f"{run.get('errors') or 0:>4}  {' '.join(run.get('targets') or [])}")
    return 0


def cmd_import(args):
    from portal_crawler.rescue.cli import import_request
    from portal_crawler.rescue.importer import render, run_import
    from archive.sitelock import SiteBusy, lock_key, site_lock
    data = writable_data_dir(args.data)
    request = import_request(args, data, setting_pairs(args.set))
    try:  # never beside a crawl or another import of the same site
        with site_lock(data, [lock_key(h) for t in request.targets for h in t.hosts], args.targets):
            result = run_import(request)
    except SiteBusy as exc:
        raise UserError(str(exc)) from None
    print(render(result))
    return 0 if result["outcome"] == "ok" else 1


def cmd_schedule(args):
    from portal_crawler.schedule_commands import schedule_command
    return schedule_command(args, writable_data_dir(args.data))


def cmd_scheduler(args):
    from portal_crawler.schedule_commands import scheduler_loop
    return scheduler_loop(args, writable_data_dir(args.data))


def cmd_worker(args):
    from portal_crawler.crawl_runner import run_worker
    from redis.exceptions import RedisError

    from portal_crawler.distributed import RunNotFound
    data = writable_data_dir(args.data)
    check_redis(args.redis)
    try:
        report = run_worker(data, args.redis, settings=setting_pairs(args.set), proxy=args.proxy or "",
                            verbose=args.verbose, run_id=args.run, wait=args.wait)
    except RunNotFound as exc:
        raise UserError(str(exc)) from None
    except RedisError as exc:  # Redis gone while waiting for a run
        raise UserError(f"Redis at {args.redis}: {exc}") from None
    print(report.render())
    return 0


def cmd_demo(args):
    from portal_crawler.demo.run import run_demo
    return run_demo(writable_data_dir(args.data), verbose=args.verbose)


# ---------------------------------------------------------------------------- parser
def build_parser() -> Parser:
    parser = Parser(prog="portal-archive",
                    description="Crawl, archive (WARC) and search Vietnamese district government portals.")
    parser.add_argument("--version", action="version", version=f"portal-archive {portal_crawler.__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)

    p = sub.add_parser("crawl", help="crawl portals into WARC files and the index")
    p.add_argument("targets", nargs="+", metavar="TARGET", help="site id from the registry, or a start URL")
    data_option(p)
    p.add_argument("--proxy", help="send every request through this HTTP proxy")
    p.add_argument("--max-pages", type=int, help="stop after this many responses")
    p.add_argument("--resume", action="store_true", help="continue the last unfinished crawl of these targets")
    p.add_argument("--profile", action="append", help="a TOML file of your own site profiles")
    p.add_argument("--redis", help="share the frontier through this Redis URL (workers join with `worker`)")
    p.add_argument("-s", dest="set", action="append", metavar="NAME=VALUE", help="a Scrapy setting for this run")
    p.add_argument("-v", "--verbose", action="store_true", help="show Scrapy's log")
    p.set_defaults(func=cmd_crawl)

    p = sub.add_parser("extract", help="extract articles from a WARC file or one HTML page as JSON")
    p.add_argument("file", help="FILE.warc.gz or PAGE.html")
    p.add_argument("--url", help="the page's URL (for one HTML page)")
    p.add_argument("-o", dest="output", help="write here instead of standard output")
    p.set_defaults(func=cmd_extract)

    p = sub.add_parser("index", help="(re)index the WARC files of the data directory")
    data_option(p)
    p.add_argument("--rebuild", action="store_true", help="drop the index and rebuild it from the WARCs alone")
    p.add_argument("--warcs", action="append", metavar="DIR", help="also index the WARC files in DIR (other workers)")
    p.set_defaults(func=cmd_index)

    p = sub.add_parser("search", help="full-text search, Vietnamese with or without diacritics")
    p.add_argument("query")
    p.add_argument("--site")
    p.add_argument("--since", help="YYYY-MM-DD")
    p.add_argument("--until", help="YYYY-MM-DD")
    p.add_argument("--author")
    p.add_argument("--limit", type=int, default=10)
    p.add_argument("--kind", choices=["articles", "documents", "all"], default="articles")
    p.add_argument("--advanced", action="store_true", help="allow AND/OR/NOT, prefix* and parentheses")
    p.add_argument("--json", action="store_true")
    data_option(p)
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("export", help="export articles as JSON lines or CSV")
    p.add_argument("--format", choices=["jsonl", "csv"], default="jsonl")
    p.add_argument("--site")
    data_option(p)
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("snapshot", help="the archived body of URL exactly as received")
    p.add_argument("url")
    p.add_argument("--at", help="the capture nearest this time (ISO 8601 or YYYYMMDDhhmmss)")
    p.add_argument("--headers", action="store_true", help="print the archived status line and headers")
    p.add_argument("-o", dest="output")
    data_option(p)
    p.set_defaults(func=cmd_snapshot)

    p = sub.add_parser("export-wacz", help="a WACZ of the chosen captures (default: all)")
    p.add_argument("-o", dest="output", required=True)
    p.add_argument("--site")
    p.add_argument("--url", action="append")
    data_option(p)
    p.set_defaults(func=cmd_export_wacz)

    p = sub.add_parser("serve", help="the web app: search, articles, snapshots")
    data_option(p)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8080)
    p.add_argument("--token", default=os.environ.get("PORTAL_ARCHIVE_TOKEN"),
                   help="access token required on a non-loopback address")
    p.add_argument("--public", action="store_true", help="read-only public mode on any address")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("schedule", help="recurring crawls: add, list, remove, run-due")
    data_option(p)
    ssub = p.add_subparsers(dest="action", metavar="ACTION", parser_class=Parser, required=True)
    a = ssub.add_parser("add")
    a.add_argument("targets", nargs="+", metavar="TARGET")
    when = a.add_mutually_exclusive_group(required=True)
    when.add_argument("--cron", help='a cron expression, e.g. "0 2 * * *"')
    when.add_argument("--every", choices=["daily", "weekly", "monthly"])
    a.add_argument("--tz", default="Asia/Ho_Chi_Minh")
    a.add_argument("-s", dest="set", action="append", metavar="NAME=VALUE")
    data_option(a)
    a = ssub.add_parser("list")
    a.add_argument("--json", action="store_true")
    data_option(a)
    a = ssub.add_parser("remove")
    a.add_argument("id", type=int)
    data_option(a)
    a = ssub.add_parser("run-due")
    data_option(a)
    p.set_defaults(func=cmd_schedule)

    p = sub.add_parser("scheduler", help="a long-running loop that runs what is due")
    data_option(p)
    p.add_argument("--interval", type=float, default=60.0, help="seconds between checks")
    p.set_defaults(func=cmd_scheduler)

    p = sub.add_parser("crawls", help="every crawl run, newest first")
    p.add_argument("--json", action="store_true")
    data_option(p)
    p.set_defaults(func=cmd_crawls)

    p = sub.add_parser("worker", help="a distributed crawl worker pulling from Redis")
    p.add_argument("--redis", required=True)
    p.add_argument("--run", help="the crawl run to join (default: the newest live one)")
    p.add_argument("--wait", type=float, default=120.0, help="seconds to wait for a run to appear")
    p.add_argument("--proxy")
    p.add_argument("-s", dest="set", action="append", metavar="NAME=VALUE")
    p.add_argument("-v", "--verbose", action="store_true")
    data_option(p)
    p.set_defaults(func=cmd_worker)

    p = sub.add_parser("import", help="import a site's captures from a web archive (Wayback Machine, pywb, CDX)")
    p.add_argument("targets", nargs="+", metavar="TARGET", help="site id or host")
    p.add_argument("--cdx", help="CDX server URL (default: the Wayback Machine's)")
    p.add_argument("--replay", help="replay prefix under which {timestamp}id_/{url} is the original")
    p.add_argument("--from", dest="since", metavar="DATE", help="oldest capture (YYYY[-MM[-DD]] or 14 digits)")
    p.add_argument("--to", dest="until", metavar="DATE", help="newest capture")
    p.add_argument("--limit", type=int, help="fetch at most N captures this run")
    p.add_argument("-s", dest="set", action="append", metavar="NAME=VALUE")
    data_option(p)
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("demo", help="serve the bundled demo portal, crawl it, and search it")
    data_option(p)
    p.add_argument("-v", "--verbose", action="store_true")
    p.set_defaults(func=cmd_demo)
    return parser


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return args.func(args) or 0
    except UserError as exc:
        print(f"portal-archive: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:
        print("portal-archive: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
