"""Sessions on disk: one TOML file per conversation, plus a rebuildable search index.

The files are the truth; the index (SQLite with FTS5, in the cache folder) only makes listing
and full-text search fast. It is refreshed from the folder on every listing by comparing each
file's size and mtime, so files added, edited or deleted behind the app's back are seen.
Unreadable files are listed with their reason and never written to.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import re
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from requesty_tui.core.domain import Conversation, new_conversation_id, utc_now
from requesty_tui.core.safe_text import make_safe
from requesty_tui.storage import paths, session_filter
from requesty_tui.storage.atomic import write_atomic
from requesty_tui.storage.drafts import discard_draft
from requesty_tui.storage.session_format import SessionFormatError, from_toml, to_toml

MAX_SESSION_BYTES = 64 * 1024 * 1024
"""A bigger file is listed as unreadable rather than parsed."""

MATCH_START, MATCH_END = "\x02", "\x03"
"""Around the matched words in a search snippet (the browser highlights them)."""


_SHA256 = re.compile(r'sha256 = "([0-9a-f]{64})"')


class SessionError(Exception):
    """A session cannot be read or written; the message names the file and the reason."""


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
    snippet: str | None = None
    """For a search: the text around the first hit, the hit between ``MATCH_START`` and
    ``MATCH_END`` (made safe: no control characters besides those two)."""
    # -- the browser's order and filters (issue 28) --
    pinned: bool = False
    labels: tuple[str, ...] = ()
    """The browser's tags."""

    @property
    def readable(self) -> bool:
        return self.error is None


@dataclass(frozen=True, slots=True)
class SaveResult:
    path: Path
    forked_from: str | None = None
    """Set when the file had changed on disk since it was loaded: we saved a copy instead."""


_INDEX_VERSION = 4
"""3: a comparison is listed under the models it compares. 4: pinned, labels (the browser's
tags, with the request tags: one tab-separated text) and source (where an imported
conversation came from), for the browser's order and filter words."""
_SCHEMA = """
CREATE TABLE IF NOT EXISTS files (
    rowid INTEGER PRIMARY KEY, name TEXT UNIQUE, mtime_ns INTEGER, size INTEGER, id TEXT,
    title TEXT, model TEXT, updated TEXT, count INTEGER, cost REAL, error TEXT,
    pinned INTEGER DEFAULT 0, labels TEXT, source TEXT);
CREATE INDEX IF NOT EXISTS files_updated ON files (updated);
CREATE VIRTUAL TABLE IF NOT EXISTS texts USING fts5(body);
"""
_INSERT_FILE = (
    "INSERT INTO files (name, mtime_ns, size, id, title, model, updated, count, cost, error,"
    " pinned, labels, source) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)"
)
"""``texts.rowid`` is ``files.rowid``: rows are found and deleted by rowid (an FTS5 table has
no fast lookup by any other column)."""


