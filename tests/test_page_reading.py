"""Pages read in a worker process (page_reading.py) give what reading them in the crawl's own
process gives; a worker that dies leaves the crawl reading in its own process; a crawl gives
the same index with a worker and without."""
import asyncio
import logging
import os
import signal
import sqlite3
import subprocess

from archive.index import Index
from portal_crawler.demo.server import DemoServer
from portal_crawler.extract.template import Template
from portal_crawler.page_reading import PageJob, PageRead, PageReader, read_page
from portal_crawler.session import SiteTemplates
from tests.support.cli_crawl import CLI, DEMO_SITES, crawl

URL = "http://phuong.hanoi.test/tin-tuc/khanh-thanh-truong-hoc.html"
PAGE = """<html><head><title>Khánh thành trường học - Phường</title>
<link rel="stylesheet" href="/css/site.css"></head><body>
<div class="menu"><a href="/">Trang chủ</a> <a href="/tin-tuc/">Tin tức</a></div>
<div class="news-detail"><h1>Khánh thành trường học</h1>
<span>Ngày đăng: 14/03/2024 08:30</span>
<p>Sáng ngày 14/3/2024, UBND phường khánh thành trường mầm non mới với tổng vốn đầu tư hơn 20 tỷ
đồng, đáp ứng nhu cầu học tập của con em nhân dân trong phường và các vùng lân cận.</p>
<p>Trường có 12 phòng học, sân chơi và khu bếp một chiều theo tiêu chuẩn.</p>
<img src="anh/truong.jpg"><p>Nguyễn Văn An</p></div></body></html>""".encode()
JOB = PageJob(PAGE, URL, [("Content-Type", "text/html; charset=utf-8")], None)


def read_in(reader: PageReader, job: PageJob = JOB):
    async def go():
        return await reader.read(job)
    return asyncio.run(go())


def test_a_worker_reads_a_page_as_the_crawl_process_does():
    here = read_page(JOB)
    reader = PageReader(1)
    try:
        there = read_in(reader)
        assert reader._pool is not None, "read in a worker process"
    finally:
        reader.close()
    assert there.record == here.record
    assert there.record["is_article"] and there.record["title"] == "Khánh thành trường học"
    assert there.links == here.links and "/tin-tuc/" in there.links[0] and "anh/truong.jpg" in there.links[1]
    assert there.text == here.text and there.counts == here.counts


def test_a_page_that_cannot_be_parsed_is_counted_not_raised():
    job = PageJob(b"<" * 10 + b"\x00" * 5, URL, [("Content-Type", "text/html")], None)
    reader = PageReader(1)
    try:
        read = read_in(reader, job)
    finally:
        reader.close()
    assert not read.record.get("is_article")
    assert read.links is None or read.links == ([], [], [])


def test_a_dead_worker_leaves_reading_in_the_crawl_process(caplog):
    reader = PageReader(1)
    try:
        first = read_in(reader)
        for pid in list(reader._pool._processes):
            os.kill(pid, signal.SIGKILL)
        with caplog.at_level(logging.WARNING, logger="portal_crawler.page_reading"):
            second = read_in(reader)
            third = read_in(reader)
    finally:
        reader.close()
    assert second.record == third.record == first.record
    assert reader._broken
    assert sum("extraction worker stopped" in r.getMessage() for r in caplog.records) == 1


def test_outside_an_event_loop_pages_are_read_in_this_process():
    reader = PageReader(1)
    assert reader._worker_pool() is None


def index_rows(data):
    with sqlite3.connect(data / "index.sqlite") as db:
        articles = db.execute("SELECT url, title, published, author, body FROM articles ORDER BY url").fetchall()
        links = db.execute("SELECT url_key, pages, assets FROM page_links ORDER BY url_key").fetchall()
    return articles, links


def read_in_worker(data) -> int:
    with Index(data / "index.sqlite") as index:
        return index.crawls()[0]["stats"]["stats"].get("pages/read_in_worker", 0)


def test_a_crawl_indexes_the_same_with_a_worker_and_without(tmp_path):
    with DemoServer() as server:
        crawl(DEMO_SITES, tmp_path / "worker", server.url, timeout=600)
        crawl(DEMO_SITES, tmp_path / "here", server.url, "-s", "PORTAL_EXTRACT_PROCESSES=0",
              timeout=600)
    assert read_in_worker(tmp_path / "worker") > 0 and read_in_worker(tmp_path / "here") == 0
    with_worker, without = index_rows(tmp_path / "worker"), index_rows(tmp_path / "here")
    assert with_worker[0] and with_worker[1], "the demo crawl indexed articles and kept links"
    assert with_worker == without


def test_a_ctrl_c_to_the_process_group_leaves_the_worker_reading():
    reader = PageReader(1)
    try:
        read_in(reader)
        for pid in list(reader._pool._processes):
            os.kill(pid, signal.SIGINT)  # what a terminal's Ctrl-C sends the worker too
        again = read_in(reader)
    finally:
        reader.close()
    assert again.in_worker and not reader._broken


def test_a_page_read_while_its_site_template_changed_is_read_again_with_the_new_one(tmp_path):
    templates = SiteTemplates(tmp_path)
    learner = templates.learner(URL)
    newer = Template("phuong.hanoi.test", ())

    async def read_meanwhile(job, memo=None):
        learner.template = newer  # another page taught the learner while this one was read
        return PageRead({"stale": True})

    templates.reader.read = read_meanwhile
    read = asyncio.run(templates.read(PAGE, URL, JOB.headers))
    assert read.record == read_page(PageJob(PAGE, URL, JOB.headers, newer)).record
    assert "stale" not in read.record


def test_a_bad_worker_count_is_one_line_before_the_crawl_starts(tmp_path):
    for value, says in (("abc", "not a number"), ("1.5", "not a whole number"), ("-1", "must not be negative")):
        result = subprocess.run([*CLI, "crawl", "http://portal.test/", "--data", str(tmp_path / value),
                                 "-s", f"PORTAL_EXTRACT_PROCESSES={value}"], capture_output=True, text=True,
                                timeout=120)
        assert result.returncode == 2 and result.stderr.strip().count("\n") == 0, result.stderr
        assert says in result.stderr and "PORTAL_EXTRACT_PROCESSES" in result.stderr
