"""Deferred commits (Store.defer_commits): the write transactions of one turn of a crawl's
event loop share one COMMIT, each stays atomic, and nothing is lost at close."""
import sqlite3

import pytest

from archive.index import Index


@pytest.fixture
def deferred(tmp_path):
    """An index whose commits wait for `run()` (standing in for the event loop's next turn),
    and a second connection to the same file, as another process reads it."""
    path = tmp_path / "index.sqlite"
    index = Index(path)
    index.conn.execute("CREATE TABLE rows (name TEXT)")
    scheduled = []
    index.defer_commits(scheduled.append)
    reader = sqlite3.connect(path)

    def seen() -> list[str]:
        return [name for (name,) in reader.execute("SELECT name FROM rows ORDER BY rowid")]

    def run() -> None:
        while scheduled:
            scheduled.pop(0)()

    yield index, scheduled, seen, run
    reader.close()
    index.close()


def write(index, name: str) -> None:
    with index.transaction() as conn:
        conn.execute("INSERT INTO rows (name) VALUES (?)", (name,))


def write_then_fail(index, name: str, nested: str | None = None) -> None:
    """A transaction that writes `name` (and, nested in it, `nested`), then fails."""
    with pytest.raises(ValueError):
        with index.transaction() as conn:
            conn.execute("INSERT INTO rows (name) VALUES (?)", (name,))
            if nested:
                write(index, nested)
            raise ValueError("a bug in the middle of a write")


def test_transactions_of_one_turn_share_one_commit(deferred):
    index, scheduled, seen, run = deferred
    write(index, "a")
    write(index, "b")
    assert len(scheduled) == 1, "one commit for both transactions"
    assert seen() == [], "not committed before the scheduled commit runs"
    run()
    assert seen() == ["a", "b"]
    write(index, "c")
    assert len(scheduled) == 1
    run()
    assert seen() == ["a", "b", "c"]


def test_a_failed_transaction_undoes_only_itself(deferred):
    index, scheduled, seen, run = deferred
    write(index, "kept")
    write_then_fail(index, "undone")
    write(index, "after")
    run()
    assert seen() == ["kept", "after"]


def test_a_failed_first_transaction_is_rolled_back_with_nothing_pending(deferred):
    index, scheduled, seen, run = deferred
    write_then_fail(index, "undone")
    assert scheduled == [] and not index.conn.in_transaction
    write(index, "next")
    run()
    assert seen() == ["next"]


def test_nested_transactions_join_the_outer_one(deferred):
    index, scheduled, seen, run = deferred
    write(index, "first")
    write_then_fail(index, "outer", nested="inner")  # the inner one joins: undone with it
    run()
    assert seen() == ["first"]


def test_close_commits_what_is_pending(tmp_path):
    path = tmp_path / "index.sqlite"
    index = Index(path)
    index.conn.execute("CREATE TABLE rows (name TEXT)")
    scheduled = []
    index.defer_commits(scheduled.append)
    write(index, "last")
    index.close()
    scheduled.pop()()  # the loop's turn comes after the close: nothing left to do, no error
    with sqlite3.connect(path) as reader:
        assert reader.execute("SELECT name FROM rows").fetchall() == [("last",)]


def test_a_commit_made_elsewhere_is_noticed(deferred):
    index, scheduled, seen, run = deferred
    write(index, "a")
    index.conn.execute("COMMIT")  # e.g. a library's `with conn:` block
    write(index, "b")
    run()
    assert seen() == ["a", "b"]


def test_without_deferral_each_transaction_commits_at_its_end(index):
    index.conn.execute("CREATE TABLE rows (name TEXT)")
    write(index, "a")
    assert not index.conn.in_transaction
