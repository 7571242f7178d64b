"""Sessions on disk: one TOML file per conversation, plus a rebuildable search index.

The files are the truth; the index (SQLite with FTS5, in the cache folder) only makes listing
and full-text search fast. It is refreshed from the folder on every listing by comparing each
file's size and mtime, so files added, edited or deleted behind the app's back are seen.
Unreadable files are listed with their reason and never written to.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from requesty_tui.core.domain import Conversation, new_conversation_id, utc_now
from requesty_tui.storage import paths
from requesty_tui.storage.atomic import write_atomic
from requesty_tui.storage.drafts import discard_draft

if TYPE_CHECKING:
    from requesty_tui.storage.session_index import SessionIndex, SessionSummary

MAX_SESSION_BYTES = 64 * 1024 * 1024
"""A bigger file is listed as unreadable rather than parsed."""

_SHA256 = re.compile(r'sha256 = "([0-9a-f]{64})"')


class SessionError(Exception):
    """A session cannot be read or written; the message names the file and the reason."""


@dataclass(frozen=True, slots=True)
class SaveResult:
    path: Path
    forked_from: str | None = None
    """Set when the file had changed on disk since it was loaded: we saved a copy instead."""


class SessionStore:
    """Save, load, list, search, rename, delete sessions in one folder."""

    def __init__(self, folder: Path | None = None, index_path: Path | None = None) -> None:
        self.folder = folder or paths.sessions_dir()
        self.index_path = index_path or paths.cache_dir() / "sessions-index.sqlite3"
        self._known: dict[str, tuple[tuple[int, int], int]] = {}
        """Per session: the file's (mtime, size) and the hash of its text when this store last
        read or wrote it (what a save may overwrite)."""

    # -- files ------------------------------------------------------------------------------

    @cached_property
    def _index(self) -> SessionIndex:
        from requesty_tui.storage.session_index import SessionIndex

        return SessionIndex(self.folder, self.index_path, self._read_for_index)

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
        from requesty_tui.storage import session_format  # the first read: not at start-up

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
            conv = session_format.from_toml(text)
        except session_format.SessionFormatError as exc:
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
        from requesty_tui.storage import session_format

        text = session_format.to_toml(conv)
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
        def retitle(conv: Conversation) -> None:
            conv.title = title
            conv.title_by = "user"  # never replaced by a model's title

        self.update(session_id, retitle)

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

    def _read_for_index(self, path: Path) -> Conversation | str:
        try:
            return self._read(path, remember=False)
        except SessionError as exc:
            return str(exc).removeprefix(f"{path}: ")

    # -- index --------------------------------------------------------------------------------

    def close(self) -> None:
        if "_index" in self.__dict__:  # never opened: nothing to close
            self._index.close()

    def refresh_index(self, batch: int = 500) -> int:
        """Bring the index up to date with the folder; return how many files were (re)read.

        Commits every ``batch`` files, so that another connection (the browser, while this
        runs in a thread) sees the index fill up.
        """
        return self._index.refresh(batch)

    def count(self) -> int:
        """Sessions in the index (without refreshing it)."""
        return self._index.count()

    def imported(self, source: str) -> dict[str, tuple[str, str]]:
        """The conversations imported from ``source`` (after :meth:`refresh_index`): source id
        → (session id, the digest of what was imported)."""
        return self._index.imported(source)

    def index_written(self, written: Iterable[tuple[Path, Conversation]]) -> None:
        """Index files this process has just written, from the conversations it wrote; nothing
        is committed until :meth:`commit_index` (an import updates the index once)."""
        stated = ((path, self._stat(path), conv) for path, conv in written)
        self._index.index_written((p, st, c) for p, st, c in stated if st is not None)

    def commit_index(self) -> None:
        self._index.commit()

    def summaries(self) -> list[SessionSummary]:
        """Every session, newest first; unreadable ones first of all, with their reason."""
        self.refresh_index()
        return self._index.listing()

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
        return self._index.search(query, limit)

    def snippet(self, session_id: str, query: str) -> str | None:
        """Where ``query``'s words are in one session (see :meth:`SessionIndex.snippet`)."""
        return self._index.snippet(session_id, query)


CANDIDATES = 10
"""Conversations an ambiguous ``--resume`` lists (newest first)."""
