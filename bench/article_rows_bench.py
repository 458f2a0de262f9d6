"""One article, one row: crawl portalgen and the demo portal, count article rows against the
truth, and score `extract`'s canonical on print and alias views.

    PYTHONPATH=. .venv/bin/python bench/article_rows_bench.py [--articles 400] [--seed 11]
                                                              [--only portalgen|demo|views]

Prints, per corpus: canonical truth articles, article rows, rows that are truth articles,
extra rows by what the page is (print view, alias, listing, ...), truth articles indexed
twice, aliases recorded, and (portalgen) eval/score.py's canonical accuracy. Run it with
another checkout first on PYTHONPATH to get the "before" numbers of the same corpus.
"""
from __future__ import annotations

import argparse
import json
import re
import sqlite3
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support import portalgen  # noqa: E402

CLI = [sys.executable, "-m", "portal_crawler.cli"]
SCORE = portalgen.SHARED / "eval" / "score.py"


def key(url: str, insensitive: set[str]) -> str:
    parts = urlsplit(url)
    host = (parts.hostname or "").removeprefix("www.")
    path = parts.path.lower() if host in insensitive else parts.path
    query = "&".join(sorted(p for p in parts.query.split("&") if p and not p.lower().startswith("sid=")))
    return f"{host}{path}" + (f"?{query}" if query else "")


def rows(data: Path) -> tuple[list[str], int]:
    db = sqlite3.connect(data / "index.sqlite")
    try:
        articles = [url for (url,) in db.execute("SELECT url FROM articles")]
        aliases = db.execute("SELECT count(*) FROM aliases").fetchone()[0]
    finally:
        db.close()
    return articles, aliases


def portalgen_numbers(work: Path, articles: int, seed: int) -> dict:
    corpus = portalgen.generate(work / "corpus", articles=articles, seed=seed)
    routes = json.loads((corpus / "routes.json").read_text(encoding="utf-8"))["sites"]
    insensitive = {s["host"] for s in routes.values() if s.get("case_insensitive")}
    kinds = {}
    for site in routes.values():
        for route, info in site["routes"].items():
            kinds[key(f"http://{site['host']}{route}", insensitive)] = info["kind"]
    truth = portalgen.truth(corpus)
    canonical = {key(t["url"], insensitive) for t in truth if t["url"] == t["canonical"]}
    data = work / "data"
    with portalgen.PortalgenServer(corpus) as server:
        run = subprocess.run([*CLI, "crawl", *portalgen.start_urls(corpus), "--data", str(data),
                              "--proxy", server.url], capture_output=True, text=True, timeout=3600)
    if run.returncode != 0:
        raise SystemExit(f"crawl failed: {run.stderr[-2000:]}")
    urls, aliases = rows(data)
    counted = Counter(key(u, insensitive) for u in urls)
    extra = Counter(kinds.get(k, "unknown") for k in counted if k not in canonical)
    result = {"truth_articles": len(canonical), "article_rows": len(urls),
              "rows_that_are_articles": sum(1 for k in counted if k in canonical),
              "articles_missing": len(canonical - set(counted)),
              "articles_twice": sum(1 for k, n in counted.items() if k in canonical and n > 1),
              "extra_rows": dict(extra), "aliases": aliases,
              "truth_views": dict(Counter(kinds.get(key(t["url"], insensitive), "?") for t in truth
                                          if t["url"] != t["canonical"]))}
    pred = work / "extract.jsonl"
    warcs = sorted(str(p) for p in (data / "warcs").glob("*.warc.gz"))
    subprocess.run([*CLI, "extract", *warcs, "-o", str(pred)], check=True, capture_output=True, timeout=3600)
    score = subprocess.run([sys.executable, str(SCORE), str(corpus / "truth.jsonl"), str(pred)],
                           capture_output=True, text=True, timeout=600)
    result["extract_canonical"] = [re.sub(r"\s+", " ", line).strip() for line in score.stdout.splitlines()
                                   if line.lstrip().startswith("canonical")]
    return result


def demo_numbers(work: Path) -> dict:
    expected = json.loads((ROOT / "portal_crawler" / "demo" / "expected.json").read_text(encoding="utf-8"))
    wanted = expected["articles"]
    data = work / "demo"
    run = subprocess.run([*CLI, "demo", "--data", str(data)], capture_output=True, text=True, timeout=1200)
    if run.returncode != 0:
        raise SystemExit(f"demo failed: {run.stderr[-2000:]}")
    urls, aliases = rows(data)
    known = {key(a["url"], set()) for a in wanted}
    counted = Counter(key(u, set()) for u in urls)
    return {"truth_articles": len(wanted), "article_rows": len(urls),
            "rows_that_are_articles": sum(1 for k in counted if k in known),
            "extra_rows": sorted(u for u in urls if key(u, set()) not in known),
            "aliases": aliases, "truth_aliases": sum(len(a.get("aliases") or []) for a in wanted)}


def views_numbers(work: Path) -> dict:
    """The loopback portal of tests/test_urls_one_row.py: one article, its print view with no
    canonical link, a /node/N shortlink and a category page with one long teaser."""
    import threading
    from http.server import ThreadingHTTPServer

    from archive.index import Index
    from portal_crawler.extract import extract
    from tests import test_urls_one_row as views
    server = ThreadingHTTPServer(("127.0.0.1", 0), views.Portal)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    data = work / "views"
    try:
        subprocess.run([*CLI, "crawl", f"http://{views.HOST}/", "--data", str(data), "--proxy",
                        f"http://127.0.0.1:{server.server_address[1]}"], check=True, capture_output=True, timeout=600)
    finally:
        server.shutdown()
    urls, aliases = rows(data)
    alias_views = [views.NODE, views.PRINT]
    with Index(data / "index.sqlite", readonly=True) as index:
        found = sum(1 for u in alias_views if (index.article(u) or {}).get("url") == views.ARTICLE)
    extracted = sum(1 for u in alias_views
                    if extract((views.FIXTURES / views.PAGES[u]).read_bytes(), u, views.HEADERS).canonical
                    == views.ARTICLE)
    return {"truth_articles": 1, "article_rows": len(urls), "rows": urls, "aliases": aliases,
            "index_names_the_article_from_views": f"{found}/{len(alias_views)}",
            "extract_canonical_on_views": f"{extracted}/{len(alias_views)}"}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=400)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--only", choices=("portalgen", "demo", "views"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="article-rows-") as tmp:
        work = Path(tmp)
        corpora = {"portalgen": lambda: portalgen_numbers(work, args.articles, args.seed),
                   "demo": lambda: demo_numbers(work), "views": lambda: views_numbers(work)}
        for name, measure in corpora.items():
            if args.only in (None, name):
                print(name, json.dumps(measure(), ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
