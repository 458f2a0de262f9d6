"""Polite back-off on network failures as Scrapy 2.19 raises them (its own exception classes,
not Twisted's): a real crawl of a loopback port that refuses connections and of a server that
accepts and never answers raises each host's download delay."""
from __future__ import annotations

import json
import socket
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

from tests.support.loopback import free_port

ROOT = Path(__file__).resolve().parent.parent

CRAWL = textwrap.dedent("""
    import json, os, sys
    os.environ["TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS"] = ""
    import scrapy
    from scrapy.crawler import CrawlerProcess

    targets = json.loads(sys.argv[1])
    seen = {}

    class Failing(scrapy.Spider):
        name = "failing"

        async def start(self):
            for slot, url in targets.items():
                yield scrapy.Request(url, meta={"download_slot": slot}, errback=self.failed, dont_filter=True)

        def failed(self, failure):
            request = failure.request
            slot = self.crawler.engine.downloader.slots.get(request.meta["download_slot"])
            seen[request.meta["download_slot"]] = {
                "error": type(failure.value).__name__, "delay": slot.delay if slot else None}

    process = CrawlerProcess({
        "DOWNLOADER_MIDDLEWARES": {"portal_crawler.middlewares.PolitenessMiddleware": 70},
        "RETRY_ENABLED": False, "DOWNLOAD_TIMEOUT": 1, "DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False,
        "ROBOTSTXT_OBEY": False, "TELNETCONSOLE_ENABLED": False, "LOG_LEVEL": "ERROR"})
    crawler = process.create_crawler(Failing)
    process.crawl(crawler)
    process.start()
    print(json.dumps({"seen": seen, "stats": {k: v for k, v in crawler.stats.get_stats().items()
                                              if k.startswith("politeness/")}}))
""")


class SilentServer:
    """Accepts connections and never answers: the download times out."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.held: list[socket.socket] = []
        self.thread = threading.Thread(target=self._accept, daemon=True)

    def _accept(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.held.append(conn)

    def __enter__(self):
        self.thread.start()
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}/"

    def __exit__(self, *exc):
        self.sock.close()
        for conn in self.held:
            conn.close()


def test_refused_and_timed_out_downloads_raise_the_host_delay():
    with SilentServer() as silent:
        targets = {"refusing": f"http://127.0.0.1:{free_port()}/", "silent": silent}  # nothing listens there
        result = subprocess.run([sys.executable, "-c", CRAWL, json.dumps(targets)], cwd=ROOT,
                                capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    out = json.loads(result.stdout.strip().splitlines()[-1])
    seen = out["seen"]
    assert seen["refusing"]["error"] == "DownloadConnectionRefusedError", seen
    assert seen["silent"]["error"] == "DownloadTimeoutError", seen
    # each failure doubled its host's delay from 0 to the 1 s floor
    assert seen["refusing"]["delay"] == 1.0 and seen["silent"]["delay"] == 1.0, seen
    assert out["stats"].get("politeness/backoff_error") == 2, out["stats"]
