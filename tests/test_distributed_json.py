"""Requests go through Redis as JSON, never pickle. The codec round-trips what the crawl
queues (postback bodies, repeated headers, meta) and refuses anything else; on a real
redis-server, a worker handed pickles and crafted JSON in its queue and in a dead worker's
leases runs none of it, logs and skips each, and crawls the rest."""
from __future__ import annotations

import json
import pickle
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scrapy import Request, Spider
from scrapy.http import FormRequest
from scrapy.utils.request import request_from_dict

from archive.warc_ref import WarcRef
from portal_crawler import redis_json
from portal_crawler.demo.server import DemoServer
from tests.support import redis_server

CLI = [sys.executable, "-m", "portal_crawler.cli"]
ROOT = Path(__file__).resolve().parent.parent
START = "http://demo-yentho.thanhhoa.test/"


class Callbacks(Spider):
    """The callback names PortalSpider's requests carry."""
    name = "callbacks"

    def parse(self, response):
        pass

    def on_error(self, failure):
        pass

    def closed(self, reason):
        pass


SPIDER = Callbacks()


def round_trip(request):
    return request_from_dict(redis_json.loads(redis_json.dumps(request.to_dict(spider=SPIDER))), spider=SPIDER)


def test_a_postback_survives_with_its_body_headers_and_meta():
    form = FormRequest("http://a.test/Trang.aspx?p=2", formdata={"__EVENTTARGET": "pager", "q": "nông thôn mới"},
                       callback=SPIDER.parse, errback=SPIDER.on_error, priority=5,
                       meta={"url_kind": "page", "handle_httpstatus_list": [304, 404, 410], "trap_chain": 2,
                             "warc_ref": WarcRef("f.warc.gz", 0, 10, "<urn:uuid:x>"),
                             "proxy": "http://127.0.0.1:3128", "_auth_proxy": "http://127.0.0.1:3128"},
                       headers={"Proxy-Authorization": "Basic dXNlcjpzM2NyM3Q=", "Accept": ["a", "b"]})
    back = round_trip(form)
    assert type(back) is FormRequest
    assert (back.url, back.method, back.body, back.priority) == (form.url, "POST", form.body, 5)
    assert back.headers.getlist("Accept") == [b"a", b"b"]
    assert back.headers.get("Content-Type") == b"application/x-www-form-urlencoded"
    assert b"Proxy-Authorization" not in back.headers
    assert back.meta == {"url_kind": "page", "handle_httpstatus_list": [304, 404, 410], "trap_chain": 2}
    assert back.callback == SPIDER.parse and back.errback == SPIDER.on_error


@settings(max_examples=200, deadline=None)
@given(body=st.binary(max_size=200), value=st.text(st.characters(max_codepoint=255, exclude_characters="\r\n"),
                                                 max_size=40),
       meta=st.dictionaries(st.text(max_size=8), st.recursive(
           st.none() | st.booleans() | st.integers() | st.text(max_size=8),
           lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
           max_leaves=6), max_size=4))
def test_any_body_header_and_json_meta_round_trip(body, value, meta):
    meta = {k: v for k, v in meta.items() if k not in redis_json.PROXY_META}
    request = Request("http://a.test/x", method="POST", body=body, headers={"X-Value": value}, meta=meta,
                      callback=SPIDER.parse, dont_filter=True)
    back = round_trip(request)
    assert back.body == body and back.meta == meta and back.dont_filter
    assert back.headers.get("X-Value") == request.headers.get("X-Value")


class Exec:
    """A pickle that runs code when loaded."""

    def __init__(self, code: str):
        self.code = code

    def __reduce__(self):
        return exec, (self.code,)


def evil_pickle(marker: Path) -> bytes:
    return pickle.dumps({"url": START, "meta": Exec(f"open({str(marker)!r}, 'w').write('ran')")})


