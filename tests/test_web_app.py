"""The web app at the WSGI level, over a real index and real WARC files (tests/browser/archive_fixture)."""
from __future__ import annotations

import gzip
import hashlib
import io
import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path
from urllib.parse import quote

import pytest

from archive.warc import iter_records
from archive.web import UnsafeBindError, make_app
from archive.web.server import build_server
from tests.browser.archive_fixture import (CSS_URL, DONGDA_TITLE, DONGDA_URL, FILLER_COUNT, IMAGE_URL,
                                           NTM_TITLE, NTM_URL, PDF_URL, REMOVED_URL, build_archive,
                                           build_single_article, png)
from tests.browser.wsgi_client import call
from tests.support.warc_check import warc_files, warcio_check


def q(url: str) -> str:
    return quote(url, safe="")


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    built = build_archive(tmp_path_factory.mktemp("web-app") / "data")
    warcio_check(*warc_files(built.warcs_dir))
    return built


@pytest.fixture(scope="module")
def app(archive):
    return make_app(archive.data_dir)


# -- search -------------------------------------------------------------------------------

def hit_titles(html: str) -> list[str]:
    return re.findall(r'<h2 class="hit-title"><a href="[^"]*">([^<]*)</a>', html)


def test_search_finds_text_with_and_without_diacritics(app):
    with_marks = call(app, "/?q=" + quote("nông thôn mới"))
    without = call(app, "/?q=nong+thon+moi")
    assert with_marks.status == without.status == 200
    for answer in (with_marks, without):
        assert f'data-total="{FILLER_COUNT + 1}"' in answer.text
        assert len(hit_titles(answer.text)) == 20
        assert "<mark>nông</mark> <mark>thôn</mark> <mark>mới</mark>" in answer.text
    dong_da = call(app, "/?q=dong+da")
    assert hit_titles(dong_da.text)[0] == DONGDA_TITLE
    assert "<mark>Đống</mark> <mark>Đa</mark>" in dong_da.text


def test_search_pagination_and_counts(app):
    second = call(app, "/?q=nong+thon+moi&page=2")
    assert len(hit_titles(second.text)) == FILLER_COUNT + 1 - 20
    assert "(hiển thị 21–25)" in second.text
    assert 'rel="prev" href="/?q=nong+thon+moi"' in second.text
    assert 'aria-current="page">2<' in second.text
    small = call(app, "/?q=nong+thon+moi&limit=5&page=3")
    assert len(hit_titles(small.text)) == 5 and 'aria-current="page">3<' in small.text


def test_search_filters_site_dates_author(app):
    in_march = call(app, "/?q=nong+thon+moi&since=01/03/2019&until=2019-03-31")
    assert hit_titles(in_march.text) == [NTM_TITLE.replace("<", "&lt;").replace(">", "&gt;")]
    by_author = call(app, "/?q=nong+thon+moi&author=thuy+dung")
    assert len(re.findall('class="hit"', by_author.text)) == 20 and 'data-total="24"' in by_author.text
    other_site = call(app, "/?q=nong+thon+moi&site=nowhere")
    assert 'data-total="0"' in other_site.text
    browse = call(app, "/?site=langgiang&since=2019-03-01")  # filters without words: newest first
    assert hit_titles(browse.text)[0].startswith("Xây dựng nông thôn mới")
    assert 'data-total="3"' in browse.text


def test_bad_search_input_gives_a_friendly_400(app):
    bad_date = call(app, "/?q=nong&since=31/02/2019")
    assert bad_date.status == 400 and "31/02/2019" in bad_date.text and "role=\"alert\"" in bad_date.text
    for query in ('"nong', "(nong", "-nong", "15:30", "12/3/2024", "Hoa's", "OR", "*"):
        answer = call(app, "/?q=" + quote(query))
        assert answer.status in (200, 400), query
        assert "<form" in answer.text
    assert call(app, "/?q=x&page=abc").status == 400
    api = call(app, "/api/search?q=a&until=xyz")
    assert api.status == 400 and "error" in json.loads(api.body)


def test_search_errors_speak_the_page_language(app):
    vietnamese = call(app, "/?q=nong&author=" + quote("!!!") + "&lang=vi")
    assert vietnamese.status == 400 and "Bộ lọc tác giả không có chữ hay số nào." in vietnamese.text
    english = call(app, "/?q=nong&author=" + quote("!!!") + "&lang=en")
    assert english.status == 400 and "The author filter has no letter or digit in it." in english.text
    reversed_dates = json.loads(call(app, "/api/search?q=nong&since=2024-01-01&until=2023-01-01&lang=vi").body)
    assert reversed_dates["error"] == "Không hiểu câu tìm kiếm: Ngày bắt đầu sau ngày kết thúc."


