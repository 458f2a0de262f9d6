"""CPU per page of the spider's page handling: extraction plus links, the page parsed once
(links from extraction's tree) against parsed twice (extraction, then Scrapy's selector), on
the HTML pages of a portalgen corpus, both measured in the same run, alternating rounds.

    .venv/bin/python bench/parse_once_bench.py [--articles 300] [--rounds 3] [--work /tmp/parse-once-bench]
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import portal_crawler  # noqa: E402,F401  (offline tldextract)
from scrapy.http import HtmlResponse  # noqa: E402

from portal_crawler.extract import extract  # noqa: E402
from portal_crawler.page_reading import PageJob, read_page  # noqa: E402
from portal_crawler.spiders.portal import header_pairs, links_of  # noqa: E402

PORTALGEN = ROOT.parent / "shared" / "portalgen"


def pages(corpus: Path) -> list[tuple[str, bytes, str]]:
    routes = json.loads((corpus / "routes.json").read_text(encoding="utf-8"))["sites"]
    return [(f"http://{site['host']}{path}", (corpus / r["file"]).read_bytes(), r.get("content_type") or "text/html")
            for site in routes.values() for path, r in site["routes"].items()
            if r.get("file") and "html" in (r.get("content_type") or "text/html")]


def twice(url, body, content_type):
    response = HtmlResponse(url, body=body, headers={"Content-Type": content_type})
    links_of(response)                                   # Scrapy's parse
    extract(body, url, header_pairs(response.headers))   # extraction's own


def once(url, body, content_type):
    response = HtmlResponse(url, body=body, headers={"Content-Type": content_type})
    read = read_page(PageJob(body, url, header_pairs(response.headers), None))   # one parse: links, then article
    links_of(response, read.shared_links(response.text))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--work", type=Path, default=Path("/tmp/parse-once-bench"))
    args = parser.parse_args(argv)
    corpus = args.work / f"corpus-{args.articles}"
    if not (corpus / "routes.json").is_file():
        subprocess.run([sys.executable, str(PORTALGEN / "generate.py"), "--out", str(corpus),
                        "--articles", str(args.articles), "--seed", "1"], check=True, capture_output=True)
    found = pages(corpus)
    cpu = {"twice": 0.0, "once": 0.0}
    for _ in range(args.rounds):
        for name, handle in (("twice", twice), ("once", once)):
            began = time.process_time()
            for page in found:
                handle(*page)
            cpu[name] += time.process_time() - began
    per_page = {k: 1000 * v / (len(found) * args.rounds) for k, v in cpu.items()}
    print(f"{len(found)} HTML pages x {args.rounds} rounds: parsed twice {per_page['twice']:.2f} ms CPU a page, "
          f"once {per_page['once']:.2f} ms; once/twice {per_page['once'] / per_page['twice']:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
