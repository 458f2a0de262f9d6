"""Fault injection on the WARC files of a real crawl, shared by tests/test_warc_faults.py
(a few seeded cases in the normal run) and bench/warc_faults.py (100 cases, figures).

One case: copy the crawl's WARC file, damage the copy (flip bytes, zero a 512-byte sector,
or truncate it), sometimes as a `.open` file a crash left, run `portal-archive index`,
`index --rebuild` or `extract` on it (the CLI's main(), in this process), and check:
every record the damage did not touch is indexed and its snapshot reads back as archived
(or extracted, for `extract`); no archived byte is lost (the file is unchanged, or, for a
torn tail cut off a `.open` file, kept bytes + the tail kept in damaged/ = the damaged
file); the exit status is 1 with one line on stderr naming the file and an offset, or 0
when the damage changed no record (a flipped byte in a gzip header's time stamp).
"""
from __future__ import annotations

import contextlib
import io
import json
import random
import shutil
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from archive.index import Index
from archive.snapshot import decode_body, snapshot_capture
from archive.warc import WarcRef, read_record
from archive.warc_scan import WarcScan
from portal_crawler import cli
from tests.support.cli_crawl import crawl_demo  # noqa: F401  (bench/warc_faults.py takes it from here)

MODES = ("index", "rebuild", "extract")
KINDS = ("flip", "zero", "truncate")
SECTOR = 512


@dataclass(frozen=True)
class PristineRecord:
    record_id: str
    rec_type: str
    offset: int
    length: int
    indexed: bool           # a response or revisit with an HTTP message: a captures row
    block: bytes
    url: str | None

    def touched_by(self, fault: "Fault") -> bool:
        end = self.offset + self.length
        if fault.cut is not None and end > fault.cut:
            return True
        return any(self.offset <= p < end for p in fault.positions)


@dataclass(frozen=True)
class Fault:
    kind: str
    positions: tuple[int, ...] = ()    # bytes changed
    cut: int | None = None             # file truncated to this size

    def apply(self, data: bytes) -> bytes:
        damaged = bytearray(data if self.cut is None else data[: self.cut])
        for position in self.positions:
            damaged[position] = (damaged[position] ^ 0x5A) if self.kind == "flip" else 0
        return bytes(damaged)

    def describe(self) -> str:
        if self.cut is not None:
            return f"truncate at {self.cut}"
        if self.kind == "zero":
            return f"zero {SECTOR} bytes at {self.positions[0]}"
        return "flip " + ", ".join(map(str, self.positions))


def random_fault(rng: random.Random, size: int) -> Fault:
    kind = rng.choice(KINDS)
    if kind == "truncate":
        return Fault(kind, cut=rng.randrange(1, size))
    if kind == "zero":
        start = rng.randrange(0, size - SECTOR)
        return Fault(kind, tuple(range(start, start + SECTOR)))
    return Fault(kind, tuple(sorted(rng.sample(range(size), rng.randint(1, 3)))))


def pristine_records(path: Path) -> list[PristineRecord]:
    records = []
    scan = WarcScan(path)
    for record, ref in scan:
        records.append(PristineRecord(record.record_id, record.rec_type, ref.offset, ref.length,
                                      record.rec_type in ("response", "revisit") and record.http is not None,
                                      record.block, record.target_uri))
    assert not scan.damage, f"the pristine file is damaged: {scan.damage}"
    return records


@dataclass
class Corpus:
    """A crawled data directory: one WARC file, its index, its record list and articles."""
    data_dir: Path
    warc: Path
    records: list[PristineRecord]
    article_urls: dict[str, str]      # url of an extracted article -> record id of its response

    @classmethod
    def of(cls, data_dir: Path) -> "Corpus":
        [warc] = sorted((data_dir / "warcs").glob("*.warc.gz"))
        records = pristine_records(warc)
        out = io.StringIO()
        from portal_crawler.extract.warc_extract import extract_warc
        extract_warc(warc, out)
        response_of = {r.url: r.record_id for r in records if r.rec_type == "response"}
        urls = {json.loads(line)["url"]: response_of[json.loads(line)["url"]] for line in out.getvalue().splitlines()}
        return cls(data_dir, warc, records, urls)