class SessionStore:
    """Save, load, list, search, rename, delete sessions in one folder."""

    def __init__(self, folder: Path | None = None, index_path: Path | None = None) -> None:
        self.folder = folder or paths.sessions_dir()
        self.index_path = index_path or paths.cache_dir() / "sessions-index.sqlite3"
        self._known: dict[str, tuple[tuple[int, int], int]] = {}
        """Per session: the file's (mtime, size) and the hash of its text when this store last
        read or wrote it (what a save may overwrite)."""
        self._db: sqlite3.Connection | None = None

    # -- files ------------------------------------------------------------------------------

    def path_for(self, session_id: str) -> Path:
        if not session_id or "/" in session_id or session_id.startswith("."):
            raise SessionError(f"not a session id: {session_id!r}")
        return self.folder / f"{session_id}.toml"

    def _stat(self, path: Path) -> tuple[int, int] | None:
        try:
            st = path.stat()
        except FileNotFoundError:
            return None
        return st.st_mtime_ns, st.st_size

    def load(self, session_id: str) -> Conversation:
        path = self.path_for(session_id)
        conv = self._read(path)
        return conv

    def _read(self, path: Path, remember: bool = True) -> Conversation:
        try:
            stat = self._stat(path)
            if stat is None:
                raise SessionError(f"no such session: {path.stem}")
            if stat[1] > MAX_SESSION_BYTES:
                raise SessionError(f"{path}: too large to open ({stat[1]:,} bytes)")
            raw = path.read_bytes()
        except OSError as exc:
            raise SessionError(f"{path}: cannot read ({exc.strerror or exc})") from None
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise SessionError(f"{path}: not UTF-8 text (byte {exc.start})") from None
        try:
            conv = from_toml(text)
        except SessionFormatError as exc:
            raise SessionError(f"{path}: {exc}") from None
        if conv.id != path.stem:
            conv.id = path.stem  # the file name wins: it is what the user sees and types
        if remember:  # what we last saw is what a save may overwrite
            self._known[conv.id] = (stat, hash(text))
        return conv

    def _unchanged(self, session_id: str, path: Path) -> bool:
        """The file holds what this store last read or wrote. A new mtime alone is no change
        (``touch``, sync tools, backups): then the bytes are compared, which costs a read only
        when the mtime moved and the size did not. The text's own ``hash`` is what is kept:
        4 ms for 10 MB of text, where BLAKE2b over its UTF-8 bytes took 20 ms, encoding
        included (measured on the 2-core test machine)."""
        known = self._known.get(session_id)
        stat = self._stat(path)
        if known is None or stat is None:
            return False
        if known[0] == stat:
            return True
        if known[0][1] != stat[1]:
            return False
        try:
            same = hash(path.read_bytes().decode("utf-8")) == known[1]
        except (OSError, UnicodeDecodeError):
            return False
        if same:
            self._known[session_id] = (stat, known[1])
        return same

    def save(self, conv: Conversation) -> SaveResult:
        """Write atomically. A file changed by someone else since we read it is not clobbered:
        the conversation is saved under a new id and ``forked_from`` says so."""
        paths.ensure_private_dir(self.folder)
        path = self.path_for(conv.id)
        forked_from = None
        if self._stat(path) is not None and not self._unchanged(conv.id, path):
            forked_from = conv.id
            conv.id = new_conversation_id()
            path = self.path_for(conv.id)
        conv.updated = utc_now()
        text = to_toml(conv)
        write_atomic(path, text)
        stat = self._stat(path)
        if stat is not None:
            self._known[conv.id] = (stat, hash(text))
        return SaveResult(path, forked_from)

    def discard(self, conv: Conversation) -> None:
        """A conversation that lost its only message (a failed first send): remove the file
        this store wrote for it, never one someone else changed since."""
        path = self.path_for(conv.id)
        if self._unchanged(conv.id, path):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
        self._known.pop(conv.id, None)

    def rename(self, session_id: str, title: str) -> None:
        conv = self.load(session_id)
        conv.title = title
        conv.title_by = "user"  # never replaced by a model's title
        self.save(conv)

    def update(self, session_id: str, change: Callable[[Conversation], None]) -> None:
        """Change a conversation's file (pin, tags): read, change, save."""
        conv = self.load(session_id)
        change(conv)
        self.save(conv)

    def delete(self, session_id: str, keep: Iterable[str] = ()) -> None:
        """Delete the file and its draft, then the attached copies nothing refers to any more
        (``keep``: the SHA-256 of copies a screen still holds: an unsent file, a message not
        saved yet)."""
        path = self.path_for(session_id)
        try:
            path.unlink()
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise SessionError(f"{path}: cannot delete ({exc.strerror or exc})") from None
        self._known.pop(session_id, None)
        with contextlib.suppress(OSError):
            discard_draft(session_id)
        with contextlib.suppress(OSError):
            self.collect_attachments(keep)

    def collect_attachments(self, keep: Iterable[str] = ()) -> int:
        """Delete attached files no conversation refers to any more (after a delete). Every
        file is read: a hash in a session file, even an unreadable one, keeps its copy, and so
        does one in ``keep``."""
        from requesty_tui.storage.attachments import AttachmentStore

        store = AttachmentStore()
        if not store.folder.is_dir():
            return 0
        referenced = set(keep)
        for path in self.folder.glob("*.toml"):
            with contextlib.suppress(OSError):
                text = path.read_text(encoding="utf-8", errors="replace")
                referenced.update(_SHA256.findall(text))
        return store.collect(referenced)

    # -- index --------------------------------------------------------------------------------

    def _index(self) -> sqlite3.Connection:
        if self._db is None:
            paths.ensure_private_dir(self.index_path.parent)
            try:
                self._db = self._open_index()
            except sqlite3.DatabaseError:
                # A damaged index is only a cache: start it again.
                with contextlib.suppress(OSError):
                    self.index_path.unlink()
                self._db = self._open_index()
        return self._db

    def _open_index(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.index_path, timeout=30)
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

    def refresh_index(self, batch: int = 500) -> int:
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
        try:
            conv = self._read(path, remember=False)
        except SessionError as exc:
            reason = str(exc).removeprefix(f"{path}: ")
            db.execute(
                _INSERT_FILE,
                (name, *stat, path.stem, "", "", "", 0, None, reason, 0, "", ""),
            )
            return
        total = conv.total_cost()
        db.execute(
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
                *_browser_columns(conv),
            ),
        )
        body = "\n".join([conv.title, *(m.content for m in conv.messages)])
        rowid = db.execute("SELECT rowid FROM files WHERE name = ?", (name,)).fetchone()[0]
        db.execute("INSERT INTO texts (rowid, body) VALUES (?, ?)", (rowid, body))

    def _summaries(
        self, where: str = "", args: tuple[object, ...] = (), limit: int = -1
    ) -> list[SessionSummary]:
        rows = self._index().execute(
            "SELECT name, id, title, model, updated, count, cost, error, pinned, labels FROM files "
            f"{where} ORDER BY (error IS NULL), pinned DESC, updated DESC, name DESC LIMIT ?",
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
                pinned=bool(pin),
                labels=_labels(labels),
            )
            for n, i, t, m, u, c, cost, e, pin, labels in rows
        ]

    def _snippets(self, match: str, ids: list[str]) -> dict[str, str]:
        """The text around the first hit in each of these sessions (FTS5 ``snippet``)."""
        if not ids:
            return {}
        marks = ", ".join("?" for _ in ids)
        rows = self._index().execute(
            "SELECT files.id, snippet(texts, 0, ?, ?, '…', 14) FROM texts "
            "JOIN files ON files.rowid = texts.rowid "
            f"WHERE texts MATCH ? AND files.id IN ({marks})",
            (MATCH_START, MATCH_END, match, *ids),
        )
        return {i: _safe_snippet(text) for i, text in rows if text}

    def summaries(self) -> list[SessionSummary]:
        """Every session, newest first; unreadable ones first of all, with their reason."""
        self.refresh_index()
        return self._summaries()

    def latest(self) -> SessionSummary | None:
        return next((s for s in self.summaries() if s.readable), None)

    def find(self, ref: str) -> str:
        """The id of the one session ``ref`` names: its id, ``latest``, the start of an id,
        or a title (whole, any case; else the start of one). Raises :class:`SessionError`
        saying why not, and listing the candidates when several fit."""
        if ref == "latest":
            latest = self.latest()
            if latest is None:
                raise SessionError("there are no saved conversations yet")
            return latest.id
        with contextlib.suppress(SessionError):
            if self.path_for(ref).is_file():
                return ref
        rows = [row for row in self.summaries() if row.readable]
        wanted = " ".join(ref.split()).casefold()
        for fits in (
            lambda row: row.id.startswith(ref),
            lambda row: " ".join(row.title.split()).casefold() == wanted,
            lambda row: " ".join(row.title.split()).casefold().startswith(wanted),
        ):
            found = [row for row in rows if wanted and fits(row)]
            if len(found) == 1:
                return found[0].id
            if found:
                listed = "\n".join(f"  {row.id}  {row.title}" for row in found[:CANDIDATES])
                more = len(found) - CANDIDATES
                listed += f"\n  … and {more} more" if more > 0 else ""
                raise SessionError(
                    f"{ref!r} fits {len(found)} conversations; give more of the id:\n{listed}"
                )
        raise SessionError(f"no such session: {ref}")

    def search(self, query: str, refresh: bool = True, limit: int = -1) -> list[SessionSummary]:
        """Sessions whose title or messages contain every word of ``query`` (as prefixes)."""
        if refresh:
            self.refresh_index()
        wanted = session_filter.parse(query)
        words = wanted.words
        where, args = session_filter.conditions(wanted)
        match = " AND ".join('"' + w.replace('"', '""') + '"*' for w in words)
        if words:
            where.insert(0, "rowid IN (SELECT rowid FROM texts WHERE texts MATCH ?)")
            args.insert(0, match)
        found = self._summaries(f"WHERE {' AND '.join(where)}" if where else "", tuple(args), limit)
        if not words:
            return found
        snippets = self._snippets(match, [s.id for s in found[:SNIPPETS]])
        return [
            dataclasses.replace(s, snippet=snippets[s.id]) if s.id in snippets else s for s in found
        ]


def _browser_columns(conv: Conversation) -> tuple[int, str, str]:
    """pinned, labels (the browser's tags and the request tags), source (an import's origin)."""
    labels = "\t".join(conv.labels) + "\n" + "\t".join(conv.options.tags)  # tag: sees both
    source = conv.extra.get("source")
    return int(conv.pinned), labels, source if isinstance(source, str) else ""


def _labels(text: str | None) -> tuple[str, ...]:
    """The browser's tags (before the newline: the request tags follow it)."""
    return tuple(make_safe(t) for t in (text or "").partition("\n")[0].split("\t") if t)


CANDIDATES = 10
"""Conversations an ambiguous ``--resume`` lists (newest first)."""

SNIPPETS = 200
"""Search hits that get a snippet (the browser shows the highlighted row's)."""


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
