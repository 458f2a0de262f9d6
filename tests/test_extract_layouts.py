"""Ten layouts no CMS rule describes (tests/fixtures/layouts): per page and with the
template learned from the site's pages, each field as the page shows it."""
import pytest

from portal_crawler.extract import extract
from portal_crawler.extract.template_learn import learn
from tests.fixtures.layouts.generate import build, read_pages, read_truth
from tests.fixtures.layouts.layouts import LAYOUTS


@pytest.fixture(scope='module')
def corpus(tmp_path_factory):
    out = build(tmp_path_factory.mktemp('layouts') / 'corpus', articles=16, seed=5)
    return read_pages(out), read_truth(out)


def _flat(text):
    return ' '.join((text or '').split())


def _scores(pages, truth, template):
    rows = []
    for url, headers, data in pages:
        art = extract(data, url, headers, template=template)
        t = truth.get(url)
        if t is None:
            assert not art.is_article, f'{url} is a listing, not an article'
            continue
        body, lead = _flat(art.body), _flat(t['lead'])
        rows.append({'article': art.is_article, 'title': art.title == t['title'],
                     'published': art.published == t['published'], 'author': art.author == t['author'],
                     'body': body == _flat(t['body']), 'lead': body.startswith(lead) and body.count(lead) == 1})
    return {k: sum(r[k] for r in rows) / len(rows) for k in rows[0]}


@pytest.mark.parametrize('layout', [cls.host for cls in LAYOUTS])
def test_one_page_alone(corpus, layout):
    pages, truth = corpus
    m = _scores(pages[layout], truth, None)
    assert m['article'] == 1.0 and m['title'] >= 0.98
    assert m['published'] >= 0.90 and m['author'] >= 0.80, m


@pytest.mark.parametrize('layout', [cls.host for cls in LAYOUTS])
def test_with_the_learned_template(corpus, layout):
    pages, truth = corpus
    m = _scores(pages[layout], truth, learn(pages[layout]))
    assert m['article'] == 1.0 and m['title'] >= 0.98 and m['published'] >= 0.95, m
    assert m['author'] >= 0.90 and m['body'] >= 0.95 and m['lead'] >= 0.95, m
