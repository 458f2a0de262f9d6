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
recrawl under the same key would fetch only its start URL. Persisting is needed
all the same, or the first worker to finish would flush the queue of the others.

When is a run over? A worker whose engine is idle keeps waiting while the shared queue holds
requests or any other worker is busy (each busy worker refreshes a short-lived Redis key);
when neither has been true for a grace period the run is done, every worker closes, and the
queue and dupefilter expire an hour later (the spec and the worker reports after a week).

Each worker writes its own WARC files (WARC_PREFIX carries host and pid, so file names never
collide) and keeps its own index; `portal-archive index --warcs DIR...` merges
every worker's WARCs into one archive.

Trap caps (calendar pages and the like, see portal_crawler.scope.traps) hold for the whole
run, not per worker: `RedisAdmissions` keeps the admitted trap URLs in Redis.

Leases: scrapy-redis pops a request off the queue and forgets it, so a worker killed
mid-crawl would lose the requests it was working on.  Each worker therefore keeps what it
popped in a Redis hash of its own until the request's answer has been handled (the spider's
output consumed, or the download failed), and clears the hash whenever its engine is idle.
A worker whose alive flag has expired (ALIVE_TTL_MS without a heartbeat) and that did not
close is dead: the first other worker to notice puts its leased requests back on the queue.

Requests in Redis, queued or leased, are JSON (portal_crawler.redis_json), never pickle: an
entry that is not a request this project wrote is logged, counted and skipped.
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
from scrapy.utils.request import request_from_dict
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.scheduler import Scheduler

from portal_crawler import redis_json
from portal_crawler.targets import target_kwargs

logger = logging.getLogger(__name__)

KEY_ROOT = "portal-archive"
CURRENT_RUN_KEY = f"{KEY_ROOT}:current-run"
KEEP_RUN_SECONDS = 7 * 24 * 3600       # spec and worker reports, for inspection
# A worker's busy flag means "had work in the last BUSY_TTL": it is refreshed while busy and
# left to expire, never deleted when momentarily idle, so a worker between two requests (or
# blocked a few seconds in a big page) is never mistaken for a finished one.
BUSY_TTL_MS = 10_000
# A worker without a heartbeat for this long is dead and its leased requests are given to
# the others (longer than BUSY_TTL_MS: a slow page must not make a live worker look dead).
ALIVE_TTL_MS = 15_000
RECLAIM_CHECK_SECONDS = 2.0
LEASE_KEY = "redis_lease"  # request meta: the key of the request's lease
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
    @property
    def trap_urls(self): return self.key("trap-urls")
    @property
    def trap_counts(self): return self.key("trap-counts")

    def busy(self, worker: str) -> str:
        return self.key(f"busy:{worker}")

    def alive(self, worker: str) -> str:
        return self.key(f"alive:{worker}")

    def leases(self, worker: str) -> str:
        return self.key(f"leases:{worker}")


@dataclass(frozen=True)
class RunSpec:
    run_id: str
    targets: list[str]
    created: str = ""

    def spider_kwargs(self) -> dict:
        """The PortalSpider arguments of a worker of this run."""
        return {**target_kwargs(self.targets), "redis_run": self.run_id}


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


def quiet_scrapy_redis() -> None:
    """scrapy-redis still calls Scrapy APIs that Scrapy 2.13+ deprecates; those warnings
    tell a user nothing they can act on."""
    import warnings
    from scrapy.exceptions import ScrapyDeprecationWarning
    warnings.filterwarnings("ignore", category=ScrapyDeprecationWarning, module="scrapy_redis")


