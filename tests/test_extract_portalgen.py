"""Score the extractor on a fresh portalgen corpus with ../shared/eval (skipped without it)."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from portal_crawler.extract import extract
from portal_crawler.extract.warc_extract import iter_html_responses

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / 'shared'
pytestmark = pytest.mark.skipif(not (SHARED / 'portalgen' / 'generate.py').exists(), reason='../shared absent')


def summary(output: str) -> dict:
    line = next(x for x in output.splitlines() if x.startswith('SUMMARY name=project'))
    pairs = (p.split('=') for p in line.split()[2:])
    return {k: float(v) for k, v in pairs if v.replace('.', '', 1).isdigit()}


@pytest.mark.parametrize('use_rules', [True, False])
def test_targets_on_a_portalgen_corpus(tmp_path, use_rules):
    corpus, warc = tmp_path / 'corpus', tmp_path / 'corpus.warc.gz'
    subprocess.run([sys.executable, str(SHARED / 'portalgen' / 'generate.py'), '--out', str(corpus),
                    '--seed', '11', '--articles', '80'], check=True, capture_output=True)
    subprocess.run([sys.executable, str(SHARED / 'eval' / 'build_warc.py'), str(corpus), str(warc)],
                   check=True, capture_output=True)
    pred = tmp_path / 'pred.jsonl'
    with open(pred, 'w', encoding='utf-8') as f:
        for url, headers, data in iter_html_responses(warc):
            art = extract(data, url, headers, use_rules=use_rules)
            if art.is_article:
                f.write(json.dumps(art.to_dict(), ensure_ascii=False) + '\n')
    out = subprocess.run([sys.executable, str(SHARED / 'eval' / 'score.py'), str(corpus / 'truth.jsonl'), str(pred)],
                         check=True, capture_output=True, text=True).stdout
    m = summary(out)
    assert m['coverage'] >= 0.98 and m['title'] >= 0.99 and m['published'] >= 0.98
    assert m['author'] >= 0.95 and m['body_f1'] >= 0.97 and m['dup'] == 0
    assert m['img_p'] >= 0.95 and m['img_r'] >= 0.95 and m['canonical'] >= 0.98
