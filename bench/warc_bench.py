"""WARC write throughput: our writer against warcio's plain WARCWriter, same records, same run.

    .venv/bin/python bench/warc_bench.py [--pages 400] [--rounds 3]

Both write a gzip member per record with request + response records of the same synthetic
portal pages (HTML of 20-120 KB). Ours also builds exact header bytes, computes digests,
names/rotates files and flushes each record; the target is a ratio >= 0.8. A recrawl of the
same pages is then written with deduplication to show the bytes a second crawl adds.
"""
from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from io import BytesIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from warcio.statusandheaders import StatusAndHeaders  # noqa: E402
from warcio.warcwriter import WARCWriter  # noqa: E402

from archive.warc import HttpExchange, WarcWriter, WriterConfig  # noqa: E402

WORDS = ("ủy ban nhân dân huyện xã thị trấn hội nghị triển khai nhiệm vụ năm kế hoạch "
         "phát triển kinh tế xã hội đảng bộ chính quyền đoàn thể nhân dân").split()


def synthetic_pages(count: int, seed: int = 1) -> list[HttpExchange]:
    rng = random.Random(seed)
    pages = []
    for i in range(count):
        paragraphs = "".join(
            "<p>" + " ".join(rng.choice(WORDS) for _ in range(rng.randint(40, 120))) + "</p>\n"
            for _ in range(rng.randint(30, 180)))
        body = f"<html><head><title>Tin {i}</title></head><body>{paragraphs}</body></html>".encode()
        headers = [("Content-Type", "text/html; charset=utf-8"), ("Server", "Microsoft-IIS/10.0"),
                   ("Set-Cookie", f"ASP.NET_SessionId={i:08x}; path=/; HttpOnly"),
                   ("Set-Cookie", "lang=vi; path=/"), ("Content-Length", str(len(body)))]
        pages.append(HttpExchange(
            f"http://thoxuan.thanhhoa.test/tin-tuc/bai-{i}.html?p={i % 7}", 200, headers, body,
            request_headers=[("User-Agent", "portal-archive/0.1.0"), ("Accept", "text/html"),
                             ("Accept-Encoding", "gzip, deflate, br")], ip_address="127.0.0.1"))
    return pages


def write_ours(pages, out_dir: str, find_payload=None, level: int = WriterConfig.compress_level) -> WarcWriter:
    with WarcWriter(WriterConfig(out_dir, compress_level=level), find_payload=find_payload) as writer:
        for page in pages:
            writer.write_exchange(page)
    return writer


def write_warcio(pages, out_dir: str) -> None:
    with open(os.path.join(out_dir, "plain.warc.gz"), "wb") as fh:
        writer = WARCWriter(fh, gzip=True, warc_version="1.1")
        for page in pages:
            http = StatusAndHeaders("200 OK", page.response_headers, protocol="HTTP/1.1")
            response = writer.create_warc_record(page.url, "response", payload=BytesIO(page.body),
                                                 length=len(page.body), http_headers=http)
            request_http = StatusAndHeaders("GET / HTTP/1.1", page.request_headers, is_http_request=True)
            request = writer.create_warc_record(page.url, "request", payload=BytesIO(b""), length=0,
                                                http_headers=request_http)
            writer.write_request_response_pair(request, response)


def write_ours_level9(pages, out_dir: str) -> None:
    write_ours(pages, out_dir, level=9)  # warcio's fixed level: the like-for-like comparison


def timed(function, *args) -> float:
    start = time.perf_counter()
    function(*args)
    return time.perf_counter() - start


def dir_bytes(path: str) -> int:
    return sum(p.stat().st_size for p in Path(path).iterdir())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    pages = synthetic_pages(args.pages)
    payload_mb = sum(len(p.body) for p in pages) / 1e6

    writers = {"warcio WARCWriter (gzip 9)": write_warcio,
               "portal-archive, gzip 9": write_ours_level9,
               f"portal-archive, gzip {WriterConfig.compress_level} (default)": write_ours}
    best = dict.fromkeys(writers, float("inf"))
    size = {}
    for _ in range(args.rounds):  # interleaved, best of N: the machine is shared
        for name, function in writers.items():
            with tempfile.TemporaryDirectory() as tmp:
                best[name] = min(best[name], timed(function, pages, tmp))
                size[name] = dir_bytes(tmp)
    print(f"pages: {len(pages)}, payload: {payload_mb:.1f} MB, best of {args.rounds} rounds")
    plain = payload_mb / best["warcio WARCWriter (gzip 9)"]
    for name in writers:
        speed = payload_mb / best[name]
        print(f"{name:38s} {speed:6.1f} MB/s  ratio {speed / plain:.2f}  file {size[name] / 1e6:.2f} MB")
    print("target: ratio >= 0.8")

    with tempfile.TemporaryDirectory() as tmp:
        first_dir, second_dir = os.path.join(tmp, "first"), os.path.join(tmp, "second")
        first = write_ours(pages, first_dir)
        seen = {}
        for name in first.closed_files:
            from archive.warc import iter_records
            for record, _ in iter_records(os.path.join(first_dir, name)):
                if record.rec_type == "response":
                    seen[record.header("WARC-Payload-Digest")] = {
                        "url": record.target_uri, "timestamp": record.date, "record_id": record.record_id}
        write_ours(pages, second_dir, find_payload=seen.get)
        first_bytes, second_bytes = dir_bytes(first_dir), dir_bytes(second_dir)
    print(f"recrawl of unchanged pages: {second_bytes / 1e3:.0f} KB after {first_bytes / 1e3:.0f} KB "
          f"({100 * second_bytes / first_bytes:.1f}% of the first crawl; target < 15%)")


if __name__ == "__main__":
    main()
