"""The sessions' index: SQLite with FTS5, in the cache folder, so that listing and full-text
search stay fast with thousands of files.

It is only a cache of the folder: refreshed by comparing each file's size and mtime, started
again when damaged or of an older version. :class:`~requesty_tui.storage.sessions.SessionStore`
owns one and gives it the files to read.
"""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from requesty_tui.core.domain import Conversation
from requesty_tui.core.safe_text import make_safe
from requesty_tui.storage import paths, session_filter

MATCH_START, MATCH_END = "\x02", "\x03"
"""Around the matched words in a search snippet (the browser highlights them)."""


@dataclass(frozen=True, slots=True)
class SessionSummary:
    """What the browser and ``requesty-tui sessions`` show, without parsing the file."""

    id: str
    path: Path
    title: str
    model: str
    updated: str
    """ISO date-time (UTC)."""
    message_count: int
    cost: float | None
    error: str | None = None
    """Why the file is unreadable; None for a good file."""
    source: str = ""
    """Where an imported conversation came from (``chatgpt``, …); empty: made here."""
    pinned: bool = False
    """Listed on top of the browser."""
    labels: tuple[str, ...] = ()
    """The browser's tags."""

    @property
    def readable(self) -> bool:
        return self.error is None


_INDEX_VERSION = 6
"""3: a comparison is listed under the models it compares; 4: an import's source; 5: pinned
and labels (the browser's tags, then the request tags: one text), for the browser's order and
filter words; 6: the text index keeps which sessions hold a word, not where (``detail=none``):
a search for a prefix that is several words ("borrow" and "borrowing") merged the places of
each in every session, 44 ms among 10,000 conversations of which 500 are 8 MB
(``benchmarks/sessions_browser.py --large 500``). Snippets are found again in the one text."""
_SCHEMA = """
CREATE TABLE IF NOT EXISTS files (
    rowid INTEGER PRIMARY KEY, name TEXT UNIQUE, mtime_ns INTEGER, size INTEGER, id TEXT,
    title TEXT, model TEXT, updated TEXT, count INTEGER, cost REAL, error TEXT,
    source TEXT, source_id TEXT, source_digest TEXT, pinned INTEGER DEFAULT 0, labels TEXT);
CREATE INDEX IF NOT EXISTS files_updated ON files (updated);
CREATE INDEX IF NOT EXISTS files_source ON files (source, source_id);
CREATE VIRTUAL TABLE IF NOT EXISTS texts USING fts5(body, detail=none);
"""
_INSERT_FILE = (
    "INSERT INTO files (name, mtime_ns, size, id, title, model, updated, count, cost, error,"
    " source, source_id, source_digest, pinned, labels) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
)
"""``texts.rowid`` is ``files.rowid``: rows are found and deleted by rowid (an FTS5 table has
no fast lookup by any other column)."""


Reader = Callable[[Path], Conversation | str]
"""Reads a session file for the index: the conversation, or why it cannot be read."""


