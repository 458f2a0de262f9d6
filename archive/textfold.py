"""Vietnamese text folding for search.

`fold(text)` maps text to a search key: NFC first, then character by character
lower case, every combining mark stripped and đ/Đ -> d.  The mapping is one
character to one character of the NFC text, so token positions and character
offsets in the folded text are those of the original: the full-text index holds
folded tokens while snippets are cut from the original text, diacritics intact.

Because all marks go, the tone-mark placement question ("hoà" vs "hòa",
"thuỷ" vs "thủy") disappears in the folded form.  `tone_key(word)` keeps the
marks but makes placement irrelevant, to tell an exact-diacritic match from a
folded-only one ("năm" vs "Nam").

The index stores only original text and deletes FTS rows by re-folding it, so a
change to `fold` needs `Index.rebuild_fts()` on existing databases.
"""

from __future__ import annotations

import re
import unicodedata

# Combining tone marks of Vietnamese: grave, acute, tilde, hook above, dot below.
TONE_MARKS = {"\u0300": "2", "\u0301": "1", "\u0303": "4", "\u0309": "3", "\u0323": "5"}

WORD_PATTERN = re.compile(r"\w+")


def _fold_char(char: str) -> str:
    """The one-character search key of one NFC character."""
    if char in "đĐ":
        return "d"
    base = unicodedata.normalize("NFD", char)[0]
    if unicodedata.combining(base):
        # A lone combining mark: keep it (one-to-one); the tokenizer drops it.
        return char
    lowered = base.lower()
    return lowered if len(lowered) == 1 else base


# Frequent non-ASCII separators in portal text, mapped to ASCII separators so
# that the fast path of `fold` applies; the tokenizer splits on both alike.
ASCII_SEPARATORS = {
    "\u201c": '"', "\u201d": '"', "\u2018": "'", "\u2019": "'", "\u2013": "-",
    "\u2014": "-", "\u2026": ".", "\u00a0": " ", "\u00ab": '"', "\u00bb": '"',
    "\u2022": "*", "\u00b7": ".", "\u200b": " ",
}


def _fold_table() -> dict[int, str]:
    """Translation table for the Latin blocks (incl. all Vietnamese letters)."""
    ranges = [range(0x41, 0x5B), range(0xC0, 0x250), range(0x1E00, 0x1F00)]
    table = {}
    for block in ranges:
        for code in block:
            folded = _fold_char(chr(code))
            if folded != chr(code):
                table[code] = folded
    table.update({ord(char): ascii_char for char, ascii_char in ASCII_SEPARATORS.items()})
    return table


FOLD_TABLE = _fold_table()


def fold(text: str) -> str:
    """Search key of `text`: same length as NFC(text), marks stripped, đ -> d."""
    if not text:
        return ""
    nfc = unicodedata.normalize("NFC", text)
    if nfc.isascii():
        return nfc.lower()
    # Fast path (C speed): decompose and drop everything non-ASCII.  It is exact
    # when every character was an ASCII letter plus marks, which the length shows.
    simple = nfc.replace("đ", "d").replace("Đ", "D")
    for char, ascii_char in ASCII_SEPARATORS.items():
        if char in simple:
            simple = simple.replace(char, ascii_char)
    stripped = unicodedata.normalize("NFD", simple).encode("ascii", "ignore")
    if len(stripped) == len(nfc):
        return stripped.decode("ascii").lower()
    folded = nfc.translate(FOLD_TABLE)
    # Characters outside the table (other scripts, lone marks): fold one by one.
    return "".join(
        _fold_char(char) if ord(char) > 0x7F and not unicodedata.combining(char) else char
        for char in folded
    )


def normalize(text: str) -> str:
    """The NFC form that `fold` is one-to-one with (store text in this form)."""
    return unicodedata.normalize("NFC", text or "")


def tone_key(word: str) -> str:
    """Word with its vowel-quality marks (â ă ê ô ơ ư đ) but tone placement unified.

    The tone mark is removed wherever it sits and appended as a digit, so
    "hoà" and "hòa" give the same key while "năm" and "nam" do not.
    """
    decomposed = unicodedata.normalize("NFD", word.lower())
    tone = ""
    kept = []
    for char in decomposed:
        if char in TONE_MARKS:
            tone = TONE_MARKS[char]
        else:
            kept.append(char)
    return unicodedata.normalize("NFC", "".join(kept)) + tone


def has_marks(text: str) -> bool:
    """True when folding changes the letters of `text` (beyond case)."""
    nfc = normalize(text)
    return fold(nfc) != nfc.lower()


def words(text: str) -> list[str]:
    """Word tokens of text, roughly as FTS5 unicode61 splits them."""
    return WORD_PATTERN.findall(normalize(text))


def register_sql_functions(conn) -> None:
    """Make `fold(text)` available in SQL on a sqlite3 connection (deterministic)."""
    conn.create_function("fold", 1, lambda text: fold(text) if isinstance(text, str) else text,
                         deterministic=True)


VOWELS = set("aeiouy")


def tone_spellings(word: str) -> set[str]:
    """NFC spellings of word with its tone mark on each vowel (old and new placement).

    "hòa" gives {"hòa", "hoà"}; a word without a tone mark gives itself.  Spellings
    that are not real words are harmless: they are only searched for.
    """
    decomposed = unicodedata.normalize("NFD", normalize(word).lower())
    tone = next((c for c in decomposed if c in TONE_MARKS), None)
    if tone is None:
        return {normalize(word).lower()}
    bare = decomposed.replace(tone, "")
    spellings = set()
    for at, char in enumerate(bare):
        if char in VOWELS:
            end = at + 1
            while end < len(bare) and unicodedata.combining(bare[end]):
                end += 1  # keep quality marks (circumflex, breve, horn) next to their vowel
            spellings.add(unicodedata.normalize("NFC", bare[:end] + tone + bare[end:]))
    return spellings or {normalize(word).lower()}
