"""Files a command writes on request (-o): never inside an archive, never over its input,
never over an existing file unless forced."""
from __future__ import annotations

from pathlib import Path

from portal_crawler.errors import UserError


ARCHIVE_FILES = ("index.sqlite", "state.sqlite", "proxy-credentials")  # with -wal, -shm, .rebuilding
ARCHIVE_DIRS = ("warcs", "locks", "templates")


def archive_part(target: Path) -> Path | None:
    """The data directory whose own files `target` would replace (a WARC, the index, the
    state, a lock...), or None. A data directory is one holding index.sqlite or warcs/."""
    for parent in target.parents:
        if (parent / "index.sqlite").exists() or (parent / "warcs").is_dir():
            inside = target.relative_to(parent).parts
            if inside[0] in ARCHIVE_DIRS or (len(inside) == 1 and inside[0].startswith(ARCHIVE_FILES)):
                return parent
    return None


def check_output_file(out: Path, force: bool, data: Path | None = None, inputs=(),
                      whole_data_dir: bool = False) -> None:
    """Refuse to write over an archive's own files (its WARCs and index; with whole_data_dir,
    anywhere in `data`), onto an input of the command, and over an existing file unless forced."""
    target = out.resolve()
    archive = data.resolve() if data is not None else None
    if whole_data_dir and archive is not None and (target == archive or archive in target.parents):
        raise UserError(f"refusing to write {out}: it is inside the data directory {data}")
    found = archive_part(target)
    if found is not None:
        raise UserError(f"refusing to write {out}: it is one of the archive's own files in {found}")
    if any(target == Path(source).resolve() for source in inputs):
        raise UserError(f"refusing to write {out}: it is the file being read")
    if out.is_dir():
        raise UserError(f"{out} is a directory")
    if not out.parent.is_dir():
        raise UserError(f"cannot write {out}: {out.parent} is not a directory")
    if out.exists() and not force:
        raise UserError(f"{out} exists: give --force to overwrite it")


def write_output_file(out: Path, payload: bytes, force: bool) -> None:
    try:
        # "x": a file that appeared since the check is not overwritten either
        with open(out, "wb" if force else "xb") as handle:
            handle.write(payload)
    except FileExistsError:
        raise UserError(f"{out} exists: give --force to overwrite it") from None
    except OSError as exc:
        raise UserError(f"cannot write {out}: {exc.strerror or exc}") from None
