"""The messages queued while a reply streams, dimmed, under the conversation (above the input
box): each says "queued" and its text. ``enter`` on one takes it back into the input box,
``delete`` removes it; typing on one goes to the input box, as on a message."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message as TextualMessage
from textual.widgets import Static

LINE = 200
"""Characters of a queued message's first line shown (one row; the rest is cut by CSS)."""


class QueuedMessage(Static, can_focus=True):
    """One queued message.

    | key | action |
    | --- | --- |
    | enter | take it back into the input box |
    | delete, backspace | remove it |
    """

    HELP_TITLE = "Queued message"
    BINDINGS = [
        Binding("enter", "take_back", "Edit", id="queued.edit"),
        Binding("delete,backspace", "remove", "Remove", id="queued.remove"),
    ]
    DEFAULT_CSS = """
    QueuedMessage {
        height: 1;
        padding: 0 1;
        color: $text-muted;
        text-style: italic;
        text-wrap: nowrap;
        text-overflow: ellipsis;
        &:focus { background: $accent 40%; color: $text; }
    }
    """

    def __init__(self, index: int, text: str) -> None:
        first = " ".join(text.split())[:LINE]
        label = Text("⧗ queued · ", style="bold")
        label.append(first)  # the user's text, never markup
        super().__init__(label, markup=False)
        self.index = index
        self.tooltip = "Sent when the reply ends well · enter: edit · delete: remove"

    def on_click(self, event: events.Click) -> None:
        event.stop()
        self.action_take_back()

    def action_take_back(self) -> None:
        self.post_message(QueuedBar.Chosen(self.index, remove=False))

    def action_remove(self) -> None:
        self.post_message(QueuedBar.Chosen(self.index, remove=True))


class QueuedBar(Vertical):
    DEFAULT_CSS = """
    QueuedBar {
        height: auto;
        max-height: 6;
        display: none;
        &.-some { display: block; }
    }
    """

    @dataclass
    class Chosen(TextualMessage):
        """A queued message taken back into the input box (or removed)."""

        index: int
        remove: bool

    async def show(self, texts: list[str]) -> None:
        focused = self.screen.focused
        place = next((m.index for m in self.query(QueuedMessage) if m is focused), None)
        await self.remove_children()
        fresh = [QueuedMessage(n, text) for n, text in enumerate(texts)]
        await self.mount_all(fresh)
        self.set_class(bool(texts), "-some")
        if place is not None and fresh:
            fresh[min(place, len(fresh) - 1)].focus()
