"""The WARC writer: round trips, golden bytes, rotation, warcinfo, metadata records."""
from __future__ import annotations

import base64
import gzip
import hashlib
import os
import random
import re
import tempfile
import zlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from warcio.archiveiterator import ArchiveIterator

from archive.warc import (HttpExchange, WarcWriter, WriterConfig, iter_records, metadata_uri,
                          read_record)
from archive.warc_metadata import decode_metadata
from tests.support.warc_check import warc_files, warcio_check

FIXTURES = Path(__file__).parent / "fixtures" / "warc"
ANNEX_C_NAME = re.compile(r"^portal-archive-\d{17}-\d{5}-[A-Za-z0-9_-]+\.warc\.gz$")


def b32_sha1(data: bytes) -> str:
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode()


header_names = st.one_of(
    st.sampled_from(["Set-Cookie", "X-Thing", "Content-Type", "Link", "Vary", "ETag"]),
    # any RFC 9110 token; Transfer-Encoding is renamed on purpose (test below)
    st.from_regex(r"\A[A-Za-z0-9!#$%&'*+.^_`|~-]{1,20}\Z").filter(lambda n: n.lower() != "transfer-encoding"))
# any latin-1 text without line breaks: the header bytes must come back exactly
header_values = st.text(st.characters(min_codepoint=0x20, max_codepoint=0xFF, blacklist_characters="\x7f"),
                        max_size=40).map(str.strip)
header_lists = st.lists(st.tuples(header_names, header_values), max_size=12)
statuses = st.sampled_from([200, 201, 204, 301, 302, 400, 403, 404, 410, 500, 503])
paths = st.text("abcxyz019-_/%.", max_size=20)
queries = st.text("abc=&019%+", max_size=20)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=st.binary(max_size=4000), headers=header_lists, status=statuses, path=paths, query=queries,
       method=st.sampled_from(["GET", "POST"]), sent=header_lists, form=st.binary(max_size=300))
def test_exchange_round_trip(body, headers, status, path, query, method, sent, form):
    url = f"http://thoxuan.thanhhoa.test/{path}" + (f"?{query}" if query else "")
    form = form if method == "POST" else b""
    request_headers = [("Host", "thoxuan.thanhhoa.test"), ("Cookie", "a=1")] + sent
    with tempfile.TemporaryDirectory() as tmp:
        with WarcWriter(WriterConfig(tmp, operator="tests")) as writer:
            written = writer.write_exchange(HttpExchange(
                url, status, headers, body, method=method, request_headers=request_headers,
                request_body=form, ip_address="127.0.0.1"))
        [path_] = warc_files(tmp)
        warcio_check(path_)

        record = read_record(tmp, written.response)
        assert record.rec_type == "response"
        assert record.target_uri == url
        assert record.http.status == status
        assert record.http.headers == headers  # order, repeats and bytes kept
        assert record.http.body == body
        assert record.header("WARC-Payload-Digest") == b32_sha1(body) == written.payload_digest
        assert record.header("WARC-IP-Address") == "127.0.0.1"

        request = read_record(tmp, written.request)
        assert request.header("WARC-Concurrent-To") == written.response.record_id
        target = "/" + path + (f"?{query}" if query else "")
        assert request.http.start_line == f"{method} {target} HTTP/1.1"
        assert request.http.headers[:len(request_headers)] == request_headers
        assert request.http.body == form

        # an independent reader (warcio's own) sees the same body
        with open(path_, "rb") as fh:
            bodies = [r.raw_stream.read() for r in ArchiveIterator(fh) if r.rec_type == "response"]
        assert bodies == [body]


def test_warcinfo_first_and_referenced_by_every_record(tmp_path):
    config = WriterConfig(str(tmp_path), operator="Archivist <a@b.test>", crawl_id=7, robots="obey")
    with WarcWriter(config) as writer:
        written = writer.write_exchange(HttpExchange("http://a.test/", 200, [], b"x"))
        writer.write_metadata("http://a.test/", written.response.record_id, {"outlinks": []})
    [path] = warc_files(tmp_path)
    assert ANNEX_C_NAME.match(path.name), path.name
    records = [record for record, _ in iter_records(path)]
    warcinfo = records[0]
    assert warcinfo.rec_type == "warcinfo"
    assert warcinfo.header("WARC-Filename") == path.name
    fields = dict(line.split(": ", 1) for line in warcinfo.block.decode().splitlines() if line)
    assert fields["operator"] == "Archivist <a@b.test>"
    assert fields["isPartOf"] == "7"
    assert fields["robots"] == "obey"
    assert fields["software"].startswith("portal-archive")
    assert {r.header("WARC-Warcinfo-ID") for r in records[1:]} == {warcinfo.record_id}
    assert all(r.header("WARC-Type") and r.warc_headers[0][0] == "WARC-Type" for r in records[1:])
    warcio_check(path)


