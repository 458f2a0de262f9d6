"""extract() turns an exception into an empty non-article (so a crawl goes on) and logs
"extraction failed". A test of what a page gives must not pass on that empty article:
`parsed()` extracts and fails when the fallback was taken."""
from __future__ import annotations

import logging
from contextlib import contextmanager

from portal_crawler.extract import extract


class _Failures(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        if record.getMessage().startswith("extraction failed"):
            self.messages.append(record.getMessage())


@contextmanager
def no_fallback():
    """Fails when extract() fell back to the empty article instead of parsing the page."""
    failures = _Failures()
    logger = logging.getLogger("portal_crawler.extract")
    logger.addHandler(failures)
    try:
        yield
    finally:
        logger.removeHandler(failures)
    assert not failures.messages, failures.messages


def parsed(data: bytes, url: str, headers=None, **options):
    """extract(), asserting the page was parsed rather than given up on."""
    with no_fallback():
        return extract(data, url, headers, **options)
