"""Recurring crawls: when a schedule is due, and the schedules and their runs in the index.

A schedule is a list of crawl targets plus a rule: a cron expression (evaluated by cronsim)
or an Archive-It style `every` (daily, weekly, monthly counted from the moment it was
added). Rules are evaluated in the schedule's time zone (Asia/Ho_Chi_Minh by default).

The arithmetic: a new schedule is due at once; after that
it is due at the first occurrence after the start of its last completed run. A machine that
was off for a week therefore runs a daily schedule once, not seven times. A run that never
completed (its process died) does not count, so it is retried at once.

Tables (`schedules`, `schedule_runs`) live in DATA/state.sqlite (archive/state.py), not in
the derived index, so `index --rebuild` never loses them; they are added through the
versioned migrations as component "schedule", and the schedules an older index.sqlite
holds are copied over when the state database is first opened. Functions take the data
directory (or, as before, the path of DATA/index.sqlite).
"""
from __future__ import annotations

import calendar
import json
import os
import socket
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Iterator
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cronsim import CronSim, CronSimError

from archive.index import Migration
from archive.state import State, copy_from_index
from archive.timeutil import VIETNAM_ZONE_NAME, parse_iso, utcnow  # noqa: F401  (used by callers)

DEFAULT_TZ = VIETNAM_ZONE_NAME
EVERY = ("daily", "weekly", "monthly")
# cronsim reads five-field expressions only; these are the usual shorthands.
CRON_ALIASES = {"@hourly": "0 * * * *", "@daily": "0 0 * * *", "@midnight": "0 0 * * *",
                "@weekly": "0 0 * * 0", "@monthly": "0 0 1 * *", "@yearly": "0 0 1 1 *",
                "@annually": "0 0 1 1 *"}
# Outcomes of a run; "running" until it ends, "interrupted" when its process died.
COMPLETED = ("ok", "failed")

SCHEDULE_TABLES_SQL = """
CREATE TABLE IF NOT EXISTS schedules (
    id INTEGER PRIMARY KEY,
    targets TEXT NOT NULL,            -- JSON list of site ids / start URLs
    cron TEXT,                        -- a cron expression, or NULL
    every TEXT,                       -- daily | weekly | monthly, or NULL
    tz TEXT NOT NULL,
    settings TEXT NOT NULL DEFAULT '{}',  -- JSON: Scrapy settings for every run (-s)
    created TEXT NOT NULL             -- ISO 8601 UTC; also the anchor of `every`
);
CREATE TABLE IF NOT EXISTS schedule_runs (
    id INTEGER PRIMARY KEY,
    schedule_id INTEGER NOT NULL,
    started TEXT NOT NULL,            -- ISO 8601 UTC
    finished TEXT,
    outcome TEXT NOT NULL,            -- running | ok | failed | interrupted
    crawl_id INTEGER,                 -- crawls.id of the crawl this run made, when known
    error TEXT,
    host TEXT,
    pid INTEGER
);
CREATE INDEX IF NOT EXISTS schedule_runs_by_schedule ON schedule_runs(schedule_id, started);
"""


class ScheduleError(ValueError):
    """Bad input for a schedule: the message is meant for the user as it is."""


def iso(moment: datetime | None) -> str | None:
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds") if moment else None


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ScheduleError(f"unknown time zone {name!r}") from error


