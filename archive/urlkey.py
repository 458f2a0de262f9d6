"""URL spellings: the form a browser sends, and the canonical key that makes spellings one.

A crawl fetches a link as the page wrote it (only what a browser changes: fragment, case of
scheme and host, default port, characters a browser percent-encodes); the canonical form
(session ids out, query sorted, escapes normalised, path case folded on case-insensitive
servers) is only a key: the crawler's already-seen key and the index's lookup key.

Pure string work, never raises.  Which parameters carry a session is data
(``session_ids.toml``), read once; callers with rules of their own pass a ``SessionRules``.
"""
from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

SESSION_IDS_PATH = Path(__file__).resolve().parent / "session_ids.toml"
DEFAULT_PORTS = {"http": "80", "https": "443"}
CRAWLABLE_SCHEMES = frozenset({"http", "https"})
UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


def _escape_fixer(safe: str) -> re.Pattern:
    """Matches what a component may not keep as is: any escape (to normalise) and any
    character outside ``safe`` (to encode); a '%' without two hex digits is such a one."""
    return re.compile(r"%([0-9A-Fa-f]{2})|[^A-Za-z0-9\-._~" + re.escape(safe) + "]", re.DOTALL)


# RFC 3986 sub-delims plus ':' '@' (and '/' in paths, '/' '?' in queries) stay literal.
PATH_FIXER = _escape_fixer("!$&'()*+,;=:@/")
# "'" is encoded in queries, as browsers send it: a link with it keys like its request.
QUERY_PART_FIXER = _escape_fixer("!$()*+,;:@/?")  # '&' and '=' split the query
QUERY_FIXER = _escape_fixer("!$()*+,;:@/?&=")
# What a browser percent-encodes (WHATWG URL: the path and query percent-encode sets; an
# existing escape, and a stray '%', are sent as they are).
_BROWSER_PATH = re.compile(r"[^\x21-\x7e]|[\"#<>?`{}]")
_BROWSER_QUERY = re.compile(r"[^\x21-\x7e]|[\"#<>']")
# WHATWG URL parsing drops these anywhere in the input; browsers do, so do we.
_TAB_NEWLINE = re.compile(r"[\t\n\r]")
_C0_AND_SPACE = "".join(chr(c) for c in range(0x21))
# A run of escapes, after normalisation (so hex is upper-case until .lower()).
_ESCAPE_RUN = re.compile(r"(?:%[0-9a-fA-F]{2})+")
_PORT = re.compile(r"^[0-9]+$")
_IIS_SERVER = re.compile(r"microsoft-iis|microsoft-httpapi|sharepoint", re.IGNORECASE)


@dataclass(frozen=True)
class SessionRules:
    """Parameters and path segments that carry only a session, a login token or tracking."""
    params: frozenset[str]
    prefixes: tuple[str, ...] = ()
    path_session: re.Pattern | None = None        # ;jsessionid=ABC inside a segment
    cookieless_segment: re.Pattern | None = None  # /(S(abc))/ of ASP.NET

    def is_session_param(self, name: str) -> bool:
        lowered = name.lower()
        return lowered in self.params or lowered.startswith(self.prefixes)

    @classmethod
    def from_dict(cls, session: dict) -> "SessionRules":
        """From a ``[session]`` table: query_params, query_param_prefixes,
        path_param_names, cookieless_segment (a regex); raises re.error on a bad one."""
        names = [re.escape(n) for n in session.get("path_param_names", [])]
        segment = session.get("cookieless_segment")
        return cls(
            params=frozenset(n.lower() for n in session.get("query_params", [])),
            prefixes=tuple(p.lower() for p in session.get("query_param_prefixes", [])),
            path_session=re.compile(f";(?:{'|'.join(names)})=[^/;?&#]*", re.IGNORECASE) if names else None,
            cookieless_segment=re.compile(segment, re.IGNORECASE) if segment else None,
        )


@functools.lru_cache(maxsize=1)
def default_session_rules() -> SessionRules:
    with open(SESSION_IDS_PATH, "rb") as handle:
        return SessionRules.from_dict(tomllib.load(handle)["session"])


