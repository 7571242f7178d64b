"""The multi-line input box: Enter sends, ctrl+j (or shift+enter) adds a line.

| key | action |
| --- | --- |
| enter | send |
| ctrl+j, shift+enter | new line (ctrl+j works in every terminal) |
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding
from textual.message import Message
from textual.widgets import TextArea


class PromptInput(TextArea):
    """A TextArea whose Enter submits (TextArea itself would insert a newline)."""

    BINDINGS = [
        Binding("enter", "submit", "Send", priority=True, id="input.send"),
        Binding("ctrl+j,shift+enter", "newline", "New line", priority=True,
                id="input.newline", key_display="^j"),
    ]

    @dataclass
    class Submitted(Message):
        """The user pressed Enter on a non-blank text."""

        input: PromptInput
        text: str

        @property
        def control(self) -> PromptInput:
            return self.input

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id, soft_wrap=True, show_line_numbers=False, tab_behavior="focus")
        self.placeholder = "Message — Enter to send, ctrl+j for a new line"

    def action_submit(self) -> None:
        if self.text.strip():
            self.post_message(self.Submitted(self, self.text))

    def action_newline(self) -> None:
        self.insert("\n")
