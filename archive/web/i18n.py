"""Interface languages: strings kept as data (strings/*.json), chosen per request."""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = "vi"
LANGUAGE_COOKIE = "lang"


@lru_cache(maxsize=None)
def catalog(language: str) -> dict[str, str]:
    """The strings of one language (read once; the files ship with the package)."""
    text = resources.files(__package__).joinpath("strings", f"{language}.json").read_text("utf-8")
    return json.loads(text)


@dataclass(frozen=True)
class Translator:
    language: str

    def __call__(self, key: str, **values) -> str:
        # A missing key shows itself rather than failing the page; tests check both catalogs match.
        text = catalog(self.language).get(key) or catalog(DEFAULT_LANGUAGE).get(key) or key
        return text.format(**values) if values else text


def parse_accept_language(header: str | None) -> list[str]:
    """Primary language tags from an Accept-Language header, best first."""
    ranked = []
    for position, part in enumerate((header or "").split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if tag and quality > 0:
            ranked.append((-quality, position, tag.split("-")[0].lower()))
    return [tag for _, _, tag in sorted(ranked)]


def choose_language(query_value: str | None, cookie_value: str | None,
                    accept_language: str | None) -> str:
    """An explicit choice (link, then cookie) wins; then the browser's preference; else Vietnamese."""
    for explicit in (query_value, cookie_value):
        if explicit in LANGUAGES:
            return explicit
    for tag in parse_accept_language(accept_language):
        if tag in LANGUAGES:
            return tag
    return DEFAULT_LANGUAGE
