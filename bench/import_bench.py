"""Import bench: `portal-archive import` of ~2,000 captures from a stand-in public archive.

The stand-in is pywb (its own venv, .ci/.pywb-venv) serving WARC files built from a real
crawl of the bundled demo portals: each article captured in three years, each round repeated
COPIES times a few days apart with a visitor counter in the bytes (a new payload, the same
text), a few articles edited in the last year, a few left out (the holes). A loopback proxy
makes it look like the Wayback Machine (Wayback CDX JSON, x-archive-orig- headers, 429 +
Retry-After).

Runs, in one process tree:
  1. peer: a bare urllib loop fetching the same id_ URLs from pywb (stores nothing)
  2. full import through the proxy at --rate (WARC + extraction + index + holes report)
  3. the same import killed with SIGKILL --kills times, then resumed to the end
Prints times, the ratio to the peer, and the checks: payloads byte-identical, capture
times kept, every article once per distinct text, no request closer than the rate allows
(beyond the proxy's scheduled 429s), captures fetched twice after the kills (at most one
in flight per kill), holes == the articles left out.

    .venv/bin/python bench/import_bench.py                 # ~2,000 captures
    .venv/bin/python bench/import_bench.py --copies 4      # ~300, quick
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from archive.timeline import SOURCE_URI  # noqa: E402
from archive.warc import iter_records  # noqa: E402
from archive.warc_reader import sha1_digest  # noqa: E402
from portal_crawler.demo.server import DemoServer  # noqa: E402
from tests.support.archive_standin import Pywb, WaybackProxy, build_standin, pywb_available  # noqa: E402

CLI = [sys.executable, "-m", "portal_crawler.cli"]
SITES = ["demo-yentho", "demo-huonglam"]
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def cli(*args) -> subprocess.CompletedProcess:
    result = subprocess.run([*CLI, *map(str, args)], capture_output=True, text=True, env=ENV, timeout=3600)
    if result.returncode != 0:
        sys.exit(f"failed: {' '.join(map(str, args))}\n{result.stdout}\n{result.stderr}")
    return result


def import_args(proxy: WaybackProxy, data: Path, rate: float) -> list[str]:
    return [*CLI, "import", *SITES, "--cdx", f"{proxy.url}/cdx/search/cdx", "--replay", f"{proxy.url}/web/",
            "-s", f"IMPORT_RATE={rate}", "-s", "IMPORT_BACKOFF=0.2", "--data", str(data)]


def imported(data: Path):
    for path in sorted((data / "warcs").glob("*.warc.gz")):
        for record, _ in iter_records(path):
            if record.header(SOURCE_URI):
                yield record


def check(standin, data: Path, proxy: WaybackProxy, rate: float, throttle_every: int) -> dict:
    records = list(imported(data))
    bad_payload = bad_time = 0
    for record in records:
        stamp = record.date.replace("-", "").replace(":", "").replace("T", "")[:14]
        original = standin.payloads.get((record.target_uri, stamp))
        if original is None:
            bad_time += 1
        elif record.rec_type == "response" and record.http.body != original:
            bad_payload += 1
        elif record.rec_type == "revisit" and record.header("WARC-Payload-Digest") != sha1_digest(original):
            bad_payload += 1
    rows = {row["url"]: row for row in map(json.loads, cli("export", "--data", data).stdout.splitlines())}
    wrong_versions = sum(rows.get(url, {}).get("versions") != len(texts) for url, texts in standin.texts.items())
    arrivals = proxy.arrivals
    statuses = Counter(a.status for a in arrivals)
    scheduled = len(arrivals) // throttle_every if throttle_every else 0
    min_gap = min((b.at - a.at for a, b in zip(arrivals, arrivals[1:])), default=0)
    # the most requests that reached the server within any one second
    times = [a.at for a in arrivals]
    busiest, first = 0, 0
    for last, at in enumerate(times):
        while at - times[first] >= 1.0:
            first += 1
        busiest = max(busiest, last - first + 1)
    holes = set()
    for path in (data / "reports").glob("import-*.json"):
        holes |= {h["url"] for h in json.loads(path.read_text())["holes"]}
    stored = Counter(record.header(SOURCE_URI) for record in records)
    return {"records": len(records), "bad_payload": bad_payload, "bad_time": bad_time,
            "articles": len(standin.texts), "wrong_versions": wrong_versions,
            "requests": len(arrivals), "rate_429": statuses[429] - scheduled, "scheduled_429": scheduled,
            "min_gap_ms": round(min_gap * 1000, 1), "rate_gap_ms": round(1000 / rate, 1),
            "most_in_one_second": busiest, "rate": rate,
            "stored_twice": sum(n > 1 for n in stored.values()),
            "holes_match": holes == set(standin.removed), "holes": len(holes), "removed": len(standin.removed)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--copies", type=int, default=28, help="repeats of each article round (28: ~2,000 captures)")
    parser.add_argument("--rate", type=float, default=100.0, help="IMPORT_RATE, requests per second")
    parser.add_argument("--kills", type=int, default=3)
    parser.add_argument("--work", type=Path, default=None)
    args = parser.parse_args()
    if not pywb_available():
        sys.exit("no pywb environment at .ci/.pywb-venv (see .ci/pywb-check.sh)")
    work = args.work or Path(tempfile.mkdtemp(prefix="import-bench-"))
    src = work / "crawl"
    with DemoServer() as server:
        cli("crawl", *SITES, "--data", src, "--proxy", server.url)
    standin = build_standin(sorted((src / "warcs").glob("*.warc.gz")), work / "standin", copies=args.copies)
    print(f"stand-in: {len(standin.payloads)} captures of {len(standin.texts)} articles and other pages/files, "
          f"{len(standin.removed)} articles left out, {len(standin.edited)} edited")
    throttle = 97
    with Pywb(standin.warcs, work / "pywb") as pywb:
        # 2. the full import
        with WaybackProxy(pywb.url, min_gap=0.5 / args.rate, throttle_every=throttle) as proxy:
            data = work / "full"
            started = time.monotonic()
            out = subprocess.run(import_args(proxy, data, args.rate), capture_output=True, text=True, env=ENV)
            full = time.monotonic() - started
            if out.returncode != 0:
                sys.exit(out.stdout + out.stderr)
            print(out.stdout)
            result = check(standin, data, proxy, args.rate, throttle)
        full_set = {r.header(SOURCE_URI).split("/web/", 1)[1] for r in imported(data)}
        # 1. peer: the mementos the import fetched, fetched bare
        mementos = [r.header(SOURCE_URI).replace(f"{proxy.url}/web/", f"{pywb.url}/c/") for r in imported(data)]
        started = time.monotonic()
        for uri in mementos:
            request = urllib.request.Request(uri, headers={"Accept-Encoding": "gzip, deflate, br"})
            with urllib.request.urlopen(request, timeout=60) as answer:
                answer.read()
        bare = time.monotonic() - started
        print(f"peer (bare urllib id_ fetches, no storage): {len(mementos)} in {bare:.1f}s "
              f"= {len(mementos) / bare:.0f}/s")

        print(f"import: {result['records']} captures in {full:.1f}s = {result['records'] / full:.0f}/s; "
              f"{full / bare:.2f}x the bare fetch time (rate limit {args.rate}/s included)")
        print("checks:", json.dumps(result))

        # 3. killed and resumed
        with WaybackProxy(pywb.url, min_gap=0.5 / args.rate, throttle_every=throttle) as proxy:
            data = work / "killed"
            step = max(1, len(mementos) // (args.kills + 1))
            started = time.monotonic()
            for kill in range(1, args.kills + 1):
                process = subprocess.Popen(import_args(proxy, data, args.rate), env=ENV,
                                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                while len(proxy.mementos()) < kill * step and process.poll() is None:
                    time.sleep(0.05)
                process.send_signal(signal.SIGKILL)
                process.wait()
            out = subprocess.run(import_args(proxy, data, args.rate), capture_output=True, text=True, env=ENV)
            resumed = time.monotonic() - started
            if out.returncode != 0:
                sys.exit(out.stdout + out.stderr)
            fetched = Counter(proxy.mementos())
            result = check(standin, data, proxy, args.rate, throttle)
            result["same_captures_as_uninterrupted"] = \
                {r.header(SOURCE_URI).split("/web/", 1)[1] for r in imported(data)} == full_set
        print(f"killed {args.kills} times and resumed: {result['records']} captures in {resumed:.1f}s "
              f"({resumed / full:.2f}x the uninterrupted import); fetched twice: "
              f"{sum(n > 1 for n in fetched.values())} (at most {args.kills}: one in flight per kill)")
        print("checks:", json.dumps(result))


if __name__ == "__main__":
    main()