class SessionIndex:
    """The index of one folder of sessions, in one SQLite file (opened on first use)."""

    def __init__(self, folder: Path, path: Path, read: Reader) -> None:
        self.folder = folder
        self.path = path
        self._read = read
        self._db: sqlite3.Connection | None = None

    def _index(self) -> sqlite3.Connection:
        if self._db is None:
            paths.ensure_private_dir(self.path.parent)
            try:
                self._db = self._open_index()
            except sqlite3.DatabaseError:
                # A damaged index is only a cache: start it again.
                with contextlib.suppress(OSError):
                    self.path.unlink()
                self._db = self._open_index()
        return self._db

    def _open_index(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30)
        db.execute("PRAGMA journal_mode=WAL")  # readers do not wait for a refreshing writer
        if db.execute("PRAGMA user_version").fetchone()[0] != _INDEX_VERSION:
            db.executescript("DROP TABLE IF EXISTS files; DROP TABLE IF EXISTS texts;")
            db.execute(f"PRAGMA user_version = {_INDEX_VERSION}")
        db.executescript(_SCHEMA)
        return db

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    def refresh(self, batch: int = 500) -> int:
        """Bring the index up to date with the folder; return how many files were (re)read.

        Commits every ``batch`` files, so that another connection (the browser, while this
        runs in a thread) sees the index fill up.
        """
        db = self._index()
        on_disk: dict[str, tuple[int, int]] = {}
        with contextlib.suppress(FileNotFoundError), os.scandir(self.folder) as entries:
            for entry in entries:
                if entry.name.endswith(".toml") and not entry.name.startswith("."):
                    with contextlib.suppress(OSError):
                        st = entry.stat()
                        on_disk[entry.name] = (st.st_mtime_ns, st.st_size)
        indexed = {
            name: (m, s) for name, m, s in db.execute("SELECT name, mtime_ns, size FROM files")
        }
        gone = [name for name in indexed if name not in on_disk]
        changed = [name for name, stat in on_disk.items() if indexed.get(name) != stat]
        with db:
            for name in gone:
                self._unindex(db, name)
        for start in range(0, len(changed), batch):
            with db:
                for name in changed[start : start + batch]:
                    if name in indexed:
                        self._unindex(db, name)
                    self._index_file(db, name, on_disk[name])
        return len(changed)

    @staticmethod
    def _unindex(db: sqlite3.Connection, name: str) -> None:
        row = db.execute("SELECT rowid FROM files WHERE name = ?", (name,)).fetchone()
        if row is not None:
            db.execute("DELETE FROM texts WHERE rowid = ?", (row[0],))
            db.execute("DELETE FROM files WHERE rowid = ?", (row[0],))

    def count(self) -> int:
        """Sessions in the index (without refreshing it)."""
        row = self._index().execute("SELECT count(*) FROM files").fetchone()
        return int(row[0]) if row else 0

    def _index_file(self, db: sqlite3.Connection, name: str, stat: tuple[int, int]) -> None:
        path = self.folder / name
        conv = self._read(path)
        if isinstance(conv, str):
            db.execute(
                _INSERT_FILE,
                (name, *stat, path.stem, "", "", "", 0, None, conv, None, None, None, 0, ""),
            )
            return
        self._index_conversation(db, name, stat, conv)

    def index_written(self, written: Iterable[tuple[Path, tuple[int, int], Conversation]]) -> None:
        """Index files this process has just written, from the conversations it wrote (an
        import of thousands need not read them back: that was half of the import's time).
        Nothing is committed until :meth:`commit`: an import updates the index once."""
        db = self._index()
        for path, stat, conv in written:
            self._unindex(db, path.name)
            self._index_conversation(db, path.name, stat, conv)

    def commit(self) -> None:
        if self._db is not None:
            self._db.commit()

    def imported(self, source: str) -> dict[str, tuple[str, str]]:
        """The conversations imported from ``source``: source id → (session id, the digest of
        what was imported)."""
        rows = self._index().execute(
            "SELECT source_id, id, source_digest FROM files WHERE source = ? AND error IS NULL",
            (source,),
        )
        return {sid: (i, d or "") for sid, i, d in rows if sid}

    def _index_conversation(
        self, db: sqlite3.Connection, name: str, stat: tuple[int, int], conv: Conversation
    ) -> None:
        total = conv.total_cost()
        rowid = db.execute(
            _INSERT_FILE,
            (
                name,
                *stat,
                conv.id,
                conv.title,
                ", ".join(conv.compare) or conv.model,
                conv.updated.isoformat(),
                len(conv.messages),
                total[0] if total else None,
                None,
                conv.source or None,
                conv.source_id or None,
                conv.source_digest or None,
                int(conv.pinned),
                _labels_column(conv),
            ),
        ).lastrowid
        body = "\n".join([conv.title, *(m.content for m in conv.messages)])
        db.execute("INSERT INTO texts (rowid, body) VALUES (?, ?)", (rowid, body))

    def listing(
        self, where: str = "", args: tuple[object, ...] = (), limit: int = -1
    ) -> list[SessionSummary]:
        """The indexed sessions (``where`` them), pinned then newest first; unreadable ones
        first of all."""
        rows = self._index().execute(
            "SELECT name, id, title, model, updated, count, cost, error, source, pinned, labels"
            f" FROM files {where}"
            " ORDER BY (error IS NULL), pinned DESC, updated DESC, name DESC LIMIT ?",
            (*args, limit),
        )
        return [
            SessionSummary(
                id=i,
                path=self.folder / n,
                title=make_safe(t or ""),
                model=make_safe(m or ""),
                updated=u or "",
                message_count=c or 0,
                cost=cost,
                error=make_safe(e) if e else e,
                source=make_safe(src or ""),
                pinned=bool(pin),
                labels=_labels(labels),
            )
            for n, i, t, m, u, c, cost, e, src, pin, labels in rows
        ]

    def snippet(self, session_id: str, query: str) -> str | None:
        """The text around the first hit of ``query``'s words in one session (FTS5
        ``snippet``), the hit between ``MATCH_START`` and ``MATCH_END``, made safe (no control
        characters besides those two); None without words or a hit. One session's at a time,
        the row the browser highlights: a snippet tokenizes its whole text again, and the 200
        a search used to make took 0.2-8.8 s among 10,000 conversations
        (``benchmarks/sessions_browser.py --large 500``)."""
        match = _match(session_filter.parse(query).words)
        if not match:
            return None
        row = (
            self._index()
            .execute(
                "SELECT snippet(texts, 0, ?, ?, '…', 14) FROM texts WHERE texts MATCH ?"
                " AND rowid = (SELECT rowid FROM files WHERE id = ?)",
                (MATCH_START, MATCH_END, match, session_id),
            )
            .fetchone()
        )
        return _safe_snippet(row[0]) if row and row[0] else None

    def search(self, query: str, limit: int = -1) -> list[SessionSummary]:
        """Sessions whose title or messages contain every word of ``query`` (as prefixes) and
        that match its filter words (:mod:`~requesty_tui.storage.session_filter`)."""
        wanted = session_filter.parse(query)
        where, args = session_filter.conditions(wanted)
        if not wanted.words:
            return self.listing(f"WHERE {' AND '.join(where)}" if where else "", tuple(args), limit)
        match = _match(wanted.words)
        if match is None:
            return []
        where.append("rowid IN (SELECT rowid FROM texts WHERE texts MATCH ?)")
        return self.listing(f"WHERE {' AND '.join(where)}", (*args, match), limit)


