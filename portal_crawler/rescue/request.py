"""Arguments of `portal-archive import` -> an ImportRequest (checked before anything runs)."""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

from portal_crawler.errors import UserError

from .importer import WAYBACK_CDX, WAYBACK_REPLAY, ImportRequest, ImportSettings, Target

HOST = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+(:\d+)?$")
DATE = re.compile(r"^(\d{4})(?:-?(\d\d))?(?:-?(\d\d))?(\d{0,6})$")


def cdx_date(value: str | None, flag: str) -> str | None:
    """YYYY, YYYY-MM, YYYY-MM-DD or up to 14 digits -> the CDX API's digits."""
    if value is None:
        return None
    match = DATE.match(value.strip())
    if not match:
        raise UserError(f"{flag} takes YYYY, YYYY-MM-DD or a 14-digit timestamp, got {value!r}")
    return "".join(part or "" for part in match.groups())


def resolve_targets(targets: list[str]) -> list[Target]:
    from portal_crawler.sites.registry import RegistryError, load_registry
    registry = load_registry()
    resolved = []
    for target in targets:
        if target in registry:
            profile = registry.get(target)
            resolved.append(Target(profile.id, tuple(profile.hosts), profile.to_dict()))
            continue
        host = (urlsplit(target).netloc if "://" in target else target).lower().rstrip("/")
        if not HOST.match(host):
            try:
                registry.get(target)  # says "unknown site id ..., did you mean"
            except RegistryError as exc:
                raise UserError(f"{exc}; or give a host name") from None
        resolved.append(Target(host, (host,)))
    return resolved


def replay_of(cdx: str | None, replay: str | None, byte_ranges: bool) -> str:
    """The replay prefix. With neither flag, the Wayback Machine's; a pywb collection's CDX
    (`.../COLL/cdx`, as pywb serves it) implies its replay (`.../COLL/`); any other CDX
    needs --replay (unless records come as byte ranges): listing one archive and fetching
    from another would import the wrong payloads or none."""
    if replay:
        if not cdx:
            raise UserError("--replay needs --cdx (the CDX server of the same archive)")
        replay = _url(replay, "--replay")
        return replay if replay.endswith("/") else replay + "/"
    if not cdx:
        return WAYBACK_REPLAY
    parts = urlsplit(cdx)
    segments = parts.path.split("/")
    if not parts.query and len(segments) == 3 and segments[0] == "" and segments[1] and segments[2] == "cdx":
        return f"{parts.scheme}://{parts.netloc}/{segments[1]}/"
    if byte_ranges:
        return WAYBACK_REPLAY  # not used: records come from IMPORT_WARC_URL
    raise UserError(f"--cdx {cdx} needs --replay (the prefix under which {{timestamp}}id_/{{url}} is the original);"
                    " only a pywb collection's .../COLL/cdx implies it")


def _url(value: str, flag: str) -> str:
    if not value.startswith(("http://", "https://")):
        raise UserError(f"{flag} must be an http(s) URL, got {value!r}")
    return value


def import_request(args, data_dir: Path, pairs: dict) -> ImportRequest:
    try:
        settings = ImportSettings.from_pairs(pairs)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    if args.limit is not None and args.limit < 1:
        raise UserError("--limit must be at least 1")
    if settings.warc_url:
        _url(settings.warc_url, "IMPORT_WARC_URL")
    cdx = _url(args.cdx, "--cdx") if args.cdx else None
    replay = replay_of(cdx, args.replay, bool(settings.warc_url))
    since, until = cdx_date(args.since, "--from"), cdx_date(args.until, "--to")
    if since and until and since.ljust(14, "0") > until.ljust(14, "9"):
        raise UserError(f"--from {args.since} is after --to {args.until}")
    return ImportRequest(targets=resolve_targets(args.targets), data_dir=data_dir,
                         cdx=cdx or WAYBACK_CDX, replay=replay, since=since, until=until,
                         limit=args.limit, settings=settings, pairs=pairs)
