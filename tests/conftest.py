"""Fixtures shared by the test modules."""

import pytest

from archive.index import Index


@pytest.fixture
def index(tmp_path):
    """An empty index in a real SQLite file."""
    with Index(tmp_path / "index.sqlite") as opened:
        yield opened
