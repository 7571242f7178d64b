"""An error or information line in the conversation."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from requesty_tui.core.markdown_blocks import make_safe


class Notice(Static):
    """An error or information line in the conversation (plain text, never markup)."""

    DEFAULT_CSS = """
    Notice {
        margin: 1 0 0 0;
        padding: 0 1;
        height: auto;
        &.-error {
            color: $chat-error;
            background: $chat-error 12%;
        }
        &.-info {
            color: $text-muted;
        }
    }
    """

    def __init__(self, text: str, *, severity: str = "error") -> None:
        super().__init__(Content(make_safe(text)), markup=False, classes=f"-{severity}")
