"""The files waiting to go with the next message, as chips above the input box: name, size,
kind; a click on a chip, delete or backspace on a focused chip (shift+tab from the input box
reaches them), or ``chat: remove attachments`` takes it off. Typing on a chip goes to the
input box, as on a message."""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message as TextualMessage
from textual.widgets import Static

from requesty_tui.core.domain import Attachment
from requesty_tui.core.formatting import size_label


def chip_label(attachment: Attachment) -> str:
    return f"📎 {attachment.name} · {size_label(attachment.size)} · {attachment.kind}"


class AttachmentChip(Static, can_focus=True):
    """One waiting file.

    | key | action |
    | --- | --- |
    | delete, backspace | take it off |
    """

    HELP_TITLE = "Attached file"
    BINDINGS = [Binding("delete,backspace", "remove", "Take off", id="attachment.remove")]
    DEFAULT_CSS = """
    AttachmentChip {
        width: auto;
        height: 1;
        padding: 0 1;
        margin: 0 1 0 0;
        background: $boost;
        &:hover { background: $error 30%; }
        &:focus { background: $accent; color: $text; }
    }
    """

    def __init__(self, attachment: Attachment) -> None:
        super().__init__(Text(chip_label(attachment) + "  ✕"), markup=False)
        self.attachment = attachment
        self.tooltip = "Click (or delete on it) to take it off"

    def on_click(self, event: events.Click) -> None:
        event.stop()
        self.action_remove()

    def action_remove(self) -> None:
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
        """The chips anew; a focused chip's place keeps the focus (the next chip after a
        removal, so several go with delete, delete)."""
        chips = list(self.query(AttachmentChip))
        focused = self.screen.focused
        place = next((n for n, chip in enumerate(chips) if chip is focused), None)
        await self.remove_children()
        fresh = [AttachmentChip(a) for a in attachments]
        await self.mount_all(fresh)
        self.set_class(bool(attachments), "-some")
        if place is not None and fresh:
            fresh[min(place, len(fresh) - 1)].focus()
