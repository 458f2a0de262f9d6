"""A crawl writes while searches run: WAL + busy timeout + BEGIN IMMEDIATE, no lock errors."""

import threading

from archive.index import Index
from archive.search import search


def article(writer: int, number: int) -> dict:
    return {"url": f"http://xa{writer}.test/bai-{number}", "title": f"Tin số {number} nông thôn mới",
            "body": f"Bài {number}: Hội đồng nhân dân xã họp bàn về thủy lợi. " * 20,
            "published": f"2024-01-{number % 28 + 1:02d}", "author": "Nông Linh"}


def test_two_writers_and_readers_without_lock_errors(tmp_path):
    path = tmp_path / "index.sqlite"
    Index(path).close()
    errors: list[BaseException] = []
    writing = threading.Event()
    writing.set()
    counts = {"searches": 0}

    def write(writer: int) -> None:
        try:
            with Index(path) as index:
                crawl_id = index.start_crawl([f"xa{writer}"], {})
                for number in range(150):
                    capture = index.add_capture(
                        url=article(writer, number)["url"], timestamp="2024-01-01T00:00:00Z",
                        status=200, mime="text/html", payload_digest=f"sha1:{writer}-{number}",
                        warc_file="a.warc.gz", offset=number, length=1, record_id=f"<urn:{number}>",
                        crawl_id=crawl_id)
                    index.upsert_article(article(writer, number), site=f"xa{writer}",
                                         capture_id=capture, crawl_id=crawl_id)
                index.finish_crawl(crawl_id, "ok", {}, [])
        except BaseException as error:  # collected and asserted below
            errors.append(error)

    def read() -> None:
        try:
            with Index(path) as index:
                while writing.is_set():
                    search(index, "nong thon moi", site="xa1", since="2024-01-01")
                    search(index, '"hội đồng nhân dân"')
                    index.nearest_capture("http://xa0.test/bai-1")
                    counts["searches"] += 1
        except BaseException as error:
            errors.append(error)

    writers = [threading.Thread(target=write, args=(n,)) for n in range(2)]
    readers = [threading.Thread(target=read) for _ in range(2)]
    for thread in writers + readers:
        thread.start()
    for thread in writers:
        thread.join()
    writing.clear()
    for thread in readers:
        thread.join()

    assert errors == []
    assert counts["searches"] > 0
    with Index(path) as index:
        assert index.conn.execute("SELECT count(*) FROM articles").fetchone()[0] == 300
        assert search(index, "thuy loi", site="xa0", limit=500).total == 150
        assert [crawl["outcome"] for crawl in index.crawls()] == ["ok", "ok"]
