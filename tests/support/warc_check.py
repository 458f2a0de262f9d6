"""Checks every WARC test uses: warcio's own CLI on the files, and a whole-record walk."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from archive.warc import iter_records

WARCIO = Path(sys.executable).with_name("warcio")


def warcio_check(*paths) -> None:
    """`warcio check` (digests) exits 0 and our reader finds every record whole."""
    assert paths, "no WARC files to check"
    result = subprocess.run([str(WARCIO), "check", "-v", *map(str, paths)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    for path in paths:
        for record, _ in iter_records(path):
            assert not record.digest_problems(), record.digest_problems()


def warc_files(warcs_dir) -> list[Path]:
    return sorted(Path(warcs_dir).glob("*.warc.gz"))
