"""Torn-tail repair of WARC files left `.open` by a crash.

A killed writer leaves at most one torn record at the end of its `.open` file. Repair
keeps every whole record, cuts the file where the last whole record ends, and closes it
(drops `.open`). Files a live writer still holds (flock) are left alone.
"""
from __future__ import annotations

import fcntl
import glob
import logging
import os
import time
from dataclasses import dataclass

from archive.warc_reader import iter_members, parse_record
from archive.warc_ref import WarcFormatError

log = logging.getLogger(__name__)

FRESH_EMPTY_SECONDS = 60


@dataclass(frozen=True)
class RepairReport:
    filename: str          # final name (without `.open`)
    records_kept: int
    size_kept: int
    bytes_cut: int
    problem: str | None    # why bytes were cut, None when the file was whole
    removed: bool = False  # True when no whole record was left and the file was deleted


def _whole_prefix(fh) -> tuple[int, int, str | None]:
    """(records, end offset of the last whole record, problem found after it)."""
    records = end = 0
    try:
        for offset, length, data in iter_members(fh):
            parse_record(data, f"offset {offset}")
            records, end = records + 1, offset + length
    except WarcFormatError as exc:
        return records, end, str(exc)
    return records, end, None


def repair_file(path: str) -> RepairReport | None:
    """Repair one `.open` file; None when a live writer holds it."""
    final = path[: -len(".open")]
    with open(path, "r+b") as fh:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log.info("%s is being written by a live process; not repairing", path)
            return None
        stat = os.fstat(fh.fileno())
        if stat.st_size == 0 and time.time() - stat.st_mtime < FRESH_EMPTY_SECONDS:
            # a writer that has just created the file and not yet locked it
            return None
        records, end, problem = _whole_prefix(fh)
        size = stat.st_size
        if end < size:
            fh.truncate(end)
            fh.flush()
            os.fsync(fh.fileno())
    name = os.path.basename(final)
    if records == 0:
        os.remove(path)
        report = RepairReport(name, 0, 0, size, problem, removed=True)
    elif os.path.exists(final):
        raise FileExistsError(f"cannot close {path}: {final} already exists")
    else:
        os.rename(path, final)
        report = RepairReport(name, records, end, size - end, problem)
    if report.bytes_cut:
        log.warning("repaired %s: kept %d records (%d bytes), cut %d bytes: %s",
                    name, report.records_kept, report.size_kept, report.bytes_cut, problem)
    else:
        log.info("closed %s left open by an earlier run (%d whole records)", name, records)
    return report


def repair(warcs_dir: str | os.PathLike) -> list[RepairReport]:
    """Repair and close every `.open` WARC file in `warcs_dir` not held by a live writer."""
    reports = []
    for path in sorted(glob.glob(os.path.join(glob.escape(os.fspath(warcs_dir)), "*.warc.gz.open"))):
        report = repair_file(path)
        if report is not None:
            reports.append(report)
    return reports
