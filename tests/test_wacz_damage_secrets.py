"""export-wacz and the web app's WACZ download over real WARC files: a damaged gzip member
in the middle of a WARC of a real demo crawl is read past (every whole record exported, exit 1
with one line naming the damage, the source file unchanged), and request records of older
WARCs that hold a proxy's credentials are handed out as redacted copies with valid digests."""
from __future__ import annotations

import gzip
import hashlib
import io
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from urllib.parse import quote

import pytest

from archive.index import Index
from archive.warc import HttpExchange, WarcWriter, WriterConfig, iter_records
from archive.warc_scan import WarcScan
from archive.web import make_app
from tests.browser.wsgi_client import call
from tests.support.warc_check import warc_files, warcio_check

CLI = [sys.executable, "-m", "portal_crawler.cli"]
ROOT = Path(__file__).resolve().parent.parent
WACZ = Path(sys.executable).with_name("wacz")
SECRET = b"Basic dXNlcjpzM2NyM3Q="     # user:s3cr3t


def run(*args) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *map(str, args)], cwd=ROOT, capture_output=True, text=True, timeout=600)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def validate(path: Path) -> None:
    if WACZ.exists():
        result = subprocess.run([str(WACZ), "validate", "-f", str(path)], capture_output=True, text=True)
        assert result.returncode == 0 and "invalid" not in result.stdout.lower(), result.stdout + result.stderr


def packaged_warcs(wacz: Path, folder: Path) -> list[Path]:
    folder.mkdir()
    with zipfile.ZipFile(wacz) as zf:
        names = [n for n in zf.namelist() if n.startswith("archive/")]
        for name in names:
            (folder / Path(name).name).write_bytes(zf.read(name))
    return sorted(folder.iterdir())


