"""Reading a WARC file past damage: every whole record, and where the damage is.

A flipped byte or a bad sector spoils one gzip member; the members after it are still
whole. The scan reports the spoilt stretch and resumes at the next offset where a gzip
member starts (magic 1f 8b 08) that decompresses to a whole WARC record, so one bad
record never hides the rest of the file. It only reads: the file is never changed.
"""
from __future__ import annotations

import os
import zlib
from dataclasses import dataclass
from typing import BinaryIO, Iterator

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeadersParserException

from archive.warc_reader import GZIP_MAGIC, RECORD_END, Record, _final_name, iter_members, parse_record
from archive.warc_ref import WarcFormatError, WarcRef

MEMBER_START = GZIP_MAGIC + b"\x08"   # gzip magic and the deflate method byte
SEARCH_CHUNK = 1 << 20


@dataclass(frozen=True)
class Damage:
    """A stretch of a WARC file that holds no whole record."""

    path: str
    offset: int
    length: int            # bytes up to the next whole record, or to the end of the file
    reason: str
    at_end: bool           # nothing whole after it (a torn tail, when the file is `.open`)

    @property
    def end(self) -> int:
        return self.offset + self.length

    def describe(self) -> str:
        where = "to the end" if self.at_end else f"up to offset {self.end}"
        return f"{os.path.basename(self.path)} at offset {self.offset} ({self.length} bytes {where})"


class WarcScan:
    """Iterate over the whole records of one WARC file; `damage` lists what was skipped.

        scan = WarcScan(path)
        for record, ref in scan: ...
        scan.damage   # [Damage(...)], empty for a sound file
    """

    def __init__(self, path: str | os.PathLike):
        self.path = os.fspath(path)
        self.filename = _final_name(os.path.basename(self.path))
        self.damage: list[Damage] = []
        self.records = 0

    def __iter__(self) -> Iterator[tuple[Record, WarcRef]]:
        self.damage, self.records = [], 0
        try:
            fh = open(self.path, "rb")
        except OSError as exc:
            self.damage.append(Damage(self.path, 0, 0, f"unreadable: {exc.strerror or exc}", True))
            return
        with fh:
            size = os.fstat(fh.fileno()).st_size
            if size and fh.read(2) != GZIP_MAGIC:
                yield from self._plain(fh, size)
                return
            offset = 0
            while offset < size:
                try:
                    for member_offset, length, data in iter_members(fh, offset):
                        record = parse_record(data, f"offset {member_offset}")
                        offset = member_offset + length
                        self.records += 1
                        yield record, WarcRef(self.filename, member_offset, length, record.record_id)
                    return
                except WarcFormatError as exc:
                    resume = next_record_start(fh, offset + 1, size)
                    self.damage.append(Damage(self.path, offset, resume - offset, str(exc), resume >= size))
                    offset = resume

    def _plain(self, fh: BinaryIO, size: int) -> Iterator[tuple[Record, WarcRef]]:
        # Uncompressed WARCs have no member boundaries to resync on: the records warcio finds
        # before the damage are whole, the rest of the file is reported.
        fh.seek(0)
        iterator = ArchiveIterator(fh, no_record_parse=True)
        spans = []
        try:
            for record in iterator:
                offset = iterator.get_record_offset()
                iterator.read_to_end(record)
                spans.append((offset, iterator.get_record_length()))
        except (ArchiveLoadFailed, StatusAndHeadersParserException, EOFError, ValueError, zlib.error) as exc:
            problem = f"unreadable WARC record: {str(exc).strip()}"
        else:
            problem = None
        end = 0
        for offset, length in spans:
            fh.seek(offset)
            data = fh.read(length + len(RECORD_END))   # warcio's length leaves out the end marker
            if not data.endswith(RECORD_END):
                data = data[:length]
            try:
                record = parse_record(data, f"offset {offset}")
            except WarcFormatError as exc:
                problem = str(exc)
                break
            end = offset + len(data)
            self.records += 1
            yield record, WarcRef(self.filename, offset, len(data), record.record_id)
        if problem is None and end < size:
            problem = f"{size - end} bytes after the last whole record"
        if problem is not None:
            self.damage.append(Damage(self.path, end, size - end, problem, True))


def next_record_start(fh: BinaryIO, start: int, size: int) -> int:
    """The first offset >= start where a whole WARC record's gzip member begins, or size."""
    position = start
    while position < size:
        fh.seek(position)
        chunk = fh.read(SEARCH_CHUNK + len(MEMBER_START) - 1)
        found = chunk.find(MEMBER_START)
        while found >= 0:
            if is_record_at(fh, position + found):
                return position + found
            found = chunk.find(MEMBER_START, found + 1)
        position += SEARCH_CHUNK
    return size


def is_record_at(fh: BinaryIO, offset: int) -> bool:
    """Does a gzip member at offset decompress whole to a whole WARC record?"""
    try:
        _, _, data = next(iter_members(fh, offset))
        parse_record(data, f"offset {offset}")
    except (WarcFormatError, StopIteration):
        return False
    return True
