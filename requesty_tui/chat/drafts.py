"""Whose draft the input box holds, and keeping it on disk under that conversation.

A saved conversation's draft is its own (``drafts/<id>.txt``); a new chat with no message yet
has the new chat's draft (``draft.txt``). When a chat changes key (its first message was sent,
a failed first send emptied it again, a save forked it) the draft moves with it.
"""

from __future__ import annotations

import contextlib

from requesty_tui.chat.queue import SendQueue, draft_text
from requesty_tui.core.domain import Conversation
from requesty_tui.storage.drafts import discard_draft, load_draft, save_draft


class DraftKeeper:
    """One chat's draft. ``from_file``: the chat was resumed from a file (even an empty one
    keeps its own draft)."""

    def __init__(self, conversation: Conversation, *, from_file: bool = False) -> None:
        self.conversation = conversation
        self.from_file = from_file
        self.saved_under: str | None = self.key
        self.dirty = False
        self.queue = SendQueue()
        """Messages queued while a reply streams: on disk with the draft, before it."""

    @property
    def key(self) -> str | None:
        """The conversation's id once it has a file, None for the new chat's draft."""
        conv = self.conversation
        return conv.id if conv.messages or self.from_file else None

    def load(self) -> str:
        return load_draft(self.key)

    def save(self, text: str, *, force: bool = False) -> None:
        """Raises OSError (full disk, read-only folder): the caller says so."""
        key = self.key
        if key != self.saved_under:
            with contextlib.suppress(OSError):
                discard_draft(self.saved_under)
            self.saved_under = key
            force = True
        if self.dirty or force:
            self.dirty = False
            save_draft(draft_text(self.queue.items, text), key)

    def switch(self, conversation: Conversation, *, from_file: bool = False) -> None:
        """Another conversation on the same screen (the old one's draft was saved first)."""
        self.conversation = conversation
        self.from_file = from_file
        self.saved_under = self.key
        self.dirty = False
