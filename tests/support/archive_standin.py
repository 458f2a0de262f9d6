"""Stand-ins for public web archives, on loopback, for the import tests and bench.

- `build_standin(crawl_warcs, out)`: WARC files of a pretend public archive made from a real
  crawl of the demo portals: each article captured in several years (some edited later,
  so they have two texts; some left out on purpose: the holes), every other page and file
  twice. One writer per capture round, so every capture is a full response record.
- `Pywb(warcs)`: pywb (its own venv, as CI builds it) serving them as collection `c`.
- `WaybackProxy(pywb_url)`: makes pywb look like the Wayback Machine: `/cdx/search/cdx`
  answers the Wayback JSON (array of arrays, field names original/mimetype/statuscode,
  paged: showNumPages, page=; with `lines=True` Common Crawl's JSON lines, paged the same),
  `/web/{ts}id_/{url}` replays; it rate-limits with 429 +
  Retry-After (requests closer than `min_gap`, and every `throttle_every`-th one) and
  logs every request's arrival.
- `RangeServer(dir)`: answers byte ranges of the files in a directory (Common Crawl's data
  server); pywb's own CDX gives filename/offset/length, as Common Crawl's index does.
"""
from __future__ import annotations

import gzip
import json
import os
import shutil
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

from archive.snapshot import decode_body
from archive.warc import HttpExchange, WarcWriter, WriterConfig, iter_records
from portal_crawler.extract import extract

ROOT = Path(__file__).resolve().parents[2]
PYWB_VENV = Path(os.environ.get("PYWB_VENV", ROOT / ".ci" / ".pywb-venv"))
ARTICLE_ROUNDS = ("20190315083000", "20210620101500", "20230905140000")
OTHER_ROUNDS = ("20200110090000", "20220410090000")
EDIT_MARK = "Bài viết được cập nhật lần cuối bởi Văn phòng HĐND - UBND huyện."


def pywb_available() -> bool:
    return (PYWB_VENV / "bin" / "wayback").exists()


@dataclass
class StandIn:
    warcs: list[Path]
    payloads: dict[tuple[str, str], bytes] = field(default_factory=dict)  # (url, 14-digit ts) -> payload
    texts: dict[str, set[str]] = field(default_factory=dict)   # canonical url -> distinct bodies
    removed: list[str] = field(default_factory=list)           # article urls no capture holds
    edited: list[str] = field(default_factory=list)


def _edit(body: bytes, encoding: str | None, url: str, headers) -> bytes | None:
    """The page with a sentence added to its article text, encoded as it was."""
    html = decode_body(body, encoding)
    tail = extract(html, url, headers).body[-24:].encode()
    cut = html.rfind(tail) if tail else -1
    if cut < 0:
        return None
    cut += len(tail)
    edited = html[:cut] + (" " + EDIT_MARK).encode() + html[cut:]
    if EDIT_MARK not in extract(edited, url, headers).body:
        return None
    return gzip.compress(edited, mtime=0) if encoding and "gzip" in encoding.lower() else edited


def build_standin(crawl_warcs: list[Path], out: Path, *, removed: int = 3, edited: int = 4,
                  copies: int = 1) -> StandIn:
    """`copies` > 1 repeats each article round that many times a few days apart, each
    repetition's bytes differing in a visitor counter (a new payload, the same text)."""
    pages, by_digest, revisits = [], {}, []
    for path in crawl_warcs:
        for record, _ in iter_records(path):
            if record.rec_type == "response" and record.http and record.http.status == 200:
                pages.append(record)
                by_digest[record.header("WARC-Payload-Digest")] = record.http.body
            elif record.rec_type == "revisit" and record.http and record.http.status == 200:
                revisits.append(record)
    # a page the crawl found identical to another URL's is a revisit: give it its payload
    pages += [replace(r, http=replace(r.http, body=by_digest[r.header("WARC-Payload-Digest")]))
              for r in revisits if r.header("WARC-Payload-Digest") in by_digest
              and r.target_uri not in {p.target_uri for p in pages}]
    articles, others = [], []
    for record in pages:
        mime = (record.http.header("Content-Type") or "").lower()
        body = decode_body(record.http.body, record.http.header("Content-Encoding"))
        is_article = "html" in mime and extract(body, record.target_uri, record.http.headers).is_article
        (articles if is_article else others).append(record)
    articles.sort(key=lambda r: r.target_uri)
    article_urls = {r.target_uri for r in articles}
    standin = StandIn([], removed=[r.target_uri for r in articles[1:1 + 3 * removed:3]])
    out.mkdir(parents=True, exist_ok=True)
    edits: dict[str, bytes] = {}
    for record in articles:
        if len(edits) >= edited or record.target_uri in standin.removed:
            continue
        changed = _edit(record.http.body, record.http.header("Content-Encoding"), record.target_uri,
                        record.http.headers)
        if changed is not None:
            edits[record.target_uri] = changed
    standin.edited = sorted(edits)

    def write(writer, record, stamp, body):
        headers = [(k, str(len(body)) if k.lower() == "content-length" else v) for k, v in record.http.headers]
        date = f"{stamp[:4]}-{stamp[4:6]}-{stamp[6:8]}T{stamp[8:10]}:{stamp[10:12]}:{stamp[12:14]}Z"
        writer.write_exchange(HttpExchange(record.target_uri, 200, headers, body), date=date)
        standin.payloads[(record.target_uri, stamp)] = body
        if record.target_uri in article_urls:
            article = extract(decode_body(body, record.http.header("Content-Encoding")), record.target_uri,
                              record.http.headers)
            standin.texts.setdefault(article.canonical or record.target_uri, set()).add(article.body)

    rounds = [(stamp, copy) for stamp in ARTICLE_ROUNDS for copy in range(copies)]
    for number, (stamp, copy) in enumerate(rounds):
        stamp = _days_later(stamp, copy)
        with WarcWriter(WriterConfig(str(out), prefix=f"standin-a{number:03d}")) as writer:
            for record in articles:
                if record.target_uri in standin.removed:
                    continue
                body = record.http.body
                if stamp[:4] == ARTICLE_ROUNDS[-1][:4] and record.target_uri in edits:
                    body = edits[record.target_uri]
                if copies > 1 and number:  # every round's bytes its own, the text the same
                    body = _with_counter(body, record.http.header("Content-Encoding"), number)
                write(writer, record, stamp, body)
    for number, stamp in enumerate(OTHER_ROUNDS):
        with WarcWriter(WriterConfig(str(out), prefix=f"standin-o{number:03d}")) as writer:
            for record in others:
                write(writer, record, stamp, record.http.body)
    standin.warcs = sorted(out.glob("*.warc.gz"))
    assert standin.edited and all(len(standin.texts[u]) == 2 for u in standin.edited)
    return standin


