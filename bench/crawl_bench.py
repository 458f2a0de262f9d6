"""Crawl benchmark on the portalgen corpus (issue 5 "Measure", issue 3's recrawl bytes).

    .venv/bin/python bench/crawl_bench.py [--articles 2000 [10000 ...]] [--work /tmp/crawl-bench]
                                          [--skip full,recrawl,revalidate,bare,wget] [--report]

For each corpus size, one run of each crawler against its own fresh serve.py (a forward proxy
on 127.0.0.1), one after another, never side by side:
  full     `portal-archive crawl` (WARC + extraction + index), then a recrawl of the unchanged
           corpus into the same data dir through the same server (default settings: pages
           and requisites captured recently are answered from the archive), then a third
           crawl with those freshness windows off ("revalidate": every URL asked again with
           a conditional GET)
  bare     bench/bare_spider.py: the same link following and politeness, stores nothing
  wget     Debian's `wget --recursive --page-requisites --warc-file` through the same proxy,
           robots on, level inf, hosts limited to the portals, calendar `?date=` pages rejected
           (wget has no trap cap and never finishes without it)
Pages per second are the requests the server logged during a run over its wall-clock time
(process start to exit, startup included), so all three count the same way. Peak memory is
the larger of the crawl process's max RSS (os.wait4) and the RSS of its whole process tree
(its extraction workers included) sampled every 5 s; CPU seconds (os.wait4) include the
workers. Coverage is the share of canonical truth articles
whose URL (canonicalised, case-folded on the IIS-like hosts) has a 200 response or revisit
record in the crawler's WARC files. The table and a JSON copy go to bench/results/.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import portal_crawler  # noqa: E402,F401  (offline tldextract)
from protego import Protego  # noqa: E402
from warcio.archiveiterator import ArchiveIterator  # noqa: E402

from archive.index import Index  # noqa: E402
from portal_crawler.scope import TrapGuard, canonicalize  # noqa: E402

PORTALGEN = ROOT.parent / "shared" / "portalgen"
RESULTS = ROOT / "bench" / "results"
VENV_BIN = Path(sys.executable).parent
LOG_LINE = re.compile(r'"(?P<method>[A-Z]+) (?P<url>\S+) HTTP/[\d.]+" (?P<status>\d{3}) \S+ ?(?P<notes>.*)$')
CALENDAR_REJECT = r"[?&]date="
# A recrawl that asks the server about every page and requisite again (no freshness windows).
REVALIDATE_ALL = ["-s", "PORTAL_ARTICLE_RECHECK_HOURS=0", "-s", "PORTAL_ASSET_RECHECK_DAYS=0"]

TARGETS = {
    "full/bare pages/s": ">= 0.8",
    "full/wget pages/s": ">= 2.0",
    "full/wget coverage": ">= 1.0",
    "peak RSS MB": "<= 400",
    "RSS vs smaller corpus": "<= 1.3",
    "recrawl/first time": "<= 0.3",
    "recrawl/first WARC bytes": "< 0.15",
    "revalidate/first time": "<= 0.3",
    "revalidate/first WARC bytes": "< 0.15",
}


# ---------------------------------------------------------------------- corpus and server
def corpus_for(work: Path, articles: int, seed: int) -> Path:
    out = work / f"corpus-{articles}-{seed}"
    if not (out / "truth.jsonl").is_file():
        subprocess.run([sys.executable, str(PORTALGEN / "generate.py"), "--out", str(out),
                        "--articles", str(articles), "--seed", str(seed)], check=True, capture_output=True)
    return out


def load_sites(corpus: Path) -> list[dict]:
    data = json.loads((corpus / "sites.json").read_text(encoding="utf-8"))
    return list(data.values()) if isinstance(data, dict) else data


class Server:
    """serve.py on a free loopback port, logging to a file; a context manager."""

    def __init__(self, corpus: Path, log_path: Path):
        self.corpus, self.log_path = corpus, log_path
        self.proc, self.url = None, None

    def __enter__(self):
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen([sys.executable, str(PORTALGEN / "serve.py"), str(self.corpus), "--port", "0"],
                                     stdout=subprocess.PIPE, stderr=self.log)
        line = self.proc.stdout.readline().decode()
        if "serving on" not in line:
            self.proc.kill()
            raise RuntimeError(f"serve.py did not start: {line!r}")
        self.url = line.split("serving on", 1)[1].strip()
        return self

    def __exit__(self, *exc):
        self.proc.terminate()
        self.proc.wait(timeout=10)
        self.log.close()

    def stats(self) -> dict:
        with urllib.request.urlopen(self.url + "/_portalgen/stats", timeout=30) as answer:
            return json.load(answer)

    def log_size(self) -> int:
        self.log.flush()
        return self.log_path.stat().st_size

    def log_lines(self) -> int:
        with open(self.log_path, "rb") as f:
            return sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b""))


@dataclass
class LoggedRequest:
    method: str
    url: str
    status: int
    notes: str


def logged_requests(log_path: Path, start: int = 0, end: int | None = None) -> list[LoggedRequest]:
    """The proxied requests the server logged between two byte offsets of its log."""
    with open(log_path, "rb") as f:
        f.seek(start)
        text = f.read(None if end is None else end - start).decode("utf-8", "replace")
    found = []
    for line in text.splitlines():
        match = LOG_LINE.search(line)
        if match and "://" in match["url"]:
            found.append(LoggedRequest(match["method"], match["url"], int(match["status"]), match["notes"]))
    return found


# ---------------------------------------------------------------------- running a crawler
@dataclass
class Run:
    name: str
    seconds: float
    max_rss_mb: float
    returncode: int
    requests: list[LoggedRequest] = field(default_factory=list)
    extra: dict = field(default_factory=dict)
    cpu_seconds: float = 0.0          # user + system time of the crawl and its workers (os.wait4)

    @property
    def pages_per_second(self) -> float:
        return len(self.requests) / self.seconds if self.seconds else 0.0


def run_measured(name: str, cmd: list[str], out_dir: Path, server: Server, timeout: float) -> Run:
    """Run cmd to completion; wall time, max RSS (os.wait4) and the server's log for the run."""
    out_dir.mkdir(parents=True, exist_ok=True)
    start_offset = server.log_size()
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    with open(out_dir / f"{name}.stdout", "wb") as out, open(out_dir / f"{name}.stderr", "wb") as err:
        began = time.monotonic()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, cwd=ROOT, env=env)
        rss_series: list[tuple[float, float, int]] = []
        status, usage, timed_out = wait_with_deadline(
            proc, began + timeout,
            lambda: rss_series.append((round(time.monotonic() - began, 1), rss_mb(proc.pid), server.log_lines())))
        seconds = time.monotonic() - began
    proc.returncode = os.waitstatus_to_exitcode(status)
    time.sleep(0.2)  # let the server flush its last log lines
    # the largest single process (wait4), or the whole tree where a sample saw more
    peak = max([usage.ru_maxrss / 1024] + [sample[1] for sample in rss_series])
    run = Run(name, seconds, peak, proc.returncode,
              logged_requests(server.log_path, start_offset, server.log_size()),
              cpu_seconds=usage.ru_utime + usage.ru_stime)
    run.extra.update(timed_out=timed_out, rss_series=rss_series)
    return run


