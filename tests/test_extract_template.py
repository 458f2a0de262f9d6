"""Learned site templates: deterministic data a person can read, edit and export; a
redesign is a second layout; `extract FILE.warc.gz` and `templates` use them."""
import io
import json
import subprocess
import sys
import tomllib

import pytest
from warcio.warcwriter import WARCWriter

from portal_crawler.extract import extract, rules, template
from portal_crawler.extract.template_learn import Learner, learn
from portal_crawler.extract.warc_extract import extract_warc
from tests.fixtures.layouts.generate import build, read_pages, read_truth
from tests.test_extract_warc import write_response

LIFERAY = 'tanlap.vinhphuc.test'
WEBCENTER = 'yenlac.vinhphuc.test'
DRUPAL = 'minhduc.haiduong.test'


@pytest.fixture(scope='module')
def corpus(tmp_path_factory):
    out = build(tmp_path_factory.mktemp('tpl') / 'corpus', articles=12, seed=9)
    return read_pages(out), read_truth(out)


def test_learning_is_deterministic_and_round_trips(corpus, tmp_path):
    pages, _ = corpus
    first, second = learn(pages[LIFERAY]), learn(list(pages[LIFERAY]))
    assert first.to_dict() == second.to_dict()
    (layout,) = first.layouts
    assert layout.date == ('div.portlet-content div.journal-content-article div.news-info',)
    assert 'ý kiến thăm dò' in layout.chrome and 'thứ ba, 16/07/2024' in layout.chrome   # poll, today's date
    path = template.save(first, tmp_path)
    assert template.load(path) == first


def test_a_time_shown_the_same_on_every_page_is_a_placeholder(corpus):
    pages, truth = corpus
    tpl = learn(pages[WEBCENTER])
    assert tpl.layouts[0].time_placeholder is True
    for url, headers, data in pages[WEBCENTER]:
        if url in truth:
            assert extract(data, url, headers, template=tpl).published == truth[url]['published']


def test_a_persons_edit_of_the_data_file_changes_extraction(corpus, tmp_path):
    pages, truth = corpus
    path = template.save(learn(pages[LIFERAY]), tmp_path)
    url, headers, data = next(p for p in pages[LIFERAY] if p[0] in truth)
    before = extract(data, url, headers, template=template.load(path))
    assert before.published == truth[url]['published']
    data_file = json.loads(path.read_text(encoding='utf-8'))
    data_file['layouts'][0]['date'] = ['div.asset-list span.date']       # a person points elsewhere
    data_file['layouts'][0]['title'] = ['div.news-info']
    path.write_text(json.dumps(data_file, ensure_ascii=False), encoding='utf-8')
    after = extract(data, url, headers, template=template.load(path))
    assert after.published != before.published and after.published[:4].isdigit()
    assert after.title.startswith('Ngày đăng:')


def test_a_malformed_edit_is_refused_at_load(tmp_path):
    path = tmp_path / 'x.test.json'
    path.write_text(json.dumps({'format': 1, 'site': 'x.test', 'layouts': [{'date': ['div[']}]}))
    with pytest.raises(ValueError, match='bad CSS selector'):
        template.load(path)
    path.write_text('{not json')
    with pytest.raises(ValueError, match='not a template file'):
        template.load(path)


def test_export_as_a_cms_rule_file(corpus):
    pages, _ = corpus
    text = learn(pages[DRUPAL]).to_rules_toml()
    family = rules.family_from_dict(tomllib.loads(text))
    assert family.date and family.title and family.min_markers >= 1
    url, _, data = next(p for p in pages[DRUPAL] if '/tin-tuc/' in p[0])
    assert extract(data, url, {}, families=(family,)).family == family.name


