"""Benchmark of the index and Vietnamese search on generated articles.

    .venv/bin/python bench/search_bench.py --articles 200000 --queries 400 --dir /tmp/bench

Generates Vietnamese-like articles (~2.5 KB, syllables built from onsets, rhymes and
tones, Zipf-distributed), indexes them through `Index.upsert_article`, then times
`archive.search.search` over a mixed query set drawn at random from the generated
text (single word, two words, phrase, no diacritics, NFD, old tone placement, site +
date filter).  The peer is a plain FTS5 table (`unicode61`, no folding, BM25 ranked)
built and queried in the same run: both latency and quality (how many queries find
something, and how many find the article they were drawn from) are printed side by
side.  Not a test: nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import statistics
import sys
import time
import unicodedata
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from archive import textfold  # noqa: E402
from archive.index import Index  # noqa: E402
from archive.search import (QueryPlan, parse_query, search)  # noqa: E402

ONSETS = ["", "b", "c", "ch", "d", "đ", "g", "gi", "h", "k", "kh", "l", "m", "n", "ng", "nh",
          "ph", "qu", "r", "s", "t", "th", "tr", "v", "x"]
NUCLEI = ["a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y", "ai", "ao", "au", "ay",
          "âu", "ây", "eo", "êu", "ia", "iê", "iu", "oa", "oă", "oe", "oi", "ôi", "ơi", "ua",
          "uâ", "uê", "ui", "uô", "uy", "ưa", "ưi", "ươ", "ưu", "yê"]
CODAS = ["", "", "", "c", "ch", "m", "n", "ng", "nh", "p", "t"]
TONES = ["", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323"]
# Nuclei whose tone sits on the first vowel in the old style and the second in the new.
TWO_STYLES = ("oa", "oe", "uy")


def place_tone(nucleus: str, coda: str, tone: str, old_style: bool = True) -> str:
    if not tone:
        return nucleus
    marked = [i for i, c in enumerate(nucleus) if c in "ăâêôơư"]
    if marked:
        at = marked[-1]
    elif len(nucleus) == 1:
        at = 0
    elif nucleus in TWO_STYLES and not coda:
        at = 0 if old_style else 1
    elif coda or nucleus in ("oa", "oe", "uy", "ia", "ua", "ưa"):
        at = 1 if coda else 0
    else:
        at = 0
    return unicodedata.normalize("NFC", nucleus[:at + 1] + tone + nucleus[at + 1:])


def make_vocabulary(rng: random.Random, size: int) -> list[tuple[str, str]]:
    """(old-style syllable, new-style syllable) pairs, most frequent first."""
    seen, vocabulary = set(), []
    while len(vocabulary) < size:
        onset, nucleus, coda, tone = (rng.choice(ONSETS), rng.choice(NUCLEI), rng.choice(CODAS),
                                      rng.choice(TONES))
        old = onset + place_tone(nucleus, coda, tone, True) + coda
        if old in seen:
            continue
        seen.add(old)
        vocabulary.append((old, onset + place_tone(nucleus, coda, tone, False) + coda))
    return vocabulary


class Corpus:
    """Deterministic generated articles (regenerated from the seed, not kept in memory)."""

    def __init__(self, count: int, seed: int = 7, vocabulary: int = 6000, sites: int = 20):
        self.count, self.seed = count, seed
        rng = random.Random(seed)
        self.vocabulary = make_vocabulary(rng, vocabulary)
        self.words = [old for old, _new in self.vocabulary]
        self.new_style = dict(self.vocabulary)
        self.cumulative = []
        total = 0.0
        for rank in range(1, vocabulary + 1):
            total += 1.0 / rank
            self.cumulative.append(total)
        self.sites = [f"huyen{n:02d}" for n in range(sites)]
        self.authors = [" ".join(w.capitalize() for w in rng.sample(self.words[:800], 3))
                        for _ in range(300)]
        self.start = date(2015, 1, 1)
        self.days = (date(2025, 12, 31) - self.start).days
        self.cache: list[tuple[dict, str]] = []

    def article(self, number: int) -> tuple[dict, str]:
        if number < len(self.cache):
            return self.cache[number]
        return self.generate(number)

    def generate_all(self) -> None:
        """Keep every article in memory (~3 KB each) so both builds and queries share them."""
        self.cache = [self.generate(n) for n in range(self.count)]

    def generate(self, number: int) -> tuple[dict, str]:
        rng = random.Random(self.seed * 1_000_003 + number)
        words = rng.choices(self.words, cum_weights=self.cumulative, k=380)
        title_words = rng.choices(self.words, cum_weights=self.cumulative, k=rng.randint(8, 14))
        paragraphs, at = [], 0
        while at < len(words):
            sentences = []
            for _ in range(4):
                length = rng.randint(12, 25)
                if at < len(words):
                    sentences.append(" ".join(words[at:at + length]).capitalize() + ".")
                at += length
            paragraphs.append(" ".join(sentences))
        site = self.sites[number % len(self.sites)]
        published = self.start + timedelta(days=rng.randrange(self.days))
        article = {
            "url": f"http://{site}.test/tin-tuc/bai-{number}.html",
            "title": " ".join(title_words).capitalize(),
            "published": f"{published.isoformat()}T{rng.randrange(24):02d}:{rng.randrange(60):02d}:00+07:00",
            "author": rng.choice(self.authors) if rng.random() < 0.7 else None,
            "body": "\n\n".join(paragraphs),
        }
        return article, site


def make_queries(corpus: Corpus, count: int, rng: random.Random) -> list[dict]:
    """A mixed query set drawn from random generated articles."""
    kinds = ["word", "two words", "phrase", "no diacritics", "nfd", "old/new tone", "site+date"]
    queries = []
    for n in range(count):
        kind = kinds[n % len(kinds)]
        number = rng.randrange(corpus.count)
        article, site = corpus.article(number)
        words = [w.strip(".").lower() for w in article["body"].split()]
        start = rng.randrange(len(words) - 3)
        query = {"kind": kind, "source": article["url"], "site": None, "since": None, "until": None}
        if kind == "word":
            query["q"] = words[start]
        elif kind == "two words":
            query["q"] = f"{words[start]} {rng.choice(words)}"
        elif kind == "phrase":
            query["q"] = '"' + " ".join(words[start:start + rng.randint(2, 3)]) + '"'
        elif kind == "no diacritics":
            query["q"] = textfold.fold(f"{words[start]} {rng.choice(words)}")
        elif kind == "nfd":
            query["q"] = unicodedata.normalize("NFD", f"{words[start]} {rng.choice(words)}")
        elif kind == "old/new tone":
            candidates = [w for w in words if corpus.new_style.get(w, w) != w] or words
            word = rng.choice(candidates)
            query["q"] = corpus.new_style.get(word, word)
        else:
            query["q"] = words[start]
            published = date.fromisoformat(article["published"][:10])
            query["site"] = site
            query["since"] = (published - timedelta(days=rng.randrange(365))).isoformat()
            query["until"] = (published + timedelta(days=rng.randrange(365))).isoformat()
        queries.append(query)
    return queries


def build_archive(corpus: Corpus, path: Path, batch: int) -> tuple[float, int]:
    index = Index(path)
    raw, seconds, cpu, number = 0, 0.0, 0.0, 0
    bulk = index.bulk_load()
    bulk.__enter__()
    while number < corpus.count:
        articles = [corpus.article(n) for n in range(number, min(number + batch, corpus.count))]
        started, cpu_started = time.perf_counter(), time.process_time()  # generation not counted
        with index.transaction():
            for article, site in articles:
                index.upsert_article(article, site=site, captured="2026-01-01T00:00:00Z")
        seconds += time.perf_counter() - started
        cpu += time.process_time() - cpu_started
        raw += sum(len((a["title"] + a["body"] + (a["author"] or "")).encode("utf-8"))
                   for a, _ in articles)
        number += len(articles)
        if number % 20000 == 0:
            print(f"  indexed {number}", file=sys.stderr, flush=True)
    started, cpu_started = time.perf_counter(), time.process_time()
    bulk.__exit__(None, None, None)  # merges the FTS segments once
    seconds += time.perf_counter() - started
    cpu += time.process_time() - cpu_started
    index.close()
    print(f"build CPU time {cpu:.1f} s = {corpus.count / cpu:.0f} articles per CPU-second"
          f" (load average {os.getloadavg()[0]:.1f})")
    return seconds, raw


def build_peer(corpus: Corpus, path: Path, batch: int) -> float:
    """The straightforward table: FTS5 unicode61 over the raw columns."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("CREATE TABLE articles (id INTEGER PRIMARY KEY, url TEXT, site TEXT, published TEXT,"
                 " author TEXT, title TEXT, body TEXT)")
    conn.execute("CREATE INDEX articles_site_published ON articles(site, published)")
    conn.execute("CREATE VIRTUAL TABLE articles_fts USING fts5(title, body, content='articles',"
                 " content_rowid='id', tokenize='unicode61')")
    started = time.perf_counter()
    for number in range(0, corpus.count, batch):
        rows = [corpus.article(n) for n in range(number, min(number + batch, corpus.count))]
        conn.execute("BEGIN")
        for article, site in rows:
            cursor = conn.execute(
                "INSERT INTO articles (url, site, published, author, title, body) VALUES (?,?,?,?,?,?)",
                (article["url"], site, article["published"], article["author"], article["title"],
                 article["body"]))
            conn.execute("INSERT INTO articles_fts (rowid, title, body) VALUES (?, ?, ?)",
                         (cursor.lastrowid, article["title"], article["body"]))
        conn.execute("COMMIT")
    conn.execute("INSERT INTO articles_fts (articles_fts) VALUES ('optimize')")
    conn.close()
    return time.perf_counter() - started


