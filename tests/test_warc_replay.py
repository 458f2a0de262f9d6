"""Replay in pywb (its own venv, see .ci/pywb-check.sh): runs only where that venv exists,
because building it needs the package index; CI builds it in .ci/run."""
from __future__ import annotations

import gzip
import os
import subprocess
from pathlib import Path

import pytest

from archive.warc import HttpExchange, WarcWriter, WriterConfig
from tests.support.warc_check import warc_files

ROOT = Path(__file__).resolve().parents[1]
PYWB_VENV = Path(os.environ.get("PYWB_VENV", ROOT / ".ci" / ".pywb-venv"))
pytestmark = pytest.mark.skipif(not (PYWB_VENV / "bin" / "wayback").exists(),
                                reason=f"no pywb environment at {PYWB_VENV}")


def test_pywb_replays_original_bytes_of_responses_and_revisits(tmp_path):
    page = "<html><body>Trang chủ huyện Thọ Xuân</body></html>".encode()
    with WarcWriter(WriterConfig(str(tmp_path), max_size=2000)) as writer:
        writer.write_exchange(HttpExchange("http://thoxuan.thanhhoa.test/?p=1&q=2", 200,
                                           [("Content-Type", "text/html; charset=utf-8"),
                                            ("Content-Encoding", "gzip"), ("Set-Cookie", "a=1"),
                                            ("Set-Cookie", "b=2")], gzip.compress(page, mtime=0)))
        writer.write_exchange(HttpExchange("http://thoxuan.thanhhoa.test/copy", 200,
                                           [("Content-Type", "text/html; charset=utf-8"),
                                            ("Content-Encoding", "gzip")], gzip.compress(page, mtime=0)))
        writer.write_exchange(HttpExchange("http://thoxuan.thanhhoa.test/doc.pdf", 200,
                                           [("Content-Type", "application/pdf")], b"%PDF-1.4 \x00\xff"))
    files = warc_files(tmp_path)
    assert len(files) > 1  # the revisit's original is in another file
    result = subprocess.run(["bash", str(ROOT / ".ci" / "pywb-check.sh"), *map(str, files)],
                            capture_output=True, text=True, timeout=300,
                            env={**os.environ, "PYWB_VENV": str(PYWB_VENV)})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3/3 captures returned their original bytes" in result.stdout
