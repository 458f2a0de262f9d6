"""WACZ export: a zip that `wacz validate` accepts, with our pages and exact records."""
from __future__ import annotations

import json
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from archive.index import Index
from archive.wacz import export_wacz
from archive.warc import HttpExchange, WarcWriter, WriterConfig, iter_records

WACZ = Path(sys.executable).with_name("wacz")
pytestmark = pytest.mark.skipif(not WACZ.exists(), reason="the wacz package (validator) is not installed")

PAGES = {
    "http://thoxuan.thanhhoa.test/tin-tuc/a.html": "<html><title>Tin A</title>Nội dung A</html>",
    "http://thoxuan.thanhhoa.test/tin-tuc/b.html": "<html><title>Tin B</title>Nội dung B</html>",
    "http://hauloc.thanhhoa.test/tin/c.html": "<html><title>Tin C</title>Nội dung A</html>",
    "http://hauloc.thanhhoa.test/tin/c-copy.html": "<html><title>Tin A</title>Nội dung A</html>",
}


@pytest.fixture
def archive(tmp_path):
    index = Index(tmp_path / "index.sqlite")
    warcs = tmp_path / "warcs"
    with WarcWriter(WriterConfig(str(warcs), max_size=1500), find_payload=index.find_payload) as writer:
        for url, html in list(PAGES.items()) + [(next(iter(PAGES)), next(iter(PAGES.values())))]:
            site = "thoxuan" if "thoxuan" in url else "hauloc"
            written = writer.write_exchange(HttpExchange(url, 200, [("Content-Type", "text/html")], html.encode()))
            ref = written.response
            capture_id = index.add_capture(
                url=url, timestamp=written.date, status=200, mime="text/html",
                payload_digest=written.payload_digest, warc_file=ref.filename, offset=ref.offset,
                length=ref.length, record_id=ref.record_id,
                record_type="revisit" if written.revisit else "response", refers_to=written.refers_to,
                refers_to_url=written.refers_to_url, refers_to_date=written.refers_to_date, site=site)
            writer.write_metadata(url, ref.record_id, {"outlinks": []})
            index.upsert_article({"url": url, "canonical": url, "title": html[13:18], "body": html,
                                  "is_article": True}, site=site, capture_id=capture_id)
    yield index, warcs
    index.close()


def validate(path: Path) -> None:
    result = subprocess.run([str(WACZ), "validate", "-f", str(path)], capture_output=True, text=True)
    assert result.returncode == 0 and "invalid" not in result.stdout.lower(), result.stdout + result.stderr


def test_full_export_validates_and_holds_every_file(archive, tmp_path):
    index, warcs = archive
    out = tmp_path / "all.wacz"
    summary = export_wacz(warcs, index, out)
    validate(out)
    with zipfile.ZipFile(out) as zf:
        names = zf.namelist()
        for path in sorted(warcs.glob("*.warc.gz")):
            assert zf.read(f"archive/{path.name}") == path.read_bytes()
            assert zf.getinfo(f"archive/{path.name}").compress_type == zipfile.ZIP_STORED
        pages = [json.loads(line) for line in zf.read("pages/pages.jsonl").splitlines()]
        cdx = zf.read("indexes/index.cdx").decode()
    assert {"datapackage.json", "datapackage-digest.json", "indexes/index.cdx", "pages/pages.jsonl"} <= set(names)
    assert pages[0]["format"] == "json-pages-1.0"
    assert {p["url"] for p in pages[1:]} == set(PAGES)
    assert all(p["ts"] and p["title"].startswith("Tin") for p in pages[1:])
    assert "thanhhoa,thoxuan)/tin-tuc/a.html" in cdx and '"mime": "warc/revisit"' in cdx
    assert "WARC files" in summary and "4 pages" in summary
    assert not list(tmp_path.glob(".wacz-*")) and not list(tmp_path.glob("*.partial"))


def test_site_export_copies_only_its_records_and_the_originals_they_need(archive, tmp_path):
    index, warcs = archive
    out = tmp_path / "hauloc.wacz"
    export_wacz(warcs, index, out, site="hauloc")
    validate(out)
    with zipfile.ZipFile(out) as zf:
        [warc_name] = [n for n in zf.namelist() if n.startswith("archive/")]
        (tmp_path / "x").mkdir()
        zf.extract(warc_name, tmp_path / "x")
        pages = [json.loads(line) for line in zf.read("pages/pages.jsonl").splitlines()[1:]]
    records = [r for r, _ in iter_records(tmp_path / "x" / warc_name)]
    targets = {r.target_uri for r in records if r.rec_type in ("response", "revisit")}
    # both hauloc pages repeat thoxuan's page A: their revisits need its original response
    assert targets == {"http://hauloc.thanhhoa.test/tin/c.html", "http://hauloc.thanhhoa.test/tin/c-copy.html",
                       "http://thoxuan.thanhhoa.test/tin-tuc/a.html"}
    assert {r.target_uri for r in records if r.rec_type == "metadata"} == {
        "metadata://hauloc.thanhhoa.test/tin/c.html", "metadata://hauloc.thanhhoa.test/tin/c-copy.html"}
    assert records[0].rec_type == "warcinfo"
    assert {p["url"] for p in pages} == {"http://hauloc.thanhhoa.test/tin/c.html",
                                         "http://hauloc.thanhhoa.test/tin/c-copy.html"}
    result = subprocess.run([str(Path(sys.executable).with_name("warcio")), "check", str(tmp_path / "x" / warc_name)])
    assert result.returncode == 0


