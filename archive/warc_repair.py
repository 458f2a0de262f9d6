"""Closing WARC files left `.open` by a crash, without losing a byte.

A killed writer leaves at most one torn record at the end of its `.open` file. When that
torn tail is the only damage, its bytes are first copied to `damaged/NAME.OFFSET.tail`
beside the WARC files (fsynced), then cut from the file, which is closed (drops `.open`):
`cat NAME damaged/NAME.OFFSET.tail` gives the file as the crash left it. Anything else is
left exactly as it is and reported: damage before the last whole record (a flipped byte,
a bad sector: the records after it are still read, see warc_scan), or a file with no
whole record at all (not a WARC, or its first record spoilt). Files a live writer still
holds (flock) are not touched.
"""
from __future__ import annotations

import fcntl
import glob
import logging
import os
import time
from dataclasses import dataclass, field

from archive.warc_scan import Damage, WarcScan

log = logging.getLogger(__name__)

FRESH_EMPTY_SECONDS = 60
DAMAGED_DIR = "damaged"


@dataclass(frozen=True)
class RepairReport:
    filename: str          # final name (without `.open`)
    records_kept: int
    size_kept: int
    bytes_cut: int
    problem: str | None    # what was wrong, None when the file was whole
    removed: bool = False  # True only for an empty file (no byte to lose)
    left_as_is: bool = False   # damaged or not a WARC: the `.open` file was not touched
    tail_kept: str | None = None   # where the cut tail's bytes were kept
    damage: tuple[Damage, ...] = field(default=())

    def describe(self) -> str:
        if self.tail_kept:
            return f"torn tail of {self.filename}: {self.bytes_cut} bytes kept in {self.tail_kept}"
        if self.left_as_is:
            return f"{self.filename}.open left as it is: {self.problem}"
        return f"closed {self.filename}"


def repair_file(path: str) -> RepairReport | None:
    """Close one `.open` file; None when a live writer holds it."""
    final = path[: -len(".open")]
    name = os.path.basename(final)
    try:
        fh = open(path, "r+b")
    except PermissionError as exc:   # e.g. another worker's directory, mounted read-only
        log.info("%s cannot be closed here (%s); read as it is", path, exc.strerror)
        return RepairReport(name, 0, 0, 0, f"not writable: {exc.strerror}", left_as_is=True)
    with fh:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log.info("%s is being written by a live process; not repairing", path)
            return None
        stat = os.fstat(fh.fileno())
        size = stat.st_size
        if size == 0:
            if time.time() - stat.st_mtime < FRESH_EMPTY_SECONDS:
                return None  # a writer that has just created the file and not yet locked it
            os.remove(path)
            return RepairReport(name, 0, 0, 0, "empty file", removed=True)
        scan = WarcScan(path)
        for _ in scan:
            pass
        damage = tuple(scan.damage)
        if not damage:
            report = RepairReport(name, scan.records, size, 0, None)
        elif scan.records == 0 or len(damage) > 1 or not damage[0].at_end:
            problem = ("no whole WARC record in it" if scan.records == 0
                       else "damaged at " + ", ".join(d.describe() for d in damage))
            log.info("%s: %s; left as it is", path, problem)
            return RepairReport(name, scan.records, size, 0, problem, left_as_is=True, damage=damage)
        else:
            torn = damage[0]
            kept = keep_tail(fh, path, torn.offset, size)
            fh.truncate(torn.offset)
            fh.flush()
            os.fsync(fh.fileno())
            report = RepairReport(name, scan.records, torn.offset, size - torn.offset, torn.reason,
                                  tail_kept=kept, damage=damage)
    if os.path.exists(final):
        raise FileExistsError(f"cannot close {path}: {final} already exists")
    os.rename(path, final)
    fsync_dir(os.path.dirname(final) or ".")
    if report.bytes_cut:
        log.info("repaired %s: kept %d records (%d bytes); the torn tail (%d bytes: %s) is in %s",
                    name, report.records_kept, report.size_kept, report.bytes_cut, report.problem,
                    report.tail_kept)
    else:
        log.info("closed %s left open by an earlier run (%d whole records)", name, report.records_kept)
    return report


def keep_tail(fh, path: str, offset: int, size: int) -> str:
    """Copy bytes offset..size of fh to damaged/NAME.OFFSET.tail, durably; return its path.
    A copy left by an earlier attempt that died before cutting is reused when identical."""
    directory = os.path.join(os.path.dirname(path) or ".", DAMAGED_DIR)
    os.makedirs(directory, exist_ok=True)
    fh.seek(offset)
    tail = fh.read(size - offset)
    base = os.path.join(directory, f"{os.path.basename(path[: -len('.open')])}.{offset}.tail")
    target, n = base, 1
    while os.path.exists(target):
        with open(target, "rb") as existing:
            if existing.read() == tail:
                return target
        target, n = f"{base}.{n}", n + 1
    with open(target, "xb") as out:
        out.write(tail)
        out.flush()
        os.fsync(out.fileno())
    fsync_dir(directory)
    return target


def fsync_dir(directory: str) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def repair(warcs_dir: str | os.PathLike) -> list[RepairReport]:
    """Close every `.open` WARC file in `warcs_dir` not held by a live writer (see above)."""
    reports = []
    for path in sorted(glob.glob(os.path.join(glob.escape(os.fspath(warcs_dir)), "*.warc.gz.open"))):
        report = repair_file(path)
        if report is not None:
            reports.append(report)
    return reports
