"""Deduplication rules of the writer: what becomes a revisit, and what a revisit says."""
from __future__ import annotations

import random

from archive.warc import (PROFILE_IDENTICAL, PROFILE_NOT_MODIFIED, HttpExchange, WarcWriter,
                          WriterConfig, iter_records, read_record)
from tests.support.warc_check import warc_files, warcio_check

HTML = [("Content-Type", "text/html")]
PAGE = random.Random(5).randbytes(5000)


def test_payload_archived_by_an_earlier_run_becomes_a_revisit(tmp_path):
    with WarcWriter(WriterConfig(str(tmp_path))) as first:
        original = first.write_exchange(HttpExchange("http://a.test/p", 200, HTML, PAGE))
    earlier = {original.payload_digest: {"url": "http://a.test/p", "timestamp": "20240501102030",
                                         "record_id": original.response.record_id}}
    with WarcWriter(WriterConfig(str(tmp_path)), find_payload=earlier.get) as second:
        again = second.write_exchange(HttpExchange("http://a.test/p", 200, HTML + [("X-New", "1")], PAGE))
        other = second.write_exchange(HttpExchange("http://a.test/q", 200, HTML, b"<p>other</p>"))
    assert again.revisit and again.profile == PROFILE_IDENTICAL and not other.revisit
    record = read_record(tmp_path, again.response)
    assert record.rec_type == "revisit" and record.http.body == b""
    assert record.http.header("X-New") == "1"  # this capture's own headers are kept
    assert record.header("WARC-Refers-To") == original.response.record_id
    assert record.header("WARC-Refers-To-Target-URI") == "http://a.test/p"
    assert record.header("WARC-Refers-To-Date") == "2024-05-01T10:20:30Z"
    assert record.header("WARC-Payload-Digest") == original.payload_digest
    assert again.response.length < original.response.length / 5  # the payload is not stored twice
    warcio_check(*warc_files(tmp_path))


def test_empty_and_truncated_bodies_are_never_revisits(tmp_path):
    with WarcWriter(WriterConfig(str(tmp_path))) as writer:
        for _ in range(2):
            redirect = writer.write_exchange(HttpExchange("http://a.test/old", 301, [("Location", "/new")], b""))
            cut = writer.write_exchange(HttpExchange("http://a.test/big", 200, HTML, b"<p>part", truncated="disconnect"))
            assert not redirect.revisit and not cut.revisit
    record = read_record(tmp_path, cut.response)
    assert record.header("WARC-Truncated") == "disconnect" and record.http.body == b"<p>part"
    assert read_record(tmp_path, redirect.response).http.header("Location") == "/new"
    warcio_check(*warc_files(tmp_path))


def test_304_is_a_not_modified_revisit_with_or_without_a_known_original(tmp_path):
    previous = {"url": "http://a.test/p", "timestamp": "2024-05-01T10:20:30Z", "record_id": "<urn:uuid:x>"}
    with WarcWriter(WriterConfig(str(tmp_path))) as writer:
        known = writer.write_exchange(HttpExchange("http://a.test/p", 304, [("ETag", '"v1"')], b""), previous=previous)
        unknown = writer.write_exchange(HttpExchange("http://a.test/q", 304, [], b""))
    for written in (known, unknown):
        assert written.revisit and written.profile == PROFILE_NOT_MODIFIED and written.payload_digest is None
        record = read_record(tmp_path, written.response)
        assert record.header("WARC-Profile") == PROFILE_NOT_MODIFIED
        assert record.http.start_line == "HTTP/1.1 304 Not Modified"
        assert record.header("WARC-Payload-Digest") is None
    assert read_record(tmp_path, known.response).header("WARC-Refers-To") == "<urn:uuid:x>"
    assert read_record(tmp_path, unknown.response).header("WARC-Refers-To") is None
    warcio_check(*warc_files(tmp_path))


def test_a_revisit_is_not_itself_an_original(tmp_path):
    with WarcWriter(WriterConfig(str(tmp_path))) as writer:
        writes = [writer.write_exchange(HttpExchange(f"http://a.test/{i}", 200, HTML, b"<p>x</p>")) for i in range(3)]
    assert [w.revisit for w in writes] == [False, True, True]
    assert {w.refers_to for w in writes[1:]} == {writes[0].response.record_id}
    types = [r.rec_type for path in warc_files(tmp_path) for r, _ in iter_records(path)]
    assert types.count("response") == 1 and types.count("revisit") == 2
