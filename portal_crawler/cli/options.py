"""Argument parsing shared by every command group: the parser class and the common options."""
from __future__ import annotations

import argparse
import os

from portal_crawler.errors import UserError

DEFAULT_DATA = "archive-data"


class Parser(argparse.ArgumentParser):
    """Usage errors exit 2 with argparse's one-line message (no traceback)."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message}\n")


def data_option(parser) -> None:
    parser.add_argument("--data", default=os.environ.get("PORTAL_ARCHIVE_DATA", DEFAULT_DATA),
                        help="data directory (default ./archive-data or $PORTAL_ARCHIVE_DATA)")


def settings_option(parser, help_text: str | None = None) -> None:
    parser.add_argument("-s", dest="set", action="append", metavar="NAME=VALUE", help=help_text)


def verbose_option(parser) -> None:
    parser.add_argument("-v", "--verbose", action="store_true", help="show Scrapy's log")


def setting_pairs(values) -> dict:
    out = {}
    for value in values or []:
        name, sep, setting = value.partition("=")
        if not sep or not name:
            raise UserError(f"-s takes NAME=VALUE, got {value!r}")
        out[name] = setting
    return out
