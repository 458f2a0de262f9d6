"""WARC files an archivist can trust: the public face of the WARC layer.

    writer = WarcWriter(WriterConfig(warcs_dir), find_payload=index.find_payload)
    written = writer.write_exchange(HttpExchange(url, status, headers, body, ...))
    written.response  # WarcRef of the response (or revisit) record
    record = read_record(warcs_dir, written.response)

Modules: warc_ref (WarcRef), warc_writer (rotating writer), warc_reader (iteration,
one-seek reads), warc_repair (torn tails of `.open` files).
"""
from archive.warc_reader import (HttpMessage, Record, iter_records, read_record,  # noqa: F401
                                 sha1_digest)
from archive.warc_ref import WarcFormatError, WarcRef  # noqa: F401
from archive.warc_repair import RepairReport, repair  # noqa: F401
from archive.warc_writer import (PROFILE_IDENTICAL, PROFILE_NOT_MODIFIED,  # noqa: F401
                                 HttpExchange, WarcWriter, WriterConfig, WrittenExchange,
                                 metadata_uri)
