"""The data directory a command works on: checked before anything is written or read."""
from __future__ import annotations

from pathlib import Path

from portal_crawler.errors import UserError


def writable_data_dir(path: str) -> Path:
    data = Path(path)
    if data.exists() and not data.is_dir():
        raise UserError(f"{data} is not a directory")
    if data.is_dir() and any(data.iterdir()) and not (data / "warcs").is_dir() \
            and not (data / "index.sqlite").exists() and not (data / "state.sqlite").exists():
        raise UserError(f"{data} is not a portal-archive data directory (no warcs/ or index.sqlite)")
    data.mkdir(parents=True, exist_ok=True)
    return data


def existing_archive(path: str) -> Path:
    data = Path(path)
    if not data.is_dir():
        raise UserError(f"no archive at {data} (run `portal-archive crawl` or `portal-archive demo` first)")
    if not (data / "index.sqlite").exists():
        raise UserError(f"{data} is not a portal-archive data directory (no index.sqlite)")
    return data


def existing_archive_or_warcs(path: str) -> Path:
    data = Path(path)
    if not data.is_dir():
        raise UserError(f"no archive at {data}")
    if not (data / "warcs").is_dir() and not (data / "index.sqlite").exists():
        raise UserError(f"{data} is not a portal-archive data directory (no warcs/ or index.sqlite)")
    return data


def open_index(data: Path):
    from archive.index import Index
    return Index(data / "index.sqlite")
