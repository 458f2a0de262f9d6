"""What a crawl is asked for: site ids of the registry and start URLs, told apart by '://'."""
from __future__ import annotations


def split_targets(targets: list[str]) -> tuple[list[str], list[str]]:
    """(site ids, start URLs) among targets, each in the order given."""
    urls = [t for t in targets if "://" in t]
    ids = [t for t in targets if "://" not in t]
    return ids, urls


def target_kwargs(targets: list[str]) -> dict:
    """The PortalSpider arguments naming the targets: site ids and start URLs, comma-joined."""
    ids, urls = split_targets(targets)
    return {"site": ",".join(ids) or None, "start_url": ",".join(urls) or None}
