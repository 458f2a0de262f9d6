"""Metadata records as WARC named fields: the format, its round trip, and what the index
rebuild reads back from them (today's records and the `application/json` ones of before)."""
from __future__ import annotations

import sqlite3

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from archive.warc import HttpExchange, WarcWriter, WriterConfig
from archive.warc_metadata import CONTENT_TYPE, decode_metadata, encode_fields
from portal_crawler.reindex import reindex
from tests.support.legacy_warc import write_legacy_warc
from tests.support.warc_check import warc_files, warcio_check

URL = "http://thoxuan.thanhhoa.test/tin-tuc/bai-1.html"
HTML = "<html><head><title>Bài 1</title></head><body><p>Tin huyện Thọ Xuân.</p></body></html>"

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12)


@given(st.dictionaries(st.from_regex(r"[a-z][a-z0-9_.-]{0,12}", fullmatch=True), json_values, max_size=5))
@example({"article": {"body": "một\u2028hai\u2029ba\u0085bốn\r\nnăm\x0bsáu"}})
def test_fields_round_trip_one_line_each(payload):
    block = encode_fields(payload)
    lines = block.split(b"\r\n")
    assert lines[-1] == b"" and len(lines) == len(payload) + 1
    # a line reader that breaks at every Unicode line end still sees one field a line
    assert len(block.decode("utf-8").splitlines()) == len(payload)
    assert decode_metadata(CONTENT_TYPE, block) == (payload or None)


def test_a_key_that_is_no_field_name_is_refused():
    with pytest.raises(ValueError, match="not a field name"):
        encode_fields({"bad key:": 1})


def test_old_json_records_and_foreign_fields():
    assert decode_metadata("application/json", b'{"site": "thoxuan"}') == {"site": "thoxuan"}
    assert decode_metadata("application/json", b"[1, 2]") is None
    assert decode_metadata("application/json", b"{torn") is None
    # Heritrix's fields are not ours; a damaged value of ours is left out, the rest kept
    block = b"outlink: http://a.test/ L a/@href\r\nportal-archive-site: \"thoxuan\"\r\nportal-archive-x: {torn\r\n"
    assert decode_metadata("application/warc-fields", block) == {"site": "thoxuan"}
    assert decode_metadata("text/plain", b"portal-archive-site: \"x\"") is None


def captured_sites(data) -> dict[str, str]:
    with sqlite3.connect(data / "index.sqlite") as db:
        return dict(db.execute("SELECT url, site FROM captures"))


def test_rebuild_takes_the_site_from_todays_metadata_records(tmp_path):
    data = tmp_path / "data"
    with WarcWriter(WriterConfig(str(data / "warcs"))) as writer:
        written = writer.write_exchange(HttpExchange(URL, 200, [("Content-Type", "text/html")], HTML.encode()))
        writer.write_metadata(URL, written.response.record_id,
                              {"site": "thoxuan", "outlinks": [], "article": {"title": "Bài 1"}})
    warcio_check(*warc_files(data / "warcs"))
    reindex(data)
    assert captured_sites(data) == {URL: "thoxuan"}  # without the record: the host


def test_rebuild_takes_the_site_from_old_json_metadata_records(tmp_path):
    data = tmp_path / "data"
    write_legacy_warc(data / "warcs" / "portal-archive-20240506070809000-00001-old.warc.gz", [(URL, HTML)], "thoxuan")
    reindex(data)
    assert captured_sites(data) == {URL: "thoxuan"}
