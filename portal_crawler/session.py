"""CrawlSession: the one component that owns a crawl's archive, its run and its revisit policy.

It is a Scrapy extension (created in `from_crawler`); the others find it with
`crawler.get_extension(CrawlSession)`. The spider makes requests and parses; what the archive
knows (is this URL an archived article, is it due for a recheck, what did the last capture
say), which crawl run this is, and what the run ends with are asked of the session.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from scrapy import signals
from scrapy.exceptions import NotConfigured

from archive.index import url_key
from archive.page_links import PageLinks
from archive.revisit import RevisitPolicy, Verdict, history_of
from archive.timeutil import parse_iso, utcnow
from archive.versions import canonical_of_alias, recheck_report, recheck_times
from portal_crawler.archive_access import CrawlArchive
from portal_crawler.run_summary import crawl_summary
from portal_crawler.extract import template
from portal_crawler.extract.template_learn import Learner
from portal_crawler.page_reading import PageJob, PageRead, PageReader, read_page
from portal_crawler.scope import canonicalize, host_of, is_case_insensitive_server

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CrawlSettings:
    """The crawl's own settings, read and checked once (a bad value fails at start)."""
    data_dir: Path
    policy: RevisitPolicy
    asset_recheck: timedelta
    document_max_size: int
    now: datetime | None = None       # PORTAL_NOW: a fixed clock (tests, replays)
    extract_processes: int = 0        # PORTAL_EXTRACT_PROCESSES: workers that read pages

    @classmethod
    def from_settings(cls, settings) -> "CrawlSettings":
        """ValueError with a message for the user on a bad value."""
        def number(name: str, default: float) -> float:
            try:
                value = float(settings.get(name, default))
            except (TypeError, ValueError):
                raise ValueError(f"-s {name}: not a number: {settings.get(name)!r}") from None
            if value < 0:
                raise ValueError(f"-s {name}: must not be negative")
            return value

        min_hours = number("PORTAL_ARTICLE_RECHECK_HOURS", 12)
        mode = str(settings.get("PORTAL_RECHECK") or "due").strip().lower()
        if min_hours == 0:
            mode = "all"  # 0 has always meant: revalidate every article
        now = settings.get("PORTAL_NOW") or None
        fixed = parse_iso(now) if now else None
        if now and fixed is None:
            raise ValueError(f"-s PORTAL_NOW: not an ISO 8601 time: {now!r}")
        max_days = number("PORTAL_RECHECK_MAX_DAYS", 30)
        policy = RevisitPolicy(min_interval=timedelta(hours=min_hours),
                               max_interval=max(timedelta(days=max_days), timedelta(hours=min_hours)),
                               factor=number("PORTAL_RECHECK_FACTOR", 0.2) or 0.2, mode=mode)
        processes = number("PORTAL_EXTRACT_PROCESSES", 0)
        if processes != int(processes):
            raise ValueError("-s PORTAL_EXTRACT_PROCESSES: not a whole number: "
                             f"{settings.get('PORTAL_EXTRACT_PROCESSES')!r}")
        return cls(data_dir=Path(settings.get("PORTAL_ARCHIVE_DATA") or "archive-data"), policy=policy,
                   asset_recheck=timedelta(days=number("PORTAL_ASSET_RECHECK_DAYS", 30)),
                   document_max_size=int(number("PORTAL_DOCUMENT_MAX_SIZE", 64 * 1024 * 1024)), now=fixed,
                   extract_processes=int(processes))

    def clock(self) -> datetime:
        return self.now or utcnow()


class CaseFoldingHosts:
    """Hosts whose server ignores the case of paths (IIS, SharePoint): learned from a
    profile or from the first answer that names such a server (robots.txt is the first)."""

    def __init__(self, hosts=()):
        self.hosts: set[str] = set(hosts)

    def learn(self, url: str, headers) -> None:
        if headers and is_case_insensitive_server(headers):
            self.hosts.add(host_of(url))

    def folds(self, url: str) -> bool:
        return host_of(url) in self.hosts


