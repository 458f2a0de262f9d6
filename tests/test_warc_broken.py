"""Deliberately broken WARC files: detected with clear errors, torn tails repaired."""
from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from archive.warc import WarcFormatError, WarcRef, iter_records, read_record, repair
from tests.support.warc_check import WARCIO, warc_files, warcio_check

FIXTURES = Path(__file__).parent / "fixtures" / "warc"


def whole_records(path) -> list:
    found = []
    with pytest.raises(WarcFormatError) as failure:
        for record, ref in iter_records(path):
            found.append((record, ref))
    return found, str(failure.value)


@pytest.mark.parametrize("name, whole, words", [
    ("truncated.warc.gz.open", 6, "truncated gzip member"),
    ("garbage_tail.warc.gz.open", 7, "no gzip member"),
    ("bad_length.warc.gz", 6, "Content-Length"),
])
def test_torn_tail_ends_iteration_with_a_clear_error(name, whole, words):
    found, message = whole_records(FIXTURES / name)
    assert len(found) == whole
    assert name in message and words in message
    assert [r.rec_type for r, _ in found][:3] == ["warcinfo", "response", "request"]
    offset = found[-1][1].offset + found[-1][1].length
    assert f"offset {offset}" in message or f"@{offset}" in message


def test_bad_digest_is_reported_not_hidden():
    records = [record for record, _ in iter_records(FIXTURES / "bad_digest.warc.gz")]
    problems = [p for r in records for p in r.digest_problems()]
    assert len(records) == 7
    assert any("Block-Digest" in p for p in problems) and any("Payload-Digest" in p for p in problems)
    assert all("0000-000000000004" in p for p in problems)  # only the damaged response
    result = subprocess.run([str(WARCIO), "check", str(FIXTURES / "bad_digest.warc.gz")],
                            capture_output=True, text=True)
    assert result.returncode != 0


def test_read_record_refuses_a_torn_record(tmp_path):
    path = FIXTURES / "truncated.warc.gz.open"
    size = path.stat().st_size
    found, _ = whole_records(path)
    end = found[-1][1].offset + found[-1][1].length
    shutil.copy(path, tmp_path / path.name)
    torn = WarcRef("truncated.warc.gz", end, size - end + 100, "")
    with pytest.raises(WarcFormatError, match="ends .* before the record"):
        read_record(tmp_path, torn)
    torn = WarcRef("truncated.warc.gz", end, size - end, "")
    with pytest.raises(WarcFormatError, match="truncated gzip member"):
        read_record(tmp_path, torn)
    # a whole record is still readable from the same .open file
    assert read_record(tmp_path, found[1][1]).rec_type == "response"


def test_read_record_checks_the_record_id(tmp_path):
    shutil.copy(FIXTURES / "bad_digest.warc.gz", tmp_path)
    _, ref = list(iter_records(tmp_path / "bad_digest.warc.gz"))[1]
    wrong = WarcRef(ref.filename, ref.offset, ref.length, "<urn:uuid:other>")
    with pytest.raises(WarcFormatError, match="expected <urn:uuid:other>"):
        read_record(tmp_path, wrong)


@pytest.mark.parametrize("name, kept", [("truncated.warc.gz.open", 6), ("garbage_tail.warc.gz.open", 7)])
def test_repair_cuts_the_torn_tail_and_closes_the_file(tmp_path, name, kept):
    shutil.copy(FIXTURES / name, tmp_path / name)
    original = (FIXTURES / name).read_bytes()
    [report] = repair(tmp_path)
    final = tmp_path / name[: -len(".open")]
    assert final.exists() and not (tmp_path / name).exists()
    assert report.filename == final.name and report.records_kept == kept
    assert report.size_kept == final.stat().st_size
    assert report.bytes_cut == len(original) - final.stat().st_size > 0
    assert report.problem
    assert final.read_bytes() == original[: report.size_kept]  # whole records untouched
    # the cut bytes are kept aside: nothing archived is lost
    tail = tmp_path / "damaged" / f"{final.name}.{report.size_kept}.tail"
    assert report.tail_kept == str(tail)
    assert final.read_bytes() + tail.read_bytes() == original
    assert len(list(iter_records(final))) == kept
    warcio_check(final)
    assert repair(tmp_path) == []  # nothing left to do