def crafted(**changes) -> bytes:
    data = json.loads(redis_json.dumps(Request(START, callback=SPIDER.parse).to_dict(spider=SPIDER)))
    data.update(changes)
    return json.dumps(data).encode()


@pytest.mark.parametrize("data, reason", [
    (b"\x80\x04K\x01.", "not JSON"),
    (crafted(_class="os.system"), "request class"),
    (crafted(callback="closed"), "callback"),
    (crafted(errback="mark_unseen_gone"), "errback"),
    (crafted(url="file:///etc/passwd"), "url"),
    (crafted(body="not base64!"), "bad field"),
    (crafted(v=2), "not a request record"),
    (b"[1, 2]", "not a request record"),
])
def test_anything_else_is_refused(data, reason):
    with pytest.raises(redis_json.MalformedRequest, match=reason):
        redis_json.loads(data)


def test_a_pickle_is_refused_without_running(tmp_path):
    marker = tmp_path / "ran"
    with pytest.raises(redis_json.MalformedRequest):
        redis_json.loads(evil_pickle(marker))
    assert not marker.exists()
    pickle.loads(evil_pickle(marker))   # the payload is live: pickle would have run it
    assert marker.read_text() == "ran"


# ---------------------------------------------------------------------- a real worker
@pytest.fixture(scope="module")
def poisoned_run(tmp_path_factory):
    if not redis_server.available():
        pytest.skip("redis-server is not installed")
    import redis
    from portal_crawler.distributed import RunKeys, open_run
    base = tmp_path_factory.mktemp("poisoned")
    markers = {name: base / f"ran-{name}" for name in ("queue", "lease")}
    with redis_server.RedisServer() as server, DemoServer() as demo:
        client = redis.Redis.from_url(server.url)
        run = open_run(server.url, ["demo-yentho"], "coordinator-gone")
        keys = RunKeys(run.run_id)
        client.delete(keys.busy("coordinator-gone"))
        for data, score in ((evil_pickle(markers["queue"]), -20), (crafted(callback="closed"), -20),
                            (crafted(_class="os.system"), -20), (crafted(url=START + "?from=queue"), 0)):
            client.execute_command("ZADD", keys.requests, score, data)
        # a worker that died holding leases: the joining worker puts them back on the queue
        client.hset(keys.workers, "dead-worker", json.dumps({"state": "crawling", "role": "worker"}))
        client.hset(keys.leases("dead-worker"), mapping={
            "a": evil_pickle(markers["lease"]), "b": crafted(_class="subprocess.Popen"),
            "c": crafted(url=START + "?from=lease")})
        worker = subprocess.run([*CLI, "worker", "--redis", server.url, "--run", run.run_id, "--wait", "10",
                                 "--data", str(base / "worker"), "--proxy", demo.url],
                                cwd=ROOT, capture_output=True, text=True, timeout=600)
    return {"worker": worker, "markers": markers, "data": base / "worker"}


def test_the_worker_runs_no_code_from_redis(poisoned_run):
    assert not any(m.exists() for m in poisoned_run["markers"].values())


def test_the_worker_logs_and_skips_each_bad_entry_and_crawls_on(poisoned_run):
    worker = poisoned_run["worker"]
    assert worker.returncode == 0, worker.stderr[-3000:]
    assert "Traceback" not in worker.stderr
    skipped = [line for line in worker.stderr.splitlines() if "that is not a request" in line]
    assert sum("skipped a queue entry" in line for line in skipped) == 3, worker.stderr
    assert sum("skipped a lease entry" in line for line in skipped) == 2, worker.stderr
    conn = sqlite3.connect(poisoned_run["data"] / "index.sqlite")
    try:
        urls = {r[0] for r in conn.execute("SELECT url FROM captures")}
        stats = json.loads(conn.execute("SELECT stats FROM crawls").fetchone()[0])
    finally:
        conn.close()
    assert {START + "?from=queue", START + "?from=lease", START} <= urls
    assert stats["stats"]["redis/malformed"] == 5
