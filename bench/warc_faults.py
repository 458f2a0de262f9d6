"""Fault injection on the WARC file of a real crawl: 100 seeded cases, figures printed.

    .venv/bin/python bench/warc_faults.py [--cases 100] [--seed 0] [--work DIR]

Crawls the bundled demo portals once, then for each case damages a copy of the crawl's
WARC file (flip 1-3 bytes, zero a 512-byte sector, or truncate it; half of the `index`
cases as a `.open` file a crash left) and runs `portal-archive index`, `index --rebuild`
(over the crawl's own index) or `extract` on it. Each case checks what
tests/support/warc_faults.py says: every record the damage did not touch is indexed and
reads back (snapshot) byte for byte, or is extracted; no byte of the damaged file is lost
(unchanged, or kept bytes + the tail kept in warcs/damaged/ equal it); exit 1 with one line
naming the file and the offset whenever the damage changed a record. The peer is the
pristine file: the intact records are counted from its record list in the same run.
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.warc_faults import Corpus, crawl_demo, run_case, summary  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0, help="first seed (cases use seed .. seed+cases-1)")
    parser.add_argument("--work", help="working directory (default: a temporary one, removed)")
    args = parser.parse_args()
    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="warc-faults-"))
    try:
        started = time.monotonic()
        corpus = Corpus.of(crawl_demo(work / "crawl"))
        print(f"pristine: {corpus.warc.name}, {corpus.warc.stat().st_size} bytes, {len(corpus.records)} records"
              f" ({sum(r.indexed for r in corpus.records)} indexed), {len(corpus.article_urls)} articles")
        results = []
        for seed in range(args.seed, args.seed + args.cases):
            result = run_case(corpus, work / "cases", seed)
            results.append(result)
            if not result.ok:
                print(f"  FAIL seed {seed} {result.mode} {result.fault} open={result.open_file}: {result.problems}")
        figures = summary(results)
        figures["seconds"] = round(time.monotonic() - started, 1)
        print(json.dumps(figures, indent=1))
        print(f"{figures['cases']} cases ({figures['passed']} passed): intact records kept "
              f"{figures['intact_kept']}/{figures['intact_records']} ({figures['intact_kept_pct']}%), "
              f"bytes preserved {figures['bytes_preserved']}/{figures['bytes_handed']} "
              f"({figures['bytes_preserved_pct']}%), torn tails kept aside {figures['tails_kept']}, "
              f"non-zero exit on {figures['nonzero_when_damaged']}/{figures['damaged_cases']} damaged cases, "
              f"exits {figures['exits']}")
        return 0 if figures["passed"] == figures["cases"] else 1
    finally:
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
