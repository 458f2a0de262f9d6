"""What commands show on the terminal: a command returns a Reply, `emit` writes it."""
from __future__ import annotations

import sys
from dataclasses import dataclass


@dataclass(frozen=True)
class Reply:
    """A command's result: text (or bytes, written as they are), its exit status, and a
    one-line notice for standard error (e.g. damage found while the command succeeded)."""
    output: str | bytes = ""
    code: int = 0
    notice: str = ""


def emit(output: str | bytes, stream=None) -> None:
    """The one place command output is written (standard output unless told)."""
    stream = stream or sys.stdout
    if isinstance(output, bytes):
        stream.buffer.write(output)
        stream.buffer.flush()
    elif output:
        print(output, file=stream, flush=True)


def terminal_snippet(snippet: str, tty: bool) -> str:
    """Search snippets mark matches with <mark>; a terminal shows them bold (or «» in a pipe)."""
    start, end = ("\033[1m", "\033[0m") if tty else ("«", "»")
    text = snippet.replace("<mark>", start).replace("</mark>", end)
    return " ".join(text.split())


def short_time(stamp: str | None) -> str:
    """An ISO time to the minute, as the reports show it: 2019-03-14 08:41."""
    return (stamp or "")[:16].replace("T", " ")


def is_terminal() -> bool:
    return sys.stdout.isatty()
