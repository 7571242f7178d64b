"""The chat screen's attachments: the files waiting for the next message (chips above the input
box), picking one (``chat: attach file…``, ctrl+t), a pasted path, ``--attach``. What a file
becomes in the request is :mod:`requesty_tui.chat.attachments`'s."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from requesty_tui.chat.attachments import refusal, too_big
from requesty_tui.core.domain import Attachment
from requesty_tui.storage.attachments import AttachmentError, AttachmentStore
from requesty_tui.ui.screens.chat_host import ChatParts
from requesty_tui.ui.widgets.attachment_bar import AttachmentChip, chip_label

if TYPE_CHECKING:
    from requesty_tui.ui.widgets.attachment_bar import AttachmentBar


class AttachHost(ChatParts, Protocol):
    @property
    def attachment_bar(self) -> AttachmentBar: ...

    def refresh_status(self) -> None:
        """The status line alone (the meter counts the files)."""


class AttachControl:
    """The files waiting are the session's (``ChatSession.attachments``); this shows them and
    takes them in."""

    def __init__(self, host: AttachHost) -> None:
        self.host = host
        self.store = AttachmentStore()

    @property
    def pending(self) -> list[Attachment]:
        return self.host.session.attachments

    @pending.setter
    def pending(self, attachments: list[Attachment]) -> None:
        self.host.session.attachments = attachments

    @property
    def max_bytes(self) -> int:
        return int(self.host.services.settings.max_attachment_mb * 2**20)

    async def attach(self, path: Path) -> bool:
        """Copy the file in and show its chip; a clear message instead when it cannot be."""
        host = self.host
        try:
            attachment = self.store.add(path, self.max_bytes)
            info = host.services.catalogue.info(host.session.model)
            problem = too_big(attachment, self.store, info)
            if problem is not None:
                raise AttachmentError(problem)
        except AttachmentError as exc:
            host.notify(f"Not attached: {exc}.", severity="error", timeout=10, markup=False)
            return False
        if attachment not in self.pending:
            self.pending.append(attachment)
        await self._show()
        host.notify(f"Attached {chip_label(attachment)}", markup=False)
        return True

    async def remove(self, attachment: Attachment | None = None) -> None:
        """Take one off (None: all)."""
        self.pending = [a for a in self.pending if attachment is not None and a != attachment]
        was_on_a_chip = isinstance(self.host.focused, AttachmentChip)
        await self._show()
        if was_on_a_chip and not self.pending:
            self.host.prompt.focus()  # the last chip went: back to typing

    async def restore(self, attachments: list[Attachment]) -> None:
        """A send that got no reply: its files wait again, with its text."""
        self.pending = [*attachments, *(a for a in self.pending if a not in attachments)]
        await self._show()

    def refused(self) -> str | None:
        """Why the files waiting cannot go to the chat's model (images to a blind one)."""
        catalogue = self.host.services.catalogue
        model = self.host.session.model
        return refusal(self.pending, model, catalogue.info(model), catalogue.models)

    async def take(self) -> list[Attachment]:
        """The files for the message being sent; the chips go."""
        taken, self.pending = self.pending, []
        await self._show()
        return taken

    async def _show(self) -> None:
        await self.host.attachment_bar.show(self.pending)
        self.host.refresh_status()

    def choose(self) -> None:
        from requesty_tui.ui.screens.file_picker import FilePicker

        async def chosen(path: Path | None) -> None:
            if path is not None:
                await self.attach(path)

        self.host.app.push_screen(FilePicker(Path.cwd()), chosen)

    def offer(self, path: Path, text: str) -> None:
        """A pasted path: attach it, or (no) paste the text as it came."""
        from requesty_tui.ui.screens.dialogs import Confirm

        async def answered(yes: bool | None) -> None:
            if yes:
                await self.attach(path)
            else:
                self.host.prompt.insert(text)

        question = f"Attach {path.name}? (No pastes its path as text.)"
        self.host.app.push_screen(Confirm(question, "Attach"), answered)
