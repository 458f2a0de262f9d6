"""Every query form finds what it should, on a real SQLite index."""

import unicodedata

import pytest

from archive.index import Index
from archive.search import QueryError, QuerySyntaxError, SearchTuning, parse_query, search

ARTICLES = [
    # (slug, site, title, body, published, author)
    ("hdnd", "thoxuan", "Kỳ họp thứ 5 Hội đồng nhân dân huyện Thọ Xuân",
     "Sáng nay, HĐND huyện khai mạc kỳ họp. Đại biểu bàn về xây dựng nông thôn mới và thuỷ lợi.",
     "2024-03-05T08:00:00+07:00", "Nông Linh"),
    ("ubnd", "hauloc", "UBND xã Đông Hòa triển khai NTM nâng cao",
     "Ủy ban nhân dân xã đã họp với Mặt trận Tổ quốc về chương trình năm 2024.",
     "2023-12-31", "Trần Văn Nam"),
    ("nam", "thoxuan", "Đoàn công tác tỉnh Nam Định thăm huyện",
     "Đoàn Nam Định trao đổi kinh nghiệm về hòa giải ở cơ sở.",
     "2022-06-01T10:00:00+07:00", None),
    ("dongda", "hauloc", "Phường Đống Đa tổ chức lễ hội",
     "Người dân phường Đống Đa tham gia lễ hội truyền thống. Ban chỉ đạo lễ hội họp.",
     "2021-02-10", "Lê Thị Hoa"),
    ("words", "thoxuan", "Tin vắn trong tuần",
     "Mới đây, thôn Đông tổ chức hội nghị; nông dân trong thôn tham gia đông đủ.",
     "2020-01-15", None),
]


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    with Index(tmp_path_factory.mktemp("search") / "index.sqlite") as opened:
        for slug, site, title, body, published, author in ARTICLES:
            opened.upsert_article({"url": f"http://{site}.test/{slug}", "title": title, "body": body,
                                   "published": published, "author": author}, site=site)
        opened.upsert_document("http://thoxuan.test/qd-15.pdf",
                               "Quyết định về phát triển nông thôn mới giai đoạn 2021-2025",
                               article_url="http://thoxuan.test/hdnd", name="Quyết định 15/QĐ-UBND",
                               mime="application/pdf")
        yield opened


def slugs(result):
    return [hit.url.rsplit("/", 1)[1] for hit in result.hits]


@pytest.mark.parametrize("query, expected", [
    # Words in any order ("words" has them apart); "ubnd" has NTM, the abbreviation.
    ("nong thon moi", {"hdnd", "ubnd", "words"}),
    ("nông thôn mới", {"hdnd", "ubnd", "words"}),
    (unicodedata.normalize("NFD", "nông thôn mới"), {"hdnd", "ubnd", "words"}),
    ("NÔNG THÔN MỚI", {"hdnd", "ubnd", "words"}),
    ('"nong thon moi"', {"hdnd", "ubnd"}),
    ("dong da", {"dongda", "ubnd"}),  # ubnd: "Đông", "đã"
    ("Đống Đa", {"dongda", "ubnd"}),
    ('"dong da"', {"dongda"}),
    ("thủy lợi", {"hdnd"}),  # text has the old placement "thuỷ"
    ("hoà giải", {"nam"}),  # query has the old placement, text "hòa"
])
def test_spellings_find_the_same_articles(index, query, expected):
    assert set(slugs(search(index, query))) == expected


@pytest.mark.parametrize("query, expected", [
    ("HĐND", {"hdnd"}),  # abbreviation in the title spelled out, and in the body
    ("hdnd", {"hdnd"}),
    ("hội đồng nhân dân", {"hdnd"}),
    ("ủy ban nhân dân", {"ubnd"}),
    ("UBND", {"ubnd"}),
    ("MTTQ", {"ubnd"}),
    ("BCĐ", {"dongda"}),
    ("NTM", {"hdnd", "ubnd"}),
])
def test_abbreviations_find_spelled_out_forms_and_back(index, query, expected):
    assert set(slugs(search(index, query))) == expected


def test_phrase_needs_adjacent_words(index):
    assert set(slugs(search(index, "thôn nông"))) == {"hdnd", "words"}
    assert slugs(search(index, '"thôn nông"')) == []
    assert set(slugs(search(index, '"nông thôn"'))) == {"hdnd"}


def test_best_match_first(index):
    assert slugs(search(index, "dong da"))[0] == "dongda"
    assert slugs(search(index, "Đống Đa"))[0] == "dongda"


def test_exact_diacritics_rank_first(index):
    # "năm" is in ubnd's body; "Nam" (folded alike) in nam and in ubnd's author.
    assert slugs(search(index, "năm"))[0] == "ubnd"
    assert slugs(search(index, "Nam Định"))[0] == "nam"
    assert set(slugs(search(index, "nam"))) == {"ubnd", "nam"}


def test_title_weighs_more_than_body(index):
    # "lễ hội" is in dongda's title and body; nowhere else. "đông" in words' body only,
    # "Đông Hòa" in ubnd's title.
    assert slugs(search(index, "dong hoa"))[0] == "ubnd"


