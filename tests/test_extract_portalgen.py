"""Score the extractor on a whole corpus: a fresh portalgen corpus with ../shared/eval (where
../shared has it), and the bundled demo portal against its expected.json."""
import json
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from portal_crawler.extract import extract
from portal_crawler.extract.warc_extract import iter_html_responses
from tests.support import portalgen
from tests.support.extract_checks import parsed

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / 'shared'
NOT_ARTICLES = ('home', 'listing', 'static', 'error')


def summary(output: str) -> dict:
    line = next(x for x in output.splitlines() if x.startswith('SUMMARY name=project'))
    pairs = (p.split('=') for p in line.split()[2:])
    return {k: float(v) for k, v in pairs if v.replace('.', '', 1).isdigit()}


@pytest.mark.skipif(not portalgen.available(), reason='../shared absent')
@pytest.mark.parametrize('use_rules', [True, False])
def test_targets_on_a_portalgen_corpus(tmp_path, use_rules):
    corpus, warc = tmp_path / 'corpus', tmp_path / 'corpus.warc.gz'
    portalgen.generate(corpus, articles=80, seed=11)
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


def demo_page(portals, url):
    """(body, headers) exactly as the demo server answers a client that takes no gzip."""
    parts = urlsplit(url)
    reply = portals.respond(parts.hostname, parts.path + (f'?{parts.query}' if parts.query else ''), {})
    assert reply.status == 200, url
    return reply.body, dict(reply.headers)


@pytest.mark.parametrize('use_rules', [True, False])
def test_every_field_of_every_demo_article(use_rules):
    """The demo's pages are few and hand-checked: every field must come out exactly."""
    from portal_crawler.demo.routes import DemoPortals
    from tests.support.portal_source import from_demo
    source = from_demo()
    portals = DemoPortals(source.root, compress=False)
    for expected in source.articles:
        for url in [expected['url'], *expected['aliases']]:
            body, headers = demo_page(portals, url)
            got = parsed(body, url, headers, use_rules=use_rules)
            assert got.is_article, url
            assert got.canonical == expected['url'], url
            assert (got.title, got.published, got.author) == \
                (expected['title'], expected['published'], expected['author']), url
            assert got.body == expected['body'], url
            assert [(i.src, i.caption) for i in got.images] == \
                [(i['src'], i['caption']) for i in expected['images']], url
            assert [(a.href, a.name) for a in got.attachments] == \
                [(a['href'], a['name']) for a in expected['attachments']], url
    for site in source.sites:
        for path, route in site.routes.items():
            if route['kind'] in NOT_ARTICLES and 'html' in route['content_type']:
                url = f'http://{site.host}{path}'
                body, headers = demo_page(portals, url)
                page = parsed(body, url, headers, use_rules=use_rules)
                assert not page.is_article and page.title, url
