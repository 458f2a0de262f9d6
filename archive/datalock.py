"""One index writer at a time per data directory: an flock on DATA/locks/index.lock.

`index` and `index --rebuild` hold it exclusively; crawls hold it shared (several crawls of
different sites may add to the index together, but never while it is being re-read or
rebuilt from the WARCs, which would count their records twice or lose them at the swap).
Like the site locks (archive/sitelock.py) the kernel releases an flock when its process
dies, even by kill -9, so a killed writer never leaves the directory locked. The file holds
who took the lock, for the message a refused caller prints.
"""
from __future__ import annotations

import fcntl
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from archive.sitelock import locks_dir, read_holder, write_holder

LOCK_NAME = "index.lock"
POLL_SECONDS = 0.2


class DataDirBusy(RuntimeError):
    """Another process writes to the index of this data directory; str() says which."""

    def __init__(self, data_dir, holder: dict | None):
        self.holder = holder or {}
        what = self.holder.get("command") or "index"
        pid = f" (pid {self.holder['pid']})" if self.holder.get("pid") else ""
        if what == "crawl":
            super().__init__(f"a crawl is writing to the index of {data_dir}{pid}")
        else:
            super().__init__(f"another {what} is running on {data_dir}{pid}")


@contextmanager
def index_lock(data_dir, command: str = "index", *, exclusive: bool = True,
               wait: float = 0.0) -> Iterator[None]:
    """Hold the data directory's index lock (exclusive or shared), waiting at most `wait`
    seconds for it; DataDirBusy when it stays taken."""
    directory = locks_dir(data_dir)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / LOCK_NAME
    handle = open(path, "a+", encoding="utf-8")
    try:
        mode = fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH
        deadline = time.monotonic() + max(wait, 0.0)
        while True:
            try:
                fcntl.flock(handle, mode | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise DataDirBusy(Path(data_dir), read_holder(path)) from None
                time.sleep(POLL_SECONDS)
        # With shared holders the text names the newest one; readers trust the lock, not the text.
        write_holder(handle, command=command)
        yield
    finally:
        handle.close()
