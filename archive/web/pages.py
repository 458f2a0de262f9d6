"""Template rendering: one Jinja2 environment per app, autoescaping every value it prints."""
from __future__ import annotations

import re

import jinja2
from markupsafe import Markup, escape

from archive.search import HIGHLIGHT
from archive.web import timefmt


def make_environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("archive.web", "templates"),
        autoescape=True,
        undefined=jinja2.ChainableUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters.update(
        date=timefmt.display,
        seconds=timefmt.display_seconds,
        iso=timefmt.iso_utc,
        stamp=timefmt.stamp14,
        number=format_number,
        highlight=highlight,
    )
    return environment


@jinja2.pass_context
def format_number(context, value) -> str:
    """1.234 in Vietnamese, 1,234 in English."""
    try:
        text = f"{int(value):,}"
    except (TypeError, ValueError):
        return str(value)
    return text.replace(",", ".") if context.get("lang") == "vi" else text


def highlight(snippet: str | None) -> Markup:
    """The snippet escaped, with archive.search's match markers turned back into <mark>.

    Everything in a snippet is archived text, so it is escaped first; only the marker
    pairs become markup.
    """
    if not snippet:
        return Markup("")
    opening, closing = HIGHLIGHT
    pattern = re.compile(re.escape(opening) + "(.*?)" + re.escape(closing), re.DOTALL)
    pieces, last = [], 0
    for match in pattern.finditer(snippet):
        pieces.append(escape(snippet[last:match.start()]))
        pieces.append(Markup("<mark>") + escape(match.group(1)) + Markup("</mark>"))
        last = match.end()
    pieces.append(escape(snippet[last:]))
    return Markup("").join(pieces)
