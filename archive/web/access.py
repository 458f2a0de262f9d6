"""Who may read the archive: loopback by default, a token elsewhere, or an explicit public mode."""
from __future__ import annotations

import hashlib
import hmac
import ipaddress
from dataclasses import dataclass

TOKEN_COOKIE = "portal_archive_token"
LOOPBACK_NAMES = ("localhost",)


class UnsafeBindError(PermissionError):
    """Raised by serve() for a non-loopback address without a token or public mode."""


class AccessConflict(ValueError):
    """A token and public mode together: public mode opens everything (the app only reads),
    so the token would protect nothing while looking as if it did."""


def is_loopback(host: str) -> bool:
    name = host.strip("[]").lower()
    if name in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def check_bind(host: str, token: str | None, public: bool) -> None:
    if is_loopback(host) or token or public:
        return
    raise UnsafeBindError(
        f"refusing to serve the archive on {host} without protection: "
        "give --token T (readers need it) or --public (open, read-only)")


@dataclass(frozen=True)
class AccessPolicy:
    token: str | None = None
    public: bool = False

    def __post_init__(self):
        if self.token and self.public:
            raise AccessConflict("give a token or public mode, not both: public mode lets anyone "
                                 "read without the token")

    @property
    def needs_token(self) -> bool:
        return bool(self.token) and not self.public

    def token_matches(self, candidate: str | None) -> bool:
        return bool(candidate) and hmac.compare_digest(candidate.encode(), (self.token or "").encode())

    def raw_key(self) -> str:
        """A capability for archived content only.

        Requests made from inside the sandboxed frame come from an opaque origin, so the
        browser does not send the token cookie with them; the key in their path stands in.
        """
        if not self.needs_token:
            return ""
        return hmac.new(self.token.encode(), b"raw-archive-content", hashlib.sha256).hexdigest()[:32]

    def raw_key_matches(self, candidate: str | None) -> bool:
        return bool(candidate) and hmac.compare_digest(candidate.encode(), self.raw_key().encode())

    def allows(self, headers: dict[str, str], cookies: dict[str, str]) -> bool:
        if not self.needs_token:
            return True
        authorization = headers.get("authorization", "")
        if authorization.lower().startswith("bearer ") and self.token_matches(authorization[7:].strip()):
            return True
        return self.token_matches(cookies.get(TOKEN_COOKIE))