@dataclass
class CaseResult:
    seed: int
    mode: str
    fault: str
    open_file: bool
    exit: int
    stderr: str
    intact: int                 # records the fault did not touch (indexed ones, or articles for extract)
    kept: int                   # of those, still indexed and read back (or extracted)
    bytes_total: int            # bytes of the damaged file handed to the command
    bytes_preserved: int        # of those, still on disk (in the file or its kept tail)
    detectable: bool            # the damage changed some record
    tail_kept: bool = False
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def run_cli(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = cli.main(argv)
    return status, out.getvalue(), err.getvalue()


def run_case(corpus: Corpus, work: Path, seed: int, mode: str | None = None) -> CaseResult:
    rng = random.Random(seed)
    mode = mode or rng.choice(MODES)
    original = corpus.warc.read_bytes()
    fault = random_fault(rng, len(original))
    open_file = mode != "extract" and rng.random() < 0.5
    damaged = fault.apply(original)
    data = work / f"case-{seed}"
    warcs = data / "warcs"
    warcs.mkdir(parents=True)
    if mode == "rebuild":
        shutil.copy(corpus.data_dir / "index.sqlite", data / "index.sqlite")
    name = corpus.warc.name + (".open" if open_file else "")
    (warcs / name).write_bytes(damaged)
    touched = {r.record_id for r in corpus.records if r.touched_by(fault)}
    detectable = _changes_a_record(warcs / name, corpus.records)

    if mode == "extract":
        status, _, stderr = run_cli(["extract", str(warcs / name), "-o", str(data / "out.jsonl")])
        extracted = {json.loads(line)["url"] for line in (data / "out.jsonl").read_text().splitlines()}
        intact = {url for url, rid in corpus.article_urls.items() if rid not in touched}
        kept = len(intact & extracted)
    else:
        argv = ["index", "--data", str(data)] + (["--rebuild"] if mode == "rebuild" else [])
        status, _, stderr = run_cli(argv)
        intact_records = [r for r in corpus.records if r.indexed and r.record_id not in touched]
        intact, kept = set(r.record_id for r in intact_records), _read_back(data, intact_records)
    result = CaseResult(seed, mode, fault.describe(), open_file, status, stderr, len(intact), kept,
                        len(damaged), 0, detectable)
    _check_bytes(result, warcs, corpus.warc.name, damaged)
    if result.kept < result.intact:
        result.problems.append(f"{result.intact - result.kept} intact records not indexed or not readable")
    _check_exit(result, corpus.warc.name)
    return result


def _changes_a_record(path: Path, records: list[PristineRecord]) -> bool:
    scan = WarcScan(path)
    found = {record.record_id: record.block for record, _ in scan}
    # a cut exactly between two records leaves a sound, shorter file: nothing to detect
    return bool(scan.damage) or any(r.record_id in found and found[r.record_id] != r.block for r in records)


def _read_back(data: Path, intact: list[PristineRecord]) -> int:
    """How many intact records have a captures row whose record (and, for responses, the
    snapshot body) reads back exactly as archived."""
    kept = 0
    with Index(data / "index.sqlite", readonly=True) as index:
        rows = {row["record_id"]: dict(row) for row in index.conn.execute("SELECT * FROM captures")}
        for record in intact:
            row = rows.get(record.record_id)
            if row is None:
                continue
            ref = WarcRef(row["warc_file"], row["offset"], row["length"], row["record_id"])
            if read_record(data / "warcs", ref).block != record.block:
                continue
            if record.rec_type == "response":
                stored = read_record(data / "warcs", ref).http
                _, _, body = snapshot_capture(index, data / "warcs", row)
                if body != decode_body(stored.body, stored.header("Content-Encoding")):
                    continue
            kept += 1
    return kept


def _check_bytes(result: CaseResult, warcs: Path, name: str, damaged: bytes) -> None:
    present = [p for p in (warcs / name, warcs / (name + ".open")) if p.exists()]
    if len(present) != 1:
        result.problems.append(f"expected one file for {name}, found {present}")
        return
    now = present[0].read_bytes()
    tails = sorted((warcs / "damaged").glob(f"{name}.*.tail")) if (warcs / "damaged").is_dir() else []
    result.tail_kept = bool(tails)
    restored = now + b"".join(t.read_bytes() for t in tails)
    if restored == damaged:
        result.bytes_preserved = len(damaged)
    else:
        common = next((i for i, (a, b) in enumerate(zip(restored, damaged)) if a != b), min(len(restored), len(damaged)))
        result.bytes_preserved = common
        result.problems.append(f"archived bytes changed: {len(damaged)} bytes handed over, "
                               f"{len(restored)} on disk, equal up to {common}")


def _check_exit(result: CaseResult, name: str) -> None:
    lines = result.stderr.splitlines()
    if not result.detectable:
        if result.exit != 0:
            result.problems.append(f"exit {result.exit} for damage that changed no record: {result.stderr!r}")
        return
    if result.exit != 1:
        result.problems.append(f"exit {result.exit}, expected 1: {result.stderr!r}")
    if len(lines) != 1 or name not in lines[0] or "offset" not in lines[0] and "tail" not in lines[0]:
        result.problems.append(f"expected one line naming {name} and the damage, got {result.stderr!r}")


def summary(results: list[CaseResult]) -> dict:
    intact = sum(r.intact for r in results)
    kept = sum(r.kept for r in results)
    total = sum(r.bytes_total for r in results)
    preserved = sum(r.bytes_preserved for r in results)
    exits: dict[str, int] = {}
    for r in results:
        exits[str(r.exit)] = exits.get(str(r.exit), 0) + 1
    return {"cases": len(results), "passed": sum(r.ok for r in results),
            "by_mode": {m: sum(r.mode == m for r in results) for m in MODES},
            "by_fault": {k: sum(r.fault.startswith(k) for r in results) for k in KINDS},
            "open_files": sum(r.open_file for r in results),
            "intact_records": intact, "intact_kept": kept,
            "intact_kept_pct": round(100.0 * kept / intact, 2) if intact else 100.0,
            "bytes_handed": total, "bytes_preserved": preserved,
            "bytes_preserved_pct": round(100.0 * preserved / total, 4) if total else 100.0,
            "tails_kept": sum(r.tail_kept for r in results),
            "undetectable": sum(not r.detectable for r in results),
            "exits": exits,
            "nonzero_when_damaged": sum(r.exit != 0 for r in results if r.detectable),
            "damaged_cases": sum(r.detectable for r in results)}


def index_rows(data: Path) -> int:
    return sqlite3.connect(data / "index.sqlite").execute("SELECT count(*) FROM captures").fetchone()[0]
