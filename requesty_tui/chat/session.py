"""One chat's state without Textual: the conversation, its saving, its draft, the files waiting
for the next message, the replies streaming now.

The chat screen holds one :class:`ChatSession` and renders it; its helpers change the
conversation through it, so saving, the draft's key and what a quit must record are decided in
one place (as Textual's ``Document`` beside its ``TextArea``). Saving is the
:class:`~requesty_tui.chat.autosave.Autosaver`'s, the draft the
:class:`~requesty_tui.chat.drafts.DraftKeeper`'s; this ties them to the conversation they
belong to, and hands both to a new conversation that takes its place.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, Protocol, TypeVar

from requesty_tui.chat.autosave import Autosaver, SaveReport
from requesty_tui.chat.drafts import DraftKeeper
from requesty_tui.chat.request import new_conversation
from requesty_tui.chat.turn import Turn, start_regeneration, start_turn, take_unanswered
from requesty_tui.core.domain import Attachment, Conversation, Message, ModelInfo
from requesty_tui.core.settings import Settings
from requesty_tui.storage.sessions import SessionStore

Prices = Callable[[str], ModelInfo | None]
"""What the model list knows of a model (for a cost estimate)."""


class Run(Protocol):
    """A reply streaming now, as the session sees it."""

    def record_for_exit(self) -> None:
        """The process is about to end: what arrived goes into the conversation."""


R = TypeVar("R", bound=Run)


class ChatSession(Generic[R]):
    """The conversation on one chat screen, and what belongs to it. ``conversation``: resumed
    from a file (else a new one for ``model``); ``report``: what a save has to say, called from
    the saver's thread."""

    def __init__(
        self,
        store: SessionStore,
        settings: Settings,
        model: str,
        conversation: Conversation | None = None,
        *,
        report: Callable[[SaveReport], None],
    ) -> None:
        self._store = store
        self._settings = settings
        self._report = report
        self.conversation = conversation or new_conversation(settings, model)
        from_file = bool(conversation and conversation.messages)
        self.drafts = DraftKeeper(self.conversation, from_file=from_file)
        self.saver = Autosaver(store, report, keep_empty_file=from_file)
        self.attachments: list[Attachment] = []
        """The files waiting for the next message (copies in the attachment store)."""
        self.runs: list[R] = []
        """The replies streaming now (several in a comparison)."""
        self.exiting = False
        """The app is quitting: a reply cancelled now keeps its prompt in the file."""

    @property
    def model(self) -> str:
        """The model the next message goes to."""
        return self.conversation.model

    @property
    def streaming(self) -> bool:
        return bool(self.runs)

    # -- saving ----------------------------------------------------------------------------------

    def save(self) -> None:
        """Save soon, off the UI thread; failures are said once and retried (see Autosaver)."""
        self.saver.request(self.conversation)

    def save_now(self, conversation: Conversation | None = None) -> SaveReport:
        """Write now, in this thread (``conversation``: another one, a fork, through this
        chat's saver)."""
        return self.saver.save_now(conversation or self.conversation)

    def record_for_exit(self) -> None:
        """The process is about to end (a signal): what arrived, marked cancelled, written
        synchronously — the event loop may never run again."""
        for run in self.runs:
            run.record_for_exit()
        self.saver.save_now(self.conversation)

    def saved(self, report: SaveReport) -> None:
        """A save's report, on the UI thread: a save that forked the file goes on under the
        copy's id."""
        conversation = self.conversation
        if report.forked_from and report.new_id and conversation.id == report.forked_from:
            conversation.id = report.new_id

    def close(self) -> None:
        """Write what waits, then stop the saver (the screen goes)."""
        self.saver.close()

    # -- the draft -------------------------------------------------------------------------------

    def typed(self) -> None:
        """The input box changed: the draft is saved at the next check."""
        self.drafts.dirty = True

    def save_draft(self, text: str, *, force: bool = False) -> None:
        """``text`` is this conversation's draft. Raises OSError (the caller says so)."""
        self.drafts.save(text, force=force)

    def load_draft(self) -> str:
        return self.drafts.load()

    # -- turns -----------------------------------------------------------------------------------

    def take_unanswered(self) -> Message | None:
        """A resumed conversation's last prompt nobody answered, taken out for the input box."""
        return take_unanswered(self.conversation)

    def start_turn(
        self,
        text: str,
        prices: Prices,
        *,
        instead_of: Message | None = None,
        attachments: list[Attachment] | None = None,
    ) -> Turn:
        """The prompt into the conversation (``instead_of``: a new version of that one)."""
        return start_turn(
            self.conversation,
            text,
            self.model,
            prices,
            instead_of=instead_of,
            attachments=attachments,
        )

    def start_regeneration(self, prompt: Message, model: str | None, prices: Prices) -> Turn:
        """Ask again for a reply to ``prompt`` (from ``model``, else the chat's)."""
        return start_regeneration(self.conversation, prompt, model or self.model, prices)

    def add_run(self, run: R) -> None:
        self.runs.append(run)

    def end_run(self, run: R) -> None:
        if run in self.runs:
            self.runs.remove(run)

    # -- another conversation ----------------------------------------------------------------------

    def replace(self, *, deleted: bool = False) -> bool:
        """A new conversation in place of this one. Returns whether the text typed comes along
        (the old chat was new, or deleted). ``deleted``: nothing of the old one may be written
        again (its file would come back, naming attached copies that are gone), so what waits
        to be saved is dropped; else it is written first (the caller saved the draft)."""
        carried = deleted or self.drafts.key is None
        if deleted:
            self.saver.abandon()
        else:
            self.saver.close()
        self.conversation = new_conversation(self._settings, self.model)
        self.saver = Autosaver(self._store, self._report)
        self.drafts.switch(self.conversation)
        if deleted:
            self.drafts.dirty = True  # the text is now the new chat's draft
        return carried

    def held_attachments(self) -> set[str]:
        """The copies this chat refers to (SHA-256): its messages' files, saved or not, and
        the files waiting for the next message."""
        held = {a.sha256 for m in self.conversation.messages for a in m.attachments}
        return held | {a.sha256 for a in self.attachments}
