"""Commands that read the archive: search, export, snapshot, export-wacz, crawls."""
from __future__ import annotations

import json
import sys
from pathlib import Path

from archive.search import KINDS
from portal_crawler.console import Reply, is_terminal, short_time, terminal_snippet
from portal_crawler.cli.datadir import existing_archive, open_index
from portal_crawler.cli.indexing import damage_reply
from portal_crawler.cli.options import data_option
from portal_crawler.cli.outputs import check_output_file, write_output_file
from portal_crawler.errors import UserError


def cmd_search(args) -> Reply:
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
    hits = [hit.to_dict() for hit in result.hits]
    if args.json:
        return Reply(json.dumps(hits, ensure_ascii=False, indent=1))
    lines = [f"{result.total} results for {args.query!r}"]
    for n, hit in enumerate(hits, 1):
        published = short_time(hit.get("published"))
        lines.append(f"{n:>3}. {hit['title']}  [{hit.get('site') or ''}] {published}")
        lines.append(f"     {hit['url']}")
        if hit.get("snippet"):
            lines.append(f"     {terminal_snippet(hit['snippet'], is_terminal())}")
    return Reply("\n".join(lines))


def cmd_export(args) -> Reply:
    from archive.export import export
    data = existing_archive(args.data)
    export(open_index(data), sys.stdout, fmt=args.format, site=args.site)  # streamed: exports are large
    return Reply()


def parse_time(value: str | None):
    if value is None:
        return None
    from archive.timestamps import parse_user_time
    try:
        return parse_user_time(value)
    except ValueError as exc:
        raise UserError(f"--at: {exc}") from None


def cmd_snapshot(args) -> Reply:
    from archive.snapshot import SnapshotNotFound, snapshot
    from archive.warc import WarcFormatError
    data = existing_archive(args.data)
    if args.output:
        check_output_file(Path(args.output), args.force, data, whole_data_dir=True)
    try:
        status_line, headers, body = snapshot(open_index(data), data / "warcs", args.url, at=parse_time(args.at))
    except SnapshotNotFound as exc:
        raise UserError(str(exc)) from None
    except (WarcFormatError, OSError) as exc:  # the record was damaged after it was indexed
        return Reply("", 1, f"damaged WARC data, the capture cannot be read (nothing was changed): {exc}")
    if args.headers:
        payload = (status_line + "\n" + "".join(f"{k}: {v}\n" for k, v in headers)).encode("utf-8")
    else:
        payload = body
    if args.output:
        write_output_file(Path(args.output), payload, args.force)
        return Reply()
    return Reply(payload)


def cmd_export_wacz(args) -> Reply:
    from archive.wacz import export_wacz
    data = existing_archive(args.data)
    out = Path(args.output)
    check_output_file(out, args.force, data)
    damage = []
    try:
        info = export_wacz(data / "warcs", open_index(data), out, urls=args.url or None, site=args.site,
                           damage=damage)
    except (LookupError, FileNotFoundError) as exc:  # nothing matched, or no closed WARC file yet
        raise UserError(str(exc).strip("'\"")) from None
    return damage_reply(f"wrote {out}" + (f": {info}" if info else ""), damage)


def cmd_crawls(args) -> Reply:
    data = existing_archive(args.data)
    runs = open_index(data).crawls()
    if args.json:
        return Reply(json.dumps(runs, ensure_ascii=False, indent=1))
    lines = [f"{'id':>4}  {'started':<20} {'outcome':<8} {'pages':>6} {'new':>5} {'chg':>5} {'err':>4}  targets"]
    for run in runs:
        lines.append(f"{run['id']:>4}  {(run.get('started') or '')[:19]:<20} {run.get('outcome') or '':<8} "
                     f"{run.get('pages') or 0:>6} {run.get('new') or 0:>5} {run.get('changed') or 0:>5} "
                     f"{run.get('errors') or 0:>4}  {' '.join(run.get('targets') or [])}")
    return Reply("\n".join(lines))


def register(sub) -> None:
    p = sub.add_parser("search", help="full-text search, Vietnamese with or without diacritics",
                       dash_positionals=True)
    p.add_argument("query", help="the words to find (may start with '-')")
    p.add_argument("--site")
    p.add_argument("--since", help="YYYY-MM-DD")
    p.add_argument("--until", help="YYYY-MM-DD")
    p.add_argument("--author")
    p.add_argument("--limit", type=int, default=10)
    p.add_argument("--kind", choices=KINDS, default="articles")
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
    p.add_argument("-o", dest="output", help="write to this new file (never inside the data directory)")
    p.add_argument("--force", action="store_true", help="with -o: overwrite an existing file")
    data_option(p)
    p.set_defaults(func=cmd_snapshot)

    p = sub.add_parser("export-wacz", help="a WACZ of the chosen captures (default: all)")
    p.add_argument("-o", dest="output", required=True)
    p.add_argument("--site")
    p.add_argument("--url", action="append")
    p.add_argument("--force", action="store_true", help="overwrite an existing file")
    data_option(p)
    p.set_defaults(func=cmd_export_wacz)

    p = sub.add_parser("crawls", help="every crawl run, newest first")
    p.add_argument("--json", action="store_true")
    data_option(p)
    p.set_defaults(func=cmd_crawls)
