"""The files waiting to go with the next message, as chips above the input box: name, size,
kind; a click on a chip (or ``chat: remove attachments``) takes it off."""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.containers import Horizontal
from textual.message import Message as TextualMessage
from textual.widgets import Static

from requesty_tui.core.domain import Attachment
from requesty_tui.core.formatting import size_label


def chip_label(attachment: Attachment) -> str:
    return f"📎 {attachment.name} · {size_label(attachment.size)} · {attachment.kind}"


class AttachmentChip(Static):
    DEFAULT_CSS = """
    AttachmentChip {
        width: auto;
        height: 1;
        padding: 0 1;
        margin: 0 1 0 0;
        background: $boost;
        &:hover { background: $error 30%; }
    }
    """

    def __init__(self, attachment: Attachment) -> None:
        super().__init__(Text(chip_label(attachment) + "  ✕"), markup=False)
        self.attachment = attachment
        self.tooltip = "Click to take it off"

    def on_click(self, event: events.Click) -> None:
        event.stop()
        self.post_message(AttachmentBar.Removed(self.attachment))


class AttachmentBar(Horizontal):
    DEFAULT_CSS = """
    AttachmentBar {
        height: 1;
        padding: 0 1;
        display: none;
        &.-some { display: block; }
    }
    """

    class Removed(TextualMessage):
        def __init__(self, attachment: Attachment) -> None:
            super().__init__()
            self.attachment = attachment

    async def show(self, attachments: list[Attachment]) -> None:
        await self.remove_children()
        await self.mount_all([AttachmentChip(a) for a in attachments])
        self.set_class(bool(attachments), "-some")
