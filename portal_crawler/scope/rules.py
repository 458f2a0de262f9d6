"""URL knowledge loaded from ``sites/url_rules.toml`` into one frozen object.

Everything site-specific about URLs (session ids, traps, print views, aliases) is data;
this module only compiles it, once, and fails at start on a bad file.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

from archive.urlkey import SessionRules, default_session_rules

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

DEFAULT_RULES_PATH = Path(__file__).resolve().parent.parent / "sites" / "url_rules.toml"

_FLAGS = re.IGNORECASE


def _compile(pattern: str | None) -> re.Pattern | None:
    return re.compile(pattern, _FLAGS) if pattern else None


@dataclass(frozen=True)
class NamedPattern:
    name: str
    pattern: re.Pattern


@dataclass(frozen=True)
class TrapRule:
    """An unbounded URL space: matched by path and/or by a query parameter name."""
    name: str
    cap: int
    path: re.Pattern | None
    query_names: re.Pattern | None

    def matches(self, path: str, query: tuple[tuple[str, str], ...]) -> bool:
        """``query``: decoded (name, value) pairs.  A parameter with an empty value does
        not count (Liferay paging links carry ``_keywords=``)."""
        if self.path is not None and self.path.search(path):
            return True
        if self.query_names is not None:
            return any(value and self.query_names.match(name) for name, value in query)
        return False


@dataclass(frozen=True)
class ViewRule:
    """A print view or an alias form; ``template`` rebuilds a path or a key."""
    name: str
    path: re.Pattern | None
    query: re.Pattern | None
    template: str | None
    drop_query: bool = False
    exclude: re.Pattern | None = None
    any_param: bool = False   # a query rule may match one parameter among others


@dataclass(frozen=True)
class GuardLimits:
    max_url_length: int
    max_query_params: int
    max_path_segments: int
    max_segment_repeats: int
    max_same_path_chain: int
    site_trap_cap: int


@dataclass(frozen=True)
class UrlRules:
    session: SessionRules
    crawlable_schemes: frozenset[str]
    skip_schemes: frozenset[str]
    document_extensions: frozenset[str]
    asset_extensions: frozenset[str]
    document_paths: tuple[NamedPattern, ...]
    asset_paths: tuple[NamedPattern, ...]
    skip_paths: tuple[NamedPattern, ...]
    skip_query: tuple[NamedPattern, ...]
    traps: tuple[TrapRule, ...]
    guard: GuardLimits
    paging_query_names: re.Pattern | None
    paging_path: re.Pattern | None
    print_views: tuple[ViewRule, ...]
    aliases: tuple[ViewRule, ...]

    def is_session_param(self, name: str) -> bool:
        return self.session.is_session_param(name)

    @classmethod
    def from_dict(cls, data: dict) -> "UrlRules":
        classify = data.get("classify", {})
        guard = data.get("guard", {})
        paging = data.get("paging", {})
        return cls(
            # session ids are the archive's data too (lookups by any spelling of a URL)
            session=SessionRules.from_dict(data["session"]) if "session" in data else default_session_rules(),
            crawlable_schemes=frozenset(data.get("schemes", {}).get("crawlable", ["http", "https"])),
            skip_schemes=frozenset(classify.get("skip_schemes", [])),
            document_extensions=frozenset(e.lower() for e in classify.get("document_extensions", [])),
            asset_extensions=frozenset(e.lower() for e in classify.get("asset_extensions", [])),
            document_paths=_named(classify.get("document_paths", [])),
            asset_paths=_named(classify.get("asset_paths", [])),
            skip_paths=_named(classify.get("skip_paths", [])),
            skip_query=_named(classify.get("skip_query", [])),
            traps=tuple(
                TrapRule(t["name"], int(t.get("cap", 0)), _compile(t.get("path")),
                         _compile(t.get("query_names")))
                for t in data.get("traps", [])
            ),
            guard=GuardLimits(
                max_url_length=int(guard.get("max_url_length", 1024)),
                max_query_params=int(guard.get("max_query_params", 16)),
                max_path_segments=int(guard.get("max_path_segments", 24)),
                max_segment_repeats=int(guard.get("max_segment_repeats", 3)),
                max_same_path_chain=int(guard.get("max_same_path_chain", 30)),
                site_trap_cap=int(guard.get("site_trap_cap", 3)),
            ),
            paging_query_names=_compile(paging.get("query_names")),
            paging_path=_compile(paging.get("path")),
            print_views=tuple(_view(v, "target") for v in data.get("print_views", [])),
            aliases=tuple(_view(v, "key") for v in data.get("aliases", [])),
        )


def _named(entries: list[dict]) -> tuple[NamedPattern, ...]:
    return tuple(NamedPattern(e["name"], re.compile(e["pattern"], _FLAGS)) for e in entries)


def _view(entry: dict, template_field: str) -> ViewRule:
    return ViewRule(
        name=entry["name"],
        path=_compile(entry.get("path")),
        query=_compile(entry.get("query")),
        template=entry.get(template_field),
        drop_query=bool(entry.get("drop_query", False)),
        exclude=_compile(entry.get("exclude")),
        any_param=bool(entry.get("any_param", False)),
    )


class RulesError(ValueError):
    """A URL rules file that cannot be read: says which file and what is wrong."""


def load_rules(path: str | Path | None = None) -> UrlRules:
    """Rules from a TOML file; the bundled file when ``path`` is None (read once).
    Raises RulesError on a missing file, bad TOML, a bad regex or a missing key."""
    if path is None:
        return _default_rules()
    return _read(Path(path))


@functools.lru_cache(maxsize=1)
def _default_rules() -> UrlRules:
    return _read(DEFAULT_RULES_PATH)


def _read(path: Path) -> UrlRules:
    try:
        with open(path, "rb") as handle:
            return UrlRules.from_dict(tomllib.load(handle))
    except OSError as error:
        raise RulesError(f"{path}: cannot read URL rules ({error.strerror})") from error
    except tomllib.TOMLDecodeError as error:
        raise RulesError(f"{path}: not valid TOML ({error})") from error
    except re.error as error:
        raise RulesError(f"{path}: bad regex {error.pattern!r} ({error})") from error
    except (KeyError, TypeError, ValueError) as error:
        raise RulesError(f"{path}: malformed entry ({error!r})") from error
