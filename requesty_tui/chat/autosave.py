"""Saving a conversation off the UI thread: one write at a time, the newest state wins.

Serialising and fsyncing a long conversation on the UI thread blocked typing (a 10 MB reply's
save took seconds). :meth:`Autosaver.request` takes a snapshot (copies of the messages, cheap:
the text is shared, and ``session_format`` caches each message's TOML by its id) and wakes a
thread; requests that arrive while a write is under way replace each other, so only the newest
is written. A failed write (full disk, read-only folder) is reported once and retried every
:data:`RETRY_EVERY` seconds until it works; the conversation stays in memory meanwhile.
:meth:`save_now` writes synchronously (a signal: the process is about to end).
"""

from __future__ import annotations

import contextlib
import dataclasses
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from requesty_tui.core.domain import Conversation
from requesty_tui.storage.sessions import SessionStore

RETRY_EVERY = 5.0
"""Seconds between attempts to save again after a save failed."""


@dataclass(frozen=True, slots=True)
class SaveReport:
    """What happened to a save, for the screen to say (called from the saver's thread)."""

    path: Path | None = None
    forked_from: str | None = None
    """The file had changed on disk since it was read: saved as a copy, under ``new_id``."""
    new_id: str | None = None
    error: OSError | None = None
    """The write failed (said once; it is retried)."""
    recovered: bool = False
    """Saved after failures."""

    def notices(self, folder: Path) -> list[tuple[str, Literal["error", "warning", "information"]]]:
        """What to tell the user, if anything: (text, severity)."""
        out: list[tuple[str, Literal["error", "warning", "information"]]] = []
        if self.error is not None:
            exc = self.error
            out.append(
                (
                    f"Saving failed ({exc.strerror or exc}) in {folder}. The conversation is kept "
                    f"in memory; retrying every {RETRY_EVERY:g} s. Free some space or fix the "
                    "folder's permissions.",
                    "error",
                )
            )
        elif self.recovered and self.path is not None:
            out.append((f"Saved again: {self.path}", "information"))
        if self.forked_from and self.path is not None:
            out.append(
                (
                    "This conversation was changed elsewhere (another window?). Your version is "
                    f"saved as a copy: {self.path.name}",
                    "warning",
                )
            )
        return out


def snapshot(conversation: Conversation) -> Conversation:
    """A copy that the UI thread's later changes do not reach (texts are shared: immutable)."""
    return dataclasses.replace(
        conversation,
        messages=[dataclasses.replace(m, extra=dict(m.extra)) for m in conversation.messages],
        options=dataclasses.replace(conversation.options, tags=list(conversation.options.tags)),
        extra=dict(conversation.extra),
        labels=list(conversation.labels),
    )


class Autosaver:
    """Keeps one conversation's file up to date."""

    def __init__(
        self,
        store: SessionStore,
        report: Callable[[SaveReport], None],
        *,
        keep_empty_file: bool = False,
    ) -> None:
        self._store = store
        self._report = report
        self.keep_empty_file = keep_empty_file
        """An empty conversation keeps its file (it was resumed from one), else has none."""
        self._write_lock = threading.Lock()
        self._wake = threading.Condition()
        self._pending: Conversation | None = None
        self._failing = False
        self._closed = False
        self._dropped = False
        self._renamed: dict[str, str] = {}
        self._idle = threading.Event()
        self._idle.set()
        self._thread = threading.Thread(target=self._run, name="autosave", daemon=True)
        self._thread.start()

    @property
    def idle(self) -> bool:
        """Nothing waits to be written (tests wait for it before reading the file)."""
        return self._idle.is_set() and not self._failing

    def request(self, conversation: Conversation) -> None:
        """Save soon, in the saver's thread."""
        copy = snapshot(conversation)
        with self._wake:
            self._pending = copy
            self._idle.clear()
            self._wake.notify()

    def save_now(self, conversation: Conversation) -> SaveReport:
        """Write now, in this thread, after any write under way (and instead of any waiting)."""
        copy = snapshot(conversation)
        with self._wake:
            self._pending = None
        return self._write(copy)

    def close(self) -> None:
        """Stop the thread once what waits is written (the app is quitting)."""
        with self._wake:
            self._closed = True
            self._wake.notify()
        self._thread.join(timeout=30)

    def abandon(self) -> None:
        """Stop without writing what waits (the conversation was deleted): a write under way
        ends first, nothing is written after this returns."""
        with self._wake:
            self._dropped = self._closed = True
            self._pending = None
            self._wake.notify()
        self._thread.join(timeout=30)

    def _run(self) -> None:
        while True:
            with self._wake:
                while self._pending is None and not self._closed:
                    self._wake.wait()
                job, self._pending = self._pending, None
                closed = self._closed
                if self._dropped:
                    job = None
            if job is not None:
                report = self._write(job)
                if report.error is not None:
                    with self._wake:
                        if self._pending is None and not self._dropped:
                            self._pending = job  # retried unless something newer came
                        if not self._closed:
                            self._wake.wait(RETRY_EVERY)
                    continue
            elif closed:
                self._idle.set()
                return
            with self._wake:
                if self._pending is None:
                    self._idle.set()

    def _write(self, conversation: Conversation) -> SaveReport:
        with self._write_lock:
            old = conversation.id
            conversation.id = self._renamed.get(old, old)
            try:
                if conversation.messages or self.keep_empty_file:
                    result = self._store.save(conversation)
                else:
                    # A failed first send took the only message out: no file for an empty chat.
                    with contextlib.suppress(OSError):
                        self._store.discard(conversation)
                    self._failing = False
                    return SaveReport()
            except OSError as exc:
                first = not self._failing
                self._failing = True
                if first:
                    self._report(SaveReport(error=exc))
                return SaveReport(error=exc)
            recovered, self._failing = self._failing, False
            report = SaveReport(result.path, recovered=recovered)
            if result.forked_from:
                self._renamed[old] = conversation.id
                report = dataclasses.replace(
                    report, forked_from=result.forked_from, new_id=conversation.id
                )
            if recovered or result.forked_from:
                self._report(report)
            return report
