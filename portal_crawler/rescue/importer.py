"""`portal-archive import`: captures of a site from a public web archive into this archive.

    list (CDX) -> choose -> fetch politely -> WARC record with provenance -> index -> holes

Resumable: the WARC files are the journal. Every record written carries its memento URI
(or source file and range); a new run first closes the files a killed run left open (at
their last whole record), reads which mementos they hold, and fetches only the others. A
capture is indexed from its WARC record by the same path as `index --rebuild`.
"""
from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

from archive.index import Index, url_key
from archive.warc import WarcWriter, WriterConfig, repair
from archive.warc_reader import iter_records
from archive.timeline import SOURCE_RANGE, SOURCE_URI
from portal_crawler.run_summary import warcs_line

from . import holes as holes_mod
from .cdx import CdxClient, CdxError
from .fetch import FetchError, PoliteHttp, Politeness, fetch_memento, fetch_record
from .records import done_key, write_copy, write_memento
from .select import bare_host, choose, on_hosts

log = logging.getLogger(__name__)

WAYBACK_CDX = "https://web.archive.org/cdx/search/cdx"
WAYBACK_REPLAY = "https://web.archive.org/web/"
IMPORT_PREFIX = "portal-archive-import"
PROGRESS_EVERY = 50   # captures between two progress lines


@dataclass(frozen=True)
class ImportSettings:
    politeness: Politeness = field(default_factory=Politeness)
    everything: bool = False
    warc_url: str | None = None     # prefix of WARC file URLs: fetch byte ranges (Common Crawl)
    max_size: int = 1_000_000_000
    cdx_filters: tuple[str, ...] = ()   # CDX `filter=` values, e.g. statuscode:200
    cdx_collapse: str | None = None     # CDX `collapse=`, e.g. digest

    # setting name -> (field of Politeness, converter)
    POLITENESS_NAMES = {"IMPORT_RATE": ("rate", float), "IMPORT_RETRIES": ("retries", int),
                        "IMPORT_BACKOFF": ("backoff", float), "IMPORT_TIMEOUT": ("timeout", float),
                        "USER_AGENT": ("user_agent", str)}
    # setting name -> (field of ImportSettings, converter)
    NAMES = {"IMPORT_ALL": ("everything", lambda v: v.strip().lower() in ("1", "true", "yes")),
             "IMPORT_WARC_URL": ("warc_url", str), "WARC_MAX_SIZE": ("max_size", int),
             "IMPORT_CDX_FILTER": ("cdx_filters", lambda v: tuple(f.strip() for f in v.split(",") if f.strip())),
             "IMPORT_CDX_COLLAPSE": ("cdx_collapse", lambda v: v.strip() or None)}

    @classmethod
    def from_pairs(cls, pairs: dict) -> "ImportSettings":
        known = {**cls.POLITENESS_NAMES, **cls.NAMES}
        polite, values = {}, {}
        for name, raw in pairs.items():
            if name not in known:
                raise ValueError(f"unknown import setting {name} (known: {', '.join(sorted(known))})")
            attr, convert = known[name]
            given = polite if name in cls.POLITENESS_NAMES else values
            try:
                given[attr] = convert(raw)
            except ValueError:
                raise ValueError(f"bad value for {name}: {raw!r}") from None
        settings = cls(Politeness(**polite), **values)  # Politeness checks its numbers
        if settings.max_size <= 0:
            raise ValueError("WARC_MAX_SIZE must be positive")
        return settings


@dataclass(frozen=True)
class Target:
    site: str           # registry id, or the host
    hosts: tuple[str, ...]
    profile: dict | None = None


@dataclass(frozen=True)
class ImportRequest:
    targets: list[Target]
    data_dir: Path
    cdx: str = WAYBACK_CDX
    replay: str = WAYBACK_REPLAY
    since: str | None = None
    until: str | None = None
    limit: int | None = None
    settings: ImportSettings = field(default_factory=ImportSettings)
    pairs: dict = field(default_factory=dict)