def redis_settings(redis_url: str) -> dict:
    """Scrapy settings for a crawl on a shared Redis frontier (coordinator or worker)."""
    return {
        "REDIS_URL": redis_url,
        "SCHEDULER": "portal_crawler.distributed.RunScheduler",
        # Outermost, so a response's lease ends once the engine has taken all its output.
        "SPIDER_MIDDLEWARES": {"portal_crawler.distributed.LeaseRelease": 1},
        "SCHEDULER_QUEUE_CLASS": "scrapy_redis.queue.PriorityQueue",
        "SCHEDULER_SERIALIZER": "portal_crawler.redis_json",   # never scrapy-redis' pickle
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
            targets = list(getattr(spider, "targets", []))
            spider.redis_run = open_run(settings.get("REDIS_URL"), targets, worker_name()).run_id
        keys = RunKeys(spider.redis_run)
        server = connection.from_settings(settings)     # bytes, as scrapy-redis expects
        server.ping()
        # JSON, whatever SCHEDULER_SERIALIZER says: scrapy-redis' default is pickle
        scheduler = cls(server=server, persist=True, queue_key=keys.requests, serializer=redis_json,
                        queue_cls=settings.get("SCHEDULER_QUEUE_CLASS") or "scrapy_redis.queue.PriorityQueue",
                        dupefilter=RunDupeFilter(server, key=keys.dupefilter,
                                                 debug=settings.getbool("DUPEFILTER_DEBUG"),
                                                 fingerprinter=crawler.request_fingerprinter))
        scheduler.stats = crawler.stats
        scheduler.leases = spider.redis_leases = RequestLeases(crawler, server, keys, worker_name(), scheduler)
        if getattr(spider, "trap_guard", None) is not None:
            spider.trap_guard.shared = RedisAdmissions(server, keys)
        scheduler.run = RunMonitor(crawler, connect(settings.get("REDIS_URL")), spider.redis_run, worker_name(), role,
                                   leases=scheduler.leases)
        return scheduler

    def next_request(self):
        while True:
            try:
                request = super().next_request()
            except (ValueError, TypeError) as exc:    # popped, but not a request of ours: skip it
                skipped_entry(self.stats, self.leases.keys.run_id, "queue", exc)
                continue
            if request is not None:
                self.leases.take(request)
            return request


def skipped_entry(stats, run_id: str, where: str, exc: Exception) -> None:
    """Data in Redis that is not a request this project wrote (see redis_json): logged,
    counted, never run."""
    stats.inc_value("redis/malformed")
    logger.warning("distributed run %s: skipped a %s entry that is not a request: %s", run_id, where, exc)


class RequestLeases:
    """What this worker popped and has not finished, kept in Redis so that others can put it
    back on the queue if this worker dies (see the module docstring)."""

    def __init__(self, crawler, server, keys: RunKeys, worker: str, scheduler):
        self.crawler, self.server, self.keys, self.worker = crawler, server, keys, worker
        self.scheduler = scheduler
        self.answered: set[str] = set()  # downloaded, waiting for the spider's output
        crawler.signals.connect(self.response_downloaded, signal=signals.response_downloaded)
        crawler.signals.connect(self.request_left_downloader, signal=signals.request_left_downloader)

    def take(self, request) -> None:
        # The lease's key is the dupefilter's fingerprint at the moment of taking, kept in
        # meta: a fingerprint computed later may differ (a host learned to fold path case).
        request.meta[LEASE_KEY] = self.scheduler.df.request_fingerprint(request)
        data = redis_json.dumps(request.to_dict(spider=self.crawler.spider))
        self.server.hset(self.keys.leases(self.worker), request.meta[LEASE_KEY], data)

    def release(self, request) -> None:
        lease = request.meta.get(LEASE_KEY)
        if lease is not None:
            self.answered.discard(lease)
            self.server.hdel(self.keys.leases(self.worker), lease)

    def response_downloaded(self, response, request, spider):
        if LEASE_KEY in request.meta:
            self.answered.add(request.meta[LEASE_KEY])

    def request_left_downloader(self, request, spider):
        # No answer came (a network error): the errback has nothing to lose, end the lease.
        if request.meta.get(LEASE_KEY) not in self.answered:
            self.release(request)

    def clear(self) -> None:
        """Nothing is in progress here: every lease is over (also those of requests a
        middleware replaced, by a redirect or a retry, which no release reaches)."""
        self.answered.clear()
        self.server.delete(self.keys.leases(self.worker))

    def reclaim(self, worker: str) -> int:
        """Put a dead worker's leased requests back on the queue; one reclaimer wins."""
        with self.server.pipeline(transaction=True) as pipe:
            pipe.hvals(self.keys.leases(worker))
            pipe.delete(self.keys.leases(worker))
            leased, _deleted = pipe.execute()
        back = 0
        for data in leased:
            try:
                request = request_from_dict(redis_json.loads(data), spider=self.crawler.spider)
            except (ValueError, TypeError) as exc:
                skipped_entry(self.crawler.stats, self.keys.run_id, "lease", exc)
                continue
            request.dont_filter = True  # its fingerprint is in the dupefilter already
            self.scheduler.queue.push(request)
            back += 1
        if leased:
            logger.warning("distributed run %s: worker %s stopped without closing; %d of its requests "
                           "are back on the queue", self.keys.run_id, worker, back)
        return back

    def has_leases(self, worker: str) -> bool:
        return bool(self.server.exists(self.keys.leases(worker)))


class RedisAdmissions:
    """Trap caps for every worker of a run: the distinct trap URLs admitted per rule and
    host live in Redis, checked and counted by one script (atomic across workers)."""

    SCRIPT = """
    if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 1 then return 1 end
    if tonumber(redis.call('HGET', KEYS[2], ARGV[2]) or '0') >= tonumber(ARGV[3]) then return 0 end
    redis.call('SADD', KEYS[1], ARGV[1])
    redis.call('HINCRBY', KEYS[2], ARGV[2], 1)
    return 1
    """

    def __init__(self, server, keys: RunKeys):
        self.keys = keys
        self.script = server.register_script(self.SCRIPT)

    def admit(self, rule: str, host: str, key: str, cap: int) -> bool:
        group = f"{rule}\t{host}"
        return bool(self.script(keys=[self.keys.trap_urls, self.keys.trap_counts],
                                args=[f"{group}\t{key}", group, cap]))


class LeaseRelease:
    """Spider middleware: a response's lease ends when the engine has taken all its output
    (its links are on the queue), not when it was downloaded."""

    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def _leases(self):
        return getattr(self.crawler.spider, "redis_leases", None)

    def process_spider_output(self, response, result, spider=None):
        yield from result
        self._release(response)

    async def process_spider_output_async(self, response, result, spider=None):
        async for item in result:
            yield item
        self._release(response)

    def process_spider_exception(self, response, exception, spider=None):
        self._release(response)

    def _release(self, response):
        leases = self._leases()
        if leases is not None and response.request is not None:
            leases.release(response.request)


def wake_engine(engine) -> None:
    """Make the engine ask the scheduler for requests now. Another worker's requests reach the
    shared queue without passing through this engine, which then polls it only at its own
    5 s heartbeat. Scrapy 2.19 has no public call for this (`engine.crawl` needs a request,
    `unpause` only clears a flag), so the engine slot's `nextcall` is used, the one private
    name this module touches; scheduling it while the engine is busy is a no-op."""
    slot = getattr(engine, "_slot", None)
    if slot is not None:
        slot.nextcall.schedule()


class RunMonitor:
    """Keeps a worker alive while the run has work anywhere, and ends the run when it has
    none: busy flags in Redis, checked when this worker's engine goes idle."""

    def __init__(self, crawler, server, run_id: str, worker: str, role: str = "worker",
                 *, leases: RequestLeases):
        self.crawler, self.server, self.worker, self.role = crawler, server, worker, role
        self.keys = RunKeys(run_id)
        self.leases = leases
        self.idle_since: float | None = None
        self.last_reclaim_check = 0.0
        self.loop = None
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    # ------------------------------------------------------------------ signals
    def spider_opened(self, spider):
        from twisted.internet import task
        self.report({"state": "crawling", "role": self.role, "started": datetime.now(timezone.utc).isoformat(timespec="seconds")})
        self.server.set(self.keys.busy(self.worker), "1", px=BUSY_TTL_MS)
        self.server.set(self.keys.alive(self.worker), "1", px=ALIVE_TTL_MS)
        self.loop = task.LoopingCall(self.heartbeat)
        self.loop.start(HEARTBEAT_SECONDS, now=False)

    def spider_idle(self, spider):
        if self.server.exists(self.keys.done):
            return                       # another worker saw the end: close
        self.reclaim_dead_workers()
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
        self.server.delete(self.keys.busy(self.worker), self.keys.alive(self.worker))
        self.leases.clear()
        stats = self.crawler.stats.get_stats()
        from portal_crawler.session import CrawlSession
        session = self.crawler.get_extension(CrawlSession)
        recorder = session.recorder if session is not None else None
        self.report({"state": "closed", "reason": reason,
                     "finished": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                     "pages": stats.get("response_received_count", 0),
                     "warcs": list(recorder.files_written()) if recorder else [],
                     "crawl_id": session.crawl_id if session is not None else None})

    # ------------------------------------------------------------------ state
    def busy_here(self) -> bool:
        """Scrapy's own idleness test: nothing in the downloader or the scraper, start requests
        done, and nothing pending in the scheduler, which is the run's shared queue: work queued
        for the run counts as this worker's, since it is about to take some of it."""
        try:
            return not self.crawler.engine.spider_is_idle()
        except RuntimeError:    # the engine has no spider open (starting or closed): no work
            return False

    def heartbeat(self):
        import redis
        try:
            self.beat()
        except redis.RedisError as error:   # Redis away for a moment: the next beat retries
            logger.warning("distributed run %s: heartbeat failed: %s", self.keys.run_id, error)

    def beat(self):
        self.server.set(self.keys.alive(self.worker), "1", px=ALIVE_TTL_MS)
        busy = self.busy_here()
        if busy:
            self.server.set(self.keys.busy(self.worker), "1", px=BUSY_TTL_MS)
        else:
            self.leases.clear()
        if time.monotonic() - self.last_reclaim_check >= RECLAIM_CHECK_SECONDS:
            self.reclaim_dead_workers()
        if self.server.zcard(self.keys.requests) > 0:
            wake_engine(self.crawler.engine)


    def others_busy(self) -> bool:
        """Another worker works, or holds leases and may still be alive (it clears them
        when idle, or they are reclaimed once it is known dead)."""
        return any(self.server.exists(self.keys.busy(w)) or
                   self.leases.has_leases(w)
                   for w in self.other_workers())

    def other_workers(self) -> list[str]:
        return [w for w in self.server.hkeys(self.keys.workers) if w != self.worker]

    def reclaim_dead_workers(self) -> None:
        self.last_reclaim_check = time.monotonic()
        for worker in self.other_workers():
            if not self.server.exists(self.keys.alive(worker)) and self.leases.has_leases(worker):
                self.leases.reclaim(worker)

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
        leases = [self.keys.leases(w) for w in self.server.hkeys(self.keys.workers)]
        for key in (self.keys.requests, self.keys.dupefilter, self.keys.trap_urls, self.keys.trap_counts, *leases):
            self.server.expire(key, FINISHED_KEYS_TTL)
