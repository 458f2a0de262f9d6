"""Real crawls through the CLI, each in a child process (a Twisted reactor runs once a
process): a crawl through a loopback proxy, on the crawl's clock moved later when a test
asks (PORTAL_NOW); the bundled demo portals crawled; what `portal-archive demo` leaves."""
from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

from portal_crawler.demo.server import DemoServer

ROOT = Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-m", "portal_crawler.cli"]
DEMO_SITES = ("demo-yentho", "demo-huonglam")


def crawl(targets, data: Path, proxy: str, *args: str, later: timedelta | None = None, timeout: int = 300) -> str:
    """`crawl TARGETS --data DATA --proxy PROXY ARGS`, `later` than now on the crawl's clock
    when given; it must succeed. Its stdout (the crawl's report)."""
    clock = [] if later is None else \
        ["-s", "PORTAL_NOW=" + (datetime.now(timezone.utc) + later).strftime("%Y-%m-%dT%H:%M:%SZ")]
    result = subprocess.run([*CLI, "crawl", *targets, "--data", str(data), "--proxy", proxy, *clock, *args],
                            capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    return result.stdout


def crawl_demo(data: Path) -> Path:
    """Both demo portals crawled once into DATA through the bundled demo server."""
    with DemoServer() as server:
        crawl(DEMO_SITES, data, server.url, timeout=600)
    return data


def run_demo(data: Path) -> Path:
    """DATA as `portal-archive demo` leaves it: its portal served, crawled and indexed."""
    result = subprocess.run([*CLI, "demo", "--data", str(data)], cwd=ROOT, capture_output=True, text=True,
                            timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    return data