@dataclass
class SiteTally:
    """What an import did for one site: the captures the CDX listed and what became of them
    (the first counts are the selection's: rescue/select.py)."""
    listed: int = 0          # captures of the site's hosts the CDX listed
    chosen: int = 0          # ... chosen to fetch
    held: int = 0            # ... whose payload the archive holds already
    same_payload: int = 0    # ... later captures of a payload already chosen
    other: int = 0           # ... neither a page, document nor image, or not a 200
    other_hosts: int = 0     # listed under the host's prefix but of another host: dropped
    fetched: int = 0         # chosen and written to the import's WARC files
    revisits: int = 0        # ... as revisit records (a payload archived before)
    resumed: int = 0         # imported by an earlier run (found in the import WARC files)
    errors: int = 0          # chosen but not fetched (an error, or no answer, from the archive)
    digest_mismatch: int = 0  # fetched bytes that differ from the digest the CDX names
    per_year: dict = field(default_factory=dict)
    imported_per_year: dict = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        """The counters, in field order (not the per-year maps)."""
        return {name: value for name, value in vars(self).items() if isinstance(value, int)}


def imported_records(warcs_dir: Path) -> tuple[set[str], list[Path]]:
    """Mementos already imported (done keys) and the import WARC files, from the files."""
    done, files = set(), []
    for path in sorted(warcs_dir.glob(f"{IMPORT_PREFIX}-*.warc.gz")):
        files.append(path)
        try:
            for record, _ref in iter_records(path):
                uri = record.header(SOURCE_URI)
                if uri:
                    done.add(done_key(uri, record.header(SOURCE_RANGE)))
        except (OSError, ValueError) as exc:  # damage past repair: what was read counts
            log.warning("%s: %s", path.name, exc)
    return done, files


def index_files(index: Index, files: list[Path], own: set[Path]) -> dict:
    """Index WARC records by the rebuild path (extraction, captures, articles, documents).
    Kept in this one place so that it follows the project's record-to-rows function."""
    from portal_crawler.extract.warc_extract import learn_templates
    from portal_crawler.reindex import load_records, scan_metadata
    stats = {"records": 0, "versions": 0, "documents": 0, "errors": 0, "damage": []}
    trace = scan_metadata(files, own)
    # a closed portal's pages are read with the template learned from its imported pages
    load_records(index, files, trace, stats, learn_templates(files))
    stats["errors"] += len(stats["damage"])
    return stats


