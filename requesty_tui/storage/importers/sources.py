"""A source to import from: what it is, how many conversations it holds (when that is known
before the end), how far the reading is, and its conversations one by one."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from requesty_tui.storage.importers.model import Failure, Imported, Unreadable

Item = Imported | Failure


class Source:
    """Subclasses set ``kind`` and implement :meth:`items`."""

    kind = ""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.total: int | None = None
        """Conversations in the source, when known before reading them (a database, a
        folder); None for a JSON export (see :meth:`fraction`)."""

    def fraction(self) -> float | None:
        """How far the reading is (0-1) when the count is not known."""
        return None

    def items(self) -> Iterator[Item]:
        raise NotImplementedError

    def __iter__(self) -> Iterator[Item]:
        return self.items()


def convert_each(
    rows: Iterator[Any], convert: Callable[[Any], Imported], where: Callable[[Any], str]
) -> Iterator[Item]:
    """Each row converted; one that fails is a :class:`Failure` naming it, the rest go on."""
    for row in rows:
        if isinstance(row, Failure):
            yield row
            continue
        try:
            yield convert(row)
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            yield Failure(where(row), str(exc) or type(exc).__name__)


def open_database(path: Path, what: str) -> sqlite3.Connection:
    """Read-only (the tool may be running: nothing of its file changes), with the reason a
    user can act on when it cannot be read."""
    uri = f"{path.resolve().as_uri()}?mode=ro"
    locked = f"the {what} database is locked (close {what} and try again)"
    with _said(path, locked, f"cannot open the {what} database", "not a SQLite database"):
        db = sqlite3.connect(uri, uri=True, timeout=2)
        db.row_factory = sqlite3.Row
        db.execute("SELECT count(*) FROM sqlite_master").fetchone()
    return db


@contextlib.contextmanager
def _said(path: Path, locked: str, failed: str, damaged: str) -> Iterator[None]:
    """SQLite's errors as an :class:`Unreadable` the user can act on: a lock (the tool is
    open), another operational failure, a damaged or foreign file."""
    try:
        yield
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc):
            raise Unreadable(f"{path}: {locked}") from None
        raise Unreadable(f"{path}: {failed} ({exc})") from None
    except sqlite3.DatabaseError as exc:
        raise Unreadable(f"{path}: {damaged} ({exc})") from None


def columns(db: sqlite3.Connection, table: str) -> set[str]:
    with contextlib.suppress(sqlite3.Error):
        return {row[1] for row in db.execute(f"PRAGMA table_info('{table}')")}
    return set()


def require(db: sqlite3.Connection, path: Path, what: str, tables: dict[str, set[str]]) -> None:
    """Each table with these columns, or the file is refused as a schema this version does not
    know (a newer release of the tool, or another program's database)."""
    for table, needed in tables.items():
        have = columns(db, table)
        if not have:
            raise Unreadable(
                f"{path}: no '{table}' table: not an {what} database this version knows"
            )
        missing = sorted(needed - have)
        if missing:
            raise Unreadable(
                f"{path}: the '{table}' table has no {', '.join(missing)}: a newer {what} "
                "schema than this version knows"
            )


def is_sqlite(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(16) == b"SQLite format 3\x00"
    except OSError:
        return False


def query(
    db: sqlite3.Connection, path: Path, sql: str, args: tuple[Any, ...] = ()
) -> list[dict[str, Any]]:
    """The rows as dicts (only the columns this version of the database has)."""
    locked = "the database is locked (close the tool and try again)"
    with _said(path, locked, "cannot read", "a damaged database"):
        return [dict(row) for row in db.execute(sql, args)]


def text_of(value: Any) -> str:
    """A field that should be text: itself, or "" for anything else (a source's JSON or row)."""
    return value if isinstance(value, str) else ""
