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
import importlib.util
import json
import re
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from portal_crawler.extract import extract  # noqa: E402
from portal_crawler.extract.rules import load_families  # noqa: E402
from portal_crawler.extract.template_learn import Learner, learn  # noqa: E402
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


def crawl_cpu_ratio(corpora, everything):
    """Crawl-time extraction (template learning included, each family's rules removed) and
    trafilatura on the very same HTML pages, in CPU seconds of this process."""
    from trafilatura import bare_extraction
    ours = peer = 0.0
    n = 0
    for corpus, warc in corpora:
        sites = _corpus_sites(corpus)
        for host, pages in sorted(_by_host(warc).items()):
            families = tuple(f for f in everything if f.name != sites.get(host))
            t0 = time.process_time()
            learner = Learner(host, families=families)
            for url, headers, data in pages:
                learner.extract(data, url, headers)
            ours += time.process_time() - t0
            t0 = time.process_time()
            for url, _, data in pages:
                bare_extraction(data.decode('utf-8', 'replace'), url=url, with_metadata=True, include_images=True,
                                include_links=True, include_tables=True, include_comments=False)
            peer += time.process_time() - t0
            n += len(pages)
    print(f'speed (one core, CPU, same {n} HTML pages): ours crawl-time with learning {n / ours:.0f} pages/s, '
          f'trafilatura {n / peer:.1f} pages/s: {peer / ours:.1f}x')


def htmldate_cost(args):
    """Would htmldate earn its place as a date candidate source? Day right and ms a page on
    the layouts' articles, beside our whole extraction on the same pages."""
    from htmldate import find_date
    from tests.fixtures.layouts.generate import read_pages, read_truth
    corpus = Path(args.corpus)
    truth = read_truth(corpus)
    pages = [p for site in read_pages(corpus).values() for p in site if p[0] in truth]
    theirs = ours = 0.0
    right_theirs = right_ours = 0
    for url, headers, data in pages:
        day = truth[url]['published'][:10]
        t0 = time.process_time()
        found = find_date(data.decode('utf-8'), original_date=True, extensive_search=True)
        theirs += time.process_time() - t0
        t0 = time.process_time()
        art = extract(data, url, headers)
        ours += time.process_time() - t0
        right_theirs += (found or '')[:10] == day
        right_ours += (art.published or '')[:10] == day
    n = len(pages)
    print(f'htmldate: day right {right_theirs}/{n}, {1000 * theirs / n:.2f} ms a page; '
          f'ours (whole extraction): day right {right_ours}/{n}, {1000 * ours / n:.2f} ms a page')


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


