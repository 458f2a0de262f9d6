"""Snapshots: content decoding, revisit chains, clear errors."""
from __future__ import annotations

import gzip
import zlib

import brotli
import pytest

from archive.index import Index
from archive.snapshot import SnapshotNotFound, decode_body, snapshot
from archive.warc import HttpExchange, WarcWriter, WriterConfig

TEXT = "<p>Ủy ban nhân dân huyện Thọ Xuân</p>".encode() * 50


@pytest.mark.parametrize("encoding, encoded", [
    ("gzip", gzip.compress(TEXT)),
    ("x-gzip", gzip.compress(TEXT)),
    ("deflate", zlib.compress(TEXT)),
    ("deflate", zlib.compress(TEXT)[2:-4]),  # raw deflate, as some servers send it
    ("br", brotli.compress(TEXT)),
    ("gzip, br", brotli.compress(gzip.compress(TEXT))),
    ("identity", TEXT),
    (None, TEXT),
])
def test_decode_body(encoding, encoded):
    assert decode_body(encoded, encoding) == TEXT


def test_truncated_gzip_gives_what_arrived():
    assert TEXT.startswith(decode_body(gzip.compress(TEXT)[:-40], "gzip")[:100])


def test_undecodable_body_is_returned_as_received(caplog):
    assert decode_body(b"not gzip at all", "gzip") == b"not gzip at all"
    assert decode_body(b"xx", "compress") == b"xx"
    assert "left encoded" in caplog.text


def archive_pages(tmp_path, pages):
    """Write exchanges and index them the way the recorder does; return the index."""
    index = Index(tmp_path / "index.sqlite")
    with WarcWriter(WriterConfig(str(tmp_path / "warcs")), find_payload=index.find_payload) as writer:
        for url, headers, body, date in pages:
            written = writer.write_exchange(HttpExchange(url, 200, headers, body), date=date)
            ref = written.response
            index.add_capture(url=url, timestamp=written.date, status=200, mime="text/html",
                              payload_digest=written.payload_digest, warc_file=ref.filename,
                              offset=ref.offset, length=ref.length, record_id=ref.record_id,
                              record_type="revisit" if written.revisit else "response",
                              refers_to=written.refers_to, refers_to_url=written.refers_to_url,
                              refers_to_date=written.refers_to_date)
    return index


def test_snapshot_at_picks_the_nearest_capture_and_follows_revisits(tmp_path):
    gz = [("Content-Encoding", "gzip")]
    index = archive_pages(tmp_path, [
        ("http://a.test/p", gz, gzip.compress(b"v1", mtime=0), "2024-01-01T00:00:00Z"),
        ("http://a.test/p", gz, gzip.compress(b"v2", mtime=0), "2024-02-01T00:00:00Z"),
        ("http://a.test/copy", [("X-Copy", "yes")], gzip.compress(b"v1", mtime=0), "2024-03-01T00:00:00Z"),
    ])
    assert snapshot(index, tmp_path / "warcs", "http://a.test/p")[2] == b"v2"
    assert snapshot(index, tmp_path / "warcs", "http://a.test/p", at="2024-01-05")[2] == b"v1"
    status, headers, body = snapshot(index, tmp_path / "warcs", "http://a.test/copy")
    # the revisit's own headers (no Content-Encoding) describe the body: it stays as stored
    assert headers == [("X-Copy", "yes")] and body == gzip.compress(b"v1", mtime=0)
    index.close()


def test_snapshot_of_unknown_url_is_a_clear_error(tmp_path):
    index = archive_pages(tmp_path, [])
    with pytest.raises(SnapshotNotFound, match="no capture of http://a.test/none"):
        snapshot(index, tmp_path / "warcs", "http://a.test/none")
    index.close()
