"""One crawl per site at a time: advisory lock files under DATA/locks/.

An fcntl (flock) lock belongs to the open file of the process that took it, so the kernel
releases it when that process dies, even by kill -9: a crashed crawl never leaves a site
locked, and there is no stale-lock guessing. The file also holds who took the lock (pid,
host, since, targets) so a refused caller can say who is crawling. flock is reliable on a
local file system; keep DATA on local disk (SQLite needs that too).
"""
from __future__ import annotations

import fcntl
import json
import os
import re
import socket
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit

# Keys whose lock this process inherited, already held, from the parent that started it
# (the scheduler passes its lock file descriptors to the crawl it starts): while either
# process lives the site stays locked, and the child must not lock it a second time.
INHERITED_ENV = "PORTAL_ARCHIVE_INHERITED_LOCKS"


class SiteBusy(RuntimeError):
    """The site is being crawled by another process; str() says which."""

    def __init__(self, key: str, holder: dict | None):
        self.key, self.holder = key, holder or {}
        who = (f"pid {self.holder.get('pid')} on {self.holder.get('host')} since {self.holder.get('since')}"
               if self.holder else "another process")
        super().__init__(f"site {key} is already being crawled by {who}")


def lock_key(target: str) -> str:
    """The lock name of a crawl target: a start URL locks its host, a site id itself."""
    name = (urlsplit(target).hostname or target) if "://" in target else target
    name = name.strip().lower()
    name = name[4:] if name.startswith("www.") else name      # www.host and host are one site
    return re.sub(r"[^a-z0-9._-]", "_", name) or "_"


def locks_dir(data_dir) -> Path:
    return Path(data_dir) / "locks"


def read_holder(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text(encoding="utf-8") or "null")
    except (OSError, ValueError):
        return None


def write_holder(handle, **fields) -> None:
    """Say in a lock file just taken who holds it: pid, host, since, and `fields`."""
    handle.seek(0)
    handle.truncate()
    handle.write(json.dumps({"pid": os.getpid(), "host": socket.gethostname(),
                             "since": datetime.now(timezone.utc).isoformat(timespec="seconds"), **fields}))
    handle.flush()


def holder(data_dir, key: str) -> dict | None:
    """Who holds the lock of key now, or None when it is free."""
    path = locks_dir(data_dir) / f"{key}.lock"
    if not path.exists():
        return None
    with open(path, "a+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return read_holder(path) or {}
        fcntl.flock(handle, fcntl.LOCK_UN)
        return None


class HeldLocks:
    """The locks a site_lock block holds: pass `fds` and `env()` to a child process that
    should keep the sites locked even if this process dies first."""

    def __init__(self, keys, handles):
        self.keys, self.handles = list(keys), handles

    @property
    def fds(self) -> tuple[int, ...]:
        return tuple(h.fileno() for h in self.handles)

    def env(self) -> dict[str, str]:
        return {INHERITED_ENV: json.dumps({k: h.fileno() for k, h in zip(self.keys, self.handles)})}


def inherited_keys(directory: Path) -> set[str]:
    """Keys whose lock file this process really holds open through an inherited descriptor
    (checked by inode, so a stray environment variable cannot switch locking off)."""
    try:
        claimed = json.loads(os.environ.get(INHERITED_ENV) or "{}")
    except ValueError:
        return set()
    keys = set()
    for key, fd in claimed.items():
        try:
            if os.fstat(int(fd)).st_ino == (directory / f"{key}.lock").stat().st_ino:
                keys.add(key)
        except (OSError, ValueError, TypeError):
            continue
    return keys


def try_flock(handle, attempts: int = 3) -> bool:
    # A few quick retries: holder() probes by locking for an instant.
    for attempt in range(attempts):
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if attempt + 1 < attempts:
                time.sleep(0.05)
    return False


@contextmanager
def site_lock(data_dir, keys, targets=None):
    """Hold the locks of every key (sorted, all or none) or raise SiteBusy at once."""
    directory = locks_dir(data_dir)
    directory.mkdir(parents=True, exist_ok=True)
    inherited = inherited_keys(directory)
    wanted = sorted(set(keys))
    held = []
    try:
        for key in (k for k in wanted if k not in inherited):
            path = directory / f"{key}.lock"
            handle = open(path, "a+", encoding="utf-8")
            if not try_flock(handle):
                handle.close()
                raise SiteBusy(key, read_holder(path)) from None
            held.append(handle)
            write_holder(handle, targets=list(targets or keys))
        yield HeldLocks([k for k in wanted if k not in inherited], held)
    finally:
        # Close, never LOCK_UN: a child that inherited the descriptor keeps the lock alive.
        # The file's holder text may go stale; readers trust the lock, not the text.
        for handle in held:
            handle.close()
