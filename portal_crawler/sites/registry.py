"""The site registry: which portals exist, their hosts and start URLs, as TOML data.

    registry = load_registry(["my-sites.toml"])      # bundled files + a user's own
    profile = registry.get("thoxuan-thanhhoa")       # SiteProfile, or UnknownSiteError

Bundled files: `sites/registry.toml` (real district portals) and `demo/registry.toml` (the
demo portals). A file holds `[[site]]` tables; see the header of sites/registry.toml for the
keys. A later file's profile replaces an earlier one with the same id, so a user can
override a bundled profile; a duplicate id inside one file is an error.
"""
from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

PACKAGE = Path(__file__).resolve().parent.parent
BUILTIN_FILES = (PACKAGE / "sites" / "registry.toml", PACKAGE / "demo" / "registry.toml")
SITE_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
HOST = re.compile(r"^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]*[a-z0-9]$")


class RegistryError(Exception):
    """A registry file that cannot be read or is malformed, or an unknown site id."""


class UnknownSiteError(RegistryError, KeyError):
    def __str__(self) -> str:  # KeyError would print the message in quotes
        return str(self.args[0])


@dataclass(frozen=True)
class SiteProfile:
    id: str
    name: str
    hosts: tuple[str, ...]              # the first is the primary host
    start_urls: tuple[str, ...]
    province: str | None = None
    district: str | None = None
    family: str | None = None           # CMS family (sites/cms/<family>.toml), None = detect
    verified: bool = False              # host confirmed from a public source
    verification: str | None = None     # how it was (or was not) confirmed
    sitemaps: tuple[str, ...] = ()      # sitemap URLs to read besides robots.txt's
    trap_patterns: tuple[str, ...] = ()  # URL regexes of unbounded spaces (calendars...)
    deny_patterns: tuple[str, ...] = ()  # URL regexes never to fetch
    case_insensitive: bool = False      # IIS/SharePoint: paths differing in case are one page
    notes: str | None = None
    # after the 2025 reorganisation: live, redirected (to redirects_to), gone or unknown
    status: str = "unknown"
    redirects_to: str | None = None
    successor: str | None = None        # the unit that took over (province, commune...)
    status_checked: str | None = None   # when and how the status was seen, or "unverified"
    source_file: str | None = field(default=None, compare=False)

    @property
    def primary_host(self) -> str:
        return self.hosts[0]

    def sitemap_urls(self) -> list[str]:
        return list(self.sitemaps)

    def to_dict(self) -> dict:
        data = asdict(self)
        for key, value in data.items():
            if isinstance(value, tuple):
                data[key] = list(value)
        return data

    @classmethod
    def from_url(cls, url: str) -> "SiteProfile":
        """A profile for a bare start URL: the site is the URL's host, the layout is detected."""
        host = _host_of(url)
        if not host:
            raise RegistryError(f"not an http(s) start URL: {url}")
        return cls(id=host, name=host, hosts=(host,), start_urls=(url,),
                   verification="given as a start URL, not from the registry")