def test_a_redesign_is_a_new_layout_not_an_average(corpus):
    pages, truth = corpus
    old = [p for p in pages[LIFERAY] if p[0] in truth]
    new = [(u.replace(LIFERAY, DRUPAL), h, d) for u, h, d in pages[DRUPAL] if u in truth]   # same site, new look
    tpl = learn(old + new, site=LIFERAY)
    assert len(tpl.layouts) == 2
    assert tpl.layouts[0].date != tpl.layouts[1].date
    learner = Learner(LIFERAY, after=6)
    for url, headers, data in old + new:
        learner.extract(data, url, headers)
    assert len(learner.template.layouts) == 2


def test_one_page_alone_learns_nothing(corpus):
    pages, truth = corpus
    one = [next(p for p in pages[LIFERAY] if p[0] in truth)]
    assert learn(one).layouts == ()


def _warc(tmp_path, pages):
    path = tmp_path / 'site.warc.gz'
    with open(path, 'wb') as f:
        writer = WARCWriter(f, gzip=True, warc_version='1.1')
        for url, _, data in pages:
            write_response(writer, url, data)
    return path


def test_extract_warc_learns_across_the_pages_and_takes_stored_templates(corpus, tmp_path):
    pages, truth = corpus
    warc = _warc(tmp_path, pages[LIFERAY])
    out = io.StringIO()
    assert extract_warc(warc, out) == sum(1 for u, _, _ in pages[LIFERAY] if u in truth)
    rows = [json.loads(x) for x in out.getvalue().splitlines()]
    assert all(r['published'] == truth[r['url']]['published'] for r in rows)
    stored = learn(pages[LIFERAY])
    edited = template.Template.from_dict({**stored.to_dict(), 'layouts': [
        {**stored.to_dict()['layouts'][0], 'title': ['div.news-info']}]})
    out = io.StringIO()
    extract_warc(warc, out, {LIFERAY: edited})
    assert all(json.loads(x)['title'].startswith('Ngày đăng:') for x in out.getvalue().splitlines())


def test_the_templates_command_prints_and_exports(corpus, tmp_path):
    pages, _ = corpus
    (tmp_path / 'warcs').mkdir()
    _warc(tmp_path / 'warcs', pages[DRUPAL])
    cli = [sys.executable, '-m', 'portal_crawler.cli']
    shown = subprocess.run(cli + ['templates', '--data', str(tmp_path), '--save'], capture_output=True, text=True)
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout.split('\n', 1)[1])['site'] == DRUPAL
    assert (tmp_path / 'templates' / f'{DRUPAL}.json').is_file()
    rules_text = subprocess.run(cli + ['templates', 'minhduc', '--data', str(tmp_path), '--export-rules'],
                                capture_output=True, text=True, check=True).stdout
    assert tomllib.loads(rules_text)['select']['date']
    missing = subprocess.run(cli + ['templates', '--data', str(tmp_path / 'nothing')], capture_output=True, text=True)
    assert missing.returncode == 2 and len(missing.stderr.strip().splitlines()) == 1


def test_saving_keeps_a_stored_file_and_rebuild_prefers_it(corpus, tmp_path):
    from portal_crawler.cli.templates import templates_report
    from portal_crawler.extract.warc_extract import site_templates
    pages, _ = corpus
    (tmp_path / 'warcs').mkdir()
    warc = _warc(tmp_path / 'warcs', pages[DRUPAL])
    assert '# saved' in templates_report(tmp_path, None, False, True)
    stored = tmp_path / 'templates' / f'{DRUPAL}.json'
    edited = json.loads(stored.read_text(encoding='utf-8'))
    edited['layouts'][0]['title'] = ['div.submitted']
    stored.write_text(json.dumps(edited, ensure_ascii=False), encoding='utf-8')
    assert '# kept' in templates_report(tmp_path, None, False, True)
    assert json.loads(stored.read_text(encoding='utf-8'))['layouts'][0]['title'] == ['div.submitted']
    chosen = site_templates(tmp_path, [warc])[DRUPAL]
    assert chosen.layouts[0].title == ('div.submitted',)
    learner = Learner(DRUPAL, template=chosen)
    url, headers, data = next(p for p in pages[DRUPAL] if '/tin-tuc/' in p[0])
    assert learner.extract(data, url, headers).title.startswith('Gửi bởi')