def peer_search(conn, query: dict) -> list[str]:
    match = " ".join('"' + w.replace('"', "") + '"' for w in query["q"].replace('"', " ").split()) \
        if not query["q"].startswith('"') else query["q"]
    sql = ("SELECT a.url FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid"
           " WHERE articles_fts MATCH ?")
    params = [match]
    if query["site"]:
        sql += " AND a.site = ? AND a.published >= ? AND a.published <= ?"
        params += [query["site"], query["since"], query["until"] + "T99"]
    sql += " ORDER BY bm25(articles_fts, 10.0, 1.0) LIMIT 20"
    return [row[0] for row in conn.execute(sql, params)]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def summarize(name: str, timings: dict[str, list[float]]) -> None:
    every = [t for values in timings.values() for t in values]
    print(f"{name}: median {statistics.median(every) * 1000:.1f} ms, "
          f"p95 {percentile(every, 0.95) * 1000:.1f} ms, max {max(every) * 1000:.1f} ms")
    for kind, values in timings.items():
        print(f"    {kind:14s} median {statistics.median(values) * 1000:7.1f} ms"
              f"  p95 {percentile(values, 0.95) * 1000:7.1f} ms")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=200_000)
    parser.add_argument("--queries", type=int, default=350)
    parser.add_argument("--peer-queries", type=int, default=None,
                        help="how many of the queries to run on the peer (default: all)")
    parser.add_argument("--dir", type=Path, default=Path("bench-data"))
    parser.add_argument("--batch", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=None, help="query seed (default: random)")
    parser.add_argument("--no-peer", action="store_true")
    parser.add_argument("--reuse", action="store_true", help="reuse databases built before")
    parser.add_argument("--reuse-peer", action="store_true", help="reuse the peer database only")
    args = parser.parse_args(argv)

    args.dir.mkdir(parents=True, exist_ok=True)
    corpus = Corpus(args.articles)
    started = time.perf_counter()
    corpus.generate_all()
    print(f"generated {args.articles} articles in {time.perf_counter() - started:.0f} s",
          file=sys.stderr)
    ours, peer = args.dir / f"ours-{args.articles}.sqlite", args.dir / f"peer-{args.articles}.sqlite"
    report = {"articles": args.articles}
    if not (args.reuse and ours.exists()):
        for stale in args.dir.glob(f"ours-{args.articles}.sqlite*"):
            stale.unlink()
        indexing, raw = build_archive(corpus, ours, args.batch)
        report.update(build_seconds=round(indexing, 1), raw_mb=round(raw / 1e6, 1),
                      build_rate=round(args.articles / indexing))
        print(f"build: {args.articles} articles in {indexing:.1f} s (generation excluded) ="
              f" {args.articles / indexing:.0f} articles/s; raw text {raw / 1e6:.1f} MB")
    size = ours.stat().st_size
    report["db_mb"] = round(size / 1e6, 1)
    print(f"database: {size / 1e6:.1f} MB")
    if "raw_mb" in report:
        print(f"database / raw text: {size / 1e6 / report['raw_mb']:.2f}")
    if not args.no_peer and not ((args.reuse or args.reuse_peer) and peer.exists()):
        for stale in args.dir.glob(f"peer-{args.articles}.sqlite*"):
            stale.unlink()
        print(f"peer build: {build_peer(corpus, peer, args.batch):.1f} s; "
              f"{peer.stat().st_size / 1e6:.1f} MB")

    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    print(f"query seed {seed}")
    queries = make_queries(corpus, args.queries, random.Random(seed))
    index = Index(ours)
    for query in make_queries(corpus, 30, random.Random(seed + 1)):  # warm the caches
        search(index, query["q"], site=query["site"], since=query["since"], until=query["until"])
    timings: dict[str, list[float]] = {}
    cpu_timings: dict[str, list[float]] = {}
    found = {"ours": 0, "ours_source": 0, "peer": 0, "peer_source": 0}
    for query in queries:
        started, cpu_started = time.perf_counter(), time.process_time()
        result = search(index, query["q"], site=query["site"], since=query["since"],
                        until=query["until"])
        timings.setdefault(query["kind"], []).append(time.perf_counter() - started)
        cpu_timings.setdefault(query["kind"], []).append(time.process_time() - cpu_started)
        found["ours"] += bool(result.hits)
        found["ours_source"] += result.total > 0 and _finds_source(index, query, result)
    print(f"load average while querying: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    summarize("ours (wall clock)", timings)
    summarize("ours (CPU time of this process)", cpu_timings)
    report["ours"] = {k: [round(statistics.median(v) * 1000, 1), round(percentile(v, .95) * 1000, 1)]
                      for k, v in timings.items()}
    every = [t for values in timings.values() for t in values]
    report["ours_median_ms"] = round(statistics.median(every) * 1000, 1)
    report["ours_p95_ms"] = round(percentile(every, 0.95) * 1000, 1)
    every_cpu = [t for values in cpu_timings.values() for t in values]
    report["ours_cpu_median_ms"] = round(statistics.median(every_cpu) * 1000, 1)
    report["ours_cpu_p95_ms"] = round(percentile(every_cpu, 0.95) * 1000, 1)

    if not args.no_peer:
        conn = sqlite3.connect(peer)
        peer_timings: dict[str, list[float]] = {}
        sample = queries[: args.peer_queries or len(queries)]
        for query in sample:
            started = time.perf_counter()
            urls = peer_search(conn, query)
            peer_timings.setdefault(query["kind"], []).append(time.perf_counter() - started)
            found["peer"] += bool(urls)
            found["peer_source"] += _peer_finds_source(conn, query)
        summarize("peer (plain unicode61, BM25 over every match)", peer_timings)
        print(f"quality on {len(sample)} queries: peer finds something for {found['peer']},"
              f" the source article for {found['peer_source']}")
    print(f"quality on {len(queries)} queries: ours finds something for {found['ours']},"
          f" the source article for {found['ours_source']}")
    report["found"] = found
    print(json.dumps(report))


def _finds_source(index, query, result) -> bool:
    """Does the full match set (not only the first page) hold the article the query came from?"""
    plan = QueryPlan.build(index.conn, parse_query(query["q"]), query["site"], query["since"],
                           query["until"], None)
    row = index.conn.execute(
        "SELECT 1 FROM articles_fts WHERE articles_fts MATCH ? AND rowid ="
        " (SELECT id FROM articles WHERE url = ?)", (plan.match, query["source"])).fetchone()
    return row is not None


def _peer_finds_source(conn, query) -> bool:
    match = " ".join('"' + w.replace('"', "") + '"' for w in query["q"].replace('"', " ").split()) \
        if not query["q"].startswith('"') else query["q"]
    row = conn.execute("SELECT 1 FROM articles_fts WHERE articles_fts MATCH ? AND rowid ="
                       " (SELECT id FROM articles WHERE url = ?)", (match, query["source"])).fetchone()
    return row is not None


if __name__ == "__main__":
    main()
