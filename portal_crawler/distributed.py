"""One crawl split across workers on several machines, over scrapy-redis.

The coordinator (`portal-archive crawl TARGET... --redis URL`) opens a *run* in Redis: the
run's spec (its targets) and, under keys of its own, the shared frontier (the scrapy-redis
request queue) and dupefilter. It then crawls like any worker; its start requests are the
seed. `portal-archive worker --redis URL` joins the current run (or waits for one), builds
the same spider from the spec, and pulls requests from the shared queue.

Wiring: `redis_settings(url)` switches Scrapy to `RunScheduler`, which opens the run (a
spider without `redis_run`) or joins it (`worker_spider_kwargs(url)` gives the worker's
spider its targets and `redis_run`).

Why per-run keys: with SCHEDULER_PERSIST the scrapy-redis dupefilter outlives a crawl, and a
recrawl under the same key would fetch only its start URL (NOTES.md). Persisting is needed
all the same, or the first worker to finish would flush the queue of the others.

When is a run over? A worker whose engine is idle keeps waiting while the shared queue holds
requests or any other worker is busy (each busy worker refreshes a short-lived Redis key);
when neither has been true for a grace period the run is done, every worker closes, and the
queue and dupefilter expire an hour later (the spec and the worker reports after a week).

Each worker writes its own WARC files (WARC_PREFIX carries host and pid, so file names never
collide) and keeps its own index; `portal-archive index --warcs DIR...` merges
every worker's WARCs into one archive.

A worker killed mid-crawl loses the few requests it had popped (scrapy-redis has no
acknowledgement); they are not retried by the others.
"""
from __future__ import annotations

import json
import logging
import os
import re
import secrets
import socket
import time
from dataclasses import asdict, dataclass
from datetime import datetime, timezone

from scrapy import signals
from scrapy.exceptions import DontCloseSpider
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.scheduler import Scheduler

logger = logging.getLogger(__name__)

KEY_ROOT = "portal-archive"
CURRENT_RUN_KEY = f"{KEY_ROOT}:current-run"
KEEP_RUN_SECONDS = 7 * 24 * 3600       # spec and worker reports, for inspection
# A worker's busy flag means "had work in the last BUSY_TTL": it is refreshed while busy and
# left to expire, never deleted when momentarily idle, so a worker between two requests (or
# blocked a few seconds in a big page) is never mistaken for a finished one.
BUSY_TTL_MS = 10_000
STARTUP_TTL_MS = 120_000               # a coordinator's flag while Scrapy starts up
HEARTBEAT_SECONDS = 0.5
IDLE_GRACE_SECONDS = 2.0               # seen idle twice this far apart, nobody busy: run over
FINISHED_KEYS_TTL = 3600               # queue and dupefilter of a finished run, then gone


class RunNotFound(RuntimeError):
    """No run to join in Redis (yet)."""


@dataclass(frozen=True)
class RunKeys:
    run_id: str

    def key(self, name: str) -> str:
        return f"{KEY_ROOT}:run:{self.run_id}:{name}"

    @property
    def spec(self): return self.key("spec")
    @property
    def requests(self): return self.key("requests")
    @property
    def dupefilter(self): return self.key("dupefilter")
    @property
    def workers(self): return self.key("workers")
    @property
    def done(self): return self.key("done")

    def busy(self, worker: str) -> str:
        return self.key(f"busy:{worker}")


@dataclass(frozen=True)
class RunSpec:
    run_id: str
    targets: list[str]
    created: str = ""

    def spider_kwargs(self) -> dict:
        """The PortalSpider arguments of a worker of this run."""
        urls = [t for t in self.targets if "://" in t]
        ids = [t for t in self.targets if "://" not in t]
        return {"site": ",".join(ids) or None, "start_url": ",".join(urls) or None, "redis_run": self.run_id}


def connect(redis_url: str):
    import redis
    return redis.Redis.from_url(redis_url, decode_responses=True, socket_connect_timeout=10)


def worker_name() -> str:
    return re.sub(r"[^A-Za-z0-9.-]", "-", f"{socket.gethostname()}-{os.getpid()}")[:64]


def open_run(redis_url: str, targets, worker: str | None = None) -> RunSpec:
    """Create a run (fresh keys, so nothing of an earlier crawl blocks this one), register
    its coordinator as busy while Scrapy starts, and make it the run that workers join."""
    stamp = datetime.now(timezone.utc)
    spec = RunSpec(run_id=f"{stamp:%Y%m%dT%H%M%S}-{secrets.token_hex(3)}", targets=list(targets),
                   created=stamp.isoformat(timespec="seconds"))
    server = connect(redis_url)
    keys = RunKeys(spec.run_id)
    worker = worker or worker_name()
    server.set(keys.spec, json.dumps(asdict(spec), ensure_ascii=False), ex=KEEP_RUN_SECONDS)
    server.hset(keys.workers, worker, json.dumps({"state": "starting", "role": "coordinator"}))
    server.set(keys.busy(worker), "1", px=STARTUP_TTL_MS)
    server.set(CURRENT_RUN_KEY, spec.run_id)
    return spec