def test_api_lists_its_endpoints(app):
    endpoints = json.loads(call(app, "/api").body)
    for path in endpoints:
        if path.startswith("/api/"):
            assert call(app, path).status in (200, 400), path  # 400: a required parameter is missing


def test_api_search_returns_the_contract_fields(app):
    answer = call(app, "/api/search?q=dong+da")
    data = json.loads(answer.body)
    assert answer.header("Content-Type").startswith("application/json")
    assert data["total"] == 1 and data["hits"][0]["url"] == DONGDA_URL
    assert {"url", "title", "published", "site", "author", "snippet", "score"} <= set(data["hits"][0])


# -- article ------------------------------------------------------------------------------

def test_article_page_shows_text_media_captures_versions(app):
    page = call(app, "/article?url=" + q(NTM_URL)).text
    # archived strings are escaped: the title's <b> and the body's <script> are text
    assert "Xây dựng nông thôn mới năm 2019 &lt;b&gt;đạt kết quả&lt;/b&gt;" in page
    assert "<script>alert" not in page and "&lt;script&gt;alert(" in page
    assert "14/03/2019 15:41" in page and "Nông Linh" in page
    assert page.count('<tr class="capture') == 2
    assert "02/04/2019 09:10:00" in page  # capture time, Vietnam time
    assert "<del>18</del><ins>19</ins>" in page and "đã đổi: nội dung" in page
    assert "<ins>\n\nNăm 2020, huyện phấn đấu có thêm 3 xã đạt chuẩn.</ins>" in page
    assert f'src="/raw/20190314084105/{IMAGE_URL}"' in page
    assert f'href="/raw/20190314084105/{PDF_URL}"' in page
    assert 'id="article-status">' in page and "status-live" in page


def test_gone_article_says_so(app):
    page = call(app, "/article?url=" + q(REMOVED_URL)).text
    assert "status-gone" in page and "lần thu thập 02/04/2019 09:10" in page and "(trả về mã 404)" in page
    data = json.loads(call(app, "/api/article?url=" + q(REMOVED_URL)).body)
    assert data["gone"] and data["captures"][-1]["status"] == 404


def test_api_article_has_versions_and_captures(app):
    data = json.loads(call(app, "/api/article?url=" + q(NTM_URL)).body)
    assert data["title"] == NTM_TITLE and data["versions"] == 2
    assert [v["version"] for v in data["version_history"]] == [1, 2]
    assert "18 xã" in data["version_history"][0]["body"] and "19 xã" in data["version_history"][1]["body"]
    assert [c["timestamp"] for c in data["captures"]] == ["2019-03-14T08:41:05Z", "2019-04-02T02:10:00Z"]


def test_unknown_things_give_friendly_4xx_pages(app):
    for target, status in (("/nowhere", 404), ("/article", 400), ("/article?url=javascript:alert(1)", 400),
                           ("/article?url=" + q("http://nowhere.test/x"), 404),
                           ("/snapshot?url=" + q("http://nowhere.test/x"), 404),
                           ("/snapshot?url=" + q(NTM_URL) + "&at=notadate", 400),
                           ("/record?id=abc", 400), ("/record?id=99999", 404), ("/citation?capture=x", 400),
                           ("/static/..%2F..%2Fapp.py", 404), ("/static/style.py", 404)):
        answer = call(app, target)
        assert answer.status == status, target
        assert 'class="error-page"' in answer.text and "Quay lại trang tìm kiếm" in answer.text
    assert call(app, "/", method="DELETE").status == 405
    api = call(app, "/api/article?url=" + q("http://nowhere.test/x"))
    assert api.status == 404 and json.loads(api.body)["status"] == 404


def test_url_parameters_cannot_reach_outside_the_archive(app, archive):
    secret = archive.data_dir.parent / "secret.txt"
    secret.write_text("do not serve")
    for target in ("/raw/20190314084105/file:///etc/passwd", "/raw/2019/..%2F..%2Fsecret.txt",
                   "/raw/20190314084105/http://langgiang.bacgiang.test/../../secret.txt",
                   "/static/..%2Fsecret.txt", "/raw/20190314084105/" + str(secret)):
        answer = call(app, target)
        assert answer.status == 404, target
        assert b"do not serve" not in answer.body and b"root:" not in answer.body


# -- snapshots and archived content -----------------------------------------------------

