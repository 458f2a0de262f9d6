"""A readable word-level diff between two versions of an article's text."""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

_TOKENS = re.compile(r"\s+|[^\s]+")


@dataclass(frozen=True)
class Segment:
    op: str      # "same", "added" or "removed"
    text: str


@dataclass(frozen=True)
class TextDiff:
    segments: list[Segment]
    words_added: int
    words_removed: int

    @property
    def changed(self) -> bool:
        return bool(self.words_added or self.words_removed)


def diff_words(old: str, new: str) -> TextDiff:
    """Segments that rebuild `new` when 'removed' ones are dropped and `old` when 'added' ones are."""
    old_tokens, new_tokens = _TOKENS.findall(old or ""), _TOKENS.findall(new or "")
    matcher = difflib.SequenceMatcher(a=old_tokens, b=new_tokens, autojunk=False)
    segments: list[Segment] = []
    added = removed = 0
    for tag, a0, a1, b0, b1 in matcher.get_opcodes():
        if tag == "equal":
            _append(segments, "same", "".join(old_tokens[a0:a1]))
            continue
        if tag in ("delete", "replace"):
            _append(segments, "removed", "".join(old_tokens[a0:a1]))
            removed += sum(1 for token in old_tokens[a0:a1] if not token.isspace())
        if tag in ("insert", "replace"):
            _append(segments, "added", "".join(new_tokens[b0:b1]))
            added += sum(1 for token in new_tokens[b0:b1] if not token.isspace())
    return TextDiff(segments, added, removed)


def _append(segments: list[Segment], op: str, text: str) -> None:
    if not text:
        return
    if segments and segments[-1].op == op:
        segments[-1] = Segment(op, segments[-1].text + text)
    else:
        segments.append(Segment(op, text))