def browser_url(url: str) -> str:
    """``url`` as a browser sends it: no fragment, scheme and host lower-cased, no default
    port, spaces, quotes and non-ASCII percent-encoded (UTF-8); the path's case, the query's
    order, session ids and existing escapes are kept.  Not an http(s) URL: trimmed only."""
    text = _TAB_NEWLINE.sub("", str(url)).strip(_C0_AND_SPACE)
    try:
        parts = urlsplit(text)
    except ValueError:
        return text
    scheme = parts.scheme.lower()
    if scheme not in CRAWLABLE_SCHEMES or not parts.netloc:
        return text.split("#", 1)[0].strip(_C0_AND_SPACE)  # what was before the fragment, trimmed too
    path = _remove_dot_segments(_BROWSER_PATH.sub(_encode_char, parts.path) or "/")
    query = _BROWSER_QUERY.sub(_encode_char, parts.query)
    has_query = "?" in text.split("#", 1)[0]
    return f"{scheme}://{_canonical_netloc(parts.netloc, scheme)}{path}{'?' + query if has_query else ''}"


def canonical_url(url: str, *, case_insensitive_paths: bool = False, session: SessionRules | None = None,
                  schemes: Iterable[str] = CRAWLABLE_SCHEMES) -> str:
    """The canonical form of ``url``: lower-case scheme and host, no default port, no
    fragment, no session ids, sorted query, normalised escapes, path lower-cased on
    case-insensitive servers, no empty ``?``.  A string that is not an http(s) URL comes
    back trimmed but otherwise unchanged.  Idempotent."""
    return _canonical(str(url), case_insensitive_paths, session or default_session_rules(), frozenset(schemes))


# A crawl keys each URL many times over (the spider, the dupefilter, the revisit policy, the
# recorder and the index each ask for the links of the same few pages): a pure function's
# cache, small because the same URL comes back within a few pages.
@functools.lru_cache(maxsize=8192)
def _canonical(url: str, case_insensitive_paths: bool, session: SessionRules, schemes: frozenset) -> str:
    text = _TAB_NEWLINE.sub("", url).strip(_C0_AND_SPACE)
    try:
        parts = urlsplit(text)
    except ValueError:  # e.g. an unbalanced IPv6 bracket: not a URL we can fetch
        return text
    scheme = parts.scheme.lower()
    if scheme not in schemes or not parts.netloc:
        return text
    netloc = _canonical_netloc(parts.netloc, scheme)
    path = _canonical_path(parts.path, case_insensitive_paths, session)
    query = _canonical_query(parts.query, session)
    return f"{scheme}://{netloc}{path}{'?' + query if query else ''}"


def url_key(url: str, *, fold_case: bool = False, session: SessionRules | None = None) -> str:
    """The index's lookup key: the canonical form without scheme and ``www.``
    (``thoxuan.test/a?b=1&c=2``).  ``fold_case``: the path of a case-insensitive server."""
    canonical = canonical_url(url, case_insensitive_paths=fold_case, session=session)
    scheme, sep, rest = canonical.partition("://")
    if not sep or scheme not in CRAWLABLE_SCHEMES:
        return canonical
    if rest.startswith("www."):
        rest = rest[4:]
    return rest


def lookup_keys(url: str) -> tuple[str, str]:
    """The two keys a capture of ``url`` may be stored under: as spelled, and with the path
    case folded (how a capture of a case-insensitive server is stored)."""
    return url_key(url), url_key(url, fold_case=True)


def is_case_insensitive_server(headers: Mapping | Iterable | None) -> bool:
    """True when the response headers name an IIS/SharePoint server, whose paths are
    case-insensitive.  ``headers``: a mapping (Scrapy Headers too) or (name, value) pairs."""
    for name, value in _header_items(headers):
        lowered = _text(name).lower()
        if lowered in ("server", "microsoftsharepointteamservices", "x-sharepointhealthscore"):
            if lowered != "server" or _IIS_SERVER.search(_text(value)):
                return True
        elif lowered == "x-powered-by" and "asp.net" in _text(value).lower():
            return True
    return False


def host_of(url: str) -> str:
    """Canonical host name of ``url`` ('' when there is none); never raises."""
    try:
        netloc = urlsplit(_TAB_NEWLINE.sub("", str(url)).strip(_C0_AND_SPACE)).netloc
    except ValueError:
        return ""
    return host_of_netloc(netloc)


def host_of_netloc(netloc: str) -> str:
    """Canonical host of an already split ``user@host:port``."""
    host, _ = _split_host_port(netloc.rpartition("@")[2])
    return _canonical_host(host)


def _encode_char(match: re.Match) -> str:
    return "".join(f"%{b:02X}" for b in match.group().encode("utf-8", "surrogatepass"))


def _header_items(headers) -> Iterable[tuple]:
    if headers is None:
        return ()
    items = headers.items() if hasattr(headers, "items") else headers
    flat = []
    for name, value in items:
        # Scrapy's Headers hold a list of byte values per name.
        values = value if isinstance(value, (list, tuple)) else [value]
        flat.extend((name, v) for v in values)
    return flat


