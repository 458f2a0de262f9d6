"""The command-line contract: --help everywhere, one clear line and exit 2 on bad input."""
from __future__ import annotations

import subprocess
import sys

import pytest

CLI = [sys.executable, "-m", "portal_crawler.cli"]
COMMANDS = ["crawl", "extract", "index", "search", "export", "snapshot", "export-wacz", "serve",
            "schedule", "scheduler", "crawls", "worker", "demo"]


def run(*args, cwd=None):
    return subprocess.run([*CLI, *args], capture_output=True, text=True, cwd=cwd, timeout=120)


@pytest.mark.parametrize("command", COMMANDS)
def test_help(command):
    result = run(command, "--help")
    assert result.returncode == 0
    assert "usage: portal-archive" in result.stdout


def assert_user_error(result, *words):
    assert result.returncode == 2, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    for word in words:
        assert word in lines[0], lines[0]


def test_unknown_site_id(tmp_path):
    assert_user_error(run("crawl", "no-such-portal", "--data", str(tmp_path / "d")), "no-such-portal")


def test_not_a_start_url(tmp_path):
    assert_user_error(run("crawl", "ftp://x.test/", "--data", str(tmp_path / "d")), "ftp://x.test/")


def test_bad_setting(tmp_path):
    assert_user_error(run("crawl", "http://a.test/", "-s", "NOVALUE", "--data", str(tmp_path / "d")), "-s")


def test_unreadable_profile(tmp_path):
    bad = tmp_path / "mine.toml"
    bad.write_text("[[site]\nid = ", encoding="utf-8")
    assert_user_error(run("crawl", "x", "--profile", str(bad), "--data", str(tmp_path / "d")))


def test_data_dir_that_is_not_one(tmp_path):
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    assert_user_error(run("crawl", "http://a.test/", "--data", str(tmp_path)), "not a portal-archive data directory")
    a_file = tmp_path / "notes.txt"
    assert_user_error(run("search", "x", "--data", str(a_file)))


def test_search_without_archive(tmp_path):
    assert_user_error(run("search", "nong thon moi", "--data", str(tmp_path / "none")), "no archive")


def test_extract_unreadable_file(tmp_path):
    assert_user_error(run("extract", str(tmp_path / "missing.warc.gz")), "cannot read")


def test_extract_page_needs_url(tmp_path):
    page = tmp_path / "page.html"
    page.write_text("<html><body><h1>Tin</h1></body></html>", encoding="utf-8")
    assert_user_error(run("extract", str(page)), "--url")


def test_bad_argument_is_one_line():
    assert_user_error(run("search"))
    assert_user_error(run("crawl", "x", "--max-pages", "many"))


def test_no_command_shows_help():
    result = run()
    assert result.returncode == 2
    assert "usage: portal-archive" in result.stdout


def test_out_of_range_numbers(tmp_path):
    assert_user_error(run("crawl", "http://a.test/", "--max-pages", "0", "--data", str(tmp_path / "d")),
                      "--max-pages")
    (tmp_path / "e").mkdir()
    assert_user_error(run("search", "x", "--limit", "0", "--data", str(tmp_path / "e")), "--limit")


def test_unreachable_redis(tmp_path):
    assert_user_error(run("crawl", "http://a.test/", "--redis", "redis://127.0.0.1:1/0",
                          "--data", str(tmp_path / "d")), "Redis")
    assert_user_error(run("worker", "--redis", "redis://127.0.0.1:1/0", "--wait", "0",
                          "--data", str(tmp_path / "d")), "Redis")
    for command in (["crawl", "http://a.test/"], ["worker"]):
        assert_user_error(run(*command, "--redis", "notaurl", "--data", str(tmp_path / "d")), "Redis", "notaurl")


def test_export_wacz_into_a_missing_directory(tmp_path):
    from archive.index import Index
    Index(tmp_path / "index.sqlite").close()
    (tmp_path / "warcs").mkdir()
    assert_user_error(run("export-wacz", "-o", str(tmp_path / "no" / "such" / "x.wacz"), "--data", str(tmp_path)),
                      "not a directory")
