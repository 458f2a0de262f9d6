"""The crawl's HTTP proxy and its credentials, kept apart from each other.

A proxy URL may carry credentials (`http://user:password@host:3128`). They are split off
as soon as the URL comes in: the public part (`http://host:3128`) goes into the settings,
the crawls table, schedules and reports; the credentials travel only as a
`ProxyCredentials` (whose repr hides them) to the proxy middleware, which sends them to
the proxy. The recorder never archives the Proxy-Authorization header they become.

A schedule runs later, in another process, so its proxy's credentials are kept in
DATA/proxy-credentials (mode 0600, one proxy URL with credentials a line), never in the
index; a crawl whose proxy URL has no credentials takes them from there.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from archive.redact import redact_text
from archive.warc_redact import PROXY_REQUEST_HEADERS

CREDENTIALS_FILE = "proxy-credentials"
# Request headers addressed to the proxy, never seen by the origin server: neither archived
# nor put on a shared queue.
PROXY_HEADERS = frozenset(name.encode("ascii") for name in PROXY_REQUEST_HEADERS)


class ProxyError(ValueError):
    """A proxy URL or credentials file that cannot be used; the message is for the user."""


@dataclass(frozen=True, repr=False)
class ProxyCredentials:
    """The userinfo of a proxy URL, as written (percent-encoded)."""
    userinfo: str

    def __repr__(self) -> str:
        return "ProxyCredentials(***)"

    __str__ = __repr__

    def url_for(self, public_url: str) -> str:
        parts = urlsplit(public_url)
        return urlunsplit((parts.scheme, f"{self.userinfo}@{parts.netloc}", parts.path, parts.query, ""))


def split_proxy(url: str) -> tuple[str, ProxyCredentials | None]:
    """(the URL without credentials, its credentials or None); ProxyError when url is not
    an http(s) proxy URL."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:  # an unclosed IPv6 bracket, a port that is no number
        parts, port = urlsplit(""), -1
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname or port == -1:
        raise ProxyError(f"not an http(s) proxy URL: {redact_text(url)!r} (expected http://host:port)")
    userinfo, _, hostport = parts.netloc.rpartition("@")
    public = urlunsplit((parts.scheme.lower(), hostport.lower(), parts.path, parts.query, ""))
    return public, (ProxyCredentials(userinfo) if userinfo else None)


def _proxy_key(url: str) -> tuple[str, str, int]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    return scheme, (parts.hostname or "").lower(), parts.port or (443 if scheme == "https" else 80)


def credentials_path(data_dir) -> Path:
    return Path(data_dir) / CREDENTIALS_FILE


def _credential_lines(path: Path) -> list[str]:
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return []
    if mode & 0o077:
        raise ProxyError(f"{path} is readable by others: `chmod 600 {path}`")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ProxyError(f"cannot read {path}: {exc}") from None
    return [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def stored_credentials(data_dir, public_url: str) -> ProxyCredentials | None:
    """The credentials DATA/proxy-credentials keeps for this proxy, if any."""
    path = credentials_path(data_dir)
    for line in _credential_lines(path):
        try:
            public, credentials = split_proxy(line)
        except ProxyError as exc:
            raise ProxyError(f"{path}: {exc}") from None
        if credentials is not None and _proxy_key(public) == _proxy_key(public_url):
            return credentials
    return None


def store_credentials(data_dir, url: str) -> str:
    """Keep url's credentials in DATA/proxy-credentials (mode 0600, replacing an earlier
    entry for the same proxy); returns the public URL, to be stored instead of url."""
    public, credentials = split_proxy(url)
    if credentials is None:
        return public
    path = credentials_path(data_dir)
    kept = [line for line in _credential_lines(path) if _proxy_key(split_proxy(line)[0]) != _proxy_key(public)]
    text = "".join(f"{line}\n" for line in [*kept, credentials.url_for(public)])
    partial = path.with_name(path.name + ".new")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text)
    os.replace(partial, path)
    return public


def proxy_settings(url: str, data_dir) -> dict:
    """The Scrapy settings for a crawl through url: PORTAL_PROXY without credentials and
    PORTAL_PROXY_CREDENTIALS (from url, else from DATA/proxy-credentials, else None)."""
    public, credentials = split_proxy(url)
    return {"PORTAL_PROXY": public,
            "PORTAL_PROXY_CREDENTIALS": credentials or stored_credentials(data_dir, public)}


def without_stored_credentials(settings: dict, data_dir) -> dict:
    """A schedule's -s settings with the proxy's credentials moved to DATA/proxy-credentials."""
    if not settings.get("PORTAL_PROXY"):
        return settings
    return {**settings, "PORTAL_PROXY": store_credentials(data_dir, settings["PORTAL_PROXY"])}