_TOKEN = re.compile(r"[^\W_]+")
"""What FTS5's unicode61 tokenizer keeps of a word: its runs of letters and digits."""


def _match(words: Iterable[str]) -> str | None:
    """An FTS5 query for sessions holding every word (as a prefix); a word of several tokens
    ("gpt-4o") holds each of them (the index knows no places, so no phrases). None: a word
    of punctuation alone, which no session holds."""
    parts: list[str] = []
    for word in words:
        tokens = _TOKEN.findall(word)
        if not tokens:
            return None
        parts.extend(f'"{token}"*' for token in tokens)
    return " AND ".join(parts) or None


def _labels_column(conv: Conversation) -> str:
    """The browser's tags, a newline, the request tags (``tag:`` sees both), tab-separated."""
    return "\t".join(conv.labels) + "\n" + "\t".join(conv.options.tags)


def _labels(text: str | None) -> tuple[str, ...]:
    """The browser's tags (before the newline: the request tags follow it)."""
    return tuple(make_safe(t) for t in (text or "").partition("\n")[0].split("\t") if t)


def _safe_snippet(text: str) -> str:
    """One line, control characters made visible, the two match marks kept."""
    line = " ".join(text.split())
    return MATCH_START.join(
        MATCH_END.join(make_safe(part) for part in piece.split(MATCH_END))
        for piece in line.split(MATCH_START)
    )


def format_updated(iso: str) -> str:
    """``2026-11-26 18:41`` in local time, from the index's ISO string."""
    try:
        return datetime.fromisoformat(iso).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return iso
