"""`portal-archive demo`: the whole main job on one machine with no network.

Serves the bundled demo portals on loopback, crawls them through that server as a proxy,
then searches the archive the way a researcher would (Vietnamese typed without diacritics).
"""
from __future__ import annotations

from importlib import resources
from pathlib import Path

from archive.index import Index
from archive.search import search
from portal_crawler.console import Reply, is_terminal, terminal_snippet
from portal_crawler.crawl_runner import CrawlRequest, run_crawl
from portal_crawler.demo.server import DemoServer
from portal_crawler.sites.registry import load_registry

DEMO_QUERY = "nong thon moi"


def demo_registry_path() -> str:
    return str(resources.files("portal_crawler.demo").joinpath("registry.toml"))


def run_demo(data_dir: Path, verbose: bool = False, query: str = DEMO_QUERY) -> Reply:
    registry_path = demo_registry_path()
    site_ids = [p.id for p in load_registry([registry_path], include_builtin=False).profiles()]
    with DemoServer() as server:
        lines = [f"demo portals served on {server.url}: {', '.join(server.hosts)}"]
        report = run_crawl(CrawlRequest(targets=site_ids, data_dir=data_dir, proxy=server.url,
                                        profiles=[registry_path], verbose=verbose))
    lines.append(report.render())
    index = Index(Path(data_dir) / "index.sqlite")
    try:
        result = search(index, query, limit=5)
    finally:
        index.close()
    lines.append(f"\nsearch {query!r} (typed without diacritics): {result.total} results")
    for n, hit in enumerate(result.hits, 1):
        lines.append(f"{n:>3}. {hit.title}")
        lines.append(f"     {hit.url}")
        if hit.snippet:
            lines.append(f"     {terminal_snippet(hit.snippet, is_terminal())}")
    data = str(data_dir)
    lines += ["\nnext:",
              f"  portal-archive search 'uy ban nhan dan' --data {data}",
              f"  portal-archive snapshot URL --headers --data {data}",
              f"  portal-archive serve --data {data}      (then open http://127.0.0.1:8080/)"]
    return Reply("\n".join(lines), 0 if report.outcome == "ok" and result.total > 0 else 1)
