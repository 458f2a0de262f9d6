"""The bundled demo portals, served through DemoServer in proxy mode (loopback only)."""
from __future__ import annotations

import gzip
import http.client
import io
import json
import re
import subprocess
import sys
import unicodedata
import urllib.error
import urllib.request
import urllib.robotparser
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from portal_crawler.demo.server import DemoServer

DEMO = Path(__file__).resolve().parents[1] / "portal_crawler" / "demo"
YENTHO = "demo-yentho.thanhhoa.test"
HUONGLAM = "demo-huonglam.hatinh.test"


@pytest.fixture(scope="module")
def demo():
    with DemoServer() as server:
        yield server


@pytest.fixture(scope="module")
def opener(demo):
    return urllib.request.build_opener(urllib.request.ProxyHandler({"http": demo.url}))


@pytest.fixture(scope="module")
def expected():
    return json.loads((DEMO / "expected.json").read_text(encoding="utf-8"))["articles"]


def fetch(opener, url, headers=None):
    """(status, headers, body) through the proxy; HTTP errors are answers too."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def decode_html(body: bytes) -> str:
    charset = re.search(rb'charset="?([\w-]+)', body[:500]).group(1).decode()
    return unicodedata.normalize("NFC", body.decode(charset))


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in ("href", "src", "data-src"):
            value = attrs.get(name)
            if value and not value.startswith(("javascript:", "mailto:", "#")):
                self.links.append(value)


def test_start_urls_and_hosts(demo):
    assert demo.url.startswith("http://127.0.0.1:")
    assert sorted(demo.hosts) == sorted([YENTHO, HUONGLAM])
    assert sorted(demo.start_urls) == sorted([f"http://{YENTHO}/", f"http://{HUONGLAM}/"])


def test_home_pages_through_proxy(opener):
    status, headers, body = fetch(opener, f"http://{YENTHO}/")
    assert status == 200
    text = decode_html(body)
    assert "Cổng thông tin điện tử huyện Yên Thọ" in text
    assert "Ý kiến thăm dò" in text and "Tin mới" in text and "Thống kê truy cập" in text
    status, _, body = fetch(opener, f"http://{HUONGLAM}/")
    assert status == 200 and "Hương Lâm" in decode_html(body)


def test_robots_txt(opener):
    for host, calendar_disallowed in ((YENTHO, True), (HUONGLAM, False)):
        status, headers, body = fetch(opener, f"http://{host}/robots.txt")
        assert status == 200 and headers["Content-Type"].startswith("text/plain")
        parser = urllib.robotparser.RobotFileParser()
        parser.parse(body.decode().splitlines())
        assert not parser.can_fetch("*", f"http://{host}/admin/login.aspx")
        assert not parser.can_fetch("*", f"http://{host}/tim-kiem/?q=nong+thon")
        assert parser.can_fetch("*", f"http://{host}/")
        calendar = "/portal/Pages/lich-cong-tac.aspx?date=2024-05-06" if host == YENTHO else "/lich-cong-tac/?date=2024-05-06"
        assert parser.can_fetch("*", f"http://{host}{calendar}") is not calendar_disallowed
    assert b"Sitemap: http://demo-huonglam.hatinh.test/sitemap.xml" in fetch(opener, f"http://{HUONGLAM}/robots.txt")[2]


def test_unknown_host_is_502_and_never_forwarded(opener, demo):
    status, _, body = fetch(opener, "http://example.com/")
    assert status == 502 and b"never forwards" in body
    connection = http.client.HTTPConnection("127.0.0.1", demo.port, timeout=10)
    connection.request("CONNECT", "example.com:443")
    assert connection.getresponse().status == 502
    connection.close()


def test_host_header_mode(demo):
    connection = http.client.HTTPConnection("127.0.0.1", demo.port, timeout=10)
    connection.request("GET", "/robots.txt", headers={"Host": f"{HUONGLAM}:80"})
    response = connection.getresponse()
    assert response.status == 200 and b"Sitemap:" in response.read()
    connection.close()


def test_stats_list_what_the_server_was_asked():
    with DemoServer() as server:
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({"http": server.url}))
        fetch(opener, f"http://{YENTHO}/robots.txt")
        fetch(opener, f"http://{HUONGLAM}/no-such-page")
        fetch(opener, "http://example.com/x?y=1")
        # asked of the server itself (no proxy): not a request for a portal, not counted
        with urllib.request.urlopen(server.url + "/_demo/stats", timeout=10) as answer:
            stats = json.load(answer)
    assert stats["requests"] == [["GET", YENTHO, "/robots.txt", 200], ["GET", HUONGLAM, "/no-such-page", 404],
                                 ["GET", "example.com", "/x?y=1", 502]]
    assert stats["unknown_hosts"] == {"example.com": 1}
    with pytest.raises(RuntimeError, match="not running"):
        server.stats()


def test_conditional_get(opener, expected):
    url = expected[0]["url"]
    status, headers, body = fetch(opener, url)
    assert status == 200
    etag, modified = headers["ETag"], headers["Last-Modified"]
    assert etag and modified
    assert fetch(opener, url, {"If-None-Match": etag})[0] == 304
    assert fetch(opener, url, {"If-Modified-Since": modified})[0] == 304
    assert fetch(opener, url, {"If-Modified-Since": "Mon, 01 Jan 2018 00:00:00 GMT"})[0] == 200
    # If-None-Match wins over If-Modified-Since (RFC 9110).
    status, _, again = fetch(opener, url, {"If-None-Match": '"other"', "If-Modified-Since": modified})
    assert status == 200 and again == body


def test_etag_only_pages_revalidate(opener):
    status, headers, _ = fetch(opener, f"http://{HUONGLAM}/")
    assert status == 200 and "Last-Modified" not in headers
    assert fetch(opener, f"http://{HUONGLAM}/", {"If-None-Match": headers["ETag"]})[0] == 304


def test_gzip_when_accepted(opener):
    plain = fetch(opener, f"http://{HUONGLAM}/")[2]
    status, headers, body = fetch(opener, f"http://{HUONGLAM}/", {"Accept-Encoding": "gzip"})
    assert status == 200 and headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(body) == plain


def test_unknown_path_is_404_page(opener):
    status, _, body = fetch(opener, f"http://{YENTHO}/portal/Pages/khong-co.aspx")
    assert status == 404 and "Không tìm thấy trang" in decode_html(body)


def test_iis_portal_is_case_insensitive_and_says_so(opener, expected):
    article = next(a for a in expected if a["site"] == "demo-yentho")
    status, headers, body = fetch(opener, article["url"].lower())
    assert status == 200 and article["title"] in decode_html(body)
    assert headers["Server"] == "Microsoft-IIS/8.5"
    php = next(a for a in expected if a["site"] == "demo-huonglam")
    upper = php["url"].replace("/tin-tuc/", "/Tin-Tuc/")
    assert fetch(opener, upper)[0] == 404
    assert fetch(opener, php["url"])[1]["Server"] == "nginx"


def test_calendar_trap_is_unbounded_but_valid_dates_only(opener):
    status, _, body = fetch(opener, f"http://{HUONGLAM}/lich-cong-tac/?date=2027-01-01")
    assert status == 200
    text = decode_html(body)
    assert "?date=2026-12-31" in text and "?date=2027-01-02" in text
    assert fetch(opener, f"http://{HUONGLAM}/lich-cong-tac/?date=nonsense")[0] == 404


def test_every_article_and_alias_served_with_title(opener, expected):
    assert len(expected) >= 24
    assert {a["site"] for a in expected} == {"demo-yentho", "demo-huonglam"}
    for article in expected:
        for url in [article["url"], *article["aliases"]]:
            status, _, body = fetch(opener, url)
            assert status == 200, url
            assert article["title"] in decode_html(body), url
    aliased = [a for a in expected if a["aliases"]]
    assert len(aliased) == 2
    for article in aliased:
        text = decode_html(fetch(opener, article["aliases"][0])[2])
        assert f'rel="canonical" href="{article["url"]}"' in text


def test_hostile_traits_present(opener, expected):
    traits = {t for a in expected for t in a["traits"]}
    assert {"print-copy", "sapo", "alias", "nfd", "windows-1258"} <= traits
    printed = next(a for a in expected if "print-copy" in a["traits"])
    text = decode_html(fetch(opener, printed["url"])[2])
    first = printed["body"].split("\n\n")[0]
    assert text.count(first) == 2 and 'style="display:none"' in text
    legacy = next(a for a in expected if "windows-1258" in a["traits"])
    status, headers, body = fetch(opener, legacy["url"])
    assert "charset" not in headers["Content-Type"]
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    assert legacy["title"] in unicodedata.normalize("NFC", body.decode("windows-1258"))
    nfd = next(a for a in expected if "nfd" in a["traits"])
    raw = fetch(opener, nfd["url"])[2].decode("utf-8")
    assert nfd["title"] not in raw and unicodedata.normalize("NFD", nfd["title"]) in raw


def test_attachments_are_real_files(opener, expected):
    files = [f for a in expected for f in a["attachments"]]
    pdf = next(f for f in files if f["href"].endswith(".pdf"))
    docx = next(f for f in files if f["href"].endswith(".docx"))
    status, headers, body = fetch(opener, pdf["href"])
    assert status == 200 and headers["Content-Type"] == "application/pdf" and body.startswith(b"%PDF-")
    pypdf = pytest.importorskip("pypdf")
    assert "BAO CAO so 125/BC-UBND" in pypdf.PdfReader(io.BytesIO(body)).pages[0].extract_text()
    status, _, body = fetch(opener, docx["href"])
    document = zipfile.ZipFile(io.BytesIO(body)).read("word/document.xml").decode("utf-8")
    assert status == 200 and "NÔNG THÔN MỚI" in document


def test_images_are_png(opener, expected):
    images = [i for a in expected for i in a["images"]]
    assert len(images) >= 10 and all(i["caption"] for i in images)
    for image in images:
        status, headers, body = fetch(opener, image["src"])
        assert status == 200 and headers["Content-Type"] == "image/png"
        assert body.startswith(b"\x89PNG\r\n\x1a\n")


def test_link_walk_reaches_every_article_without_dead_links(opener, demo, expected):
    """A small robots-obeying walk from the start URLs: every article found, no 404s."""
    robots = {}
    for host in demo.hosts:
        robots[host] = urllib.robotparser.RobotFileParser()
        robots[host].parse(fetch(opener, f"http://{host}/robots.txt")[2].decode().splitlines())
    queue, seen, dead = list(demo.start_urls), set(demo.start_urls), []
    while queue:
        url = queue.pop(0)
        status, headers, body = fetch(opener, url)
        if status != 200:
            dead.append((url, status))
            continue
        if not headers["Content-Type"].startswith("text/html"):
            continue
        parser = _Links()
        parser.feed(decode_html(body))
        for link in parser.links:
            target = urljoin(url, link).split("#")[0]
            host = urlsplit(target).hostname
            if host not in robots or target in seen or "date=" in target:
                continue
            if robots[host].can_fetch("*", target):
                seen.add(target)
                queue.append(target)
    assert dead == []
    for article in expected:
        assert article["url"] in seen, article["url"]
    assert any(a in seen for article in expected for a in article["aliases"])
    assert 40 <= len(seen) <= 120


def test_sitemap_lists_canonical_articles(opener, expected):
    status, _, body = fetch(opener, f"http://{HUONGLAM}/sitemap.xml")
    assert status == 200
    locations = set(re.findall(r"<loc>([^<]+)</loc>", body.decode()))
    assert {a["url"] for a in expected if a["site"] == "demo-huonglam"} <= locations


def test_command_line_prints_address():
    process = subprocess.Popen([sys.executable, "-m", "portal_crawler.demo.server", "--port", "0"],
                               stdout=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline().strip()
        assert re.fullmatch(r"serving on http://127\.0\.0\.1:\d+", line)
        port = int(line.rsplit(":", 1)[1])
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("GET", f"http://{YENTHO}/robots.txt")
        assert connection.getresponse().status == 200
        connection.close()
    finally:
        process.terminate()
        process.wait(timeout=10)