def _score_module():
    spec = importlib.util.spec_from_file_location('portal_score', SCORE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _corpus_sites(corpus: Path) -> dict:
    """host -> family, from the corpus's routes.json (portalgen's layout; ours writes the same)."""
    routes = json.loads((corpus / 'routes.json').read_text(encoding='utf-8'))
    return {s['host']: s['family'] for s in routes['sites'].values()}


def _by_host(warc):
    groups: dict = {}
    for url, headers, data in iter_html_responses(warc):
        groups.setdefault(urlsplit(url).hostname, []).append((url, headers, data))
    return groups


def _lead_kept(truth, preds) -> float | None:
    """Share of articles with a lead whose body opens with it, once."""
    by_url = {p['url']: p for p in preds}
    rows = [(t, by_url.get(t['url'])) for t in truth if t.get('lead') and t['url'] == t['canonical']]
    if not rows:
        return None
    ok = 0
    for t, p in rows:
        body = ' '.join((p or {}).get('body', '').split())
        lead = ' '.join(t['lead'].split())
        ok += body.startswith(lead) and body.count(lead) == 1
    return ok / len(rows)


def extract_site(pages, families, mode):
    """One site's pages -> (article dicts, seconds including template learning). mode None:
    per page; 'rebuild': learn from the site's pages, then read them all (extract FILE.warc.gz,
    index --rebuild); 'crawl': one pass, per page until the template is learned from the
    first articles, then with it (what a crawl does)."""
    t0 = time.perf_counter()
    out = []
    if mode == 'crawl':
        learner = Learner(urlsplit(pages[0][0]).hostname, families=families)
        arts = (learner.extract(data, url, headers) for url, headers, data in pages)
    else:
        template = learn(pages, families=families) if mode == 'rebuild' else None
        arts = (extract(data, url, headers, families=families, template=template) for url, headers, data in pages)
    for art in arts:
        if art.is_article:
            out.append(art.to_dict())
    return out, time.perf_counter() - t0


FIELDS = ('coverage', 'title', 'published', 'published_date', 'author', 'body_f1', 'duplication', 'lead',
          'not_articles')


def leave_one_out(args):
    """Each family's pages extracted with its own CMS rules removed (the other families' rules
    stay: they must not grab a layout they do not describe), per page and with the template
    learned from the site's pages; new layouts have no rules at all."""
    score_mod = _score_module()
    everything = load_families()
    corpora = [(Path(args.corpus), args.warc)] + [(Path(d), w) for d, w in (args.layouts or [])]
    table, speed = [], {'ours_s': 0.0, 'pages': 0, 'peer_s': 0.0}
    speed_mode = None if args.no_template else 'crawl'      # crawl-time extraction, learning included
    for corpus, warc in corpora:
        sites = _corpus_sites(corpus)
        truth = score_mod.load_jsonl(corpus / 'truth.jsonl')
        truth_urls = {t['url'] for t in truth}
        groups = _by_host(warc)
        modes = [('rules on', 'all', None), ('leave-one-out, per page', 'loo', None),
                 ('leave-one-out, crawl-time', 'loo', 'crawl'), ('leave-one-out, template', 'loo', 'rebuild')]
        if args.no_template:
            modes = modes[:2]
        peer = None
        if not args.no_peer:
            peer_out = str(Path(args.work) / f'{corpus.name}_peer.jsonl')
            info = score_mod.make_peer(str(corpus), str(corpus / 'truth.jsonl'), peer_out)
            peer = score_mod.load_jsonl(peer_out)
            speed['peer_s'] += info['seconds']
            speed['peer_pages'] = speed.get('peer_pages', 0) + info['pages']
        for host, pages in sorted(groups.items()):
            family = sites.get(host)
            fam_truth = [t for t in truth if t['family'] == family]
            if not fam_truth:
                continue
            for label, rules_kind, mode in modes:
                families = everything if rules_kind == 'all' else \
                    tuple(f for f in everything if f.name != family)
                preds, secs = extract_site(pages, families, mode)
                m = score_mod.score(fam_truth, preds)
                m['lead'] = _lead_kept(fam_truth, preds)
                # score.py passes over pages outside the truth: listings read as articles
                m['not_articles'] = sum(1 for p in preds if p['url'] not in truth_urls)
                table.append((family, label, m))
                if mode == speed_mode:
                    speed['ours_s'] += secs
                    speed['pages'] += len(pages)
            if peer is not None:
                m = score_mod.score(fam_truth, peer)
                m['lead'] = _lead_kept(fam_truth, peer)
                table.append((family, 'trafilatura', m))
    if not args.no_peer and not args.no_template:
        crawl_cpu_ratio(corpora, everything)
    print(f"{'family':12} {'mode':26} " + ' '.join(f'{f[:8]:>8}' for f in FIELDS))
    for family, label, m in table:
        cells = ' '.join(f"{m[f]:8.3f}" if isinstance(m.get(f), float) else
                         f"{m[f]:8d}" if isinstance(m.get(f), int) else f"{'-':>8}" for f in FIELDS)
        print(f'{family:12} {label:26} {cells}')
    if speed['pages'] and speed['peer_s']:
        ours = speed['pages'] / speed['ours_s']
        theirs = speed['peer_pages'] / speed['peer_s']
        print(f"speed (one core, wall, same run): ours {'per page' if speed_mode is None else 'crawl-time, learning included'} {ours:.0f} pages/s over {speed['pages']} "
              f"HTML pages; trafilatura {theirs:.1f} pages/s over {speed['peer_pages']} articles: {ours / theirs:.1f}x")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest='cmd', required=True)
    pg = sub.add_parser('portalgen')
    pg.add_argument('corpus')
    pg.add_argument('warc')
    pg.add_argument('--by-family', action='store_true')
    pg.add_argument('--no-peer', action='store_true')
    pg.add_argument('--work', default='/tmp/extract_bench', help='where predictions and scores go')
    lo = sub.add_parser('loo', help='leave-one-family-out: per page and with the learned template')
    lo.add_argument('corpus')
    lo.add_argument('warc')
    lo.add_argument('--layouts', nargs=2, action='append', metavar=('DIR', 'WARC'),
                    help='a corpus of layouts without rules (tests/fixtures/layouts/generate.py)')
    lo.add_argument('--no-peer', action='store_true')
    lo.add_argument('--no-template', action='store_true', help='per page only')
    lo.add_argument('--work', default='/tmp/extract_bench')
    hd = sub.add_parser('htmldate', help='htmldate as a date source: accuracy and cost on the layouts')
    hd.add_argument('corpus', help='a corpus written by tests/fixtures/layouts/generate.py')
    ab = sub.add_parser('aeb')
    ab.add_argument('dir', nargs='?')
    args = ap.parse_args()
    {'portalgen': portalgen, 'loo': leave_one_out, 'htmldate': htmldate_cost, 'aeb': aeb}[args.cmd](args)


if __name__ == '__main__':
    main()
