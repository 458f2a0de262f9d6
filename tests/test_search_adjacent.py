"""Plain multi-word queries rank texts with the words side by side above scattered ones."""
from archive.index import Index
from archive.search import search


def add(index, n, title, body):
    url = f"http://demo-yentho.thanhhoa.test/tin/{n}.aspx"
    index.upsert_article({"url": url, "canonical": url, "title": title, "published": "2024-01-0%d" % n,
                          "author": None, "body": body, "images": [], "attachments": []}, site="demo-yentho")
    return url


def test_adjacent_words_rank_first(tmp_path):
    index = Index(tmp_path / "index.sqlite")
    scattered = add(index, 2, "Nhân dịp Tết", "Nhân dịp Tết Nguyên đán, Ủy ban MTTQ và ban tổ chức trao quà cho dân.")
    together = add(index, 1, "Họp phiên thường kỳ", "Ủy ban nhân dân huyện họp phiên thường kỳ tháng 6.")
    hits = search(index, "uy ban nhan dan").hits
    assert [h.url for h in hits][:2] == [together, scattered]
    index.close()


def test_side_by_side_check_skips_matches_inside_words():
    from archive.search import Term
    from archive.search.ranking import adjacent_words, has_phrase
    phrase = adjacent_words([Term("an", ("an",)), Term("an", ("an",))])
    assert has_phrase(phrase, "ban an an")  # the first candidate starts inside "ban"
    assert not has_phrase(phrase, "ban an nhan")
    assert not has_phrase(phrase, "an anh")