def rss_mb(pid: int) -> float:
    """The resident memory of pid and its descendants (the crawl's extraction workers)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return 0.0
    match = re.search(r"VmRSS:\s+(\d+) kB", status)
    return (int(match[1]) / 1024 if match else 0.0) + sum(rss_mb(int(child)) for child in children)


def wait_with_deadline(proc: subprocess.Popen, deadline: float, sample, every: float = 5.0):
    """os.wait4 the process, calling sample() every `every` seconds; past the deadline stop
    it as Ctrl-C would (Scrapy closes its files), then twice, then kill it.
    Returns (status, rusage, timed_out)."""
    stops = [signal.SIGINT, signal.SIGINT, signal.SIGKILL]
    next_sample = time.monotonic()
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            return status, usage, len(stops) < 3
        now = time.monotonic()
        if now >= next_sample:
            sample()
            next_sample = now + every
        if now > deadline and stops:
            proc.send_signal(stops.pop(0))
            deadline = now + 60 if stops else deadline
        time.sleep(0.05)


# ---------------------------------------------------------------------- coverage
def case_insensitive_hosts(corpus: Path) -> set[str]:
    routes = json.loads((corpus / "routes.json").read_text(encoding="utf-8"))["sites"]
    return {s["host"] for s in routes.values() if s.get("case_insensitive")}


def url_key(url: str, insensitive: set[str]) -> str:
    return canonicalize(url, case_insensitive_paths=(urlsplit(url).hostname or "") in insensitive)


def canonical_articles(corpus: Path) -> list[str]:
    with open(corpus / "truth.jsonl", encoding="utf-8") as f:
        records = [json.loads(line) for line in f if line.strip()]
    return [r["url"] for r in records if r["url"] == r["canonical"]]


def warc_fetched_keys(paths: list[Path], insensitive: set[str]) -> set[str]:
    """Keys of the URLs with a 200 response (or a revisit of one) in these WARC files."""
    keys = set()
    for path in paths:
        with open(path, "rb") as f:
            for record in ArchiveIterator(f):
                if record.rec_type not in ("response", "revisit"):
                    continue
                status = record.http_headers.get_statuscode() if record.http_headers else None
                if status in ("200", "304") or (record.rec_type == "revisit" and status is None):
                    keys.add(url_key(record.rec_headers.get_header("WARC-Target-URI"), insensitive))
    return keys


def coverage(canonical: list[str], keys: set[str], insensitive: set[str]) -> float:
    return sum(url_key(u, insensitive) in keys for u in canonical) / len(canonical)


def index_coverage(data: Path, canonical: list[str], insensitive: set[str]) -> float:
    index = Index(data / "index.sqlite")
    try:
        urls = [row[0] for row in index.conn.execute("SELECT url FROM articles UNION SELECT url FROM aliases")]
    finally:
        index.close()
    return coverage(canonical, {url_key(u, insensitive) for u in urls}, insensitive)


def warc_bytes(data: Path) -> int:
    return sum(p.stat().st_size for p in (data / "warcs").glob("*.warc*"))


# ---------------------------------------------------------------------- server-side checks
def server_checks(corpus: Path, requests: list[LoggedRequest], stats: dict, report: dict,
                  canonical: list[str], insensitive: set[str]) -> dict[str, tuple[bool, str]]:
    """issue 5's server-side conditions on one crawl's requests; name -> (passed, detail)."""
    sites = load_sites(corpus)
    hosts = {s["host"] for s in sites}
    on_site = hosts | {"www." + h for h in hosts}
    robots = {s["host"]: Protego.parse((corpus / "sites" / s["id"] / "robots.txt").read_text(encoding="utf-8"))
              for s in sites}
    user_agent = "portal-archive"
    disallowed = [r.url for r in requests if urlsplit(r.url).hostname in robots
                  and not robots[urlsplit(r.url).hostname].can_fetch(r.url, user_agent)]
    other = [r.url for r in requests if urlsplit(r.url).hostname not in on_site]
    cap = TrapGuard().caps.get("calendar", 0)
    calendar: dict[str, set[str]] = {}
    for r in requests:
        if "pattern:calendar" in r.notes:
            calendar.setdefault(urlsplit(r.url).hostname, set()).add(r.url)
    over_cap = {h: len(u) for h, u in calendar.items() if len(u) > cap}
    ok = {url_key(r.url, insensitive) for r in requests if r.status in (200, 304)}
    missing = [u for u in canonical if url_key(u, insensitive) not in ok]
    specials = {kind: [s["specials"][kind] for s in sites if kind in s.get("specials", {})]
                for kind in ("flaky", "slow", "server_error", "not_found")}
    retrieved = {kind: [u for u in specials[kind] if url_key(u, insensitive) in ok] for kind in ("flaky", "slow")}
    errors, gone = int(report.get("errors") or 0), int(report.get("gone") or 0)
    return {
        "no robots-disallowed request": (not disallowed, f"{len(disallowed)} {disallowed[:2]}"),
        "no other-host request": (not other and not stats.get("unknown_hosts"),
                                  f"{len(other)} {other[:2]} unknown_hosts={stats.get('unknown_hosts')}"),
        "calendar pages within cap": (not over_cap, f"cap {cap}/host; fetched "
                                      + ", ".join(f"{h.split('.')[0]} {len(u)}" for h, u in sorted(calendar.items()))),
        "every canonical article reached": (not missing, f"{len(canonical) - len(missing)}/{len(canonical)} {missing[:2]}"),
        "flaky pages retrieved": (len(retrieved["flaky"]) == len(specials["flaky"]),
                                  f"{len(retrieved['flaky'])}/{len(specials['flaky'])}; flaky hits {stats.get('flaky')}"),
        "slow pages retrieved": (len(retrieved["slow"]) == len(specials["slow"]),
                                 f"{len(retrieved['slow'])}/{len(specials['slow'])}"),
        "broken pages counted, not fatal": (
            report.get("returncode") == 0 and errors >= len(specials["server_error"]) and gone >= len(specials["not_found"]),
            f"exit {report.get('returncode')}, errors {errors} (>= {len(specials['server_error'])} 500 pages), "
            f"gone {gone} (>= {len(specials['not_found'])} 404 pages)"),
    }


def crawl_report(data: Path) -> dict:
    index = Index(data / "index.sqlite")
    try:
        runs = index.crawls()
    finally:
        index.close()
    run = runs[0] if runs else {}
    summary = dict(run.get("stats") or {})
    summary.update({k: run.get(k) for k in ("pages", "new", "changed", "errors") if run.get(k) is not None})
    return summary


# ---------------------------------------------------------------------- one corpus size
def start_urls(corpus: Path) -> list[str]:
    return [u for s in load_sites(corpus) for u in s["start_urls"]]


def bench_full(corpus: Path, work: Path, skip: set[str], timeout: float) -> dict:
    data = work / "full-data"
    shutil.rmtree(data, ignore_errors=True)
    cli = [str(VENV_BIN / "portal-archive"), "crawl", *start_urls(corpus), "--data", str(data)]
    with Server(corpus, work / "full-server.log") as server:
        first = run_measured("full", [*cli, "--proxy", server.url], work, server, timeout)
        stats = server.stats()
        report = crawl_report(data) | {"returncode": first.returncode}
        first_bytes = warc_bytes(data)
        result = {"first": first, "stats": stats, "report": report, "data": data, "warc_bytes": first_bytes}
        if "recrawl" not in skip:
            again = run_measured("recrawl", [*cli, "--proxy", server.url], work, server, timeout)
            result["recrawl"] = again
            result["recrawl_report"] = crawl_report(data) | {"returncode": again.returncode}
            result["recrawl_bytes"] = warc_bytes(data) - first_bytes
        if "revalidate" not in skip:
            # the same recrawl with the freshness windows off: every page asked again (conditional GET)
            before = warc_bytes(data)
            again = run_measured("revalidate", [*cli, "--proxy", server.url, *REVALIDATE_ALL], work, server, timeout)
            result["revalidate"] = again
            result["revalidate_report"] = crawl_report(data) | {"returncode": again.returncode}
            result["revalidate_bytes"] = warc_bytes(data) - before
    return result


def bench_bare(corpus: Path, work: Path, timeout: float) -> Run:
    with Server(corpus, work / "bare-server.log") as server:
        cmd = [sys.executable, str(ROOT / "bench" / "bare_spider.py"), *start_urls(corpus), "--proxy", server.url,
               "--stats", str(work / "bare-stats.json")]
        return run_measured("bare", cmd, work, server, timeout)


def bench_wget(corpus: Path, work: Path, timeout: float) -> tuple[Run, list[Path]]:
    out = work / "wget"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    hosts = ",".join(s["host"] for s in load_sites(corpus))
    with Server(corpus, work / "wget-server.log") as server:
        proxy = server.url.split("://", 1)[1]
        cmd = ["wget", "--recursive", "--level=inf", "--page-requisites", "--no-verbose",
               "-e", "robots=on", "-e", "use_proxy=yes", "-e", f"http_proxy={proxy}",
               "--span-hosts", f"--domains={hosts}", f"--reject-regex={CALENDAR_REJECT}",
               f"--warc-file={out / 'wget'}", "--directory-prefix", str(out / "files"), *start_urls(corpus)]
        run = run_measured("wget", cmd, work, server, timeout)
    run.extra["command"] = " ".join(cmd)
    return run, sorted(out.glob("*.warc.gz"))


def bench_size(articles: int, args) -> dict:
    work = args.work / f"n{articles}"
    work.mkdir(parents=True, exist_ok=True)
    began = time.monotonic()
    corpus = corpus_for(args.work, articles, args.seed)
    generate_seconds = time.monotonic() - began
    insensitive = case_insensitive_hosts(corpus)
    canonical = canonical_articles(corpus)
    skip = set(args.skip)
    row: dict = {"articles": articles, "canonical_articles": len(canonical), "generate_seconds": generate_seconds}

    if "full" not in skip:
        row |= full_rows(corpus, work, skip, args.timeout, canonical, insensitive)
    if "bare" not in skip:
        row["bare"] = run_summary(bench_bare(corpus, work, args.timeout))
    if "wget" not in skip:
        run, warcs = bench_wget(corpus, work, args.timeout)
        row["wget"] = run_summary(run) | {
            "coverage_warc": coverage(canonical, warc_fetched_keys(warcs, insensitive), insensitive),
            "command": run.extra["command"]}
    return row


def full_rows(corpus: Path, work: Path, skip: set[str], timeout: float, canonical: list[str],
              insensitive: set[str]) -> dict:
    row: dict = {}
    full = bench_full(corpus, work, skip, timeout)
    first = full["first"]
    row["full"] = run_summary(first) | {
        "coverage_warc": coverage(canonical, warc_fetched_keys(sorted((full["data"] / "warcs").glob("*.warc.gz")),
                                                                insensitive), insensitive),
        "coverage_index": index_coverage(full["data"], canonical, insensitive),
        "warc_bytes": full["warc_bytes"], "report": compact_report(full["report"])}
    row["checks"] = {name: list(v) for name, v in server_checks(
        corpus, first.requests, full["stats"], full["report"], canonical, insensitive).items()}
    if "recrawl" in full:
        again = full["recrawl"]
        row["recrawl"] = run_summary(again) | {"warc_bytes_added": full["recrawl_bytes"],
                                               "report": compact_report(full["recrawl_report"])}
    if "revalidate" in full:
        row["revalidate"] = run_summary(full["revalidate"]) | {
            "warc_bytes_added": full["revalidate_bytes"], "report": compact_report(full["revalidate_report"])}
    return row


def run_summary(run: Run) -> dict:
    statuses: dict[str, int] = {}
    for r in run.requests:
        statuses[str(r.status)] = statuses.get(str(r.status), 0) + 1
    return {"seconds": round(run.seconds, 2), "cpu_seconds": round(run.cpu_seconds, 2), "requests": len(run.requests),
            "pages_per_second": round(run.pages_per_second, 2), "max_rss_mb": round(run.max_rss_mb, 1),
            "returncode": run.returncode, "timed_out": run.extra.get("timed_out", False), "statuses": statuses,
            "rss_series": thin(run.extra.get("rss_series", []), 60)}


def thin(series: list, points: int) -> list:
    """At most `points` evenly spaced samples, the last one kept."""
    step = max(1, len(series) // points)
    return series[::step] + ([series[-1]] if series and (len(series) - 1) % step else [])


def compact_report(report: dict) -> dict:
    keys = ("pages", "new", "changed", "unchanged", "errors", "gone", "not_modified", "revisits", "capped", "returncode")
    return {k: report.get(k) for k in keys}


# ---------------------------------------------------------------------- the table
def verdict(value: float | None, target: str) -> str:
    if value is None:
        return "n/a"
    op, limit = target.split()
    limit = float(limit)
    passed = {">=": value >= limit, "<=": value <= limit, "<": value < limit}[op]
    return "PASS" if passed else "FAIL"


def ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def field_of(run: dict | None, name: str):
    return run.get(name) if run else None


def table(rows: list[dict], baseline: dict | None) -> str:
    lines = []
    for row in rows:
        n = row["articles"]
        full, bare, wget, again = row.get("full"), row.get("bare"), row.get("wget"), row.get("recrawl")
        revalidate = row.get("revalidate")
        lines.append(f"== corpus {n} articles ({row['canonical_articles']} canonical), "
                     f"generated in {row['generate_seconds']:.0f}s")
        lines.append(f"{'run':8} {'seconds':>9} {'CPU s':>7} {'requests':>9} {'pages/s':>8} {'maxRSS MB':>10} "
                     f"{'coverage':>9}  exit")
        for name, run in (("full", full), ("bare", bare), ("wget", wget), ("recrawl", again),
                          ("revalid.", revalidate)):
            if run:
                cov = run.get("coverage_warc")
                cpu = run.get("cpu_seconds")
                lines.append(f"{name:8} {run['seconds']:9.1f} {'-' if cpu is None else f'{cpu:.1f}':>7} "
                             f"{run['requests']:9d} {run['pages_per_second']:8.2f} "
                             f"{run['max_rss_mb']:10.1f} {'' if cov is None else f'{cov:.3f}':>9}  {run['returncode']}"
                             + ("  STOPPED AT TIMEOUT" if run.get("timed_out") else ""))
        if full:
            lines.append(f"full crawl index coverage {full['coverage_index']:.3f}; "
                         f"report {json.dumps(full['report'], ensure_ascii=False)}")
        for name, run in (("recrawl", again), ("revalidate", revalidate)):
            if run:
                lines.append(f"{name} report {json.dumps(run['report'], ensure_ascii=False)}")
        smaller = next((r for r in rows if r["articles"] < n and r.get("full")), None) or (
            baseline if baseline and baseline["articles"] < n else None)
        measures = {
            "full/bare pages/s": ratio(field_of(full, "pages_per_second"), field_of(bare, "pages_per_second")),
            "full/wget pages/s": ratio(field_of(full, "pages_per_second"), field_of(wget, "pages_per_second")),
            "full/wget coverage": ratio(field_of(full, "coverage_warc"), field_of(wget, "coverage_warc")),
            "peak RSS MB": field_of(full, "max_rss_mb"),
            "RSS vs smaller corpus": ratio(field_of(full, "max_rss_mb"),
                                           field_of(smaller and smaller.get("full"), "max_rss_mb")),
            "recrawl/first time": ratio(field_of(again, "seconds"), field_of(full, "seconds")),
            "recrawl/first WARC bytes": ratio(field_of(again, "warc_bytes_added"), field_of(full, "warc_bytes")),
            "revalidate/first time": ratio(field_of(revalidate, "seconds"), field_of(full, "seconds")),
            "revalidate/first WARC bytes": ratio(field_of(revalidate, "warc_bytes_added"), field_of(full, "warc_bytes")),
        }
        cpu_full, cpu_bare = field_of(full, "cpu_seconds"), field_of(bare, "cpu_seconds")
        if cpu_full and cpu_bare:
            lines.append(f"CPU seconds per request, full/bare: {ratio(cpu_full / full['requests'], cpu_bare / bare['requests']):.2f}"
                         f" ({1000 * cpu_full / full['requests']:.1f} vs {1000 * cpu_bare / bare['requests']:.1f} ms)")
        lines.append(f"{'measure':28} {'value':>9} {'target':>8}  verdict")
        for name, value in measures.items():
            note = f"  (vs {smaller['articles']} articles)" if name == "RSS vs smaller corpus" and smaller else ""
            lines.append(f"{name:28} {'-' if value is None else f'{value:.3f}':>9} {TARGETS[name]:>8}  "
                         f"{verdict(value, TARGETS[name])}{note}")
        if row.get("checks"):
            lines.append("server-side checks (first full crawl):")
            for name, (passed, detail) in row["checks"].items():
                lines.append(f"  {'PASS' if passed else 'FAIL'}  {name}: {detail}")
        if wget:
            speedup = ratio(field_of(wget, "seconds"), field_of(full, "seconds"))
            if speedup is not None:
                lines.append(f"wget/full wall time {speedup:.2f} (both archive the whole corpus; wget also "
                             f"fetches session-id and other duplicate URLs, so its request count is higher)")
            lines.append(f"wget: {wget['command']}")
        lines.append("")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, nargs="+", default=[2000])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--work", type=Path, default=Path("/tmp/crawl-bench"))
    parser.add_argument("--skip", type=lambda s: [x for x in s.split(",") if x], default=[],
                        help="comma list of runs to leave out: full, recrawl, revalidate, bare, wget")
    parser.add_argument("--baseline", type=Path, help="an earlier result JSON of a smaller corpus (peak RSS ratio)")
    parser.add_argument("--timeout", type=float, default=4 * 3600, help="seconds before a crawl is killed")
    parser.add_argument("--report", action="store_true",
                        help="only rebuild the table from the saved bench/results/crawl-N.json files")
    args = parser.parse_args(argv)
    if args.report:
        rows = [saved_row(n) for n in sorted(args.articles)]
        text = table(rows, None)
        print(text)
        (RESULTS / ("crawl-" + "-".join(str(n) for n in sorted(args.articles)) + ".txt")).write_text(
            f"crawl_bench --report {' '.join(sys.argv[1:])}\n" + text, encoding="utf-8")
        return 0
    if not (PORTALGEN / "generate.py").is_file():
        parser.error(f"portalgen is absent: {PORTALGEN}")
    baseline = json.loads(args.baseline.read_text(encoding="utf-8")) if args.baseline else None
    rows = []
    for articles in sorted(args.articles):
        rows.append(bench_size(articles, args))
        text = table(rows, baseline)
        print(text, flush=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    RESULTS.mkdir(parents=True, exist_ok=True)
    name = "crawl-" + "-".join(str(r["articles"]) for r in rows)
    header = f"crawl_bench {stamp}  {' '.join(sys.argv[1:])}\n"
    (RESULTS / f"{name}.txt").write_text(header + text, encoding="utf-8")
    suffix = "-".join(sorted(args.skip))
    for row in rows:
        name = f"crawl-{row['articles']}" + (f"-without-{suffix}" if suffix else "")
        (RESULTS / f"{name}.json").write_text(json.dumps(row, indent=1, ensure_ascii=False), encoding="utf-8")
    return 0


def saved_row(articles: int) -> dict:
    """The runs of one corpus size from every saved JSON, newest last (runs done by separate
    invocations, e.g. with --skip, side by side)."""
    row: dict = {}
    for path in sorted(RESULTS.glob(f"crawl-{articles}*.json"), key=lambda p: p.stat().st_mtime):
        row |= json.loads(path.read_text(encoding="utf-8"))
    return row


if __name__ == "__main__":
    sys.exit(main())
