"""`portal-archive extract` and `portal-archive index`: WARC records -> articles and index rows."""
from __future__ import annotations

import json
import sys
from pathlib import Path

from portal_crawler.console import Reply
from portal_crawler.cli.datadir import existing_archive_or_warcs
from portal_crawler.cli.options import data_option
from portal_crawler.cli.outputs import check_output_file, write_output_file
from portal_crawler.errors import UserError


def cmd_extract(args) -> Reply:
    from portal_crawler.extract.warc_extract import extract_html, extract_warc
    path = Path(args.file)
    if not path.is_file():
        raise UserError(f"cannot read {path}")
    if args.output:
        check_output_file(Path(args.output), args.force, inputs=[path])
    if path.name.endswith((".warc", ".warc.gz", ".warc.open", ".warc.gz.open")):
        stored = stored_templates(args.templates)
        out = open(args.output, "w" if args.force else "x", encoding="utf-8") if args.output else sys.stdout
        damage = []
        try:
            extract_warc(str(path), out, stored, damage)  # one JSON line per article, streamed
        finally:
            if args.output:
                out.close()
        if not args.output:
            sys.stdout.flush()
        return damage_reply("", damage)
    if not args.url:
        raise UserError("extracting one HTML page needs --url URL")
    text = json.dumps(extract_html(str(path), args.url), ensure_ascii=False)
    if args.output:
        write_output_file(Path(args.output), (text + "\n").encode("utf-8"), args.force)
        return Reply()
    return Reply(text)


def stored_templates(folder) -> dict:
    from portal_crawler.extract import template
    if not folder:
        return {}
    if not Path(folder).is_dir():
        raise UserError(f"no template directory {folder}")
    try:
        return template.load_dir(folder)
    except ValueError as exc:
        raise UserError(str(exc)) from None


def cmd_templates(args) -> Reply:
    from portal_crawler.cli.templates import templates_report
    return Reply(templates_report(Path(args.data), args.site, args.export_rules, args.save).removesuffix("\n"))


def cmd_index(args) -> Reply:
    from archive.datalock import DataDirBusy
    from portal_crawler.reindex import reindex
    data = existing_archive_or_warcs(args.data)
    extra = [Path(d) for d in args.warcs or []]
    for d in extra:
        if not d.is_dir():
            raise UserError(f"{d} is not a directory of WARC files")
    try:
        stats = reindex(data, extra_warc_dirs=extra, rebuild=args.rebuild, wait=args.wait)
    except DataDirBusy as exc:
        raise UserError(f"{exc}; try again when it has finished (or give --wait SECONDS)") from None
    summary = (f"indexed {stats['records']} records from {stats['files']} WARC files: "
               f"{stats['articles']} articles, {stats['versions']} versions, {stats['documents']} documents"
               + (f"; closed {stats['repaired']} WARC files left open by a stopped crawl"
                  if stats.get("repaired") else "")
               + (f"; restored {stats['crawls']} crawl runs from warcinfo" if stats.get("crawls") else ""))
    return damage_reply(summary, stats["damage"], stats["tails_kept"])


def damage_reply(output: str, damage, tails_kept=()) -> Reply:
    """Damaged WARC data (nothing of it changed) is named in one line on stderr, exit status 1."""
    if not damage and not tails_kept:
        return Reply(output)
    parts = [d.describe() for d in damage] + [r.describe() for r in tails_kept]
    return Reply(output, 1, "damaged WARC data (every whole record was read, no archived byte deleted): "
                 + "; ".join(parts))


def register(sub) -> None:
    p = sub.add_parser("extract", help="extract articles from a WARC file or one HTML page as JSON")
    p.add_argument("file", help="FILE.warc.gz or PAGE.html")
    p.add_argument("--url", help="the page's URL (for one HTML page)")
    p.add_argument("-o", dest="output", help="write here instead of standard output (a new file, never inside an archive)")
    p.add_argument("--force", action="store_true", help="with -o: overwrite an existing file")
    p.add_argument("--templates", metavar="DIR", help="stored site templates (HOST.json) used instead of learning")
    p.set_defaults(func=cmd_extract)

    p = sub.add_parser("templates", help="print the site templates learned from the archive's pages")
    p.add_argument("site", nargs="?", help="a host or site id (default: every site)")
    data_option(p)
    p.add_argument("--export-rules", action="store_true", help="print them as CMS rule files (TOML)")
    p.add_argument("--save", action="store_true", help="also write them to DATA/templates/HOST.json")
    p.set_defaults(func=cmd_templates)

    p = sub.add_parser("index", help="(re)index the WARC files of the data directory")
    data_option(p)
    p.add_argument("--rebuild", action="store_true", help="drop the index and rebuild it from the WARCs alone")
    p.add_argument("--warcs", action="append", metavar="DIR", help="also index the WARC files in DIR (other workers)")
    p.add_argument("--wait", type=float, default=30.0, metavar="SECONDS",
                   help="how long to wait for another index writer of the data directory (default 30)")
    p.set_defaults(func=cmd_index)
