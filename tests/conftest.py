"""Fixtures shared by the test modules."""

import pytest

from archive.index import Index
from tests.support import cli_crawl
from tests.support import portal_source as sources


@pytest.fixture
def index(tmp_path):
    """An empty index in a real SQLite file."""
    with Index(tmp_path / "index.sqlite") as opened:
        yield opened


@pytest.fixture(scope="module", params=sources.names())
def portal_source(request, tmp_path_factory):
    """The portals an end-to-end test crawls: portalgen's corpus (where ../shared has it),
    then the bundled demo portal; a module's crawl runs once per source."""
    return sources.make(request.param, tmp_path_factory.mktemp(f"source-{request.param}"))


@pytest.fixture(scope="module")
def demo_crawled(tmp_path_factory):
    """DATA of one crawl of both demo portals (the CLI), once per test module."""
    return cli_crawl.crawl_demo(tmp_path_factory.mktemp("demo-crawled") / "data")


@pytest.fixture(scope="module")
def demo_archive(tmp_path_factory):
    """DATA as `portal-archive demo` leaves it, once per test module."""
    return cli_crawl.run_demo(tmp_path_factory.mktemp("demo-archive") / "data")