class SiteTemplates:
    """Extraction during a crawl: each host's pages are read per page until its template is
    learned from its first articles, then with it (a stored DATA/templates/HOST.json, which a
    person may have edited, is used from the start)."""

    def __init__(self, data_dir, stats=None, processes: int = 0):
        """processes: worker processes that read pages (page_reading.py; 0: this process)."""
        self.stored = template.load_dir(Path(data_dir) / template.DATA_SUBDIR)
        self.stats = stats
        self.learners: dict[str, Learner] = {}
        self.reader = PageReader(processes)

    def learner(self, url: str) -> Learner:
        host = host_of(url)
        learner = self.learners.get(host)
        if learner is None:
            learner = self.learners[host] = Learner(host, template=self.stored.get(host), stats=self.stats)
        return learner

    async def read(self, body: bytes, url: str, headers) -> PageRead:
        """The page's links and article (page_reading.read_page) with its site's template as
        learned so far; what the page teaches goes to the site's learner."""
        learner = self.learner(url)
        job = PageJob(bytes(body), url, headers, learner.template)
        read = await self.reader.read(job, memo=learner.memo)
        if learner.template is not job.template:
            # learned or grown while the page was away: read it as it is read from now on
            job = PageJob(job.body, url, headers, learner.template)
            read = read_page(job, learner.memo)
        learner.observe(read.observed, job.template)
        return read

    def close(self) -> None:
        self.reader.close()


@dataclass(frozen=True)
class CrawlRun:
    crawl_id: int
    targets: tuple[str, ...]
    resuming: bool