def _days_later(stamp: str, days: int) -> str:
    from datetime import datetime, timedelta
    when = datetime.strptime(stamp, "%Y%m%d%H%M%S") + timedelta(days=days)
    return when.strftime("%Y%m%d%H%M%S")


def _with_counter(body: bytes, encoding: str | None, count: int) -> bytes:
    html = decode_body(body, encoding) + f"<!-- visits {count} -->".encode()
    return gzip.compress(html, mtime=0) if encoding and "gzip" in encoding.lower() else html


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Pywb:
    """pywb's `wayback` serving the WARC files as collection `c` on a free loopback port."""

    def __init__(self, warcs: list[Path], workdir: Path):
        self.warcs, self.workdir = warcs, workdir
        self.process = None
        self.url = None

    def __enter__(self) -> "Pywb":
        bin_dir = PYWB_VENV / "bin"
        self.workdir.mkdir(parents=True, exist_ok=True)
        subprocess.run([str(bin_dir / "wb-manager"), "init", "c"], cwd=self.workdir, check=True,
                       capture_output=True)
        subprocess.run([str(bin_dir / "wb-manager"), "add", "c", *map(str, self.warcs)], cwd=self.workdir,
                       check=True, capture_output=True)
        port = free_port()
        self.log = open(self.workdir / "wayback.log", "wb")
        self.process = subprocess.Popen([str(bin_dir / "wayback"), "-b", "127.0.0.1", "-p", str(port)],
                                        cwd=self.workdir, stdout=self.log, stderr=subprocess.STDOUT)
        self.url = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                urllib.request.urlopen(f"{self.url}/c/cdx?url=x.test/&output=json", timeout=2).read()
                break
            except urllib.error.HTTPError:
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError("pywb did not start")
        return self

    @property
    def collection_path(self) -> Path:
        return self.workdir / "collections" / "c" / "archive"

    def __exit__(self, *exc):
        self.process.terminate()
        self.process.wait(timeout=20)
        self.log.close()


class _StampingServer(ThreadingHTTPServer):
    """Notes when each connection was accepted: the time a request reached the server,
    before a handler thread is scheduled."""

    def __init__(self, *args):
        super().__init__(*args)
        self.accepted: dict = {}

    def get_request(self):
        sock, address = super().get_request()
        self.accepted[sock] = time.monotonic()
        return sock, address


class _Server:
    handler: type

    def __enter__(self):
        self.server = _StampingServer(("127.0.0.1", 0), self.handler)
        self.server.owner = self
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


class _Quiet(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status: int, headers: list[tuple[str, str]], body: bytes):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):  # a client killed on purpose
            pass


@dataclass
class Arrival:
    at: float
    path: str
    status: int


