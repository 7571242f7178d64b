"""One import: each conversation of a source written as a session file, once.

A conversation already imported (the same source and source id, found in the session index) is
skipped when nothing changed (its digest), and updated in place when the source went on: the
messages added here since stay (our message ids come from the source's, so they are found
again), so do a title the user gave and the conversation's settings. Each file is written
atomically (in batches: :class:`~requesty_tui.storage.atomic.AtomicBatch`) and indexed
from what was written, without reading it back.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from requesty_tui.core.domain import Attachment, Conversation, new_conversation_id
from requesty_tui.core.tree import ROOT
from requesty_tui.storage.atomic import AtomicBatch
from requesty_tui.storage.importers.model import Failure, Imported, to_conversation
from requesty_tui.storage.importers.sources import Source
from requesty_tui.storage.session_format import to_toml
from requesty_tui.storage.sessions import SessionError, SessionStore


@dataclass(slots=True)
class Report:
    """What an import did (or, in a dry run, would do)."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    messages: int = 0
    """Messages in the conversations added or updated."""
    failures: list[Failure] = field(default_factory=list)

    @property
    def done(self) -> int:
        return self.added + self.updated + self.unchanged


def _attacher() -> Callable[[str, bytes], Attachment | None]:
    from requesty_tui.storage.attachments import AttachmentError, AttachmentStore

    store = AttachmentStore()

    def attach(name: str, data: bytes) -> Attachment | None:
        try:
            return store.add_bytes(name, data)
        except AttachmentError:
            return None

    return attach


def merge(new: Conversation, old: Conversation) -> Conversation:
    """``new`` (the source as it is now) with what ``old`` (the file) has that the source does
    not: messages added here, a title the user gave, the settings; the file's id."""
    end = new.current()
    ids = {m.id for m in new.messages}
    old_tree = old.tree()
    local = [m for m in old.messages if m.id not in ids]
    local_ids = {m.id for m in local}
    for message in local:
        parent = old_tree.parent_id.get(message.id)
        message.parent = (
            parent if parent is not None and (parent in ids or parent in local_ids) else ROOT
        )
        new.messages.append(message)
    new.simplify_parents()
    on_screen = old.current()
    if on_screen is not None and on_screen.id in local_ids:
        end = on_screen
    if end is not None and len(new.messages) > 1:
        new.show(end)
    new.id = old.id
    if old.title_by == "user":
        new.title, new.title_by = old.title, "user"
    new.options, new.compare, new.extra = old.options, old.compare, old.extra
    new.title_usage, new.deleted_usage = old.title_usage, old.deleted_usage
    new.system = new.system or old.system
    new.updated = max(new.updated, old.updated)
    return new


def run_import(
    source: Source,
    store: SessionStore,
    *,
    default_model: str,
    dry_run: bool = False,
    progress: Callable[[Report], None] | None = None,
) -> Report:
    """Read every conversation of ``source`` and write what is new or changed. Raises
    :class:`~requesty_tui.storage.importers.model.Unreadable` when the source cannot be read
    at all (nothing is written then)."""
    report = Report()
    store.refresh_index()
    known = store.imported(source.kind)
    taken: set[str] = set()
    attach = None if dry_run else _attacher()
    batch = None if dry_run else AtomicBatch()
    written: dict[Path, Conversation] = {}
    """The batch's conversations, indexed once their files are in place."""

    def flush() -> None:
        if batch is not None:
            done = batch.flush()
            store.index_written((path, written.pop(path)) for path in done)

    try:
        for item in source:
            if isinstance(item, Failure):
                report.failures.append(item)
            else:
                try:
                    conv = _one(item, store, known, taken, attach, default_model, report)
                    if conv is not None and batch is not None:
                        path = store.path_for(conv.id)
                        batch.write(path, to_toml(conv))
                        written[path] = conv
                        if batch.full:
                            flush()
                except (OSError, SessionError) as exc:
                    where = f"{source.path}: {item.source_id!r}"
                    report.failures.append(Failure(where, str(exc)))
            if progress is not None:
                progress(report)
        flush()
    finally:
        if batch is not None:
            batch.discard()  # interrupted: what was not renamed into place goes
            store.commit_index()  # once; a file that landed but is not in it, a refresh finds
    return report


def _one(
    item: Imported,
    store: SessionStore,
    known: dict[str, tuple[str, str]],
    taken: set[str],
    attach: Callable[[str, bytes], Attachment | None] | None,
    default_model: str,
    report: Report,
) -> Conversation | None:
    """The conversation to write (None: it is there already, unchanged)."""
    before = known.get(item.source_id)
    digest = item.digest()
    if before is not None and before[1] == digest:
        report.unchanged += 1
        return None
    conv = to_conversation(item, default_model, attach)
    if before is not None:
        old: Conversation | None = None
        with contextlib.suppress(SessionError):
            old = store.load(before[0])
        if old is not None:
            conv = merge(conv, old)
            report.updated += 1
        else:
            before = None
    if before is None:
        while conv.id in taken or store.path_for(conv.id).exists():
            conv.id = new_conversation_id(conv.created)
        report.added += 1
    taken.add(conv.id)
    known[item.source_id] = (conv.id, digest)
    report.messages += len(conv.messages)
    return conv
