"""A recrawled demo archive: the bundled demo portals crawled (CLI), then crawled again a day
later on the crawl's clock (PORTAL_NOW) with every article revalidated, so the second visit
records the portals' 304 answers as server-not-modified revisits."""
from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

from portal_crawler.demo.run import demo_registry_path
from portal_crawler.demo.server import DemoServer
from portal_crawler.sites.registry import load_registry

ROOT = Path(__file__).resolve().parents[2]


def _crawl(data: Path, proxy: str, *extra: str) -> None:
    registry = demo_registry_path()
    sites = [p.id for p in load_registry([registry], include_builtin=False).profiles()]
    run = subprocess.run([sys.executable, "-m", "portal_crawler.cli", "crawl", *sites, "--profile", registry,
                          "--data", str(data), "--proxy", proxy, *extra],
                         capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert run.returncode == 0, run.stdout + run.stderr[-2000:]


def recrawled_demo(data: Path) -> Path:
    """Crawl the demo portals into data twice (the second a day later, `--recheck all`)."""
    with DemoServer() as server:
        _crawl(data, server.url)
        tomorrow = (datetime.now(timezone.utc) + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
        _crawl(data, server.url, "--recheck", "all", "-s", f"PORTAL_NOW={tomorrow}")
    return data
