"""`portal-archive`: the one command users meet. Thin: parses arguments, calls the packages.

Each module of this package is one group of commands and registers its subcommands; a
command returns a `Reply` and `main` is the one place that writes it.
"""
from __future__ import annotations

import sys

import portal_crawler  # noqa: F401  (sets up the offline tldextract before Scrapy loads)
from portal_crawler.cli import crawling, demo, indexing, reading, rescue, schedules, web
from portal_crawler.console import emit
from portal_crawler.cli.options import Parser
from portal_crawler.errors import UserError

COMMAND_GROUPS = (crawling, rescue, indexing, reading, web, schedules, demo)


def build_parser() -> Parser:
    parser = Parser(prog="portal-archive",
                    description="Crawl, archive (WARC) and search Vietnamese district government portals.")
    parser.add_argument("--version", action="version", version=f"portal-archive {portal_crawler.__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    for group in COMMAND_GROUPS:
        group.register(sub)
    return parser


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        reply = args.func(args)
        emit(reply.output)
        if reply.notice:
            emit(f"portal-archive: {reply.notice}", sys.stderr)
        return reply.code
    except UserError as exc:
        emit(f"portal-archive: {exc}", sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:
        emit("portal-archive: interrupted", sys.stderr)
        return 130
