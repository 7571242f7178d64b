"""The find bar above the input box: a query box and where the matches are (``3 / 17``).

It only says what the user asks (typing, next, previous, close); the chat screen finds, marks
and scrolls (:mod:`requesty_tui.ui.screens.chat_find`). Whatever is typed is text: the count
line shows it as data, never markup.

| key | action |
| --- | --- |
| enter, f3 | the next match |
| shift+enter, shift+f3 | the previous match |
| escape | close (the marks go) |
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Input, Static


class FindBar(Horizontal):
    """One line: ``Find`` and the query, then the count."""

    HELP_TITLE = "Find in the conversation"
    BINDINGS = [
        Binding("shift+enter", "step(-1)", "Previous", id="find.previous", show=False),
        Binding("escape", "close", "Close find", id="find.close"),
    ]
    DEFAULT_CSS = """
    FindBar {
        height: 1;
        background: $panel;
        .find-label { width: auto; padding: 0 1; color: $text-muted; }
        Input {
            width: 1fr;
            height: 1;
            border: none;
            padding: 0;
            background: $panel;
            &:focus { border: none; }
        }
        .find-count { width: 36; padding: 0 1; color: $text-muted; text-align: right; }
        .find-count.-none { color: $warning; }
    }
    """

    class Changed(Message):
        """The query changed (it may be empty)."""

        def __init__(self, query: str) -> None:
            super().__init__()
            self.query = query

    class Step(Message):
        """Go to the next (1) or previous (-1) match."""

        def __init__(self, step: int) -> None:
            super().__init__()
            self.step = step

    class Closed(Message):
        """The bar closes: the marks go."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.input = Input(placeholder="find in this conversation", id="find-query")
        self.count = Static("", classes="find-count", markup=False)

    def compose(self) -> ComposeResult:
        yield Static("Find", classes="find-label", markup=False)
        yield self.input
        yield self.count

    @property
    def query_text(self) -> str:
        return self.input.value

    def show_count(self, text: str, none: bool = False) -> None:
        """``3 / 17 · also 2 in other branches``; ``none``: said as a warning."""
        self.count.update(Text(text), layout=False)  # a fixed width: on every key, no layout
        self.count.set_class(none, "-none")

    @on(Input.Changed, "#find-query")
    def _changed(self, event: Input.Changed) -> None:
        event.stop()
        self.post_message(self.Changed(event.value))

    @on(Input.Submitted, "#find-query")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.post_message(self.Step(1))

    def action_step(self, step: int) -> None:
        self.post_message(self.Step(step))

    def action_close(self) -> None:
        self.post_message(self.Closed())
