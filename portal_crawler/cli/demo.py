"""`portal-archive demo`: the whole main job on the bundled demo portal."""
from __future__ import annotations

from portal_crawler.console import Reply
from portal_crawler.cli.datadir import writable_data_dir
from portal_crawler.cli.options import data_option, verbose_option


def cmd_demo(args) -> Reply:
    from portal_crawler.demo.run import run_demo
    return run_demo(writable_data_dir(args.data), verbose=args.verbose)


def register(sub) -> None:
    p = sub.add_parser("demo", help="serve the bundled demo portal, crawl it, and search it")
    data_option(p)
    verbose_option(p)
    p.set_defaults(func=cmd_demo)