# ---------------------------------------------------------------------- the arithmetic
@dataclass(frozen=True)
class Rule:
    """When a schedule recurs: exactly one of cron / every, read in time zone tz."""
    cron: str | None = None
    every: str | None = None
    tz: str = DEFAULT_TZ
    anchor: datetime | None = None      # where `every` counts from (aware)

    def __post_init__(self):
        if (self.cron is None) == (self.every is None):
            raise ScheduleError("give exactly one of --cron EXPR or --every daily|weekly|monthly")
        zone(self.tz)
        if self.every is not None and self.every not in EVERY:
            raise ScheduleError(f"--every must be one of {', '.join(EVERY)}, not {self.every!r}")
        if self.every is not None and self.anchor is None:
            raise ScheduleError("an --every rule needs an anchor time")
        if self.cron is not None:
            try:
                CronSim(self.cron_expression, datetime.now(zone(self.tz)))
            except CronSimError as error:
                raise ScheduleError(f"bad cron expression {self.cron!r}: {error}") from error

    @property
    def cron_expression(self) -> str:
        text = " ".join(self.cron.split())
        return CRON_ALIASES.get(text.lower(), text)

    def describe(self) -> str:
        return f"cron {self.cron}" if self.cron else self.every

    def after(self, moment: datetime) -> datetime:
        """The first occurrence strictly after moment (aware, in the rule's zone)."""
        local = moment.astimezone(zone(self.tz))
        if self.cron:
            return next(CronSim(self.cron_expression, local))
        return self._every_after(local)

    def _every_after(self, local: datetime) -> datetime:
        anchor = self.anchor.astimezone(zone(self.tz)).replace(second=0, microsecond=0)
        if local < anchor:
            return anchor
        if self.every == "monthly":
            step = (local.year - anchor.year) * 12 + (local.month - anchor.month)
        else:
            days = 7 if self.every == "weekly" else 1
            step = (local.date() - anchor.date()).days // days
        step = max(step - 1, 0)
        while (candidate := self.occurrence(anchor, step)) <= local:
            step += 1
        return candidate

    def occurrence(self, anchor: datetime, step: int) -> datetime:
        """Occurrence number `step` of an `every` rule: same wall-clock time as the anchor.
        Monthly keeps the anchor's day, or the month's last day when it has fewer days
        (Jan 31 -> Feb 28 -> Mar 31): counted from the anchor, so it never drifts to the 28th."""
        if self.every == "monthly":
            month0 = anchor.month - 1 + step
            year, month = anchor.year + month0 // 12, month0 % 12 + 1
            day = min(anchor.day, calendar.monthrange(year, month)[1])
            wall = anchor.replace(year=year, month=month, day=day)
        else:
            wall = anchor + timedelta(days=step * (7 if self.every == "weekly" else 1))
        # Wall-clock arithmetic, then a round trip through UTC so a DST zone lands on a real time.
        return wall.astimezone(timezone.utc).astimezone(anchor.tzinfo)


@dataclass(frozen=True)
class Schedule:
    id: int
    targets: list[str]
    rule: Rule
    settings: dict = field(default_factory=dict)
    created: datetime | None = None
    last_run: dict | None = None        # the newest run of any outcome
    last_completed: datetime | None = None  # start of the newest ok/failed run

    def next_run(self) -> datetime:
        """Due at once when new (or when no run ever completed), then the next occurrence."""
        if self.last_completed is None:
            return self.created.astimezone(zone(self.rule.tz))
        return self.rule.after(self.last_completed)

    def is_due(self, now: datetime) -> bool:
        return self.next_run() <= now

    def to_dict(self) -> dict:
        tz = zone(self.rule.tz)
        last = dict(self.last_run) if self.last_run else None
        return {"id": self.id, "targets": self.targets, "cron": self.rule.cron, "every": self.rule.every,
                "tz": self.rule.tz, "settings": self.settings,
                "created": self.created.astimezone(tz).isoformat(timespec="seconds"),
                "next_run": self.next_run().isoformat(timespec="seconds"),
                "last_run": last and parse_iso(last["started"]).astimezone(tz).isoformat(timespec="seconds"),
                "last_result": last and {k: last[k] for k in ("outcome", "crawl_id", "error", "finished")}}


# ---------------------------------------------------------------------- storage
SCHEDULE_TABLES = ("schedules", "schedule_runs")
SCHEDULE_MIGRATIONS = (
    Migration(1, "schedules and schedule_runs", SCHEDULE_TABLES_SQL),
    Migration(2, "schedules an older index.sqlite held", lambda db: copy_from_index(db, SCHEDULE_TABLES)),
)


@contextmanager
def opened(where) -> Iterator[State]:
    """The state database (DATA/state.sqlite) with the schedule tables migrated in."""
    state = State(where)
    try:
        state.apply_migrations("schedule", SCHEDULE_MIGRATIONS)
        yield state
    finally:
        state.close()


