"""`portal-archive serve`: the web app."""
from __future__ import annotations

import os

from portal_crawler.console import Reply
from portal_crawler.cli.datadir import existing_archive
from portal_crawler.cli.options import data_option
from portal_crawler.errors import UserError


def cmd_serve(args) -> Reply:
    from archive.web import AccessConflict, serve
    data = existing_archive(args.data)
    try:
        serve(data, host=args.host, port=args.port, token=args.token, public=args.public)
    except AccessConflict:
        raise UserError("--token and --public contradict each other: --public lets anyone read "
                        "without a token; give one of them (PORTAL_ARCHIVE_TOKEN also sets --token)") from None
    except OSError as exc:  # a non-loopback bind without a token or --public; a port in use
        raise UserError(str(exc)) from None
    return Reply()


def register(sub) -> None:
    p = sub.add_parser("serve", help="the web app: search, articles, snapshots")
    data_option(p)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8080)
    p.add_argument("--token", default=os.environ.get("PORTAL_ARCHIVE_TOKEN"),
                   help="access token required on a non-loopback address")
    p.add_argument("--public", action="store_true",
                   help="read-only public mode on any address, open to everyone (not with --token)")
    p.set_defaults(func=cmd_serve)
