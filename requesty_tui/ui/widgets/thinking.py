"""The model's reasoning above its answer: open while it streams, folded when the answer starts."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Static

from requesty_tui.ui.widgets.markdown_view import MarkdownView

CodeStyle = tuple[str, str | None]


class ThinkingBlock(Vertical, can_focus=True):
    """The model's reasoning: open while it streams, folded to one line when the answer starts.

    | key | action |
    | --- | --- |
    | enter | open or fold the thinking (space is typing: it goes to the input box) |
    """

    HELP_TITLE = "Thinking"
    BINDINGS = [Binding("enter", "toggle_open", "Open/fold thinking", id="thinking.toggle")]
    DEFAULT_CSS = """
    ThinkingBlock {
        height: auto;
        margin: 0 0 1 0;
        padding: 0 1;
        border-left: outer $chat-reasoning 60%;
        color: $chat-reasoning;
        &.-folded MarkdownView {
            display: none;
        }
        .thinking-label {
            height: 1;
            text-style: italic;
        }
        &:focus {
            border-left: outer $accent;
        }
    }
    """

    def __init__(
        self, text: str = "", *, expanded: bool = True, code_style: CodeStyle | None = None
    ) -> None:
        super().__init__(classes="" if expanded else "-folded")
        self.body = MarkdownView(text, code_style=code_style)
        self.label = Static("", classes="thinking-label", markup=False)
        self.expanded = expanded
        self._finished = bool(text)

    def compose(self) -> ComposeResult:
        yield self.label
        yield self.body

    def on_mount(self) -> None:
        self._show()

    @property
    def text(self) -> str:
        return self.body.source

    def append(self, text: str) -> None:
        self.body.append(text)

    def finish(self) -> None:
        self.body.finish()
        self._finished = True
        self._show()

    def set_expanded(self, expanded: bool) -> None:
        self.expanded = expanded
        self.set_class(not expanded, "-folded")
        self._show()

    def action_toggle_open(self) -> None:
        self.set_expanded(not self.expanded)

    def on_click(self) -> None:
        self.action_toggle_open()

    def _show(self) -> None:
        words = len(self.text.split())
        size = f"{words:,} word{'s' if words != 1 else ''}"
        if self.expanded:
            self.label.update(Text(f"▾ Thinking · {size}" if self._finished else "▾ Thinking…"))
        else:
            self.label.update(Text(f"▸ Thinking · {size} · Enter or click to open"))
