"""Runs one crawl in this process with Scrapy and turns its outcome into a report."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from archive.index import Index
from portal_crawler.console import short_time
from portal_crawler.run_summary import warcs_line
from portal_crawler.targets import split_targets, target_kwargs


@dataclass(frozen=True)
class CrawlRequest:
    targets: list[str]
    data_dir: Path
    proxy: str = ""
    max_pages: int | None = None
    resume: bool = False
    settings: dict = field(default_factory=dict)
    profiles: list[str] = field(default_factory=list)
    redis_url: str | None = None
    verbose: bool = False


@dataclass(frozen=True)
class CrawlReport:
    crawl_id: int
    outcome: str
    summary: dict

    def render(self) -> str:
        s = self.summary
        lines = [f"crawl {self.crawl_id}: {self.outcome}",
                 f"  pages      {s.get('pages', 0)}  ({s.get('not_modified', 0)} not modified, "
                 f"{s.get('revisits', 0)} deduplicated)",
                 f"  articles   {s.get('new', 0)} new, {s.get('changed', 0)} changed, "
                 f"{s.get('unchanged', 0)} unchanged"]
        recheck = s.get("recheck")
        if recheck:
            lines += recheck_lines(recheck)
        # `gone` counts page links that answered 404/410 (most never were articles: a dead link);
        # articles found gone are the recheck report's, on the `rechecked` line
        lines.append(f"  errors     {s.get('errors', 0)}   pages not found (404/410) {s.get('gone', 0)}")
        scrapy_stats = s.get("stats") or {}
        if scrapy_stats.get("proxy/failed"):
            failed = scrapy_stats["proxy/failed"]
            lines.append(f"  proxy      {scrapy_stats.get('proxy/failure')}: "
                         f"{failed} request{'s' if failed != 1 else ''} failed")
        capped = s.get("capped") or {}
        if capped:
            lines.append("  capped     " + ", ".join(f"{k} {v}" for k, v in sorted(capped.items())))
        warcs = s.get("warcs") or []
        if warcs:
            lines.append(warcs_line(warcs))
        for site, location in s.get("moved") or []:
            lines.append(f"  moved      {site} redirects to {location} (not followed; marked in the index)")
        lines.append(f"  bytes      {s.get('bytes', 0)}   time {s.get('seconds', 0):.1f}s")
        return "\n".join(lines)


def recheck_lines(r: dict) -> list[str]:
    """The revisit policy's account: every archived article of the crawled sites once."""
    earlier = r.get("rechecked", 0) + r.get("not_due", 0) + r.get("gone_before", 0) + r.get("not_reached", 0)
    if not earlier:
        return [f"  archive    {r.get('articles', 0)} articles, all new (nothing was archived before)"]
    policy = "every article revalidated (--recheck all)" if r.get("mode") == "all" else \
        "articles due for a recheck (see README: revisit policy)"
    lines = [f"  rechecked  {r.get('rechecked', 0)}: {r.get('changed', 0)} changed, {r.get('unchanged', 0)} unchanged, "
             f"{r.get('gone', 0)} gone  [{policy}]"]
    when = r.get("not_due_checked")
    span = f" (last checked {short_time(when[0])} .. {short_time(when[1])})" if when else ""
    lines.append(f"  not due    {r.get('not_due', 0)}{span}")
    extra = [f"{r[k]} {label}" for k, label in (("gone_before", "gone earlier"), ("not_reached", "not reached"))
             if r.get(k)]
    lines.append(f"  archive    {r.get('articles', 0)} articles = {r.get('new', 0)} new + {r.get('rechecked', 0)} "
                 f"rechecked + {r.get('not_due', 0)} not due" + "".join(f" + {e}" for e in extra))
    return lines



def check_targets(targets: list[str], profiles: list[str] = ()) -> None:
    """Fail before Scrapy starts (and refuse at `schedule add` what would fail at every run):
    unknown site ids, unreadable profile files, non-http start URLs."""
    from portal_crawler.errors import UserError
    from portal_crawler.sites.registry import RegistryError, load_registry
    ids, urls = split_targets(targets)
    try:
        registry = load_registry(list(profiles))
        for site_id in ids:
            registry.get(site_id)
    except RegistryError as exc:
        raise UserError(str(exc)) from None
    for url in urls:
        if not url.startswith(("http://", "https://")):
            raise UserError(f"not an http(s) start URL: {url}")