def test_snapshot_page_frames_the_archived_page_in_a_sandbox(app):
    page = call(app, "/snapshot?url=" + q(NTM_URL) + "&at=20190314").text
    frame = re.search(r'<iframe class="snapshot-frame" id="snapshot-frame" sandbox="([^"]*)" src="([^"]+)"', page)
    assert frame.group(1) == "allow-top-navigation-by-user-activation"  # never allow-scripts or allow-same-origin
    assert frame.group(2).startswith("/raw/20190314084105/")
    assert "14/03/2019 15:41:05" in page and "2019-03-14T08:41:05Z" in page
    assert NTM_URL in page and "sha1:" in page


def test_archived_page_is_served_sandboxed_and_rewritten(app):
    answer = call(app, f"/raw/20190314084105/{NTM_URL}")
    policy = answer.header("Content-Security-Policy")
    sandbox = policy.split(";")[0].split()
    assert sandbox == ["sandbox", "allow-top-navigation-by-user-activation"]
    assert "script-src 'none'" in policy and "frame-ancestors 'self'" in policy
    assert "allow-scripts" not in policy and "allow-same-origin" not in policy
    html = answer.text
    assert f'href="/raw/20190314084105/{CSS_URL}"' in html
    assert f'src="/raw/20190314084105/{IMAGE_URL}"' in html  # was "../../../documents/..."
    # a link the reader follows opens the linked page's snapshot view, banner and all
    assert f'href="/snapshot?url={q(DONGDA_URL)}&amp;at=20190314084105" target="_top"' in html
    assert "18 xã" in html  # the capture nearest the time asked for, not the newest
    assert 'id="js-link" href="#">' in html and "script:document.cookie" not in html
    assert "19 xã" in call(app, f"/raw/20190402021000/{NTM_URL}").text


def test_archived_resources_come_back_byte_for_byte(app):
    image = call(app, f"/raw/20190314084105/{IMAGE_URL}")
    assert image.body == png() and image.header("Content-Type") == "image/png"
    assert image.header("Content-Security-Policy").startswith("sandbox ")
    css = call(app, f"/raw/20190314084105/{CSS_URL}")
    assert 'url("/raw/20190314084105/http://langgiang.bacgiang.test/html/images/nen.png")' in css.text
    pdf = call(app, f"/raw/20190314084105/{PDF_URL}")  # %20 in the archived URL survives the path
    assert pdf.body.startswith(b"%PDF") and pdf.header("Content-Disposition").startswith("attachment")
    assert "ke-hoach ntm.pdf" in pdf.header("Content-Disposition")
    missing = call(app, "/raw/20190314084105/http://langgiang.bacgiang.test/not-archived.png")
    assert missing.status == 404 and missing.header("Content-Security-Policy").startswith("sandbox ")


def test_revisit_capture_replays_the_original_payload(app, archive):
    data = json.loads(call(app, "/api/captures?url=" + q(DONGDA_URL)).body)
    assert [c["record_type"] for c in data] == ["response", "revisit"]
    assert "Đống Đa" in call(app, f"/raw/20190402021000/{DONGDA_URL}").text


# -- citation and downloads ---------------------------------------------------------------

def test_citation_digests_match_the_warc_record(app, archive):
    captures = json.loads(call(app, "/api/captures?url=" + q(NTM_URL)).body)
    first = captures[0]
    citation = json.loads(call(app, f"/api/citation?capture={first['id']}").body)
    record = next(r for path in warc_files(archive.warcs_dir) for r, _ in iter_records(path)
                  if r.record_id == first["record_id"])
    assert citation["sha1"] == record.header("WARC-Payload-Digest") == first["payload_digest"]
    assert citation["sha256"] == "sha256:" + hashlib.sha256(record.payload).hexdigest()
    assert citation["warc_file"] == first["warc_file"] and citation["record_id"] == first["record_id"]
    assert citation["captured"] == "2019-03-14T08:41:05Z" and citation["url"] == NTM_URL
    assert citation["portal"] == "Cổng TTĐT huyện Lạng Giang"
    for line in ("Ngày đăng: 14/03/2019 15:41", citation["sha256"], first["record_id"], first["warc_file"]):
        assert line in citation["text"]
    page = call(app, f"/citation?capture={first['id']}").text
    assert 'readonly' in page and "&lt;urn:uuid:" in page
    english = json.loads(call(app, f"/api/citation?url={q(NTM_URL)}&at=2019-03-14&lang=en").body)
    assert "Published: 14/03/2019 15:41" in english["text"] and english["record_id"] == first["record_id"]