def test_snippets_keep_diacritics_and_mark_matches(index):
    hit = search(index, '"nong thon"').hits[0]
    assert "xây dựng <mark>nông</mark> <mark>thôn</mark> mới và thuỷ lợi" in hit.snippet
    assert hit.title and hit.published and hit.site == "thoxuan" and hit.score != 0


def test_filters_site_dates_author(index):
    assert set(slugs(search(index, "ho", site="thoxuan"))) <= {"hdnd", "nam", "words"}
    assert set(slugs(search(index, "lễ hội OR họp", advanced=True, site="hauloc"))) == {"ubnd", "dongda"}
    assert slugs(search(index, "họp", since="2024-01-01")) == ["hdnd"]
    assert set(slugs(search(index, "họp", until="2023-12-31"))) == {"ubnd", "dongda"}
    assert slugs(search(index, "họp", since="2023-12-31", until="2023-12-31")) == ["ubnd"]
    assert slugs(search(index, "họp", since="2023", until="2023")) == ["ubnd"]
    # Days inside a month are exact: hdnd is of 2024-03-05.
    assert slugs(search(index, "họp", since="2024-03-05", until="2024-03-05")) == ["hdnd"]
    assert slugs(search(index, "họp", since="2024-03-06")) == []
    assert slugs(search(index, "họp", since="2024-03-01", until="2024-03-04")) == []
    assert slugs(search(index, "họp", author="nong linh")) == ["hdnd"]
    assert slugs(search(index, "họp", author="Lê Thị Hoa")) == ["dongda"]
    assert slugs(search(index, "họp", site="nowhere")) == []
    with pytest.raises(QueryError, match="start date"):
        search(index, "họp", since="2024-01-01", until="2023-01-01")


def test_documents_are_searchable_and_linked(index):
    documents = search(index, "giai doan 2021", kind="documents")
    assert [hit.url for hit in documents.hits] == ["http://thoxuan.test/qd-15.pdf"]
    hit = documents.hits[0]
    assert hit.kind == "document" and hit.article_url == "http://thoxuan.test/hdnd"
    assert "<mark>giai</mark> <mark>đoạn</mark>" in hit.snippet
    assert search(index, "giai doan 2021").hits == []  # articles only by default
    combined = search(index, "nong thon moi", kind="all")
    assert {hit.kind for hit in combined.hits} == {"article", "document"}
    assert combined.total == 4


def test_advanced_syntax(index):
    assert set(slugs(search(index, "Định OR truyền", advanced=True))) == {"dongda", "nam"}
    assert slugs(search(index, "lễ NOT (phường OR xyz)", advanced=True)) == []
    assert slugs(search(index, "lễ AND (phường OR xyz)", advanced=True)) == ["dongda"]
    assert set(slugs(search(index, "họp NOT lễ", advanced=True))) == {"hdnd", "ubnd"}
    assert set(slugs(search(index, "truyền*", advanced=True))) == {"dongda"}
    assert set(slugs(search(index, '"hội nghị" OR "lễ hội"', advanced=True))) == {"words", "dongda"}
    # Without advanced=True the same text is literal words.
    assert slugs(search(index, "Định OR truyền")) == []


@pytest.mark.parametrize("query", ['"nong', "(nong", "-nong", "15:30", "12/3/2024", "Hoa's",
                                   "OR", "*", "", '"', "AND NOT", "a:b", "{x}", "NEAR(a b)", "^x",
                                   "   ", "\x00", "title: họp"])
def test_plain_input_is_never_an_error(index, query):
    result = search(index, query)  # no exception: taken literally
    assert len(result.hits) <= result.total


def test_plain_input_finds_literal_words(index):
    assert slugs(search(index, '"nong')) == slugs(search(index, "nong"))
    assert set(slugs(search(index, "(họp)"))) == {"hdnd", "ubnd", "dongda"}


@pytest.mark.parametrize("query, message", [
    ("(nong", "never closed"),
    ('"nong', "never closed"),
    ("nong AND", "ends where a word was expected"),
    ("OR nong", "needs a word on both sides"),
    ("nong )", "Unexpected"),
    ("*", "no letter or digit"),
])
def test_malformed_advanced_query_gives_a_clear_message(index, query, message):
    with pytest.raises(QuerySyntaxError, match=message):
        search(index, query, advanced=True)


def test_empty_query_parses_to_nothing():
    assert parse_query("  ") is None
    assert parse_query("?!") is None


def test_paging_and_total(index):
    everything = search(index, "họp OR hội OR lễ", advanced=True, limit=10)
    assert everything.total == len(everything.hits) == 4
    assert everything.total_exact
    second = search(index, "họp OR hội OR lễ", advanced=True, limit=2, offset=2)
    assert [h.url for h in second.hits] == [h.url for h in everything.hits[2:4]]
    assert len(search(index, "họp", limit=1).hits) == 1


def test_common_words_fall_back_to_title_then_newest(index):
    # "họp" is in hdnd's title and in the bodies of the newer ubnd and dongda.
    assert slugs(search(index, "hop"))[0] == "hdnd"
    common = SearchTuning(bm25_budget=0)  # as if "hop" were in every article
    assert slugs(search(index, "hop", tuning=common)) == ["hdnd", "dongda", "ubnd"]


def test_total_is_estimated_beyond_the_candidates(index):
    result = search(index, "hop", tuning=SearchTuning(candidates=2))
    assert len(result.hits) == 2 and not result.total_exact and result.total >= 2
