"""Files written on request (-o) never replace an archive's own files, nor the input being
read, nor an existing file unless --force; a proxy URL that does not parse is one line."""
from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-m", "portal_crawler.cli"]


def run(*args) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *map(str, args)], cwd=ROOT, capture_output=True, text=True, timeout=300)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def refused(result, words: str) -> None:
    assert result.returncode == 2, (result.returncode, result.stdout[-500:], result.stderr[-2000:])
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and words in lines[0], result.stderr
    assert "Traceback" not in result.stderr


def test_extract_never_writes_over_its_input_or_the_archive(demo_archive):
    warc = next((demo_archive / "warcs").glob("*.warc.gz"))
    before = {path: digest(path) for path in (warc, demo_archive / "index.sqlite")}
    refused(run("extract", warc, "-o", warc), "archive's own files")
    refused(run("extract", warc, "-o", demo_archive / "index.sqlite"), "archive's own files")
    assert {path: digest(path) for path in before} == before


def test_extract_onto_its_input_outside_an_archive(tmp_path, demo_archive):
    copy = tmp_path / "copy.warc.gz"
    copy.write_bytes(next((demo_archive / "warcs").glob("*.warc.gz")).read_bytes())
    before = digest(copy)
    refused(run("extract", copy, "-o", copy), "the file being read")
    assert digest(copy) == before


def test_extract_does_not_overwrite_without_force(tmp_path, demo_archive):
    warc = next((demo_archive / "warcs").glob("*.warc.gz"))
    out = tmp_path / "articles.jsonl"
    out.write_text("keep me\n")
    refused(run("extract", warc, "-o", out), "--force")
    assert out.read_text() == "keep me\n"
    assert run("extract", warc, "-o", out, "--force").returncode == 0
    assert out.read_text().count("\n") > 10


def test_export_wacz_never_writes_over_the_archive(demo_archive, tmp_path):
    warc = next((demo_archive / "warcs").glob("*.warc.gz"))
    before = {path: digest(path) for path in (warc, demo_archive / "index.sqlite")}
    refused(run("export-wacz", "-o", warc, "--data", demo_archive), "archive's own files")
    refused(run("export-wacz", "-o", demo_archive / "index.sqlite", "--data", demo_archive), "archive's own files")
    assert {path: digest(path) for path in before} == before
    out = tmp_path / "a.wacz"
    assert run("export-wacz", "-o", out, "--data", demo_archive).returncode == 0
    refused(run("export-wacz", "-o", out, "--data", demo_archive), "--force")
    assert run("export-wacz", "-o", out, "--force", "--data", demo_archive).returncode == 0


def test_a_proxy_url_that_does_not_parse_is_one_line(tmp_path):
    result = run("crawl", "http://a.test/", "--proxy", "http://user:s3cr3t@[::1", "--data", tmp_path / "d")
    refused(result, "proxy")
    assert "s3cr3t" not in result.stderr


def test_snapshot_of_a_record_damaged_after_indexing_is_one_line(demo_archive, tmp_path):
    import shutil
    import sqlite3
    copy = tmp_path / "copy"
    shutil.copytree(demo_archive, copy)
    url, warc_file, offset, length = sqlite3.connect(copy / "index.sqlite").execute(
        "SELECT url, warc_file, offset, length FROM captures WHERE record_type = 'response' AND status = 200"
        " AND mime = 'text/html' LIMIT 1").fetchone()
    path = copy / "warcs" / warc_file
    data = bytearray(path.read_bytes())
    data[offset + length // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    result = run("snapshot", url, "--data", copy)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr[-2000:]
    assert len(result.stderr.strip().splitlines()) == 1 and "damaged" in result.stderr
    assert path.read_bytes() == bytes(data)