def run_import(request: ImportRequest, progress=None) -> dict:
    """`progress(line)`, if given, hears what each site is doing (listing, fetching)."""
    say = progress or (lambda line: log.info("%s", line))
    data = Path(request.data_dir)
    warcs_dir = data / "warcs"
    warcs_dir.mkdir(parents=True, exist_ok=True)
    repaired = repair(warcs_dir)
    done, earlier_files = imported_records(warcs_dir)
    index = Index(data / "index.sqlite", cache_mb=16)
    started = time.monotonic()
    articles_before, versions_before = _counts(index)
    politeness = request.settings.politeness
    http = PoliteHttp(politeness)
    archive = request.settings.warc_url or request.replay
    settings = {"kind": "import", "cdx": request.cdx, "replay": request.replay, **request.pairs}
    crawl_id = index.start_crawl([t.site for t in request.targets], settings)
    writer = WarcWriter(WriterConfig(str(warcs_dir), prefix=IMPORT_PREFIX, max_size=request.settings.max_size,
                                     crawl_id=crawl_id, targets=tuple(t.site for t in request.targets),
                                     software="portal-archive import", user_agent=politeness.user_agent),
                        find_payload=index.find_payload)
    tallies: dict[str, SiteTally] = {}
    listed: dict[str, list] = {}
    outcome, failure = "ok", None
    try:
        # files a killed import left unindexed are indexed first
        indexed = index.indexed_warc_files()
        pending = [p for p in earlier_files if p.name not in indexed]
        if pending:
            index_files(index, pending, set(pending))
        _close_interrupted(index, crawl_id, {t.site for t in request.targets})
        budget = request.limit
        for target in request.targets:
            tally = tallies[target.site] = SiteTally()
            if target.profile:
                index.upsert_site(target.profile)
                p = target.profile
                index.set_site_status(p["id"], None if p.get("status") == "unknown" else p.get("status"),
                                      p.get("redirects_to"), p.get("successor"))
            captures = []
            for host in target.hosts:
                say(f"{target.site}: listing the captures of {host} from {request.cdx}")
                client = CdxClient(request.cdx, http, request.settings.cdx_filters, request.settings.cdx_collapse)
                captures += client.captures(host, request.since, request.until)
            captures, others = on_hosts(captures, target.hosts)
            if others:
                # repr: a listed URL may hold CR/LF or escapes meant for a terminal
                log.warning("%s: %d capture(s) of other hosts dropped: %s%s", target.site, len(others),
                            ", ".join(repr(c.url) for c in others[:3]), " ..." if len(others) > 3 else "")
            listed[target.site] = captures
            tally.listed, tally.other_hosts = len(captures), len(others)
            tally.per_year = holes_mod.captures_per_year(captures)
            held, held_since = _held_payloads(index, target.hosts, archive)
            selection = choose(captures, held, everything=request.settings.everything, held_since=held_since)
            tally.chosen, tally.held, tally.same_payload = len(selection.chosen), selection.held, selection.same_payload
            tally.other = selection.other
            say(f"{target.site}: {tally.listed} captures listed, {tally.chosen} chosen to fetch")
            for number, capture in enumerate(selection.chosen, 1):
                if number % PROGRESS_EVERY == 0:
                    say(f"{target.site}: {number - 1} of {tally.chosen} handled ({tally.fetched} fetched,"
                        f" {tally.errors} errors)")
                if budget is not None and budget <= 0:
                    break
                key = done_key(*_source_of(request, capture))
                if key in done:
                    tally.resumed += 1
                    continue
                try:
                    if request.settings.warc_url:
                        copy = fetch_record(http, request.settings.warc_url, capture)
                        written = write_copy(writer, copy, capture, archive, target.site)
                    else:
                        memento = fetch_memento(http, request.replay, capture)
                        first = (capture.url, capture.timestamp) in selection.first_sightings
                        written = write_memento(writer, memento, capture, archive, target.site, dedupe=not first)
                except FetchError as exc:
                    log.warning("%s", exc)
                    tally.errors += 1
                    continue
                done.add(key)
                tally.fetched += 1
                tally.revisits += written.revisit
                tally.digest_mismatch += not written.digest_ok
                year = capture.year
                tally.imported_per_year[year] = tally.imported_per_year.get(year, 0) + 1
                if budget is not None:
                    budget -= 1
            say(f"{target.site}: {tally.fetched} fetched, {tally.resumed} imported before, {tally.errors} errors")
    except (CdxError, FetchError) as exc:
        outcome, failure = "failed", str(exc)
        log.error("import failed: %s", exc)
    finally:
        writer.close()
    files = [warcs_dir / name for name in writer.closed_files]
    stats = index_files(index, files, set(files)) if files else {"versions": 0, "documents": 0, "errors": 0}
    reports = {}
    for target in request.targets:
        cdx_held = {url_key(c.url) for c in listed.get(target.site, []) if c.status == 200}
        report = holes_mod.holes_report(index, warcs_dir, set(target.hosts), cdx_held)
        tally = tallies.get(target.site) or SiteTally()
        report.update(site=target.site, run=crawl_id, source=archive, captures_per_year=tally.per_year,
                      imported_per_year=dict(sorted(tally.imported_per_year.items())), counts=tally.__dict__)
        path = data / "reports" / f"import-{target.site}-{crawl_id}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
        reports[target.site] = (path, report)
    totals = dict.fromkeys(SiteTally().counts(), 0)
    for tally in tallies.values():
        for name, value in tally.counts().items():
            totals[name] += value
    articles_after, versions_after = _counts(index)
    new = articles_after - articles_before
    added = versions_after - versions_before
    summary = dict(totals, pages=totals["fetched"], new=new, versions=added,
                   changed=added - new, errors=totals["errors"] + stats.get("errors", 0),
                   documents=stats.get("documents", 0), repaired=len(repaired), warcs=writer.closed_files,
                   seconds=round(time.monotonic() - started, 1), requests=http.requests, retried=http.retried,
                   failure=failure)
    index.finish_crawl(crawl_id, outcome, summary, warcs=writer.closed_files)
    index.close()
    return {"crawl_id": crawl_id, "outcome": outcome, "summary": summary,
            "reports": {site: (str(path), report) for site, (path, report) in reports.items()}}