@pytest.fixture
def damaged(demo_archive, tmp_path):
    """A copy of the demo archive whose WARC has one flipped byte inside a middle record."""
    data = tmp_path / "data"
    shutil.copytree(demo_archive, data)
    [warc] = warc_files(data / "warcs")
    records = [(record, ref) for record, ref in iter_records(warc)]
    responses = [(record, ref) for record, ref in records if record.rec_type == "response"]
    record, ref = responses[len(responses) // 2]
    with open(warc, "r+b") as fh:
        fh.seek(ref.offset + ref.length // 2)
        byte = fh.read(1)
        fh.seek(ref.offset + ref.length // 2)
        fh.write(bytes([byte[0] ^ 0xFF]))
    intact = [r.record_id for r, _ in records if r.record_id != record.record_id]
    other = next(r.target_uri for r, _ in responses if r.target_uri != record.target_uri
                 and r.http.status == 200 and "text/html" in (r.http.header("Content-Type") or ""))
    return {"data": data, "warc": warc, "ref": ref, "intact": intact, "url": other, "sha": sha256(warc)}


def one_damage_line(result, damaged) -> None:
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, lines
    assert "damaged WARC data" in lines[0] and f"{damaged['warc'].name} at offset {damaged['ref'].offset}" in lines[0]


def test_a_full_export_packages_every_whole_record_of_a_damaged_warc(damaged, tmp_path):
    out = tmp_path / "all.wacz"
    result = run("export-wacz", "-o", out, "--data", damaged["data"])
    one_damage_line(result, damaged)
    assert "whole-records" in result.stdout, result.stdout
    validate(out)
    [copy] = packaged_warcs(out, tmp_path / "unzipped")
    assert copy.name == damaged["warc"].name.replace(".warc.gz", ".whole-records.warc.gz")
    assert [r.record_id for r, _ in iter_records(copy)] == damaged["intact"]
    warcio_check(copy)
    assert sha256(damaged["warc"]) == damaged["sha"]     # the archive's file is never changed


def test_a_url_export_reads_past_the_damage(damaged, tmp_path):
    out = tmp_path / "one.wacz"
    result = run("export-wacz", "-o", out, "--url", damaged["url"], "--data", damaged["data"])
    one_damage_line(result, damaged)
    validate(out)
    [copy] = packaged_warcs(out, tmp_path / "unzipped")
    assert damaged["url"] in {r.target_uri for r, _ in iter_records(copy) if r.rec_type == "response"}
    assert sha256(damaged["warc"]) == damaged["sha"]


def test_the_web_wacz_download_reads_past_the_damage(damaged, tmp_path, caplog):
    index = Index(damaged["data"] / "index.sqlite")
    # an article whose captures are all whole, in a file damaged elsewhere
    url = next(a["url"] for a in index.iter_articles(None) if all(
        c["offset"] != damaged["ref"].offset for c in index.captures(a["url"])))
    index.close()
    with caplog.at_level("WARNING", logger="archive.web"):
        answer = call(make_app(damaged["data"]), "/wacz?url=" + quote(url, safe=""))
    assert answer.status == 200
    (tmp_path / "article.wacz").write_bytes(answer.body)
    validate(tmp_path / "article.wacz")
    assert f"{damaged['warc'].name} at offset {damaged['ref'].offset}" in caplog.text
    assert sha256(damaged["warc"]) == damaged["sha"]


# -- request records of older WARCs holding proxy credentials --------------------------------

URL = "http://thoxuan.thanhhoa.test/tin-tuc/a.html"
OTHER = "http://thoxuan.thanhhoa.test/tin-tuc/b.html"


@pytest.fixture
def old_warcs(tmp_path):
    """A data directory whose WARCs were written as before the recorder left proxy headers out."""
    data = tmp_path / "data"
    index = Index(data / "index.sqlite")
    with WarcWriter(WriterConfig(str(data / "warcs"), max_size=1200), find_payload=index.find_payload) as writer:
        for url in (URL, OTHER):
            html = f"<html><title>Tin {url[-6]}</title>Nội dung {url}</html>".encode()
            exchange = HttpExchange(url, 200, [("Content-Type", "text/html")], html, request_headers=[
                (b"Accept", b"text/html"), (b"Proxy-Authorization", SECRET), (b"Proxy-Connection", b"keep-alive")])
            written = writer.write_exchange(exchange)
            ref = written.response
            capture = index.add_capture(url=url, timestamp=written.date, status=200, mime="text/html",
                                        payload_digest=written.payload_digest, warc_file=ref.filename,
                                        offset=ref.offset, length=ref.length, record_id=ref.record_id,
                                        record_type="response", site="thoxuan")
            index.upsert_article({"url": url, "canonical": url, "title": f"Tin {url[-6]}", "body": "Nội dung",
                                  "is_article": True}, site="thoxuan", capture_id=capture)
    index.close()
    files = warc_files(data / "warcs")
    assert files and all(SECRET in gzip.decompress(f.read_bytes()) for f in files)
    return data, {f: sha256(f) for f in files}


def assert_redacted(warcs: list[Path]) -> None:
    requests = 0
    for path in warcs:
        assert SECRET not in gzip.decompress(path.read_bytes())
        for record, _ in iter_records(path):
            assert not record.digest_problems(), record.digest_problems()
            if record.rec_type == "request":
                requests += 1
                assert record.header("WARC-Portal-Archive-Redacted") == "Proxy-Authorization, Proxy-Connection"
                assert record.http.header("Accept") == "text/html" and record.http.header("Proxy-Connection") is None
    assert requests >= 1
    warcio_check(*warcs)


def test_exports_hand_out_request_records_without_proxy_credentials(old_warcs, tmp_path):
    data, sources = old_warcs
    full, one = tmp_path / "all.wacz", tmp_path / "one.wacz"
    assert run("export-wacz", "-o", full, "--data", data).returncode == 0
    assert run("export-wacz", "-o", one, "--url", URL, "--data", data).returncode == 0
    for n, wacz in enumerate((full, one)):
        validate(wacz)
        assert SECRET not in wacz.read_bytes()
        assert_redacted(packaged_warcs(wacz, tmp_path / f"unzipped-{n}"))
    assert {f: sha256(f) for f in sources} == sources      # the WARC files on disk keep their bytes


def test_the_web_wacz_download_holds_no_proxy_credentials(old_warcs, tmp_path):
    data, sources = old_warcs
    answer = call(make_app(data), "/wacz?url=" + quote(URL, safe=""))
    assert answer.status == 200
    path = tmp_path / "article.wacz"
    path.write_bytes(answer.body)
    validate(path)
    assert_redacted(packaged_warcs(path, tmp_path / "unzipped"))
    with zipfile.ZipFile(io.BytesIO(answer.body)) as zf:
        assert zf.testzip() is None
    assert {f: sha256(f) for f in sources} == sources


def test_the_record_download_never_hands_out_proxy_credentials(old_warcs, tmp_path):
    data, sources = old_warcs
    index = Index(data / "index.sqlite")
    [path] = [p for p in sources if any(r.rec_type == "request" for r, _ in iter_records(p))][:1]
    request, ref = next((r, ref) for r, ref in iter_records(path) if r.rec_type == "request")
    response = index.captures(request.target_uri)[0]
    # a capture row naming the request record itself (what an importer of other WARCs may write)
    asked = index.add_capture(url=request.target_uri, timestamp=response["timestamp"], status=None, mime=None,
                              payload_digest=None, warc_file=ref.filename, offset=ref.offset, length=ref.length,
                              record_id=ref.record_id, record_type="request", site="thoxuan")
    index.close()
    app = make_app(data)
    for capture_id in (response["id"], asked):
        answer = call(app, f"/record?id={capture_id}")
        assert answer.status == 200
        record_file = tmp_path / f"record-{capture_id}.warc.gz"
        record_file.write_bytes(answer.body)
        assert SECRET not in gzip.decompress(answer.body)
        warcio_check(record_file)
    with open(path, "rb") as fh:     # the response record is handed out byte for byte
        fh.seek(response["offset"])
        assert call(app, f"/record?id={response['id']}").body == fh.read(response["length"])
    assert {f: sha256(f) for f in sources} == sources
