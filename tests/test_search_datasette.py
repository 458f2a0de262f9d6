"""Datasette (optional extra) opens the index and its search box folds like ours."""

import asyncio

import pytest

datasette_app = pytest.importorskip("datasette.app")

from archive import datasette_plugin  # noqa: E402
from archive.index import Index  # noqa: E402


@pytest.fixture
def archive_path(tmp_path):
    path = tmp_path / "index.sqlite"
    with Index(path) as index:
        index.upsert_article({"url": "http://thoxuan.test/a", "title": "Hội đồng nhân dân huyện Đống Đa",
                              "body": "Xây dựng nông thôn mới.", "published": "2024-01-02"},
                             site="thoxuan")
        index.upsert_article({"url": "http://thoxuan.test/b", "title": "Tin thể thao",
                              "body": "Giải bóng đá thanh niên.", "published": "2024-01-03"},
                             site="thoxuan")
    return path


@pytest.fixture
def plugin():
    """The installed package registers the plugin through its entry point; register it by
    hand only when the package's metadata is not installed (a plain checkout)."""
    from datasette.plugins import pm
    if pm.is_registered(datasette_plugin):
        yield
        return
    pm.register(datasette_plugin, name="portal_archive_test")
    yield
    pm.unregister(name="portal_archive_test")


def fetch(path, url):
    async def run():
        datasette = datasette_app.Datasette([str(path)])
        response = await datasette.client.get(url)
        return response.status_code, response.json()
    return asyncio.run(run())


@pytest.mark.parametrize("query, titles", [
    ("nong+thon+moi", ["Hội đồng nhân dân huyện Đống Đa"]),
    ("%C4%90%E1%BB%91ng+%C4%90a", ["Hội đồng nhân dân huyện Đống Đa"]),  # Đống Đa
    ("HDND", ["Hội đồng nhân dân huyện Đống Đa"]),
    ("bong+da", ["Tin thể thao"]),
    ("%22nong", ["Hội đồng nhân dân huyện Đống Đa"]),  # unbalanced quote
    ("%3F%3F", []),  # no word at all
])
def test_datasette_search_box_folds(archive_path, plugin, query, titles):
    status, rows = fetch(archive_path, f"/index/articles.json?_search={query}&_shape=array")
    assert status == 200
    assert [row["title"] for row in rows] == titles


def test_fold_function_in_datasette_sql(archive_path, plugin):
    status, rows = fetch(archive_path, "/index.json?sql=select+fold('%C4%90%E1%BB%91ng+%C4%90a')+as+f&_shape=array")
    assert status == 200 and rows == [{"f": "dong da"}]


@pytest.fixture
def no_plugin():
    """Datasette as it is without our plugin (the entry point registers it when installed)."""
    from datasette.plugins import pm
    name = pm.get_name(datasette_plugin) if pm.is_registered(datasette_plugin) else None
    if name:
        pm.unregister(name=name)
    yield
    if name:
        pm.register(datasette_plugin, name=name)


def test_without_plugin_search_misses_unaccented_text(archive_path, no_plugin):
    status, rows = fetch(archive_path, "/index/articles.json?_search=%C4%90%E1%BB%91ng&_shape=array")
    assert status == 200 and rows == []  # "Đống" is indexed folded as "dong"