def test_record_download_is_a_valid_warc(app, tmp_path):
    capture = json.loads(call(app, "/api/captures?url=" + q(NTM_URL)).body)[0]
    answer = call(app, f"/record?id={capture['id']}")
    assert answer.status == 200 and "attachment" in answer.header("Content-Disposition")
    path = tmp_path / "record.warc.gz"
    path.write_bytes(answer.body)
    warcio_check(path)
    records = [record for record, _ in iter_records(path)]
    assert [r.record_id for r in records] == [capture["record_id"]]
    assert b"18 x\xc3\xa3" in gzip.decompress(answer.body)


def test_wacz_download_holds_the_page_and_its_resources(app, tmp_path):
    answer = call(app, "/wacz?url=" + q(NTM_URL))
    assert answer.status == 200 and answer.header("Content-Disposition").startswith("attachment")
    path = tmp_path / "article.wacz"
    path.write_bytes(answer.body)
    with zipfile.ZipFile(io.BytesIO(answer.body)) as wacz:
        cdx = wacz.read("indexes/index.cdx").decode()
        pages = [json.loads(line) for line in wacz.read("pages/pages.jsonl").decode().splitlines()[1:]]
    for url in (NTM_URL, CSS_URL, IMAGE_URL, PDF_URL, "http://langgiang.bacgiang.test/html/images/nen.png"):
        assert f'"url": "{url}"' in cdx, url
    assert DONGDA_URL not in cdx  # a page it links to is not one of its resources
    assert pages[0]["url"] == NTM_URL
    wacz_cli = Path(sys.executable).with_name("wacz")
    if wacz_cli.exists():
        result = subprocess.run([str(wacz_cli), "validate", "-f", str(path)], capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr


# -- language and dates -------------------------------------------------------------------

def test_vietnamese_by_default_english_by_choice_or_browser(app):
    assert '<html lang="vi">' in call(app, "/").text
    assert '<html lang="en">' in call(app, "/", headers={"Accept-Language": "en-US,en;q=0.9"}).text
    assert '<html lang="vi">' in call(app, "/", headers={"Accept-Language": "fr, vi;q=0.5, en;q=0.4"}).text
    switch = call(app, "/lang?to=en&next=" + q("/article?url=" + q(NTM_URL)))
    assert switch.status == 303 and switch.header("Location") == "/article?url=" + q(NTM_URL)
    assert switch.header("Set-Cookie").startswith("lang=en;")
    english = call(app, "/article?url=" + q(NTM_URL), headers={"Cookie": "lang=en"})
    assert '<html lang="en">' in english.text and "Published" in english.text
    assert "14/03/2019 15:41" in english.text  # dates stay day-first in English too
    assert call(app, "/lang?to=en&next=//evil.test/").header("Location") == "/"
    assert call(app, "/lang?to=en&next=https://evil.test/").header("Location") == "/"


def test_both_languages_have_the_same_strings():
    strings = Path(__file__).resolve().parents[1] / "archive" / "web" / "strings"
    vi = json.loads((strings / "vi.json").read_text("utf-8"))
    en = json.loads((strings / "en.json").read_text("utf-8"))
    assert set(vi) == set(en)
    templates = (strings.parent / "templates").glob("*.html")
    used = {key for path in templates for key in re.findall(r"""t\(["'](\w+)["']\s*[,)]""", path.read_text("utf-8"))}
    assert used <= set(vi), used - set(vi)


# -- access control -----------------------------------------------------------------------

def test_serve_refuses_open_non_loopback_addresses(archive):
    with pytest.raises(UnsafeBindError):
        build_server(archive.data_dir, "0.0.0.0", 0)
    with pytest.raises(UnsafeBindError):
        build_server(archive.data_dir, "192.0.2.1", 0)
    server = build_server(archive.data_dir, "127.0.0.1", 0)
    assert server.server_address[0] == "127.0.0.1"
    server.server_close()


def test_loopback_server_answers_loopback_host_names_only(archive):
    app = make_app(archive.data_dir, allowed_hosts=frozenset({"127.0.0.1", "localhost"}))
    assert call(app, "/", headers={"Host": "localhost:8080"}).status == 200
    assert call(app, "/", headers={"Host": "rebound.evil.test"}).status == 400


def test_token_protects_everything_but_the_login(archive):
    app = make_app(archive.data_dir, token="s3cret")
    assert call(app, "/?q=dong+da").status == 401
    assert "Cần mã truy cập" in call(app, "/?q=dong+da").text
    assert call(app, "/api/search?q=dong+da").status == 401
    assert call(app, f"/raw/20190314084105/{NTM_URL}").status == 401
    assert call(app, "/static/style.css").status == 200
    assert call(app, "/api/search?q=dong+da", headers={"Authorization": "Bearer s3cret"}).status == 200
    wrong = call(app, "/login", method="POST", body=b"token=nope&next=/",
                 headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert wrong.status == 401
    login = call(app, "/login", method="POST", body=b"token=s3cret&next=%2F%3Fq%3Ddong",
                 headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert login.status == 303 and login.header("Location") == "/?q=dong"
    cookie = login.header("Set-Cookie").split(";")[0]
    assert "HttpOnly" in login.header("Set-Cookie") and "SameSite=Lax" in login.header("Set-Cookie")
    assert call(app, "/?q=dong+da", headers={"Cookie": cookie}).status == 200
    link = call(app, "/?q=dong&token=s3cret")
    assert link.status == 303 and link.header("Location") == "/?q=dong"
    # the sandboxed frame sends no cookie: its URLs carry a key that opens archived content only
    snapshot = call(app, "/snapshot?url=" + q(NTM_URL), headers={"Cookie": cookie}).text
    raw = re.search(r'<iframe[^>]* src="(/raw/k-[0-9a-f]{32}/[^"]+)"', snapshot).group(1)
    framed = call(app, raw)
    assert framed.status == 200 and "/raw/k-" in framed.text
    key = raw.split("/")[2][2:]
    assert call(app, raw.replace(key, "0" * 32)).status == 401
    assert call(app, f"/api/search?q=dong&key={key}").status == 401


def test_public_mode_serves_without_a_token(archive):
    server = build_server(archive.data_dir, "0.0.0.0", 0, public=True)
    server.server_close()
    app = make_app(archive.data_dir, public=True)
    assert call(app, "/?q=dong+da").status == 200
    assert call(app, "/login", method="POST", body=b"token=x").status in (200, 401)


def test_missing_archive_gives_a_friendly_page(tmp_path):
    answer = call(make_app(tmp_path / "empty"), "/")
    assert answer.status == 503 and "portal-archive crawl" in answer.text
    assert json.loads(call(make_app(tmp_path / "empty"), "/api/search?q=a").body)["status"] == 503


def test_head_requests_and_security_headers(app):
    head = call(app, "/", method="HEAD")
    assert head.status == 200 and head.body == b""
    page = call(app, "/")
    policy = page.header("Content-Security-Policy")
    assert "frame-ancestors 'none'" in policy and "script-src 'nonce-" in policy
    assert page.header("X-Content-Type-Options") == "nosniff"
    # archived copies of government pages are not for search engines
    assert "Disallow: /raw/" in call(app, "/robots.txt").text
    assert call(app, f"/raw/20190314084105/{NTM_URL}").header("X-Robots-Tag") == "noindex, nofollow"


HOSTILE = ('"><img src=x onerror=alert(1)>', "</textarea><script>alert(2)</script>",
           "{{ 7*7 }} {% raw %}", "javascript:alert(3)", "<svg/onload=alert(4)>", "\u202e\u0000x")


def test_archived_strings_are_escaped_on_every_page(tmp_path):
    title = "Tin nông thôn " + " ".join(HOSTILE)
    url = "http://langgiang.bacgiang.test/vi/news/hostile-1.html?a=1&b=<x>"
    article = {"url": url, "canonical": url, "title": title, "published": "2019-03-14",
               "author": HOSTILE[0], "body": "nông thôn\n\n" + "\n\n".join(HOSTILE),
               "images": [{"src": "http://langgiang.bacgiang.test/a.png", "caption": HOSTILE[1]}],
               "attachments": [{"href": "http://langgiang.bacgiang.test/b.pdf", "name": HOSTILE[4]}]}
    built = build_single_article(tmp_path / "data", article, b"<html><body>x</body></html>")
    app = make_app(built.data_dir)
    pages = [call(app, "/?q=nong+thon"), call(app, "/article?url=" + q(url)),
             call(app, "/snapshot?url=" + q(url)), call(app, "/citation?url=" + q(url)),
             call(app, "/article?url=" + q(url) + "&lang=en")]
    for page in pages:
        assert page.status == 200
        for tag in ("<img src=x", "<script>alert", "<svg", "</textarea><"):
            assert tag not in page.text, (tag, page.text[:200])
    assert "&lt;img src=x onerror=alert(1)&gt;" in pages[1].text
    assert "{{ 7*7 }} {% raw %}" in pages[1].text  # archived text is never evaluated as a template
    data = json.loads(call(app, "/api/article?url=" + q(url)).body)
    assert data["title"].startswith("Tin nông thôn") and data["author"] == HOSTILE[0]