def _close_interrupted(index: Index, current: int, sites: set[str]) -> None:
    """Earlier imports of these sites still 'running' were killed (the caller holds the
    sites' locks): they end as failed, counted from what their files hold."""
    for run in index.crawls():
        if run["id"] != current and run.get("outcome") == "running" \
                and (run.get("settings") or {}).get("kind") == "import" and sites & set(run.get("targets") or ()):
            index.finish_crawl(run["id"], "failed", {"interrupted": True})


def _counts(index: Index) -> tuple[int, int]:
    return index.article_count(), index.version_count()


def _source_of(request: ImportRequest, capture) -> tuple[str, str | None]:
    if request.settings.warc_url:
        start = capture.offset or 0
        return request.settings.warc_url + (capture.filename or ""), \
            f"bytes={start}-{start + (capture.length or 0) - 1}"
    return f"{request.replay}{capture.timestamp}id_/{capture.url}", None


def _held_payloads(index: Index, hosts, archive: str) -> tuple[set[tuple[str, str]], dict[str, str]]:
    """(url_key, base32 digest) of the payloads this archive holds on the hosts from our
    crawls and other sources, and per url_key the 14-digit time of the oldest of them.
    Those imported from `archive` itself are left to the memento check, so a resumed import
    chooses exactly what an uninterrupted one would."""
    held, since = set(), {}
    for host in hosts:
        bare = bare_host(host)
        for key, digest, timestamp in index.payloads_on_host(bare, not_from=archive):
            held.add((key, digest.removeprefix("sha1:")))
            stamp = "".join(ch for ch in timestamp or "" if ch.isdigit())[:14]
            if stamp and (key not in since or stamp < since[key]):
                since[key] = stamp
    return held, since


def render(result: dict) -> str:
    s = result["summary"]
    lines = [f"import {result['crawl_id']}: {result['outcome']}" + (f" ({s['failure']})" if s.get("failure") else ""),
             f"  captures   {s['listed']} listed, {s['chosen']} chosen ({s['held']} already archived, "
             f"{s['same_payload']} same payload, {s['other']} not a page, document or image,"
             f" {s['other_hosts']} other hosts)",
             f"  fetched    {s['fetched']}  ({s['revisits']} deduplicated, {s['resumed']} imported before)",
             f"  articles   {s['new']} new, {s['changed']} older or newer versions",
             f"  errors     {s['errors']}   digest mismatches {s['digest_mismatch']}   requests {s['requests']}"
             f" ({s['retried']} retried)"]
    warcs = s.get("warcs") or []
    if warcs:
        lines.append(warcs_line(warcs))
    lines.append(f"  time       {s['seconds']:.1f}s")
    for site, (path, report) in result["reports"].items():
        years = ", ".join(f"{y}: {n}" for y, n in report["captures_per_year"].items()) or "none"
        lines.append(f"  {site}: captures per year {years}")
        lines.append(f"  {site}: {len(report['holes'])} article(s) linked from archived listings that no archive"
                     f" holds; report {path}")
        for hole in report["holes"][:10]:
            lines.append(f"    {hole['url']}  {hole['title'] or ''}  (linked from {hole['linked_from'][0]})")
        if len(report["holes"]) > 10:
            lines.append(f"    ... {len(report['holes']) - 10} more in the report")
    return "\n".join(lines)