def _text(value) -> str:
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("latin-1")
    return str(value)


def _canonical_netloc(netloc: str, scheme: str) -> str:
    userinfo, at, hostport = netloc.rpartition("@")
    host, port = _split_host_port(hostport)
    if _PORT.match(port):
        port = str(int(port))
        if DEFAULT_PORTS.get(scheme) == port:
            port = ""
    # A port that is not a number is kept as written: nothing is silently lost.
    return f"{userinfo}{at}{_canonical_host(host)}{':' + port if port else ''}"


def _split_host_port(hostport: str) -> tuple[str, str]:
    if hostport.startswith("["):  # IPv6 literal: [::1]:8080
        end = hostport.find("]")
        if end != -1:
            rest = hostport[end + 1:]
            return hostport[: end + 1], rest[1:] if rest.startswith(":") else ""
        return hostport, ""
    host, colon, port = hostport.rpartition(":")
    return (host, port) if colon else (hostport, "")


def _canonical_host(host: str) -> str:
    host = host.lower().rstrip(".") if host not in (".", "") else host.lower()
    if host.isascii():
        return host
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:  # an invalid label: keep the lower-cased text
        return host


def _canonical_path(path: str, case_insensitive: bool, session: SessionRules) -> str:
    path = _normalise_escapes(path, PATH_FIXER)
    if case_insensitive:
        path = _normalise_escapes(_ESCAPE_RUN.sub(_lower_escape_run, path.lower()), PATH_FIXER)
    path = _strip_session_from_path(path, session)
    path = _remove_dot_segments(path)
    return path if path.startswith("/") else "/" + path


def _lower_escape_run(match: re.Match) -> str:
    """Lower-case the letters an escape run spells (%C3%81 'Á' -> %C3%A1 'á')."""
    raw = bytes(int(match.group()[i + 1: i + 3], 16) for i in range(0, len(match.group()), 3))
    try:
        text = raw.decode("utf-8").lower()
    except UnicodeDecodeError:  # not UTF-8 (e.g. windows-1258 bytes): leave the bytes
        return match.group()
    return "".join(f"%{b:02X}" for b in text.encode("utf-8"))


def _strip_session_from_path(path: str, session: SessionRules) -> str:
    for pattern in (session.path_session, session.cookieless_segment):
        if pattern is not None:
            path = _strip_repeatedly(pattern, path)
    return path


def _strip_repeatedly(pattern: re.Pattern, text: str) -> str:
    previous = None
    while previous != text:  # a removal can join two halves into a new match
        previous, text = text, pattern.sub("", text)
    return text


def _canonical_query(query: str, session: SessionRules) -> str:
    pairs = []
    if session.path_session is not None:  # broken link builders append ;jsessionid= after ?
        query = _strip_repeatedly(session.path_session, _normalise_escapes(query, QUERY_FIXER))
    for part in query.split("&"):
        if not part:
            continue
        name, eq, value = part.partition("=")
        name = _normalise_escapes(name, QUERY_PART_FIXER)
        if session.is_session_param(unquote(name, errors="replace")):
            continue
        pairs.append((name, f"{name}{eq}{_normalise_escapes(value, QUERY_PART_FIXER)}"))
    # Sort by name only: a stable sort keeps the order of repeated names (a[]=1&a[]=2).
    pairs.sort(key=lambda pair: pair[0])
    return "&".join(text for _, text in pairs)


def _normalise_escapes(text: str, needs_work: re.Pattern) -> str:
    """Decode escapes of unreserved characters, upper-case the other escapes, and
    percent-encode (as UTF-8) every character ``needs_work`` flags as unsafe."""
    if needs_work.search(text) is None:  # the common case: already clean
        return text
    return needs_work.sub(_fix_escape_or_char, text)


def _fix_escape_or_char(match: re.Match) -> str:
    hex_digits = match.group(1)
    if hex_digits is not None:
        decoded = chr(int(hex_digits, 16))
        return decoded if decoded in UNRESERVED else "%" + hex_digits.upper()
    return "".join(f"%{b:02X}" for b in match.group().encode("utf-8", "surrogatepass"))


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 section 5.2.4, on segments."""
    if "." not in path:
        return path
    segments = path.split("/")
    output: list[str] = []
    for segment in segments[1:] if path.startswith("/") else segments:
        if segment == "..":
            if output:
                output.pop()
        elif segment != ".":
            output.append(segment)
    if segments[-1] in (".", ".."):
        output.append("")  # /a/b/.. -> /a/
    return "/" + "/".join(output)
