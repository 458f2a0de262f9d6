"""The crawl report says what its numbers are: on a fresh archive the demo's first crawl has no
changed or unchanged articles, and a page link answering 404 is counted as a page not found,
never as an article gone."""
from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
from pathlib import Path

from portal_crawler.crawl_runner import CrawlReport

CLI = [sys.executable, "-m", "portal_crawler.cli"]
ROOT = Path(__file__).resolve().parent.parent


def test_the_demo_first_crawl_report_counts_honestly(tmp_path):
    data = tmp_path / "data"
    result = subprocess.run([*CLI, "demo", "--data", str(data)], cwd=ROOT, capture_output=True, text=True,
                            timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    report = result.stdout.split("\n\n")[0]
    assert re.search(r"articles   \d+ new, 0 changed, 0 unchanged", report), report
    assert "all new (nothing was archived before)" in report, report
    db = sqlite3.connect(data / "index.sqlite")
    missing = db.execute("SELECT count(DISTINCT url) FROM captures WHERE status IN (404, 410)"
                         " AND url NOT LIKE '%.xml'").fetchone()[0]
    assert missing >= 1  # the demo links a page that answers 404
    assert f"pages not found (404/410) {missing}" in report, report
    assert not re.search(r"\bgone \d", report), report   # no article of a fresh archive is gone


def test_articles_gone_and_pages_not_found_are_told_apart():
    recheck = {"articles": 5, "new": 0, "rechecked": 2, "changed": 0, "unchanged": 1, "gone": 1, "not_due": 3}
    text = CrawlReport(2, "ok", {"pages": 9, "gone": 4, "recheck": recheck}).render()
    assert "pages not found (404/410) 4" in text, text
    assert "rechecked  2: 0 changed, 1 unchanged, 1 gone  [" in text, text   # articles rechecked
