"""Vietnamese folding: properties (Hypothesis) and the spellings search must unify."""

import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive import textfold
from archive.index import Index
from archive.search import search

# Letters of Vietnamese in both cases, with every mark combination.
VIETNAMESE = "aàáảãạăằắẳẵặâầấẩẫậbcdđeèéẻẽẹêềếểễệghiìíỉĩịklmnoòóỏõọôồốổỗộơờớởỡợpqrstuùúủũụưừứửữựvxyỳýỷỹỵ"
ALPHABET = VIETNAMESE + VIETNAMESE.upper() + " .,;:!?“”-–0123456789\n"

ONSETS = ["", "b", "c", "ch", "d", "đ", "g", "gi", "h", "kh", "l", "m", "n", "ng", "nh", "ph",
          "qu", "r", "s", "t", "th", "tr", "v", "x"]
NUCLEI = ["a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "oa", "oe", "uy", "uô", "ươ",
          "iê", "ai", "ao", "ay", "ây", "ôi", "ơi", "ui", "ưu", "oai", "uyê"]
CODAS = ["", "c", "ch", "m", "n", "ng", "nh", "p", "t"]
TONES = ["", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323"]


@st.composite
def syllables(draw):
    """A Vietnamese-shaped syllable with its tone on some vowel of the nucleus."""
    onset, nucleus, coda, tone = (draw(st.sampled_from(ONSETS)), draw(st.sampled_from(NUCLEI)),
                                  draw(st.sampled_from(CODAS)), draw(st.sampled_from(TONES)))
    at = draw(st.integers(0, len(nucleus) - 1))
    decomposed = unicodedata.normalize("NFD", nucleus)
    # Insert the tone after the chosen vowel and its quality marks.
    letters, position = 0, 0
    for position, char in enumerate(decomposed):
        if not unicodedata.combining(char):
            if letters == at + 1:
                break
            letters += 1
    else:
        position = len(decomposed)
    word = onset + decomposed[:position] + tone + decomposed[position:] + coda
    return unicodedata.normalize("NFC", word)


@given(st.text(alphabet=ALPHABET, max_size=200))
def test_fold_is_idempotent_and_one_to_one(text):
    folded = textfold.fold(text)
    assert textfold.fold(folded) == folded
    assert len(folded) == len(unicodedata.normalize("NFC", text))


@given(st.text(max_size=100))
def test_fold_keeps_length_on_any_unicode(text):
    folded = textfold.fold(text)
    assert len(folded) == len(unicodedata.normalize("NFC", text))
    assert textfold.fold(folded) == folded


@given(syllables())
def test_fold_strips_every_mark_and_d(word):
    folded = textfold.fold(word)
    assert folded.isascii() and folded.isalpha()
    assert textfold.fold(unicodedata.normalize("NFD", word)) == folded
    assert all(textfold.fold(spelling) == folded for spelling in textfold.tone_spellings(word))


@pytest.mark.parametrize("one, other", [("hoà", "hòa"), ("thuỷ", "thủy"), ("khoẻ", "khỏe"),
                                        ("Hoá", "hóa"), ("Đống Đa", "dong da"),
                                        ("NÔNG THÔN MỚI", "nong thon moi")])
def test_spellings_fold_alike(one, other):
    assert textfold.fold(one) == textfold.fold(other)


def test_tone_key_tells_exact_from_folded():
    assert textfold.tone_key("hoà") == textfold.tone_key("hòa")
    assert textfold.tone_key("thuỷ") == textfold.tone_key("Thủy")
    assert textfold.tone_key("năm") != textfold.tone_key("Nam")
    assert textfold.tone_spellings("hòa") == {"hòa", "hoà"}


def test_fold_is_available_in_sql(tmp_path):
    with Index(tmp_path / "index.sqlite") as index:
        assert index.conn.execute("SELECT fold('Hội đồng Đống Đa')").fetchone()[0] == \
            "hoi dong dong da"


@pytest.fixture(scope="module")
def word_index(tmp_path_factory):
    with Index(tmp_path_factory.mktemp("fold") / "index.sqlite") as index:
        yield index


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(word=syllables(), number=st.integers(0, 10**9))
def test_any_word_is_found_by_folded_nfd_and_other_tone_spelling(word_index, word, number):
    url = f"http://xa{number}.test/bai-{number}"
    word_index.upsert_article({"url": url, "title": f"Tin số {number}",
                               "body": f"Trong năm qua, {word} được nhắc đến.", "published": None},
                              site="xa")
    spellings = [word, textfold.fold(word), unicodedata.normalize("NFD", word), word.upper(),
                 *textfold.tone_spellings(word)]
    for spelling in spellings:
        urls = [hit.url for hit in search(word_index, spelling, limit=200).hits]
        assert url in urls, (word, spelling)
