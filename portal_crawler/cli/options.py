"""Argument parsing shared by every command group: the parser class and the common options."""
from __future__ import annotations

import argparse
import os

from portal_crawler.errors import UserError

DEFAULT_DATA = "archive-data"


class Parser(argparse.ArgumentParser):
    """Usage errors exit 2 with argparse's one-line message (no traceback).

    dash_positionals: a word starting with "-" that names none of the command's options is
    a positional (`search -foo` searches for "-foo"; `--` works too)."""

    def __init__(self, *args, dash_positionals: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.dash_positionals = dash_positionals

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message}\n")

    def _parse_optional(self, arg_string):
        if self.dash_positionals and arg_string.startswith("-") and arg_string != "--" \
                and not self._names_an_option(arg_string):
            return None
        return super()._parse_optional(arg_string)

    def _names_an_option(self, arg_string: str) -> bool:
        name = arg_string.split("=", 1)[0]
        options = self._option_string_actions
        return name in options or (name.startswith("--") and self.allow_abbrev
                                   and any(option.startswith(name) for option in options))


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
