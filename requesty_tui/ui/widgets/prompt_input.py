"""The multi-line input box: Enter sends, ctrl+j (or shift+enter) adds a line.

| key | action |
| --- | --- |
| enter | send |
| ctrl+j, shift+enter | new line (ctrl+j works in every terminal) |
| up (in an empty box) | take back the last queued message, else edit the last message of yours |
| ctrl+e | compose in $VISUAL / $EDITOR (:mod:`requesty_tui.ui.editor`) |
| ctrl+a / ctrl+l | select all / clear (ctrl+z brings the text back) |
| ctrl+v | an image on the system clipboard is attached; else paste as TextArea does |

Enter is handled in the widget's own key handler, not by a priority binding: the App runs
priority bindings as soon as a key arrives, ahead of the keys still queued for this widget, so
text typed or pasted just before Enter would be cut off.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.widgets import TextArea

from requesty_tui.ui.key_names import label_for

DRAFT_BACK = "Your unsent text is back, selected: type to replace it, backspace clears it."


class PromptInput(TextArea):
    """A TextArea whose Enter submits (TextArea itself would insert a newline)."""

    HELP_TITLE = "Input box"
    BINDINGS = [
        Binding("enter", "submit", "Send", id="input.send"),
        Binding("ctrl+j,shift+enter", "newline", "New line", id="input.newline", key_display="^j"),
        # TextArea's ctrl+e is the line's end (end does that too): here it opens the editor.
        Binding("ctrl+e", "open_editor", "Editor", id="input.editor", show=False),
        # TextArea's ctrl+a is the line's start (home does that too): here, as in text fields.
        Binding("ctrl+a", "select_all", "Select all", id="input.select_all", show=False),
        Binding("ctrl+l", "clear_text", "Clear", id="input.clear", show=False),
    ]
    SUBMIT_KEYS = frozenset({"enter"})
    NEWLINE_KEYS = frozenset({"ctrl+j", "shift+enter", "newline"})

    @dataclass
    class Submitted(Message):
        """The user pressed Enter on a non-blank text; the box is already cleared."""

        input: PromptInput
        text: str

        @property
        def control(self) -> PromptInput:
            return self.input

    def __init__(self, *, keys: Mapping[str, str] | None = None, id: str | None = None) -> None:
        super().__init__(id=id, soft_wrap=True, show_line_numbers=False, tab_behavior="focus")
        # Keys remapped in config.toml ([keys] input.send / input.newline) apply here too.
        keys = keys or {}
        if "input.send" in keys:
            self.SUBMIT_KEYS = frozenset(k.strip() for k in keys["input.send"].split(","))
        if "input.newline" in keys:
            self.NEWLINE_KEYS = frozenset(k.strip() for k in keys["input.newline"].split(","))
        send = label_for(keys, "input.send", "enter")
        newline = label_for(keys, "input.newline", "ctrl+j")
        self.placeholder = f"Message — {send} to send, {newline} for a new line"

    async def _on_key(self, event: events.Key) -> None:
        if event.key in self.SUBMIT_KEYS:
            event.stop()
            event.prevent_default()
            self.action_submit()
        elif event.key in self.NEWLINE_KEYS:
            event.stop()
            event.prevent_default()
            self.action_newline()
        elif event.key == "up" and not self.text:
            # The screen starts an edit: the text sent as new text was a duplicate below the
            # reply, where the README promised a new version beside the old one.
            event.stop()
            event.prevent_default()
            self.post_message(self.EditLast(self))
        else:
            await super()._on_key(event)

    @dataclass
    class EditLast(Message):
        """Up in an empty box: edit the last message of yours."""

        input: PromptInput

        @property
        def control(self) -> PromptInput:
            return self.input

    @dataclass
    class PathPasted(Message):
        """What was pasted is the path of an existing file (a drag and drop, in most
        terminals): the screen offers to attach it; ``text`` goes in if the user says no."""

        input: PromptInput
        path: Path
        text: str

    @dataclass
    class ClipboardPaste(Message):
        """ctrl+v, or a paste that brought nothing (what a terminal sends for an image): the
        screen looks for an image on the system clipboard, else pastes as TextArea does."""

        input: PromptInput
        empty_paste: bool = False

    def action_paste(self) -> None:
        self.post_message(self.ClipboardPaste(self))

    def paste_text(self) -> None:
        """TextArea's own paste (the app's clipboard)."""
        super().action_paste()

    def action_open_editor(self) -> None:
        from requesty_tui.ui.editor import edit_in_place

        edit_in_place(self)

    def action_clear_text(self) -> None:
        """Clear in one key, as an edit: ctrl+z brings the text back."""
        if self.text:
            self.clear()

    async def _on_paste(self, event: events.Paste) -> None:
        if not event.text:
            event.stop()
            event.prevent_default()
            self.post_message(self.ClipboardPaste(self, empty_paste=True))
            return
        path = pasted_path(event.text)
        if path is not None:
            event.stop()
            event.prevent_default()
            self.post_message(self.PathPasted(self, path, event.text))
        # Otherwise TextArea's own handler pastes it (Textual calls each class's handler).

    def action_submit(self) -> None:
        text = self.text
        if text.strip():
            self.clear()
            self.post_message(self.Submitted(self, text))

    def action_newline(self) -> None:
        self.insert("\n")

    def show_restored(self, draft: str) -> None:
        """A draft back from disk (the next start, a chat returned to): selected and said so,
        so that typing replaces it rather than being added to text the user did not see."""
        self.load_text(draft)
        if draft:
            self.select_all()
            self.notify(DRAFT_BACK, timeout=8, markup=False)
        else:
            self.move_cursor(self.document.end)

    def restore(self, text: str) -> None:
        """Put a prompt back (a failed or refused send), before anything typed since."""
        current = self.text
        self.load_text(text + ("\n" + current if current.strip() else ""))
        self.move_cursor(self.document.end)


def pasted_path(text: str) -> Path | None:
    """The file a paste names, if it is one path of an existing file: quotes, ``file://`` and
    the backslash escapes terminals add on a drop are undone."""
    candidate = text.strip()
    if not candidate or "\n" in candidate or len(candidate) > 4096:
        return None
    if candidate[0] == candidate[-1] and candidate[0] in "'\"" and len(candidate) > 1:
        candidate = candidate[1:-1]
    if candidate.startswith("file://"):
        from urllib.parse import unquote, urlsplit

        candidate = unquote(urlsplit(candidate).path)
    candidate = re.sub(r"\\(.)", r"\1", candidate)  # "my\ file.txt" -> "my file.txt"
    path = Path(candidate).expanduser()
    try:
        return path if path.is_absolute() and path.is_file() else None
    except OSError:
        return None
