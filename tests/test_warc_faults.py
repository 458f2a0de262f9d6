"""Fault injection on a real crawl's WARC file: flipped bytes, zeroed sectors, truncation,
`.open` files, through `index`, `index --rebuild` and `extract` (seeded; bench/warc_faults.py
runs 100 cases and prints the figures)."""
from __future__ import annotations

import pytest

from tests.support.warc_faults import Corpus, run_case

CASES = 20


@pytest.fixture(scope="module")
def corpus(demo_crawled):
    return Corpus.of(demo_crawled)


@pytest.mark.parametrize("seed", range(CASES))
def test_damage_loses_no_intact_record_and_no_byte(corpus, tmp_path, seed):
    result = run_case(corpus, tmp_path, seed)
    assert result.ok, (result.mode, result.fault, result.open_file, result.problems)
    assert result.intact > 0