def add_schedule(where, targets, cron: str | None = None, every: str | None = None,
                 settings: dict | None = None, tz: str = DEFAULT_TZ, now: datetime | None = None) -> int:
    targets = [t for t in (targets or []) if t]
    if not targets:
        raise ScheduleError("a schedule needs at least one TARGET (site id or start URL)")
    created = (now or utcnow()).replace(microsecond=0)
    Rule(cron=cron, every=every, tz=tz, anchor=created)   # validates before anything is stored
    with opened(where) as state, state.transaction() as conn:
        return conn.execute(
            "INSERT INTO schedules (targets, cron, every, tz, settings, created) VALUES (?, ?, ?, ?, ?, ?)",
            (json.dumps(targets, ensure_ascii=False), cron, every, tz,
             json.dumps(settings or {}, ensure_ascii=False), iso(created))).lastrowid


def _schedule_from_row(conn, row) -> Schedule:
    created = parse_iso(row["created"])
    last = conn.execute("SELECT * FROM schedule_runs WHERE schedule_id = ? ORDER BY started DESC, id DESC LIMIT 1",
                        (row["id"],)).fetchone()
    completed = conn.execute(
        f"SELECT max(started) FROM schedule_runs WHERE schedule_id = ? AND outcome IN ({','.join('?' * len(COMPLETED))})",
        (row["id"], *COMPLETED)).fetchone()[0]
    return Schedule(id=row["id"], targets=json.loads(row["targets"]),
                    rule=Rule(cron=row["cron"], every=row["every"], tz=row["tz"], anchor=created),
                    settings=json.loads(row["settings"] or "{}"), created=created,
                    last_run=dict(last) if last else None, last_completed=parse_iso(completed))


def list_schedules(where) -> list[Schedule]:
    with opened(where) as state:
        rows = state.conn.execute("SELECT * FROM schedules ORDER BY id").fetchall()
        return [_schedule_from_row(state.conn, row) for row in rows]


def get_schedule(where, schedule_id: int) -> Schedule:
    with opened(where) as state:
        row = state.conn.execute("SELECT * FROM schedules WHERE id = ?", (schedule_id,)).fetchone()
        if row is None:
            raise ScheduleError(f"no schedule with id {schedule_id}")
        return _schedule_from_row(state.conn, row)


def remove_schedule(where, schedule_id: int) -> None:
    """Delete a schedule and its run history (the crawls themselves stay in `crawls`)."""
    with opened(where) as state, state.transaction() as conn:
        if conn.execute("DELETE FROM schedules WHERE id = ?", (schedule_id,)).rowcount == 0:
            raise ScheduleError(f"no schedule with id {schedule_id}")
        conn.execute("DELETE FROM schedule_runs WHERE schedule_id = ?", (schedule_id,))


def start_run(where, schedule_id: int, now: datetime | None = None) -> int:
    with opened(where) as state, state.transaction() as conn:
        return conn.execute(
            "INSERT INTO schedule_runs (schedule_id, started, outcome, host, pid) VALUES (?, ?, 'running', ?, ?)",
            (schedule_id, iso(now or utcnow()), socket.gethostname(), os.getpid())).lastrowid


def finish_run(where, run_id: int, outcome: str, crawl_id: int | None = None,
               error: str | None = None, now: datetime | None = None) -> None:
    with opened(where) as state, state.transaction() as conn:
        conn.execute("UPDATE schedule_runs SET finished = ?, outcome = ?, crawl_id = ?, error = ? WHERE id = ?",
                     (iso(now or utcnow()), outcome, crawl_id, error, run_id))


def mark_interrupted(where, schedule_id: int, now: datetime | None = None) -> int:
    """Close the 'running' rows of a schedule whose process is gone (call while holding its lock)."""
    with opened(where) as state, state.transaction() as conn:
        return conn.execute(
            "UPDATE schedule_runs SET outcome = 'interrupted', finished = ?,"
            " error = 'its process died before it finished' WHERE schedule_id = ? AND outcome = 'running'",
            (iso(now or utcnow()), schedule_id)).rowcount
