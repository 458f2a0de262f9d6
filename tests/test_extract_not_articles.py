"""A learned template never makes a listing, home, category or static page an article.

The per-page reading knows these pages are not articles; a template learned from the site's
article pages must keep it so: on portalgen's corpus (where ../shared has it), on the bundled
demo portal and on the ten layouts of tests/fixtures/layouts, `extract FILE.warc.gz` gives
exactly the truth's article URLs per page and with the learned templates; after a crawl and
after `index --rebuild`, the index holds no article row outside the truth."""
from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from warcio.warcwriter import WARCWriter

from portal_crawler.extract import extract
from portal_crawler.extract.template import Template
from portal_crawler.extract.warc_extract import iter_html_responses, learn_templates
from tests.fixtures.layouts.generate import build, read_pages, read_truth
from tests.support import portalgen
from tests.support.portal_source import from_demo
from tests.test_extract_warc import write_response

CLI = [sys.executable, '-m', 'portal_crawler.cli']
SHARED = Path(__file__).resolve().parent.parent.parent / 'shared'
SOURCES = ['portalgen', 'demo', 'layouts']


def _write_warc(path: Path, pages) -> Path:
    with open(path, 'wb') as f:
        writer = WARCWriter(f, gzip=True, warc_version='1.1')
        for url, headers, data in pages:
            ctype = dict(headers).get('Content-Type', 'text/html; charset=utf-8')
            write_response(writer, url, data, ctype=ctype)
    return path


def _demo_pages():
    """Every HTML page the demo portal serves, as a client that takes no gzip gets it."""
    from portal_crawler.demo.routes import DemoPortals
    source = from_demo()
    portals = DemoPortals(source.root, compress=False)
    for site in source.sites:
        for path, route in site.routes.items():
            if 'html' not in route['content_type']:
                continue
            reply = portals.respond(site.host, path, {})
            if reply.status == 200:
                yield f'http://{site.host}{path}', list(dict(reply.headers).items()), reply.body


@pytest.fixture(scope='module', params=SOURCES)
def warc(request, tmp_path_factory):
    """(WARC of every page a corpus serves, the set of its article URLs in every form)."""
    base = tmp_path_factory.mktemp(f'not-articles-{request.param}')
    if request.param == 'portalgen':
        if not portalgen.available():
            pytest.skip('../shared absent')
        corpus = portalgen.generate(base / 'corpus', articles=120, seed=1)
        path = base / 'corpus.warc.gz'
        subprocess.run([sys.executable, str(SHARED / 'eval' / 'build_warc.py'), str(corpus), str(path)],
                       check=True, capture_output=True)
        truth = {t['url'] for t in portalgen.truth(corpus)}
    elif request.param == 'demo':
        path = _write_warc(base / 'demo.warc.gz', _demo_pages())
        truth = {t['url'] for t in from_demo().truth}
    else:
        corpus = build(base / 'layouts', articles=16, seed=5)
        path = _write_warc(base / 'layouts.warc.gz', [p for pages in read_pages(corpus).values() for p in pages])
        truth = set(read_truth(corpus))
    return path, truth


def _difference(found: set, truth: set, archived: set) -> dict:
    return {'not articles': sorted(found - truth), 'missed': sorted((truth & archived) - found)}


def test_per_page_gives_exactly_the_articles(warc):
    path, truth = warc
    archived, found = set(), set()
    for url, headers, data in iter_html_responses(path):
        archived.add(url)
        if extract(data, url, headers).is_article:
            found.add(url)
    assert truth & archived, 'no article of the truth in the WARC'
    assert _difference(found, truth, archived) == {'not articles': [], 'missed': []}


def test_with_learned_templates_gives_exactly_the_articles(warc, tmp_path):
    path, truth = warc
    out = tmp_path / 'articles.jsonl'
    run = subprocess.run([*CLI, 'extract', str(path), '-o', str(out)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-2000:]
    found = [json.loads(line) for line in out.read_text(encoding='utf-8').splitlines()]
    archived = {url for url, _, _ in iter_html_responses(path)}
    assert _difference({a['url'] for a in found}, truth, archived) == {'not articles': [], 'missed': []}
    assert all(a['body'] or a['images'] or a['attachments'] or a['published'] for a in found)


def test_teasers_blanked_as_chrome_still_make_a_listing(warc):
    """A layout that learned no title place matches listings by the site's chrome alone; the
    listing's headlines are the site's 'latest news' lines, blanked as chrome, and the page
    must still read as the listing it shows."""
    path, truth = warc
    chrome_only = {host: Template(t.site, tuple(dataclasses.replace(layout, title=()) for layout in t.layouts))
                   for host, t in learn_templates([path]).items()}
    found = {url for url, headers, data in iter_html_responses(path)
             if extract(data, url, headers, template=chrome_only.get(urlsplit(url).hostname)).is_article}
    assert sorted(found - truth) == []


# ---------------------------------------------------------------- crawl, then index --rebuild
@pytest.fixture(scope='module')
def crawled(portal_source, tmp_path_factory):
    data = tmp_path_factory.mktemp(f'not-articles-crawl-{portal_source.name}') / 'data'
    with portal_source.serve(data.parent) as server:
        run = subprocess.run([*CLI, 'crawl', *portal_source.start_urls, '--data', str(data),
                              '--proxy', server.url], capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    return portal_source, data


def _outside_truth(source, data: Path) -> list[str]:
    truth = {source.key(t['url']) for t in source.truth} | {source.key(t['canonical']) for t in source.truth}
    rows = source.indexed_keys(data / 'index.sqlite', aliases=False)
    assert rows, 'no article rows'
    return sorted(k for k in rows if k not in truth)


def test_crawl_indexes_no_listing_as_an_article(crawled):
    source, data = crawled
    assert _outside_truth(source, data) == []


def test_rebuild_indexes_no_listing_as_an_article(crawled):
    source, data = crawled
    run = subprocess.run([*CLI, 'index', '--rebuild', '--data', str(data)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-2000:]
    assert _outside_truth(source, data) == []
