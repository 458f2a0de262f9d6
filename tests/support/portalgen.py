"""The shared portalgen corpus and its loopback server, for tests that crawl end to end.

portalgen lives in ../shared (an outside test target, never copied into the project); the
tests that use it run against the bundled demo portal alone when it is absent, or when
PORTAL_ARCHIVE_NO_SHARED=1 hides it (to check that fallback on a machine that has it).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
PORTALGEN = SHARED / "portalgen"


def available() -> bool:
    if os.environ.get("PORTAL_ARCHIVE_NO_SHARED") == "1":
        return False
    return (PORTALGEN / "generate.py").is_file() and (PORTALGEN / "serve.py").is_file()


def generate(out: Path, articles: int = 120, seed: int = 1) -> Path:
    subprocess.run([sys.executable, str(PORTALGEN / "generate.py"), "--out", str(out),
                    "--articles", str(articles), "--seed", str(seed)],
                   check=True, capture_output=True)
    return out


class PortalgenServer:
    """serve.py in a subprocess on a free loopback port; use as a context manager."""

    def __init__(self, corpus: Path, log_path: Path | None = None):
        self.corpus = corpus
        self.log_path = log_path
        self.proc = None
        self.url = None

    def __enter__(self):
        log = open(self.log_path, "wb") if self.log_path else subprocess.DEVNULL
        self.proc = subprocess.Popen([sys.executable, str(PORTALGEN / "serve.py"), str(self.corpus), "--port", "0"],
                                     stdout=subprocess.PIPE, stderr=log)
        line = self.proc.stdout.readline().decode()
        if "serving on" not in line:
            self.proc.kill()
            raise RuntimeError(f"portalgen server did not start: {line!r}")
        self.url = line.split("serving on", 1)[1].strip()
        return self

    def __exit__(self, *exc):
        self.proc.terminate()
        self.proc.wait(timeout=10)

    def stats(self) -> dict:
        import urllib.request
        with urllib.request.urlopen(self.url + "/_portalgen/stats", timeout=10) as r:
            return json.load(r)


def sites(corpus: Path) -> list[dict]:
    data = json.loads((corpus / "sites.json").read_text(encoding="utf-8"))
    return list(data.values()) if isinstance(data, dict) else data


def truth(corpus: Path) -> list[dict]:
    with open(corpus / "truth.jsonl", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def start_urls(corpus: Path) -> list[str]:
    return [u for s in sites(corpus) for u in s["start_urls"]]
