"""`portal-archive serve`: the web app for people reading the archive.

    make_app(data_dir, token=None, public=False) -> a WSGI app (tests, other servers)
    serve(data_dir, host, port, token=None, public=False)  blocks; raises UnsafeBindError
        for a non-loopback host without a token or public mode
    A token and public mode together raise AccessConflict (public mode needs no token).
"""
from archive.web.access import AccessConflict, UnsafeBindError
from archive.web.app import make_app
from archive.web.server import serve

__all__ = ["make_app", "serve", "AccessConflict", "UnsafeBindError"]