def scrapy_settings(request: CrawlRequest):
    from scrapy.settings import Settings
    from portal_crawler.errors import UserError
    settings = Settings()
    settings.setmodule("portal_crawler.settings", priority="project")
    settings.set("PORTAL_ARCHIVE_DATA", str(request.data_dir), priority="cmdline")
    if request.proxy:
        settings.set("PORTAL_PROXY", request.proxy, priority="cmdline")
    if request.max_pages is not None:
        if request.max_pages < 1:
            raise UserError("--max-pages must be at least 1")
        settings.set("CLOSESPIDER_PAGECOUNT", request.max_pages, priority="cmdline")
    if request.profiles:
        settings.set("PORTAL_PROFILES", ",".join(request.profiles), priority="cmdline")
    if not request.verbose:
        settings.set("LOG_LEVEL", "WARNING", priority="cmdline")
    for name, value in request.settings.items():
        settings.set(name, value, priority="cmdline")
    if settings.get("PORTAL_PROXY"):
        from portal_crawler.proxy import ProxyError, proxy_settings
        try:
            settings.update(proxy_settings(settings.get("PORTAL_PROXY"), request.data_dir), priority="cmdline")
        except ProxyError as exc:
            raise UserError(f"--proxy: {exc}") from None
    from portal_crawler.session import CrawlSettings
    try:
        CrawlSettings.from_settings(settings)  # a bad value fails here, before Scrapy starts
    except ValueError as exc:
        raise UserError(str(exc)) from None
    if request.redis_url:
        from portal_crawler.distributed import quiet_scrapy_redis, redis_settings
        quiet_scrapy_redis()
        for name, value in redis_settings(request.redis_url).items():
            settings.set(name, value, priority="cmdline")
    return settings


def run_crawl(request: CrawlRequest) -> CrawlReport:
    from scrapy.crawler import CrawlerProcess
    from portal_crawler.spiders.portal import PortalSpider

    check_targets(request.targets, request.profiles)
    settings = scrapy_settings(request)
    process = CrawlerProcess(settings)
    if not request.verbose:
        logging.getLogger("scrapy").setLevel(logging.WARNING)
    crawler = process.create_crawler(PortalSpider)
    process.crawl(crawler, **target_kwargs(request.targets), resume="1" if request.resume else None)
    process.start()
    return report_for(request.data_dir, crawler)


def report_for(data_dir: Path, crawler) -> CrawlReport:
    from portal_crawler.session import CrawlSession
    try:
        session = crawler.get_extension(CrawlSession)
    except RuntimeError:  # the crawler never got as far as its extensions
        session = None
    crawl_id = session.crawl_id if session is not None else None
    if crawl_id is None:  # the spider never opened: a setup error Scrapy has logged
        return CrawlReport(0, "failed", {"errors": 1})
    index = Index(Path(data_dir) / "index.sqlite")
    try:
        from portal_crawler.rescue.moved import mark_moved_sites
        moved = mark_moved_sites(index, Path(data_dir) / "warcs", crawl_id,
                                 getattr(getattr(crawler, "spider", None), "profiles", ()))
        run = index.crawl(crawl_id)
    finally:
        index.close()
    summary = dict(run.get("stats") or {})
    if moved:
        summary["moved"] = moved
    summary.update({k: run.get(k) for k in ("pages", "new", "changed", "errors", "warcs") if run.get(k) is not None})
    return CrawlReport(crawl_id, run.get("outcome") or "failed", summary)


def run_worker(data_dir: Path, redis_url: str, settings: dict, proxy: str = "", verbose: bool = False,
               run_id: str | None = None, wait: float = 120.0) -> CrawlReport:
    from scrapy.crawler import CrawlerProcess
    from portal_crawler.distributed import worker_spider_kwargs
    request = CrawlRequest(targets=[], data_dir=data_dir, proxy=proxy, settings=settings, redis_url=redis_url,
                           verbose=verbose)
    scrapy_set = scrapy_settings(request)
    process = CrawlerProcess(scrapy_set)
    from portal_crawler.spiders.portal import PortalSpider
    crawler = process.create_crawler(PortalSpider)
    process.crawl(crawler, **worker_spider_kwargs(redis_url, run_id=run_id, wait=wait))
    process.start()
    return report_for(data_dir, crawler)
