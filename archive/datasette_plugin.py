"""Datasette plugin: makes Datasette's search box work on the archive's folded FTS index.

The index holds folded text (archive/textfold.py), so a search must be folded the
same way.  Datasette runs `... match escape_fts(:search)`; this plugin replaces
`escape_fts` on every connection with one that parses the query like
`portal-archive search` (plain words, "phrases", abbreviations) and folds it, and
adds SQL functions `fold(text)` and `vn_match(query)` (the FTS5 expression) for
hand-written SQL:

    select title from articles where id in
      (select rowid from articles_fts where articles_fts match vn_match('nong thon moi'))

Use: `pip install portal-archive[datasette]` registers it (entry point
`datasette: portal_archive = archive.datasette_plugin`); then
`datasette DATA/index.sqlite` and the articles table shows a search box.  Without
installing, `datasette --plugins-dir` cannot load it (it imports `archive`).
"""

from __future__ import annotations

import logging

from datasette import hookimpl

from archive import textfold
from archive.search import QueryError, load_abbreviations, parse_query, to_fts

log = logging.getLogger(__name__)

# Matches no row (a valid FTS5 expression for a query with no word in it).
MATCH_NOTHING = '"zzznomatch"'


def vn_match(query) -> str:
    """FTS5 expression of a plain-text query, folded like the index."""
    if not isinstance(query, str):
        return MATCH_NOTHING
    try:
        tree = parse_query(query)
    except QueryError as error:  # plain parsing never raises; kept for safety
        log.warning("cannot parse %r: %s", query, error)
        return MATCH_NOTHING
    return to_fts(tree, load_abbreviations()) if tree is not None else MATCH_NOTHING


# trylast: run after Datasette's own prepare_connection, so this escape_fts wins.
@hookimpl(trylast=True)
def prepare_connection(conn):
    textfold.register_sql_functions(conn)
    conn.create_function("vn_match", 1, vn_match, deterministic=True)
    conn.create_function("escape_fts", 1, vn_match, deterministic=True)