def is_live(server, run_id: str) -> bool:
    """A run can be joined while it is not done and someone works on it or work is queued
    (a coordinator that died before crawling leaves a run nobody should wait on)."""
    keys = RunKeys(run_id)
    if server.exists(keys.done) or not server.exists(keys.spec):
        return False
    return server.zcard(keys.requests) > 0 or any(server.exists(keys.busy(w)) for w in server.hkeys(keys.workers))


def find_run(redis_url: str, run_id: str | None = None, wait: float = 0.0, poll: float = 0.5) -> RunSpec:
    """The run to join: run_id, or the current run while it is live; waits up to `wait`
    seconds for one."""
    server = connect(redis_url)
    deadline = time.monotonic() + wait
    while True:
        wanted = run_id or server.get(CURRENT_RUN_KEY)
        if wanted and is_live(server, wanted):
            return RunSpec(**json.loads(server.get(RunKeys(wanted).spec)))
        if time.monotonic() >= deadline:
            raise RunNotFound(f"no crawl run to join in {redis_url}"
                              + (f" (run {run_id})" if run_id else " (start one with `crawl --redis URL`)"))
        time.sleep(poll)


def redis_settings(redis_url: str) -> dict:
    """Scrapy settings for a crawl on a shared Redis frontier (coordinator or worker)."""
    return {
        "REDIS_URL": redis_url,
        "SCHEDULER": "portal_crawler.distributed.RunScheduler",
        "SCHEDULER_QUEUE_CLASS": "scrapy_redis.queue.PriorityQueue",
        # Each worker writes its own WARC files: host and pid keep their names apart.
        "WARC_PREFIX": f"portal-archive-{worker_name()}",
    }


def worker_spider_kwargs(redis_url: str, run_id: str | None = None, wait: float = 120.0) -> dict:
    """For `worker --redis URL`: the spider arguments of the run to join (waits for one)."""
    return find_run(redis_url, run_id=run_id, wait=wait).spider_kwargs()


def run_status(redis_url: str, run_id: str | None = None) -> dict:
    """What Redis knows of a run (default: the current one): queue length, fingerprints
    seen, busy workers and every worker's report."""
    server = connect(redis_url)
    run_id = run_id or server.get(CURRENT_RUN_KEY)
    if not run_id:
        raise RunNotFound(f"no crawl run in {redis_url}")
    keys = RunKeys(run_id)
    workers = {w: json.loads(v) for w, v in server.hgetall(keys.workers).items()}
    return {"run_id": run_id, "done": server.get(keys.done), "queued": server.zcard(keys.requests),
            "seen": server.scard(keys.dupefilter),
            "busy": sorted(w for w in workers if server.exists(keys.busy(w))), "workers": workers}


class RunDupeFilter(RFPDupeFilter):
    """scrapy-redis's Redis set of fingerprints, computed by the project's fingerprinter
    (REQUEST_FINGERPRINTER_CLASS: it folds URL spellings one server treats as one), not
    by scrapy-redis's own URL-only hash."""

    def __init__(self, server, key, debug=False, fingerprinter=None):
        super().__init__(server, key, debug)
        self.fingerprinter = fingerprinter

    def request_fingerprint(self, request) -> str:
        if self.fingerprinter is None:
            return super().request_fingerprint(request)
        return self.fingerprinter.fingerprint(request).hex()


class RunScheduler(Scheduler):
    """The scrapy-redis scheduler on the keys of one run, plus the run's bookkeeping: a
    spider without `redis_run` opens a new run (the coordinator), one with it joins."""

    @classmethod
    def from_crawler(cls, crawler):
        from scrapy_redis import connection
        settings = crawler.settings
        spider = crawler.spider
        role = "worker" if getattr(spider, "redis_run", None) else "coordinator"
        if role == "coordinator":
            targets = list(getattr(spider, "site_ids", [])) + list(getattr(spider, "bare_urls", []))
            spider.redis_run = open_run(settings.get("REDIS_URL"), targets, worker_name()).run_id
        keys = RunKeys(spider.redis_run)
        server = connection.from_settings(settings)     # bytes: the queue holds pickles
        server.ping()
        scheduler = cls(server=server, persist=True, queue_key=keys.requests,
                        queue_cls=settings.get("SCHEDULER_QUEUE_CLASS") or "scrapy_redis.queue.PriorityQueue",
                        dupefilter=RunDupeFilter(server, key=keys.dupefilter,
                                                 debug=settings.getbool("DUPEFILTER_DEBUG"),
                                                 fingerprinter=crawler.request_fingerprinter))
        scheduler.stats = crawler.stats
        scheduler.run = RunMonitor(crawler, connect(settings.get("REDIS_URL")), spider.redis_run, worker_name(), role)
        return scheduler


