"""Damaged WARC files of a real crawl through the CLI: every whole record indexed, no
archived byte cut or deleted, exit 1 with one line naming the damage."""
from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from archive.warc import iter_records

CLI = [sys.executable, "-m", "portal_crawler.cli"]


@pytest.fixture(scope="module")
def crawled(demo_crawled):
    """The demo crawl, its one WARC file and that file's records."""
    [warc] = (demo_crawled / "warcs").glob("*.warc.gz")
    members = [(record.record_id, record.rec_type, ref.offset, ref.length, record.http is not None)
               for record, ref in iter_records(warc)]
    return demo_crawled, warc, members


def run(*args):
    return subprocess.run([*CLI, *map(str, args)], capture_output=True, text=True, timeout=300)


def indexed_ids(data: Path) -> set[str]:
    db = sqlite3.connect(data / "index.sqlite")
    return {row[0] for row in db.execute("SELECT record_id FROM captures")}


def expected_ids(members, damaged_offsets) -> set[str]:
    """Response/revisit record ids whose gzip member holds none of the damaged offsets."""
    return {rid for rid, rtype, offset, length, http in members
            if rtype in ("response", "revisit") and http
            and not any(offset <= p < offset + length for p in damaged_offsets)}


def flip(path: Path, *offsets: int) -> bytes:
    data = bytearray(path.read_bytes())
    for offset in offsets:
        data[offset] ^= 0xFF
    path.write_bytes(bytes(data))
    return bytes(data)


def one_line(stderr: str) -> str:
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    return lines[0]


def fresh_copy(tmp_path, warc: Path, suffix: str = "") -> Path:
    data = tmp_path / "data"
    (data / "warcs").mkdir(parents=True)
    target = data / "warcs" / (warc.name + suffix)
    shutil.copy(warc, target)
    return target


def test_a_flipped_byte_mid_file_is_read_past_and_the_open_file_left_as_it_is(crawled, tmp_path):
    _, warc, members = crawled
    path = fresh_copy(tmp_path, warc, ".open")
    damaged = flip(path, 2000)
    result = run("index", "--data", tmp_path / "data")
    assert result.returncode == 1, result.stdout + result.stderr
    line = one_line(result.stderr)
    assert warc.name in line and "offset" in line
    assert path.read_bytes() == damaged  # not cut, not renamed
    assert indexed_ids(tmp_path / "data") == expected_ids(members, [2000])
    assert len(expected_ids(members, [2000])) == sum(1 for m in members if m[1] in ("response", "revisit")) - 1


def test_damage_in_the_first_record_keeps_the_file_and_the_records_after_it(crawled, tmp_path):
    _, warc, members = crawled
    path = fresh_copy(tmp_path, warc, ".open")
    damaged = flip(path, 40)
    result = run("index", "--data", tmp_path / "data")
    assert result.returncode == 1 and "at offset 0 " in one_line(result.stderr)
    assert path.read_bytes() == damaged
    assert indexed_ids(tmp_path / "data") == expected_ids(members, [40])


def test_a_file_that_is_not_a_warc_is_left_alone_and_reported(crawled, tmp_path):
    _, warc, members = crawled
    fresh_copy(tmp_path, warc)
    junk = tmp_path / "data" / "warcs" / "junk.warc.gz.open"
    junk.write_bytes(bytes(range(256)) * 40)
    result = run("index", "--data", tmp_path / "data")
    assert result.returncode == 1 and "junk.warc.gz.open at offset 0" in one_line(result.stderr)
    assert junk.read_bytes() == bytes(range(256)) * 40
    assert indexed_ids(tmp_path / "data") == expected_ids(members, [])


def test_a_torn_tail_is_cut_only_after_its_bytes_are_kept_aside(crawled, tmp_path):
    _, warc, members = crawled
    path = fresh_copy(tmp_path, warc, ".open")
    original = path.read_bytes()
    cut = members[-3][2] + members[-3][3] // 2   # halfway through the third-last record
    path.write_bytes(original[:cut])
    result = run("index", "--data", tmp_path / "data")
    assert result.returncode == 1
    line = one_line(result.stderr)
    assert "torn tail" in line and "damaged" in line
    closed = path.with_name(warc.name)
    [tail] = (closed.parent / "damaged").iterdir()
    assert tail.name == f"{warc.name}.{members[-3][2]}.tail"
    assert closed.read_bytes() + tail.read_bytes() == original[:cut]
    assert indexed_ids(tmp_path / "data") == {rid for rid, rtype, offset, length, http in members[:-3]
                                              if rtype in ("response", "revisit") and http}


def test_index_warcs_of_another_worker_leaves_its_damaged_file_as_it_is(crawled, tmp_path):
    data, warc, members = crawled
    other = tmp_path / "other"
    other.mkdir()
    path = other / (warc.name.replace("00001", "00002") + ".open")
    shutil.copy(warc, path)
    damaged = flip(path, 50_000)
    copy = tmp_path / "data"
    shutil.copytree(data, copy)
    result = run("index", "--data", copy, "--warcs", other)
    assert result.returncode == 1 and path.name in one_line(result.stderr)
    assert path.read_bytes() == damaged


def test_rebuild_reads_past_damage(crawled, tmp_path):
    data, warc, members = crawled
    copy = tmp_path / "data"
    shutil.copytree(data, copy)
    path = copy / "warcs" / warc.name
    damaged = flip(path, 60_000, 150_000)
    result = run("index", "--rebuild", "--data", copy)
    assert result.returncode == 1, result.stderr
    line = one_line(result.stderr)
    assert line.count(warc.name) == 2
    assert path.read_bytes() == damaged
    expected = expected_ids(members, [60_000, 150_000])
    assert indexed_ids(copy) == expected
    articles = sqlite3.connect(copy / "index.sqlite").execute("SELECT count(*) FROM articles").fetchone()[0]
    assert articles >= sqlite3.connect(data / "index.sqlite").execute("SELECT count(*) FROM articles").fetchone()[0] - 2


def test_extract_on_a_damaged_warc_extracts_every_whole_record_and_exits_1(crawled, tmp_path):
    _, warc, members = crawled
    whole = run("extract", warc)
    assert whole.returncode == 0 and whole.stderr == ""
    path = fresh_copy(tmp_path, warc)
    flip(path, 2000)
    damaged = run("extract", path)
    assert damaged.returncode == 1
    assert warc.name in one_line(damaged.stderr) and "offset" in damaged.stderr
    # one record is lost to the damage, so at most one article
    assert set(damaged.stdout.splitlines()) <= set(whole.stdout.splitlines())
    assert len(damaged.stdout.splitlines()) >= len(whole.stdout.splitlines()) - 1 > 20


def test_index_warcs_of_a_missing_directory_is_a_user_error(crawled, tmp_path):
    data, _, _ = crawled
    result = run("index", "--data", data, "--warcs", tmp_path / "nonexistent")
    assert result.returncode == 2 and "nonexistent" in one_line(result.stderr)