def test_rotation_keeps_every_file_whole_and_named(tmp_path):
    bodies = [random.Random(i).randbytes(3000) for i in range(12)]  # incompressible
    with WarcWriter(WriterConfig(str(tmp_path), max_size=4000)) as writer:
        refs = [writer.write_exchange(HttpExchange(f"http://a.test/{i}", 200, [], body)).response
                for i, body in enumerate(bodies)]
        assert writer.current_file and (tmp_path / (writer.current_file + ".open")).exists()
    files = warc_files(tmp_path)
    assert len(files) > 3
    assert not list(tmp_path.glob("*.open"))
    assert all(ANNEX_C_NAME.match(f.name) for f in files)
    assert len({f.name.split("-")[3] for f in files}) == len(files)  # serials differ
    for path in files:
        assert next(iter_records(path))[0].rec_type == "warcinfo"
    warcio_check(*files)
    for ref, body in zip(refs, bodies):
        assert read_record(tmp_path, ref).http.body == body


def test_ref_covers_exactly_one_gzip_member(tmp_path):
    with WarcWriter(WriterConfig(str(tmp_path))) as writer:
        ref = writer.write_exchange(HttpExchange("http://a.test/", 200, [], b"<p>x</p>")).response
    raw = (tmp_path / ref.filename).read_bytes()[ref.offset:ref.offset + ref.length]
    inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
    data = inflater.decompress(raw)
    assert inflater.eof and inflater.unused_data == b""
    assert data.startswith(b"WARC/1.1\r\n") and data.endswith(b"<p>x</p>\r\n\r\n")


def test_record_readable_while_file_is_open(tmp_path):
    writer = WarcWriter(WriterConfig(str(tmp_path)))
    ref = writer.write_exchange(HttpExchange("http://a.test/", 200, [], b"early")).response
    assert read_record(tmp_path, ref).http.body == b"early"  # flushed before the ref is returned
    writer.close()


def test_non_ascii_header_bytes_survive(tmp_path):
    # warcio alone would %-encode these; an archive keeps what the server sent
    raw = "attachment; filename=Quyết định.pdf".encode("utf-8")
    with WarcWriter(WriterConfig(str(tmp_path))) as writer:
        ref = writer.write_exchange(HttpExchange(
            "http://a.test/f", 200, [(b"Content-Disposition", raw)], b"%PDF")).response
    record = read_record(tmp_path, ref)
    assert record.http.header("Content-Disposition").encode("latin-1") == raw
    warcio_check(*warc_files(tmp_path))


def test_chunked_header_not_left_on_dechunked_body(tmp_path):
    headers = [("Transfer-Encoding", "chunked"), ("Content-Type", "text/html")]
    with WarcWriter(WriterConfig(str(tmp_path))) as writer:
        ref = writer.write_exchange(HttpExchange("http://a.test/", 200, headers, b"<p>whole</p>")).response
    record = read_record(tmp_path, ref)
    assert record.http.header("Transfer-Encoding") is None
    assert record.http.header("X-Archive-Orig-Transfer-Encoding") == "chunked"
    assert record.header("WARC-Payload-Digest") == b32_sha1(b"<p>whole</p>")
    [path] = warc_files(tmp_path)
    with open(path, "rb") as fh:  # replay tools read the body as stored, not as chunks
        assert [r.content_stream().read() for r in ArchiveIterator(fh) if r.rec_type == "response"] == [b"<p>whole</p>"]


