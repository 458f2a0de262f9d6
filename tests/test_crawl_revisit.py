"""The revisit policy and the honest recrawl report: real crawls (the CLI) against a loopback
portal, the later visits on the crawl's clock (PORTAL_NOW: a day, a week, a month later).

A new article is rechecked the next day, an old one not before its interval (capped at
PORTAL_RECHECK_MAX_DAYS); `--recheck all` asks for everything; the report counts every
archived article once (rechecked changed/unchanged/gone, not due with when last checked).
A portal with no validators and a visitor counter in every page: a refetched page whose
article text is unchanged makes no new version."""
from __future__ import annotations

import hashlib
import re
import sqlite3
from datetime import datetime, timedelta, timezone

import pytest

from tests.support import cli_crawl
from tests.support.loopback import PortalHandler, serving

HOST = "revisit.test"
TODAY = datetime.now(timezone(timedelta(hours=7))).strftime("%d/%m/%Y 08:30:00")
OLD_DAY = "14/03/2019 15:41:05"
TEXT = "Sáng nay, huyện tổ chức hội nghị tổng kết công tác xây dựng nông thôn mới và giao nhiệm vụ. "


def page(n: int, day: str, text: str, counter: int | None) -> bytes:
    views = f"<p class='views'>Lượt xem: {counter}</p>" if counter is not None else ""
    return (f"<html><head><meta charset='utf-8'><title>Tin số {n}</title></head><body>"
            f"<h1>Hội nghị số {n} về nông thôn mới</h1><p>Ngày {day}</p><p>{text * 5}</p><p>Thùy Dung</p>"
            f"{views}<p><a href='/'>Trang chủ</a></p></body></html>").encode("utf-8")


class Portal(PortalHandler):
    host = HOST

    def respond(self, parts):
        server = self.server
        counter = sum(server.requests.values()) if server.counter else None
        if parts.path == "/":
            # each article linked twice, once with a session id that changes on every page view
            sid = sum(server.requests.values())
            links = "".join(f"<li><a href='/tin/{n}.html'>Tin {n}</a> <a href='/tin/{n}.html?sid={sid:x}{n}'>"
                            f"Xem</a></li>" for n in sorted(server.articles))
            views = f"<p>Lượt truy cập: {counter}</p>" if counter is not None else ""
            return self.answer(200, f"<html><body><ul>{links}</ul>{views}</body></html>".encode("utf-8"))
        match = re.fullmatch(r"/tin/(\d+)\.html", parts.path)
        if not match or int(match[1]) not in server.articles:
            return self.answer(404, b"<html><body>Not found</body></html>")
        day, text = server.articles[int(match[1])]
        body = page(int(match[1]), day, text, counter)
        if server.counter:  # no validators at all
            return self.answer(200, body)
        etag = '"%s"' % hashlib.sha1(body).hexdigest()[:12]
        if self.headers.get("If-None-Match") == etag:
            return self.answer(304, ETag=etag)
        self.answer(200, body, ETag=etag)


@pytest.fixture
def portal():
    # 1 and 2 published today (new), 3..8 in 2019 (old)
    articles = {n: (TODAY if n <= 2 else OLD_DAY, TEXT + f"Bài {n}.") for n in range(1, 9)}
    with serving(Portal, counter=False, articles=articles) as server:
        yield server


def crawl(portal, data, *args, later: timedelta | None = None):
    portal.requests.clear()
    return cli_crawl.crawl([f"http://{HOST}/"], data, portal.url, *args, later=later)


def asked(portal) -> set[int]:
    return {int(p.split("/")[-1].split(".")[0]) for p in portal.requests if p.startswith("/tin/")}


def report(data) -> dict:
    import json
    db = sqlite3.connect(data / "index.sqlite")
    return json.loads(db.execute("SELECT stats FROM crawls ORDER BY id DESC LIMIT 1").fetchone()[0])["recheck"]


def versions(data) -> dict[str, int]:
    db = sqlite3.connect(data / "index.sqlite")
    return {url.rsplit("/", 1)[-1]: count for url, count in db.execute(
        "SELECT a.url, count(v.id) FROM articles a JOIN article_versions v ON v.article_id = a.id GROUP BY a.url")}


def adds_up(r: dict) -> bool:
    return r["articles"] == r["new"] + r["rechecked"] + r["not_due"] + r["gone_before"] + r["not_reached"]


def test_next_day_new_articles_are_rechecked_old_ones_are_not(portal, tmp_path):
    data = tmp_path / "data"
    out = crawl(portal, data)
    assert "8 new" in out and asked(portal) == set(range(1, 9))
    portal.articles[1] = (TODAY, "Bài đã sửa: hội nghị lùi sang tuần sau. ")
    portal.articles[5] = (OLD_DAY, "Bài cũ đã sửa mà chưa đến hạn kiểm tra lại. ")

    out = crawl(portal, data, later=timedelta(days=1))
    assert asked(portal) == {1, 2}                        # old articles are not due yet, in any spelling
    r = report(data)
    assert (r["changed"], r["unchanged"], r["gone"], r["not_due"], r["new"]) == (1, 1, 0, 6, 0), r
    assert adds_up(r) and r["articles"] == 8
    assert r["not_due_checked"] and "not due    6 (last checked" in out, out
    assert "rechecked  2: 1 changed, 1 unchanged, 0 gone" in out, out
    assert versions(data)["1.html"] == 2 and versions(data)["5.html"] == 1

    # a week later the old ones are still within their (capped) interval, the new ones due again
    crawl(portal, data, later=timedelta(days=8))
    assert asked(portal) == {1, 2}
    # a month later everything is due: the old edit is found
    crawl(portal, data, later=timedelta(days=31))
    assert asked(portal) == set(range(1, 9))
    assert versions(data)["5.html"] == 2 and report(data)["changed"] == 1


def test_recheck_all_finds_every_edit_and_removal(portal, tmp_path):
    data = tmp_path / "data"
    crawl(portal, data)
    portal.articles[4] = (OLD_DAY, "Bài cũ đã sửa. ")
    del portal.articles[6]                               # removed, and gone from the listing
    out = crawl(portal, data, "--recheck", "all", later=timedelta(hours=1))
    assert asked(portal) == set(range(1, 9)) - {6}
    r = report(data)
    assert (r["changed"], r["gone"], r["unchanged"], r["not_due"]) == (1, 1, 6, 0), r
    assert adds_up(r) and "every article revalidated" in out


def test_no_validators_and_a_visitor_counter_make_no_new_version(portal, tmp_path):
    portal.counter = True                                # no ETag, a counter in every page
    data = tmp_path / "data"
    crawl(portal, data)
    out = crawl(portal, data, "--recheck", "all", later=timedelta(days=1))
    assert asked(portal) == set(range(1, 9))             # refetched: nothing to revalidate with
    assert "0 changed, 8 unchanged" in out, out
    assert set(versions(data).values()) == {1}
    crawl(portal, data, later=timedelta(days=2))         # the policy is what saves requests here
    assert asked(portal) == {1, 2}
    assert set(versions(data).values()) == {1}
