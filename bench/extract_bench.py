#!/usr/bin/env python3
"""Extraction benchmark: our extractor (rules on / generic only) beside trafilatura, same run.

    extract_bench.py portalgen CORPUS_DIR CORPUS.warc.gz [--by-family]
    extract_bench.py aeb [AEB_DIR]

portalgen: runs extract() over every HTML response of the WARC, writes pred JSONL (rules on
and rules off: the generic path alone estimates layouts never seen), then
../shared/eval/score.py with --peer trafilatura for the side-by-side table; pages/s for both
are timed on the same pages (the truth URLs), one process, one core.
aeb: body F1 with the benchmark's own shingle metric, ours (generic) vs trafilatura, pages/s."""
from __future__ import annotations

import argparse
import gzip
import json
import re
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from portal_crawler.extract import extract  # noqa: E402
from portal_crawler.extract.warc_extract import iter_html_responses  # noqa: E402

SCORE = ROOT.parent / 'shared' / 'eval' / 'score.py'
AEB = ROOT.parent / 'shared' / 'aeb'


def run_warc(warc, out, use_rules, timed_urls):
    """Extract every HTML response; return (pages, articles, seconds spent on timed_urls)."""
    pages = list(iter_html_responses(warc))
    timed = 0.0
    n = 0
    with open(out, 'w', encoding='utf-8') as f:
        for url, headers, data in pages:
            t0 = time.perf_counter()
            art = extract(data, url, headers, use_rules=use_rules)
            spent = time.perf_counter() - t0
            if url in timed_urls:
                timed += spent
            if art.is_article:
                f.write(json.dumps(art.to_dict(), ensure_ascii=False) + '\n')
                n += 1
    return len(pages), n, timed


def portalgen(args):
    corpus = Path(args.corpus)
    truth = corpus / 'truth.jsonl'
    truth_urls = {json.loads(line)['url'] for line in truth.open(encoding='utf-8') if line.strip()}
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    for label, use_rules in (('rules', True), ('generic', False)):
        out = work / f'{corpus.name}_{label}.jsonl'
        pages, n, secs = run_warc(args.warc, out, use_rules, truth_urls)
        print(f'== ours ({label}): {pages} HTML pages, {n} articles; '
              f'{len(truth_urls) / secs:.0f} pages/s on the {len(truth_urls)} truth pages')
        cmd = [sys.executable, str(SCORE), str(truth), str(out), '--seconds', f'{secs:.4f}']
        if args.by_family:
            cmd.append('--by-family')
        if label == 'rules' and not args.no_peer:
            cmd += ['--peer', 'trafilatura', '--dir', str(corpus), '--peer-out', str(work / 'peer.jsonl'),
                    '--json', str(work / 'scores.json')]
        subprocess.run(cmd, check=False)
        if label == 'rules' and not args.no_peer:
            peer = json.loads((work / 'peer.jsonl.timing.json').read_text())
            print(f'speed (wall): ours {len(truth_urls) / secs:.1f} pages/s, trafilatura '
                  f'{peer["pages"] / peer["seconds"]:.1f} pages/s: '
                  f'{(len(truth_urls) / secs) / (peer["pages"] / peer["seconds"]):.1f}x')
            cpu_ratio(args.warc, truth_urls)


def cpu_ratio(warc, truth_urls):
    """Both extractors on the same pages in CPU seconds of this process: a ratio that other
    processes on a busy machine do not skew (wall time above does)."""
    from trafilatura import bare_extraction
    pages = [p for p in iter_html_responses(warc) if p[0] in truth_urls]
    t0 = time.process_time()
    for url, headers, data in pages:
        extract(data, url, headers)
    ours = time.process_time() - t0
    t0 = time.process_time()
    for url, _, data in pages:
        bare_extraction(data.decode('utf-8', 'replace'), url=url, with_metadata=True, include_images=True,
                        include_links=True, include_tables=True, include_comments=False)
    peer = time.process_time() - t0
    print(f'speed (cpu):  ours {len(pages) / ours:.1f} pages/s, trafilatura {len(pages) / peer:.1f} pages/s: '
          f'{peer / ours:.1f}x')


TOKEN = re.compile(r'\w+')


def _shingles(text, n=4):
    tok = TOKEN.findall((text or '').lower())
    return Counter(tuple(tok[i:i + n]) for i in range(max(1, len(tok) - n + 1))) if tok else Counter()


def aeb(args):
    base = Path(args.dir or AEB)
    truth = json.loads((base / 'ground-truth.json').read_text())
    pages = {k: gzip.decompress((base / 'html' / f'{k}.html.gz').read_bytes()) for k in truth}

    def score(pred):
        P, R = [], []
        for k, t in truth.items():
            ts, ps = _shingles(t['articleBody']), _shingles(pred.get(k, ''))
            tp = sum((ts & ps).values())
            if ps:
                P.append(tp / sum(ps.values()))
            R.append(tp / sum(ts.values()) if ts else 1.0)
        p, r = sum(P) / max(1, len(P)), sum(R) / max(1, len(R))
        return p, r, 2 * p * r / (p + r) if p + r else 0.0

    t0 = time.perf_counter()
    ours = {k: extract(v, truth[k].get('url') or 'http://example.test/', {}, use_rules=False).body
            for k, v in pages.items()}
    ours_s = time.perf_counter() - t0
    print(f'ours (generic):  P={score(ours)[0]:.3f} R={score(ours)[1]:.3f} F1={score(ours)[2]:.3f}  '
          f'{len(pages) / ours_s:.0f} pages/s')
    try:
        import trafilatura
    except ImportError:
        print('trafilatura not installed: no peer column')
        return
    t0 = time.perf_counter()
    peer = {k: trafilatura.extract(v.decode('utf-8', 'replace'), url=truth[k].get('url')) or ''
            for k, v in pages.items()}
    peer_s = time.perf_counter() - t0
    p, r, f = score(peer)
    print(f'trafilatura:     P={p:.3f} R={r:.3f} F1={f:.3f}  {len(pages) / peer_s:.0f} pages/s')
    print(f'speed ratio ours/trafilatura: {peer_s / ours_s:.1f}x')


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest='cmd', required=True)
    pg = sub.add_parser('portalgen')
    pg.add_argument('corpus')
    pg.add_argument('warc')
    pg.add_argument('--by-family', action='store_true')
    pg.add_argument('--no-peer', action='store_true')
    pg.add_argument('--work', default='/tmp/extract_bench', help='where predictions and scores go')
    ab = sub.add_parser('aeb')
    ab.add_argument('dir', nargs='?')
    args = ap.parse_args()
    portalgen(args) if args.cmd == 'portalgen' else aeb(args)


if __name__ == '__main__':
    main()