class RunMonitor:
    """Keeps a worker alive while the run has work anywhere, and ends the run when it has
    none: busy flags in Redis, checked when this worker's engine goes idle."""

    def __init__(self, crawler, server, run_id: str, worker: str, role: str = "worker"):
        self.crawler, self.server, self.worker, self.role = crawler, server, worker, role
        self.keys = RunKeys(run_id)
        self.idle_since: float | None = None
        self.loop = None
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    # ------------------------------------------------------------------ signals
    def spider_opened(self, spider):
        from twisted.internet import task
        self.report({"state": "crawling", "role": self.role, "started": datetime.now(timezone.utc).isoformat(timespec="seconds")})
        self.server.set(self.keys.busy(self.worker), "1", px=BUSY_TTL_MS)
        self.loop = task.LoopingCall(self.heartbeat)
        self.loop.start(HEARTBEAT_SECONDS, now=False)

    def spider_idle(self, spider):
        if self.server.exists(self.keys.done):
            return                       # another worker saw the end: close
        if self.server.zcard(self.keys.requests) > 0 or self.others_busy():
            self.idle_since = None
            raise DontCloseSpider
        now = time.monotonic()
        if self.idle_since is None or now - self.idle_since < IDLE_GRACE_SECONDS:
            self.idle_since = self.idle_since or now
            raise DontCloseSpider
        self.finish_run()

    def spider_closed(self, spider, reason):
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        self.server.delete(self.keys.busy(self.worker))
        stats = self.crawler.stats.get_stats()
        recorder = getattr(spider, "archive_recorder", None)
        self.report({"state": "closed", "reason": reason,
                     "finished": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                     "pages": stats.get("response_received_count", 0),
                     "warcs": list(recorder.files_written()) if recorder else [],
                     "crawl_id": getattr(spider, "crawl_id", None)})

    # ------------------------------------------------------------------ state
    def busy_here(self) -> bool:
        engine = self.crawler.engine
        slot = getattr(engine, "_slot", None)
        scraper_slot = getattr(engine.scraper, "slot", None)
        return bool(getattr(slot, "inprogress", None) or engine.downloader.active
                    or (scraper_slot is not None and not scraper_slot.is_idle())
                    or getattr(engine, "_start", None) is not None)

    def heartbeat(self):
        import redis
        try:
            self.beat()
        except redis.RedisError as error:   # Redis away for a moment: the next beat retries
            logger.warning("distributed run %s: heartbeat failed: %s", self.keys.run_id, error)

    def beat(self):
        busy = self.busy_here()
        if busy:
            self.server.set(self.keys.busy(self.worker), "1", px=BUSY_TTL_MS)
        elif self.server.zcard(self.keys.requests) > 0:
            # Work appeared while this engine slept: wake it now, not at its next 5 s heartbeat.
            slot = getattr(self.crawler.engine, "_slot", None)
            if slot is not None:
                slot.nextcall.schedule()


    def others_busy(self) -> bool:
        others = [w for w in self.server.hkeys(self.keys.workers) if w != self.worker]
        return any(self.server.exists(self.keys.busy(w)) for w in others)

    def report(self, fields: dict):
        previous = json.loads(self.server.hget(self.keys.workers, self.worker) or "{}")
        previous.update(fields, host=socket.gethostname(), pid=os.getpid())
        self.server.hset(self.keys.workers, self.worker, json.dumps(previous, ensure_ascii=False))
        self.server.expire(self.keys.workers, KEEP_RUN_SECONDS)

    def finish_run(self):
        """The frontier is empty and nobody works: mark the run done; its queue and
        dupefilter expire later (not at once, in case a straggler still pushes)."""
        logger.info("distributed run %s: frontier empty and no worker busy; closing", self.keys.run_id)
        self.server.set(self.keys.done, datetime.now(timezone.utc).isoformat(timespec="seconds"),
                        ex=KEEP_RUN_SECONDS)
        for key in (self.keys.requests, self.keys.dupefilter):
            self.server.expire(key, FINISHED_KEYS_TTL)
