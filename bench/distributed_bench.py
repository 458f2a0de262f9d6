"""Distributed crawl bench: one portalgen corpus crawled by 1, 2 and 3 workers over one
Redis frontier, in the same run, plus a plain crawl without Redis as the peer.

    .venv/bin/python bench/distributed_bench.py [--articles 10000] [--workers 1,2,3]
        [--corpus DIR] [--keep DIR] [-s NAME=VALUE]...

For each configuration: pages fetched (GET/POST answers below 500, robots.txt excluded),
wall seconds from the coordinator's start to the last worker's exit, pages/s and the ratio to
the 1-worker run, (method, URL) pairs fetched more than once across workers, and, after
`portal-archive index --warcs` merged every worker's WARC files, canonical articles of the
truth file missing from the index or indexed more than once. Needs redis-server and
../shared/portalgen. Every worker runs on this machine: on few cores the workers share
the CPU, so the ratio shows the coordination overhead rather than what separate machines
would gain; pages per CPU-second (all worker processes) shows what Redis costs.
"""
from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support import portal_source, portalgen, redis_server  # noqa: E402
from tests.support.crawl_fetches import canonical_articles, fetches  # noqa: E402

CLI = [sys.executable, "-m", "portal_crawler.cli"]


def children_cpu() -> float:
    """CPU seconds used so far by this process's finished children (the workers)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def crawl_once(base: Path, corpus: Path, proxy: str, workers: int, redis_url: str | None, settings: list[str]) -> dict:
    """One crawl of the whole corpus with `workers` processes; returns its measurements."""
    dirs = [base / f"worker{i}" for i in range(workers)]
    extra = [arg for pair in settings for arg in ("-s", pair)]
    logs = [open(base / f"worker{i}.log", "wb") for i in range(workers)]
    cpu_before = children_cpu()
    started = time.monotonic()
    procs = []
    # Workers 1..N-1 join first and wait; worker 0 is the coordinator that opens the run.
    for i in range(1, workers):
        procs.append(subprocess.Popen([*CLI, "worker", "--redis", redis_url, "--data", str(dirs[i]),
                                       "--proxy", proxy, *extra], cwd=ROOT, stdout=logs[i], stderr=subprocess.STDOUT))
    coordinator = [*CLI, "crawl", *portalgen.start_urls(corpus), "--data", str(dirs[0]), "--proxy", proxy, *extra]
    if redis_url:
        coordinator += ["--redis", redis_url]
    procs.insert(0, subprocess.Popen(coordinator, cwd=ROOT, stdout=logs[0], stderr=subprocess.STDOUT))
    codes = [p.wait() for p in procs]
    seconds = time.monotonic() - started
    cpu = children_cpu() - cpu_before
    for log in logs:
        log.close()
    fetched, names = fetches([d / "warcs" for d in dirs])
    merge = subprocess.run([*CLI, "index", "--data", str(dirs[0]),
                            *[arg for d in dirs[1:] for arg in ("--warcs", str(d / "warcs"))]],
                           cwd=ROOT, capture_output=True, text=True)
    missing, twice = canonical_articles(dirs[0] / "index.sqlite", portal_source.portalgen_corpus(corpus)) if merge.returncode == 0 else (["?"], ["?"])
    pages = sum(fetched.values())
    return {"workers": workers, "redis": bool(redis_url), "exit": codes, "pages": pages,
            "seconds": round(seconds, 1), "pages_per_s": round(pages / seconds, 2),
            "cpu_s": round(cpu, 1), "pages_per_cpu_s": round(pages / cpu, 2) if cpu else None,
            "fetched_twice": sum(1 for n in fetched.values() if n > 1), "warc_files": len(names),
            "per_worker_pages": [sum(fetches([d / "warcs"])[0].values()) for d in dirs],
            "canonical_missing": len(missing), "canonical_twice": len(twice),
            "index_exit": merge.returncode}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=10000)
    parser.add_argument("--workers", default="1,2,3", help="worker counts to run, comma-separated")
    parser.add_argument("--corpus", type=Path, help="reuse (or write) the corpus here")
    parser.add_argument("--keep", type=Path, help="keep data directories and logs here")
    parser.add_argument("--no-plain", action="store_true", help="skip the plain crawl without Redis")
    parser.add_argument("-s", dest="settings", action="append", default=[], metavar="NAME=VALUE")
    args = parser.parse_args(argv)
    if not portalgen.available() or not redis_server.available():
        print("needs ../shared/portalgen and redis-server", file=sys.stderr)
        return 2
    base = args.keep or Path(tempfile.mkdtemp(prefix="distributed-bench-"))
    base.mkdir(parents=True, exist_ok=True)
    corpus = args.corpus or base / "corpus"
    if not (corpus / "truth.jsonl").exists():
        portalgen.generate(corpus, articles=args.articles)
    counts = [int(n) for n in args.workers.split(",")]
    results = []
    truth = sum(1 for t in portalgen.truth(corpus) if t["url"] == t["canonical"])
    try:
        with redis_server.RedisServer() as redis, \
                portalgen.PortalgenServer(corpus, log_path=base / "server.log") as server:
            plan = ([] if args.no_plain else [(1, None)]) + [(n, redis.url) for n in counts]
            for workers, url in plan:
                run_dir = base / (f"redis-{workers}" if url else "plain")
                shutil.rmtree(run_dir, ignore_errors=True)
                run_dir.mkdir()
                result = crawl_once(run_dir, corpus, server.url, workers, url, args.settings)
                results.append(result)
                print(json.dumps(result), flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)
    one = next((r for r in results if r["redis"] and r["workers"] == 1), None)
    print(f"\ncorpus: {args.articles} articles, {truth} canonical; settings: {' '.join(args.settings) or 'defaults'}")
    print(f"{'mode':<8} {'workers':>7} {'pages':>7} {'seconds':>8} {'pages/s':>8} {'vs 1':>6} {'cpu s':>7} "
          f"{'p/cpu-s':>8} {'twice':>6} {'missing':>8} {'dup idx':>8}  per worker")
    for r in results:
        ratio = f"{r['pages_per_s'] / one['pages_per_s']:.2f}" if one and r["redis"] else "-"
        print(f"{'redis' if r['redis'] else 'plain':<8} {r['workers']:>7} {r['pages']:>7} {r['seconds']:>8} "
              f"{r['pages_per_s']:>8} {ratio:>6} {r['cpu_s']:>7} {r['pages_per_cpu_s']:>8} "
              f"{r['fetched_twice']:>6} {r['canonical_missing']:>8} "
              f"{r['canonical_twice']:>8}  {r['per_worker_pages']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