def test_metadata_record_targets_metadata_uri(tmp_path):
    payload = {"outlinks": ["http://a.test/b"], "article": {"title": "Tiêu đề"}}
    with WarcWriter(WriterConfig(str(tmp_path))) as writer:
        written = writer.write_exchange(HttpExchange("http://a.test/p?id=3", 200, [], b"x"))
        ref = writer.write_metadata("http://a.test/p?id=3", written.response.record_id, payload)
    record = read_record(tmp_path, ref)
    assert record.rec_type == "metadata"
    assert record.target_uri == "metadata://a.test/p?id=3" == metadata_uri("http://a.test/p?id=3#x")
    assert record.header("WARC-Concurrent-To") == written.response.record_id
    # exactly this type: pywb and cdxj-indexer then never index the record as a capture
    assert record.header("Content-Type") == "application/warc-fields"
    assert record.block.endswith(b"\r\n") and all(
        re.fullmatch(rb"portal-archive-[a-z]+: \S.*", line) for line in record.block.split(b"\r\n")[:-1])
    assert decode_metadata(record.header("Content-Type"), record.block) == payload
    warcio_check(*warc_files(tmp_path))


def test_golden_response_record(tmp_path):
    ids = iter(f"<urn:uuid:00000000-0000-0000-0000-{n:012d}>" for n in range(1, 100))
    writer = WarcWriter(WriterConfig(str(tmp_path)))
    writer._warc._make_warc_id = lambda: next(ids)  # deterministic ids for the golden bytes
    exchange = HttpExchange(
        "http://thoxuan.thanhhoa.test/portal/pages/2023-01-30/Slug-468686.aspx?p=1&q=2#top", 200,
        [("Content-Type", "text/html; charset=utf-8"), ("Set-Cookie", "a=1; Path=/"),
         ("Set-Cookie", "b=2; HttpOnly"), ("Content-Length", "24")],
        "<html>Thọ Xuân</html>".encode("utf-8"),
        request_headers=[("User-Agent", "portal-archive/0.1.0"), ("Accept-Encoding", "gzip")],
        ip_address="192.0.2.7")
    written = writer.write_exchange(exchange, date="2024-05-01T10:20:30.123456Z")
    writer.close()
    path = tmp_path / written.response.filename
    for ref, golden in ((written.response, "golden_response.warc"), (written.request, "golden_request.warc")):
        raw = path.read_bytes()[ref.offset:ref.offset + ref.length]
        data = zlib.decompress(raw, zlib.MAX_WBITS | 16)
        if os.environ.get("REGENERATE_GOLDEN"):  # after a deliberate format change; review the diff
            (FIXTURES / golden).write_bytes(data)
        assert data == (FIXTURES / golden).read_bytes()
    warcio_check(path)


class FailingFile:
    """A file that fails with ENOSPC once `budget` more bytes have been written."""

    def __init__(self, fh, budget: int):
        self.fh, self.budget = fh, budget

    def write(self, data: bytes) -> int:
        if len(data) > self.budget:
            self.fh.write(data[: self.budget])
            self.fh.flush()
            raise OSError(28, "No space left on device")
        self.budget -= len(data)
        return self.fh.write(data)

    def __getattr__(self, name):
        return getattr(self.fh, name)


def test_failed_write_leaves_no_torn_record_behind(tmp_path):
    writer = WarcWriter(WriterConfig(str(tmp_path)))
    kept = writer.write_exchange(HttpExchange("http://a.test/1", 200, [], b"first")).response
    writer._fh = FailingFile(writer._fh, budget=100)
    with pytest.raises(OSError, match="No space"):
        writer.write_exchange(HttpExchange("http://a.test/2", 200, [], random.Random(1).randbytes(5000)))
    later = writer.write_exchange(HttpExchange("http://a.test/3", 200, [], b"third")).response
    writer.close()
    assert later.filename != kept.filename and len(writer.closed_files) == 2
    assert not list(tmp_path.glob("*.open"))
    warcio_check(*warc_files(tmp_path))
    assert read_record(tmp_path, kept).http.body == b"first"
    assert read_record(tmp_path, later).http.body == b"third"
    urls = [r.target_uri for path in warc_files(tmp_path) for r, _ in iter_records(path)]
    assert "http://a.test/2" not in urls


def test_uncompressed_warc_files_are_read_too(tmp_path):
    with WarcWriter(WriterConfig(str(tmp_path / "gz"))) as writer:
        writer.write_exchange(HttpExchange("http://a.test/x?y=1", 200, [("A", "1")], b"plain body"))
    [gz] = warc_files(tmp_path / "gz")
    plain = tmp_path / "plain.warc"
    plain.write_bytes(gzip.decompress(gz.read_bytes()))  # every member, concatenated
    found = list(iter_records(plain))
    assert [r.rec_type for r, _ in found] == ["warcinfo", "response", "request"]
    record, ref = found[1]
    assert read_record(tmp_path, ref).http.body == b"plain body" == record.http.body
    warcio_check(plain)
