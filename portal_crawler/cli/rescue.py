"""`portal-archive import`: a site's captures brought back from a public web archive."""
from __future__ import annotations

import sys

from portal_crawler.console import Reply
from portal_crawler.cli.datadir import writable_data_dir
from portal_crawler.cli.options import data_option, setting_pairs, settings_option
from portal_crawler.errors import UserError


def cmd_import(args) -> Reply:
    from archive.datalock import DataDirBusy, index_lock
    from archive.sitelock import SiteBusy, lock_key, site_lock
    from portal_crawler.cli.crawling import INDEX_WAIT_SECONDS
    from portal_crawler.rescue.request import import_request
    from portal_crawler.rescue.importer import render, run_import
    data = writable_data_dir(args.data)
    request = import_request(args, data, setting_pairs(args.set))
    try:  # never beside a crawl or another import of the same site, nor during `index`
        with site_lock(data, [lock_key(h) for t in request.targets for h in t.hosts], args.targets), \
                index_lock(data, "import", exclusive=False, wait=INDEX_WAIT_SECONDS):
            result = run_import(request, progress=lambda line: print(line, file=sys.stderr, flush=True))
    except (SiteBusy, DataDirBusy) as exc:
        raise UserError(str(exc)) from None
    return Reply(render(result), 0 if result["outcome"] == "ok" else 1)


def register(sub) -> None:
    p = sub.add_parser("import", help="import a site's captures from a web archive (Wayback Machine, pywb, CDX)")
    p.add_argument("targets", nargs="+", metavar="TARGET", help="site id or host")
    p.add_argument("--cdx", help="CDX server URL (default: the Wayback Machine's)")
    p.add_argument("--replay", help="replay prefix under which {timestamp}id_/{url} is the original")
    p.add_argument("--from", dest="since", metavar="DATE", help="oldest capture (YYYY[-MM[-DD]] or 14 digits)")
    p.add_argument("--to", dest="until", metavar="DATE", help="newest capture")
    p.add_argument("--limit", type=int, help="fetch at most N captures this run")
    settings_option(p)
    data_option(p)
    p.set_defaults(func=cmd_import)
