"""parse_sitemap: urlsets, indexes, gzip, text sitemaps, feeds and junk."""
import gzip

import pytest

from portal_crawler.scope import parse_sitemap

NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
URLSET = (f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset {NS}>'
          '<url><loc> http://h.test/tin-tuc/a-1.html </loc><lastmod>2024-01-02</lastmod></url>'
          '<url><loc>/tin-tuc/b-2.html?x=1&amp;y=2</loc></url>'
          '<url><loc>http://h.test/tin-tuc/a-1.html</loc></url>'
          '<url><loc></loc></url></urlset>').encode()
INDEX = (f'<sitemapindex {NS}><sitemap><loc>http://h.test/sitemap-news-1.xml</loc></sitemap>'
         '<sitemap><loc>sitemap-pages.xml.gz</loc></sitemap></sitemapindex>').encode()


def test_urlset():
    pages, sitemaps = parse_sitemap(URLSET, "http://h.test/sitemap.xml")
    assert pages == ["http://h.test/tin-tuc/a-1.html", "http://h.test/tin-tuc/b-2.html?x=1&y=2"]
    assert sitemaps == []


def test_index_and_gzip():
    expected = ([], ["http://h.test/sitemap-news-1.xml", "http://h.test/sitemap-pages.xml.gz"])
    assert parse_sitemap(INDEX, "http://h.test/sitemap.xml") == expected
    assert parse_sitemap(gzip.compress(INDEX), "http://h.test/sitemap.xml") == expected


def test_truncated_gzip_keeps_only_complete_entries():
    cut = gzip.compress(URLSET)[:-30]
    pages, _ = parse_sitemap(cut, "http://h.test/sitemap.xml.gz")
    assert pages and all(p.startswith("http://h.test/tin-tuc/") for p in pages)
    # whatever survived is a complete entry, never half a URL
    assert set(pages) <= {"http://h.test/tin-tuc/a-1.html", "http://h.test/tin-tuc/b-2.html?x=1&y=2"}


def test_broken_xml_still_yields_locs_under_their_parent():
    broken = (b'<urlset><url><loc>http://h.test/a.html</loc></url><url><loc>http://h.test/b.html'
              b'</loc></url><url><loc>http://h.test/c')
    assert parse_sitemap(broken, "http://h.test/") == (["http://h.test/a.html", "http://h.test/b.html"], [])
    index = b'<sitemapindex><sitemap><loc>http://h.test/s1.xml</loc></sitemap><sitemap><lo'
    assert parse_sitemap(index, "http://h.test/") == ([], ["http://h.test/s1.xml"])


def test_text_sitemap_and_feeds():
    text = b"\xef\xbb\xbfhttp://h.test/a.html\r\nnot a url\nhttps://h.test/b.html\n"
    assert parse_sitemap(text, "http://h.test/") == (["http://h.test/a.html", "https://h.test/b.html"], [])
    rss = b'<rss version="2.0"><channel><link>http://h.test/</link><item><link>http://h.test/r-1.html</link></item></channel></rss>'
    assert parse_sitemap(rss, "http://h.test/") == (["http://h.test/r-1.html"], [])
    atom = b'<feed xmlns="http://www.w3.org/2005/Atom"><entry><link href="/a-2.html"/></entry></feed>'
    assert parse_sitemap(atom, "http://h.test/") == (["http://h.test/a-2.html"], [])


def test_entities_are_not_resolved():
    xxe = (b'<?xml version="1.0"?><!DOCTYPE u [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
           b'<urlset><url><loc>http://h.test/&e;</loc></url></urlset>')
    pages, _ = parse_sitemap(xxe, "http://h.test/")
    assert not any("root:" in p for p in pages)


@pytest.mark.parametrize("junk", [b"", b"\x00\xff\xfe", b"<html><body>404</body></html>",
                                  b"\x1f\x8b\x08garbage", b"<", b"<<<>>>", "Ừ".encode() * 50])
def test_junk_never_raises(junk):
    pages, sitemaps = parse_sitemap(junk, "http://h.test/sitemap.xml")
    assert pages == [] and sitemaps == []


def test_gzip_bomb_is_bounded(monkeypatch):
    from portal_crawler.scope import sitemaps
    monkeypatch.setattr(sitemaps, "MAX_UNCOMPRESSED", 1024 * 1024)
    entry = b"<url><loc>http://h.test/a.html</loc></url>"
    bomb = gzip.compress(b"<urlset>" + entry + b" " * (8 * 1024 * 1024) + entry.replace(b"a.html", b"z.html"),
                         compresslevel=1)
    # only the first MAX_UNCOMPRESSED bytes are ever inflated: the late entry is never seen
    assert parse_sitemap(bomb, "http://h.test/") == (["http://h.test/a.html"], [])
