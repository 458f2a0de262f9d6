"""An imported text captured while the newest version was in force (seen at the newest
version's start and again later) splits it: every version then reads back whole."""
from archive.index import Index


def article(body: str, title: str = "Khánh thành trường học") -> dict:
    return {"url": "http://phuong.hanoi.test/tin/truong.html", "canonical": "http://phuong.hanoi.test/tin/truong.html",
            "title": title, "published": "2019-03-14T08:30:00+07:00", "author": "Nguyễn Văn An",
            "body": body, "is_article": True, "images": [{"src": "http://phuong.hanoi.test/anh/a.jpg", "caption": ""}],
            "attachments": []}


def test_an_imported_text_between_two_captures_of_the_newest_keeps_every_text(tmp_path):
    first = "Sáng ngày 14/3/2019, UBND phường khánh thành trường mầm non mới. " * 5
    edited = "Sáng ngày 14/3/2019, UBND phường khánh thành trường mầm non mới, đã sửa. " * 5
    with Index(tmp_path / "index.sqlite") as index:
        index.upsert_article(article(first), site="phuong", captured="2019-03-14T02:00:00Z", crawl_id=1)
        index.upsert_article(article(first), site="phuong", captured="2026-01-05T02:00:00Z", crawl_id=2)
        # from a web archive: captured in 2023, between the two crawls, with another text
        index.upsert_article(article(edited), site="phuong", captured="2023-06-01T02:00:00Z", crawl_id=3)
        [row] = index.conn.execute("SELECT id FROM articles").fetchall()
        versions = index.article_versions(row["id"])
    assert [v["body"] for v in versions] == [first, edited, first]
    assert all(v["title"] == "Khánh thành trường học" for v in versions)
    assert [v["images"] for v in versions][0] == [{"src": "http://phuong.hanoi.test/anh/a.jpg", "caption": ""}]
    assert versions[1]["changed"] == ["body"] and versions[2]["changed"] == ["body"]