class CrawlSession:
    def __init__(self, crawler, settings: CrawlSettings):
        self.crawler = crawler
        self.settings = settings
        self.policy = settings.policy
        self.archive = CrawlArchive(settings.data_dir)
        self.page_links = PageLinks(self.archive.index)
        self.case_folding = CaseFoldingHosts()
        self.templates = SiteTemplates(settings.data_dir, crawler.stats, processes=settings.extract_processes)
        self.run: CrawlRun | None = None
        self._recorder = None
        self._site_of = None
        self.sites: list[str] = []

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.get("PORTAL_ARCHIVE_DATA"):
            raise NotConfigured("PORTAL_ARCHIVE_DATA is not set")
        session = cls(crawler, CrawlSettings.from_settings(crawler.settings))
        crawler.signals.connect(session.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(session.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(session.response_downloaded, signal=signals.response_downloaded)
        return session

    # ------------------------------------------------------------------ the run
    def spider_opened(self, spider):
        from twisted.internet import reactor  # the one Scrapy installed
        # the few rows each response gives share a commit per turn of the event loop
        self.archive.index.defer_commits(lambda commit: reactor.callLater(0, commit))
        self.open_run(spider)

    def open_run(self, spider) -> CrawlRun:
        """The crawl run of this spider's targets: a new one, or on resume the unfinished one
        (once; later calls return it). The spider says what was asked: targets, profiles."""
        if self.run is not None:
            return self.run
        index = self.archive.index
        for profile in spider.profiles:
            index.upsert_site(profile.to_dict())
        self._site_of = spider.profile_for
        self.sites = [p.id for p in spider.profiles]
        self.case_folding.hosts |= {h for p in spider.profiles if p.case_insensitive for h in p.hosts}
        targets = list(spider.targets)
        crawl_id = self.crawler.settings.getint("PORTAL_CRAWL_ID", 0)
        resuming = bool(crawl_id) or spider.resuming
        if not crawl_id and resuming:
            crawl_id = self._resumable_crawl(targets)
        if not crawl_id:
            crawl_id = index.start_crawl(targets, settings_summary(self.crawler.settings))
        self.run = CrawlRun(crawl_id, tuple(targets), resuming)
        return self.run

    def _resumable_crawl(self, targets: list[str]) -> int | None:
        """The newest crawl of the same targets that did not finish (killed or failed)."""
        for run in self.archive.index.crawls():
            if sorted(run.get("targets") or []) == sorted(targets):
                return run["id"] if run.get("outcome") in ("running", "failed") else None
        return None

    @property
    def crawl_id(self) -> int | None:
        return self.run.crawl_id if self.run else None

    @property
    def resuming(self) -> bool:
        return bool(self.run and self.run.resuming)

    @property
    def recorder(self):
        """The WARC recorder of this crawl (it attaches itself when the spider opens)."""
        return self._recorder

    def attach_recorder(self, recorder) -> None:
        self._recorder = recorder

    def site_of(self, url: str) -> str | None:
        profile = self._site_of(url) if self._site_of else None
        return profile.id if profile else None

    def finish_run(self, reason: str, *, capped: dict, whole_site: bool) -> None:
        """Close the run's row: outcome, counts, the recheck report, the WARC files.
        `whole_site`: this process saw every page it should have (not one worker's share,
        not a resumed remainder), so archived articles it never reached are gone."""
        stats = self.crawler.stats.get_stats()
        outcome = "ok" if reason == "finished" or reason.startswith("closespider") else "failed"
        if stats.get("response_received_count", 0) <= stats.get("proxy/status_407", 0):
            outcome = "failed"  # nothing answered (unreachable hosts, a dead proxy) but a proxy's 407
        index = self.archive.index
        if reason == "finished" and whole_site:
            gone = sum(index.mark_gone(url, self.crawl_id) for site in self.sites
                       for url in index.unseen_articles(site, self.crawl_id))
            self.crawler.stats.set_value("articles/gone_from_listings", gone)
            stats = self.crawler.stats.get_stats()
        summary = crawl_summary(stats, recheck_report(index, self.crawl_id, self.sites, self.policy.mode))
        summary["capped"] = dict(capped)
        if stats.get("extract/text_truncated"):  # pages too long to extract whole (archived whole)
            summary["capped"]["page-text"] = stats["extract/text_truncated"]
        recorder = self.recorder
        index.finish_crawl(self.crawl_id, outcome, summary, recorder.files_written() if recorder else [])

    def spider_closed(self, spider, reason=None):
        self.templates.close()
        self.archive.close()

    # ------------------------------------------------------------------ URLs
    def response_downloaded(self, response, request, spider):
        self.case_folding.learn(response.url, response.headers)

    def url_key(self, url: str) -> str:
        """What makes two URLs one resource: case folded on case-insensitive servers."""
        return canonicalize(url, case_insensitive_paths=self.case_folding.folds(url))

    # ------------------------------------------------------------------ the policy
    def verdict(self, url: str) -> tuple[dict, Verdict] | None:
        """(the indexed article, whether it is due for a recheck) when url is an archived
        article; None for any other URL (listings, new pages: always fetched)."""
        stored = self.archive.index.article(url)
        if stored is None:
            return None
        checked, changed = recheck_times(self.archive.index, stored["id"], before_crawl=self.crawl_id)
        return stored, self.policy.verdict(history_of(stored, checked, changed), self.settings.clock())

    def not_due(self, url: str) -> bool:
        """An archived article the policy does not ask for again in this crawl."""
        if self.resuming:
            return False
        found = self.verdict(url)
        return found is not None and not found[1].due

    def asset_fresh(self, url: str) -> bool:
        """A page requisite or document archived within PORTAL_ASSET_RECHECK_DAYS."""
        max_age = self.settings.asset_recheck.total_seconds()
        return max_age > 0 and self.archive.newest_capture(url, max_age=max_age,
                                                          now=self.settings.clock()) is not None

    def unchanged_page(self, url: str, capture_id: int | None = None) -> dict | None:
        """What extraction gave for a page whose bytes did not change (304, identical payload,
        read back on resume): its indexed article, or a page that is no article (a listing)
        when the index holds none for it and the bytes are this URL's own earlier ones.
        Extraction would say the same, so it is not run. None: extract it."""
        stored = self.archive.index.article(url)
        if stored is not None:
            return stored_record(stored, url)
        capture = self.archive.index.capture(capture_id) if capture_id else None
        if capture is None or capture.get("record_type") != "revisit":
            # a response read back on resume: the killed crawl may have archived it without
            # getting as far as indexing its article
            return None
        if url_key(capture.get("refers_to_url") or "") != url_key(url):
            return None  # the same bytes as another URL (a print view, an alias): not known here
        return {"url": url, "canonical": url, "is_article": False}

    def canonical_of_alias(self, url: str) -> str | None:
        return canonical_of_alias(self.archive.index, url)


def stored_record(stored: dict, url: str) -> dict:
    record = {k: stored.get(k) for k in ("title", "published", "author", "body", "language", "encoding", "family")}
    record.update(url=url, canonical=stored["url"], is_article=True,
                  images=stored.get("images") or [], attachments=stored.get("attachments") or [])
    return record


def settings_summary(settings) -> dict:
    keys = ("USER_AGENT", "CONCURRENT_REQUESTS_PER_DOMAIN", "AUTOTHROTTLE_ENABLED", "ROBOTSTXT_OBEY",
            "DOWNLOAD_MAXSIZE", "CLOSESPIDER_PAGECOUNT", "WARC_MAX_SIZE", "PORTAL_PROXY", "PORTAL_RECHECK")
    return {k: settings.get(k) for k in keys}