def _host_of(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return None
    return parts.hostname


class Registry:
    """Profiles by id, in file order."""

    def __init__(self, profiles: Iterable[SiteProfile] = ()):
        self._profiles: dict[str, SiteProfile] = {}
        for profile in profiles:
            self._profiles[profile.id] = profile

    def get(self, site_id: str) -> SiteProfile:
        """The profile with this id (or this host)."""
        profile = self._profiles.get(site_id)
        if profile is not None:
            return profile
        by_host = [p for p in self._profiles.values() if site_id.lower() in p.hosts]
        if len(by_host) == 1:
            return by_host[0]
        hint = _suggest(site_id, self._profiles)
        raise UnknownSiteError(f"unknown site id {site_id!r}{hint}; "
                               "give a start URL instead, or your own profile file (--profile FILE)")

    def profiles(self) -> list[SiteProfile]:
        return list(self._profiles.values())

    def ids(self) -> list[str]:
        return list(self._profiles)

    def __contains__(self, site_id: str) -> bool:
        return site_id in self._profiles

    def __len__(self) -> int:
        return len(self._profiles)

    def __iter__(self):
        return iter(self._profiles.values())


def _suggest(site_id: str, profiles: dict[str, SiteProfile]) -> str:
    close = [i for i in profiles if i.startswith(site_id.lower()) or site_id.lower() in i]
    return f" (did you mean {', '.join(sorted(close)[:3])}?)" if close else ""


def load_registry(extra_paths: Iterable[str | Path] = (), include_builtin: bool = True) -> Registry:
    """The bundled registry files (unless `include_builtin` is false), then `extra_paths`."""
    paths = list(BUILTIN_FILES) if include_builtin else []
    paths += [Path(p) for p in extra_paths if p]
    seen: set[Path] = set()
    profiles: list[SiteProfile] = []
    for path in paths:
        resolved = Path(path).expanduser().resolve()
        if resolved in seen:
            continue  # the same file named twice (e.g. the demo registry) loads once
        seen.add(resolved)
        profiles += load_file(resolved)
    return Registry(profiles)


def load_file(path: str | Path) -> list[SiteProfile]:
    """The profiles of one registry file; RegistryError naming the file and the site."""
    path = Path(path)
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except OSError as error:
        raise RegistryError(f"cannot read site registry {path}: {error.strerror or error}") from None
    except tomllib.TOMLDecodeError as error:
        raise RegistryError(f"site registry {path} is not valid TOML: {error}") from None
    except UnicodeDecodeError as error:  # TOML is UTF-8 only; a file saved as windows-1258 is not
        raise RegistryError(f"site registry {path} is not UTF-8 text (byte {error.start}): "
                            "save it as UTF-8") from None
    unknown = set(data) - {"format", "site"}
    if unknown:
        raise RegistryError(f"site registry {path}: unknown top-level key(s) {', '.join(sorted(unknown))}; "
                            "sites go in [[site]] tables")
    if data.get("format", 1) != 1:
        raise RegistryError(f"site registry {path}: unsupported format {data['format']!r} (expected 1)")
    sites = data.get("site", [])
    if not isinstance(sites, list):
        raise RegistryError(f"site registry {path}: `site` must be an array of tables ([[site]])")
    profiles, ids = [], set()
    for number, raw in enumerate(sites, start=1):
        profile = _profile(raw, f"site registry {path}, site #{number}", str(path))
        if profile.id in ids:
            raise RegistryError(f"site registry {path}: site id {profile.id!r} appears twice")
        ids.add(profile.id)
        profiles.append(profile)
    return profiles


_TEXT_FIELDS = ("province", "district", "family", "verification", "notes", "redirects_to", "successor",
                "status_checked")
STATUSES = ("live", "redirected", "gone", "unknown")
_LIST_FIELDS = ("hosts", "start_urls", "sitemaps", "trap_patterns", "deny_patterns")
_BOOL_FIELDS = ("verified", "case_insensitive")
_KNOWN = {"id", "name", "status", *_TEXT_FIELDS, *_LIST_FIELDS, *_BOOL_FIELDS}


def _profile(raw, where: str, source: str) -> SiteProfile:
    if not isinstance(raw, dict):
        raise RegistryError(f"{where}: expected a table")
    site_id = raw.get("id")
    where = f"{where} ({site_id})" if isinstance(site_id, str) else where
    unknown = set(raw) - _KNOWN
    if unknown:
        raise RegistryError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    for key in ("id", "name", "hosts", "start_urls"):
        if key not in raw:
            raise RegistryError(f"{where}: missing required key `{key}`")
    if not isinstance(site_id, str) or not SITE_ID.match(site_id):
        raise RegistryError(f"{where}: id must be lower-case letters, digits and '-', got {site_id!r}")
    if not isinstance(raw["name"], str) or not raw["name"].strip():
        raise RegistryError(f"{where}: name must be a non-empty string")
    values = {}
    for key in _TEXT_FIELDS:
        if raw.get(key) is not None and not isinstance(raw[key], str):
            raise RegistryError(f"{where}: `{key}` must be a string")
        values[key] = raw.get(key) or None
    for key in _LIST_FIELDS:
        items = raw.get(key, [])
        if not isinstance(items, list) or not all(isinstance(i, str) and i for i in items):
            raise RegistryError(f"{where}: `{key}` must be a list of non-empty strings")
        values[key] = tuple(items)
    for key in _BOOL_FIELDS:
        if not isinstance(raw.get(key, False), bool):
            raise RegistryError(f"{where}: `{key}` must be true or false")
        values[key] = raw.get(key, False)
    _check_urls(values, where)
    values["status"] = raw.get("status", "unknown")
    if values["status"] not in STATUSES:
        raise RegistryError(f"{where}: `status` must be one of {', '.join(STATUSES)}, got {values['status']!r}")
    if values["redirects_to"] and _host_of(values["redirects_to"]) is None:
        raise RegistryError(f"{where}: `redirects_to` must be an http(s) URL")
    return SiteProfile(id=site_id, name=raw["name"].strip(), source_file=source, **values)


def _check_urls(values: dict, where: str) -> None:
    hosts = values["hosts"]
    if not hosts:
        raise RegistryError(f"{where}: `hosts` must name at least one host")
    for host in hosts:
        if not HOST.match(host):
            raise RegistryError(f"{where}: {host!r} is not a lower-case host name")
    if not values["start_urls"]:
        raise RegistryError(f"{where}: `start_urls` must hold at least one URL")
    for url in values["start_urls"] + values["sitemaps"]:
        host = _host_of(url)
        if host is None:
            raise RegistryError(f"{where}: {url!r} is not an http(s) URL")
        if host not in hosts:
            raise RegistryError(f"{where}: {url!r} is not on the site's hosts ({', '.join(hosts)})")
    for pattern in values["trap_patterns"] + values["deny_patterns"]:
        try:
            re.compile(pattern)
        except re.error as error:
            raise RegistryError(f"{where}: bad pattern {pattern!r}: {error}") from None