def test_repair_leaves_whole_open_files_intact(tmp_path):
    data = (FIXTURES / "bad_digest.warc.gz").read_bytes()
    (tmp_path / "x.warc.gz.open").write_bytes(data)
    [report] = repair(tmp_path)
    assert report.bytes_cut == 0 and report.problem is None and report.records_kept == 7
    assert (tmp_path / "x.warc.gz").read_bytes() == data


def test_repair_leaves_a_file_with_no_whole_record_as_it_is(tmp_path):
    # Earlier versions deleted it: a torn first record, or not a WARC at all, is kept and reported.
    data = (FIXTURES / "truncated.warc.gz.open").read_bytes()
    (tmp_path / "y.warc.gz.open").write_bytes(data[:100])
    [report] = repair(tmp_path)
    assert report.left_as_is and not report.removed and report.records_kept == 0 and report.bytes_cut == 0
    assert "no whole WARC record" in report.problem
    assert (tmp_path / "y.warc.gz.open").read_bytes() == data[:100]
    assert warc_files(tmp_path) == [] and not (tmp_path / "damaged").exists()


def test_repair_skips_a_file_a_live_writer_holds(tmp_path):
    path = tmp_path / "live.warc.gz.open"
    shutil.copy(FIXTURES / "truncated.warc.gz.open", path)
    with open(path, "ab") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX)
        assert repair(tmp_path) == []
        assert path.exists()


def test_repair_leaves_a_just_created_empty_file_to_its_writer(tmp_path):
    fresh, stale = tmp_path / "fresh.warc.gz.open", tmp_path / "stale.warc.gz.open"
    fresh.write_bytes(b"")
    stale.write_bytes(b"")
    os.utime(stale, (time.time() - 3600, time.time() - 3600))  # killed right after creating it
    [report] = repair(tmp_path)
    assert report.filename == "stale.warc.gz" and report.removed
    assert fresh.exists() and not stale.exists()


def test_scan_reads_past_a_damaged_member_and_names_it(tmp_path):
    from archive.warc_scan import WarcScan
    path = FIXTURES / "bad_digest.warc.gz"
    refs = [ref for _, ref in iter_records(path)]
    data = bytearray(path.read_bytes())
    middle = refs[3]
    data[middle.offset + middle.length // 2] ^= 0xFF
    (tmp_path / "x.warc.gz").write_bytes(bytes(data))
    scan = WarcScan(tmp_path / "x.warc.gz")
    found = [(ref.offset, ref.length, ref.record_id) for _, ref in scan]
    assert found == [(ref.offset, ref.length, ref.record_id) for ref in refs[:3] + refs[4:]]
    [damage] = scan.damage
    assert (damage.offset, damage.end, damage.at_end) == (middle.offset, refs[4].offset, False)
    assert "incorrect data check" in damage.reason
    assert (tmp_path / "x.warc.gz").read_bytes() == bytes(data)


@pytest.mark.parametrize("name, whole", [("truncated.warc.gz.open", 6), ("garbage_tail.warc.gz.open", 7),
                                         ("bad_length.warc.gz", 6)])
def test_scan_reports_damage_at_the_end(name, whole):
    from archive.warc_scan import WarcScan
    scan = WarcScan(FIXTURES / name)
    assert len(list(scan)) == whole
    [damage] = scan.damage
    assert damage.at_end and damage.end == (FIXTURES / name).stat().st_size


def test_scan_of_an_uncompressed_warc_keeps_the_records_before_damage(tmp_path):
    from archive.warc_scan import WarcScan
    record = (FIXTURES / "golden_response.warc").read_bytes()
    (tmp_path / "p.warc").write_bytes(record + record + b"garbage\r\n\r\n" + record)
    scan = WarcScan(tmp_path / "p.warc")
    assert [ref.offset for _, ref in scan] == [0, len(record)]
    [damage] = scan.damage
    assert damage.offset == 2 * len(record) and damage.at_end