def test_export_of_unknown_url_is_a_clear_error(archive, tmp_path):
    index, warcs = archive
    with pytest.raises(LookupError, match="no archived records"):
        export_wacz(warcs, index, tmp_path / "none.wacz", urls=["http://nowhere.test/"])
    assert not (tmp_path / "none.wacz").exists()


def test_a_url_export_reads_only_the_files_holding_its_records(archive, tmp_path, monkeypatch):
    import archive.wacz as wacz
    index, warcs = archive
    read = []
    original = wacz.WarcScan
    monkeypatch.setattr(wacz, "WarcScan", lambda path: read.append(path.name) or original(path))
    url = "http://hauloc.thanhhoa.test/tin/c-copy.html"
    export_wacz(warcs, index, tmp_path / "c.wacz", urls=[url])
    validate(tmp_path / "c.wacz")
    holding = {row[0] for row in index.conn.execute(
        "SELECT warc_file FROM captures WHERE url = ? UNION SELECT o.warc_file FROM captures r"
        " JOIN captures o ON o.record_id = r.refers_to WHERE r.url = ?", (url, url))}
    assert len(list(warcs.glob("*.warc.gz"))) > len(holding) == 2  # c-copy's revisit, a.html's original
    assert set(read) == holding



def cdx_lines(wacz: Path) -> list[tuple[str, dict]]:
    with zipfile.ZipFile(wacz) as zf:
        lines = zf.read("indexes/index.cdx").decode().splitlines()
    return [(line.split(" ", 1)[0], json.loads(line.split(" ", 2)[2])) for line in lines]


def test_old_json_metadata_records_never_enter_the_wacz_index(tmp_path):
    """WARCs written before metadata records were warc-fields hold `application/json`
    ones, dated after their page: cdxj-indexer files them under the page's key, where
    ReplayWeb.page would take them for the page. The export leaves them out of its index."""
    from portal_crawler.reindex import reindex
    from tests.support.legacy_warc import write_legacy_warc

    data = tmp_path / "data"
    pages = [(url, html) for url, html in PAGES.items() if "thoxuan" in url]
    write_legacy_warc(data / "warcs" / "portal-archive-20240506070809000-00001-old.warc.gz", pages, "thoxuan")
    reindex(data)
    with Index(data / "index.sqlite") as index:
        # the site comes from the old metadata records (the host would be the fallback)
        for name, options in (("all.wacz", {}), ("site.wacz", {"site": "thoxuan"})):
            export_wacz(data / "warcs", index, tmp_path / name, **options)
            validate(tmp_path / name)
            lines = cdx_lines(tmp_path / name)
            assert sorted(fields["url"] for _key, fields in lines) == sorted(url for url, _ in pages), name
            assert all(fields["mime"] == "text/html" for _key, fields in lines), name


def test_zip_headers_agree_on_extra_fields(archive, tmp_path):
    """ReplayWeb.page finds an entry's data from the central directory alone: a zip64 field
    in a local header only (zipfile's force_zip64) made it read every WARC record 20 bytes off."""
    index, warcs = archive
    for name, options in (("all.wacz", {}), ("one.wacz", {"urls": [next(iter(PAGES))]})):
        export_wacz(warcs, index, tmp_path / name, **options)
        raw = (tmp_path / name).read_bytes()
        with zipfile.ZipFile(tmp_path / name) as zf:
            for info in zf.infolist():
                local = raw[info.header_offset:info.header_offset + 30]
                name_length, extra_length = struct.unpack("<HH", local[26:30])
                assert (name_length, extra_length) == (len(info.filename.encode()), len(info.extra)), info.filename


def test_a_304_revisit_stays_in_the_warc_but_not_in_the_replay_index(tmp_path):
    """The server's 304 is kept as it was said (a revisit holding HTTP/1.1 304); the index
    replay tools read leaves it out, so they find the 200 capture it stands for."""
    url = "http://thoxuan.thanhhoa.test/tin-tuc/a.html"
    index = Index(tmp_path / "index.sqlite")
    warcs = tmp_path / "warcs"
    with WarcWriter(WriterConfig(str(warcs)), find_payload=index.find_payload) as writer:
        first = writer.write_exchange(HttpExchange(url, 200, [("Content-Type", "text/html"), ("ETag", '"a1"')],
                                                   PAGES[url].encode()))
        writer.write_exchange(HttpExchange(url, 304, [("ETag", '"a1"')], b""),
                              previous={"url": url, "timestamp": first.date, "record_id": first.response.record_id})
    index.close()
    out = tmp_path / "recrawl.wacz"
    with Index(tmp_path / "index.sqlite") as index:
        export_wacz(warcs, index, out, pages=[{"url": url, "ts": first.date, "title": "Tin A"}])
    validate(out)
    with zipfile.ZipFile(out) as zf:
        lines = [json.loads(line.split(" ", 2)[2]) for line in zf.read("indexes/index.cdx").decode().splitlines()]
        [warc_name] = [n for n in zf.namelist() if n.startswith("archive/")]
        (tmp_path / "copy.warc.gz").write_bytes(zf.read(warc_name))
    assert [(line["url"], line["status"]) for line in lines] == [(url, "200")]
    kept = [(record.rec_type, record.http.status) for record, _ in iter_records(tmp_path / "copy.warc.gz")
            if record.rec_type in ("response", "revisit")]
    assert kept == [("response", 200), ("revisit", 304)]
