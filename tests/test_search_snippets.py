"""Snippets cut in Python: the query's words marked in the original text, diacritics kept."""
import unicodedata

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive import textfold
from archive.index import Index
from archive.search import search
from archive.snippets import ELLIPSIS, HIGHLIGHT, SNIPPET_CHARS, SnippetCutter

FILLER = "Nội dung khác về thời tiết và giao thông trong tuần. " * 12
TEXT = ("UBND huyện Thọ Xuân tổ chức hội nghị. " + FILLER
        + "Xây dựng nông thôn mới và thuỷ lợi là nhiệm vụ trọng tâm của huyện Thọ Xuân năm 2019. "
        + FILLER)


def marked(snippet: str) -> list[str]:
    opening, closing = HIGHLIGHT
    return [piece.split(closing)[0] for piece in snippet.split(opening)[1:]]


def cut(words, text=TEXT, prefixes=()):
    return SnippetCutter(frozenset(words), tuple(prefixes)).cut(text)


def test_marks_folded_words_in_the_original_spelling():
    snippet = cut({"nong", "thon"})
    assert "Xây dựng <mark>nông</mark> <mark>thôn</mark> mới và thuỷ lợi" in snippet
    assert snippet.startswith(ELLIPSIS) and snippet.endswith(ELLIPSIS)


def test_the_stretch_with_most_distinct_words_wins_over_the_first_hit():
    # "tho xuan" alone is at the start; with "nong" the later sentence holds all three.
    assert marked(cut({"tho", "xuan"})) == ["Thọ", "Xuân"]
    assert cut({"tho", "xuan"}).startswith("UBND")
    assert marked(cut({"tho", "xuan", "nong"})) == ["nông", "Thọ", "Xuân"]


def test_whole_words_only_and_prefixes():
    assert marked(cut({"ung"})) == []  # inside "trung"/"dung" only
    assert marked(cut({"uy"})) == []  # "huyện" is not "uy"
    assert marked(cut(set(), prefixes=["nhie"])) == ["nhiệm"]


def test_no_hit_gives_the_start_of_the_text():
    snippet = cut({"khong", "co"})
    assert snippet.startswith("UBND huyện Thọ Xuân") and snippet.endswith(ELLIPSIS)
    assert HIGHLIGHT[0] not in snippet


def test_length_is_bounded_and_words_are_never_cut():
    for words in ({"nong"}, {"thoi", "tiet"}, {"khong"}, {"2019"}):
        snippet = cut(words)
        plain = snippet.replace(HIGHLIGHT[0], "").replace(HIGHLIGHT[1], "").strip(ELLIPSIS)
        assert 0 < len(plain) <= SNIPPET_CHARS
        assert plain in TEXT
        start = TEXT.index(plain)
        assert start == 0 or not TEXT[start - 1].isalnum()
        end = start + len(plain)
        assert end == len(TEXT) or not TEXT[end].isalnum()


def test_short_and_empty_texts():
    assert cut({"a"}, "") == ""
    assert cut({"hoa"}, "Hòa bình") == "<mark>Hòa</mark> bình"
    assert cut({"dong"}, "Đông") == "<mark>Đông</mark>"


def test_a_snippet_is_one_line():
    assert cut({"tien"}, "Đoạn một.\n\nĐoạn hai   tiến  triển.") == "Đoạn một. Đoạn hai <mark>tiến</mark> triển."


def test_decomposed_text_is_normalized_before_cutting():
    decomposed = unicodedata.normalize("NFD", "Khởi công cầu Đông Hòa")
    assert cut({"hoa"}, decomposed) == "Khởi công cầu Đông <mark>Hòa</mark>"


def test_search_hits_carry_the_snippet_of_their_own_body(tmp_path):
    index = Index(tmp_path / "index.sqlite")
    for n, body in enumerate([TEXT, "Giao thông nông thôn được đầu tư.", FILLER], start=1):
        url = f"http://demo.test/tin/{n}"
        index.upsert_article({"url": url, "canonical": url, "title": f"Tin {n}", "published": f"2024-01-0{n}",
                              "author": None, "body": body, "images": [], "attachments": []}, site="demo")
    hits = {hit.url: hit.snippet for hit in search(index, "nông thôn").hits}
    assert set(hits) == {"http://demo.test/tin/1", "http://demo.test/tin/2"}
    assert hits["http://demo.test/tin/2"] == "Giao thông <mark>nông</mark> <mark>thôn</mark> được đầu tư."
    assert "<mark>nông</mark> <mark>thôn</mark> mới" in hits["http://demo.test/tin/1"]
    # An abbreviation marks its spelled-out form.
    index.upsert_article({"url": "http://demo.test/tin/9", "canonical": "http://demo.test/tin/9", "title": "Tin 9",
                          "published": "2024-01-09", "author": None, "images": [], "attachments": [],
                          "body": "Ủy ban nhân dân xã họp."}, site="demo")
    snippet = search(index, "UBND").hits[0].snippet
    assert marked(snippet) == ["Ủy", "ban", "nhân", "dân"]
    assert textfold.fold(snippet).count("<mark>") == 4
    index.close()


def test_folding_only_the_head_gives_the_same_snippet_as_folding_everything():
    long_text = TEXT * 3
    vocabulary = sorted({word for word in textfold.words(textfold.fold(long_text))})
    for first in vocabulary:
        for words in ({first}, {first, "nong"}, {first, "xuan", "2019"}):
            cutter = SnippetCutter(frozenset(words))
            assert cutter.cut(long_text) == cutter.cut(long_text, textfold.fold(long_text)), words
    prefix = SnippetCutter(frozenset(), ("nhie",))
    assert prefix.cut(long_text) == prefix.cut(long_text, textfold.fold(long_text))


ALPHABET = "aàáảãạăằắẳẵặâầấẩẫậbcdđeèéẻẽẹêềếểễệghiìíỉĩịklmnoòóỏõọôồốổỗộơờớởỡợpqrstuùúủũụưừứửữựvxy"
TEXT_CHARACTERS = ALPHABET + ALPHABET.upper() + " .,;:!?“”-–0123456789\n\t*()[]"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(TEXT_CHARACTERS, max_size=3000), st.data())
def test_any_snippet_is_a_piece_of_the_text_with_only_query_words_marked(text, data):
    words = textfold.words(textfold.fold(text))
    query = set(data.draw(st.lists(st.sampled_from(words), max_size=3))) if words else set()
    snippet = cut(query, text)
    collapsed = " ".join(textfold.normalize(text).split())
    plain = snippet.replace(HIGHLIGHT[0], "").replace(HIGHLIGHT[1], "")
    assert plain.strip(ELLIPSIS) in collapsed
    assert len(plain.strip(ELLIPSIS)) <= SNIPPET_CHARS
    for piece in marked(snippet):
        assert textfold.fold(piece) in query
    if query and snippet:
        assert marked(snippet), "a text holding a query word shows it marked"