class _WaybackHandler(_Quiet):
    def do_GET(self):
        owner: WaybackProxy = self.server.owner
        at = self.server.accepted.pop(self.request, time.monotonic())
        status = owner.admit(at)
        if status == 429:
            owner.note(at, self.path, 429)
            return self.reply(429, [("Retry-After", str(owner.retry_after))], b"Too Many Requests")
        parts = urlsplit(self.path)
        if parts.path == "/cdx/search/cdx":
            status, body = owner.cdx(dict(parse_qsl(parts.query)))
            owner.note(at, self.path, status)
            return self.reply(status, [("Content-Type", "application/json")], body)
        if parts.path.startswith("/web/"):
            target = owner.pywb_url + "/c/" + self.path[len("/web/"):]
            request = urllib.request.Request(target, headers={"Accept-Encoding": self.headers.get("Accept-Encoding", "")})
            try:
                with owner.opener.open(request, timeout=60) as answer:
                    status, headers, body = answer.status, list(answer.headers.items()), answer.read()
            except urllib.error.HTTPError as exc:
                status, headers, body = exc.code, list(exc.headers.items()), exc.read()
            owner.note(at, self.path, status)
            keep = [(k, v) for k, v in headers if k.lower() not in ("content-length", "transfer-encoding",
                                                                      "connection", "date")]
            return self.reply(status, keep + [("X-Archive-Src", "standin.warc.gz")], body)
        owner.note(at, self.path, 404)
        self.reply(404, [], b"not found")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class WaybackProxy(_Server):
    handler = _WaybackHandler
    FIELDS = ("urlkey", "timestamp", "original", "mimetype", "statuscode", "digest", "length")

    def __init__(self, pywb_url: str, *, min_gap: float = 0.0, throttle_every: int = 0, retry_after: int = 1,
                 page_size: int = 150, lines: bool = False):
        self.pywb_url = pywb_url
        self.page_size, self.lines = page_size, lines
        self.min_gap, self.throttle_every, self.retry_after = min_gap, throttle_every, retry_after
        self.arrivals: list[Arrival] = []
        self.lock = threading.Lock()
        self.opener = urllib.request.build_opener(_NoRedirect(), urllib.request.ProxyHandler({}))
        self._last = None
        self._count = 0

    def admit(self, now: float) -> int:
        with self.lock:
            self._count += 1
            # handler threads may run out of order: compare with the latest accept either way
            too_soon = self._last is not None and abs(now - self._last) < self.min_gap
            self._last = now if self._last is None else max(self._last, now)
            if too_soon or (self.throttle_every and self._count % self.throttle_every == 0):
                return 429
            return 200

    def note(self, at: float, path: str, status: int) -> None:
        with self.lock:
            self.arrivals.append(Arrival(at, path, status))
            self.arrivals.sort(key=lambda a: a.at)

    def cdx(self, params: dict) -> tuple[int, bytes]:
        """Wayback style (array of arrays, pages of `page_size` rows) or, with `lines`,
        Common Crawl style (JSON lines with filename/offset/length, pages as well)."""
        query = {"url": params["url"], "output": "json"}
        for name in ("from", "to"):
            if name in params:
                query[name] = params[name]
        with self.opener.open(f"{self.pywb_url}/c/cdx?{urlencode(query)}", timeout=60) as answer:
            lines = [json.loads(line) for line in answer.read().decode().splitlines() if line.strip()]
        pages = -(-len(lines) // self.page_size)
        if params.get("showNumPages") == "true":
            answer = {"pages": pages, "pageSize": self.page_size} if self.lines else pages
            return 200, json.dumps(answer).encode()
        number = int(params.get("page") or 0)
        chunk = lines[number * self.page_size:(number + 1) * self.page_size]
        if self.lines:
            return 200, "".join(json.dumps(row) + "\n" for row in chunk).encode()
        rows = [[row.get("urlkey"), row.get("timestamp"), row.get("url"), row.get("mime"),
                 row.get("status", "-"), row.get("digest"), row.get("length")] for row in chunk]
        return 200, json.dumps([list(self.FIELDS), *rows]).encode()

    def mementos(self) -> list[str]:
        return [self.url + a.path for a in self.arrivals if "id_/" in a.path and a.status == 200]


class _RangeHandler(_Quiet):
    def do_GET(self):
        owner: RangeServer = self.server.owner
        path = owner.root / urlsplit(self.path).path.lstrip("/")
        if not path.is_file() or path.parent != owner.root:
            return self.reply(404, [], b"")
        data = path.read_bytes()
        spec = (self.headers.get("Range") or "").removeprefix("bytes=")
        start, _, end = spec.partition("-")
        if not start.isdigit() or not end.isdigit():
            return self.reply(200, [], data)
        with owner.lock:
            owner.ranges.append((path.name, spec))
        self.reply(206, [("Content-Range", f"bytes {start}-{end}/{len(data)}")], data[int(start):int(end) + 1])


class RangeServer(_Server):
    handler = _RangeHandler

    def __init__(self, root: Path):
        self.root = Path(root)
        self.ranges: list[tuple[str, str]] = []
        self.lock = threading.Lock()


def copy_warcs(warcs: list[Path], out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    return [Path(shutil.copy(p, out / p.name)) for p in warcs]
