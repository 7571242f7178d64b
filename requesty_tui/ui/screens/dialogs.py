"""Small modal questions: a line of text, a few lines of text, yes or no; a text to read."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.geometry import Size
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Input, Label, Static, TextArea

from requesty_tui.core import options as chat_options
from requesty_tui.core.domain import Conversation


class TextPrompt(ModalScreen[str | None]):
    """Ask for one line of text."""

    CSS_PATH = "dialogs.tcss"
    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel")]

    def __init__(
        self, title: str, value: str = "", *, hint: str = "", allow_empty: bool = False
    ) -> None:
        super().__init__()
        self.title_text = title
        self.value = value
        self.hint = hint
        self.allow_empty = allow_empty
        """Enter on an empty box answers "" (clear) instead of cancelling."""

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, markup=False)
            # Not selected on focus: the first key would replace the whole old value.
            yield Input(self.value, id="prompt-value", select_on_focus=False)
            keys = "Enter: save · Esc: cancel"
            yield Label(f"{self.hint}\n{keys}" if self.hint else keys, markup=False, classes="hint")

    def on_mount(self) -> None:
        box = self.query_one(Input)
        box.focus()
        box.cursor_position = len(box.value)

    @on(Input.Submitted)
    def _done(self, event: Input.Submitted) -> None:
        value = event.value.strip()
        self.dismiss(value if value or self.allow_empty else None)


class TextEditorPrompt(ModalScreen[str | None]):
    """Ask for text that may span lines: Enter adds a line, ctrl+s saves, Esc cancels.

    A one-line box made a multi-line system prompt a string of ``\\n`` escapes (and mangled a
    prompt that meant a literal backslash-n).
    """

    CSS_PATH = "dialogs.tcss"
    BINDINGS = [
        Binding("escape", "dismiss(None)", "Cancel"),
        # Priority: the editor would otherwise take the key (ctrl+s reaches raw-mode apps).
        Binding("ctrl+s", "save", "Save", priority=True),
        # Priority: TextArea's ctrl+e is the line's end (end does that too).
        Binding("ctrl+e", "editor", "Editor", priority=True, id="input.editor"),
    ]

    def __init__(self, title: str, value: str = "", *, hint: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.value = value
        self.hint = hint

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, markup=False)
            yield TextArea(self.value, id="prompt-text", soft_wrap=True)
            keys = "ctrl+s: save · ctrl+e: in your $EDITOR · Esc: keep"
            yield Label(f"{self.hint}\n{keys}" if self.hint else keys, markup=False, classes="hint")

    def on_mount(self) -> None:
        editor = self.query_one(TextArea)
        editor.focus()
        editor.move_cursor(editor.document.end)

    def action_save(self) -> None:
        self.dismiss(self.query_one(TextArea).text)

    def action_editor(self) -> None:
        from requesty_tui.ui.editor import edit_in_place

        edit_in_place(self.query_one(TextArea))


class Confirm(ModalScreen[bool]):
    """Yes or no; ``yes`` names what yes does ("Delete", "Send anyway")."""

    CSS_PATH = "dialogs.tcss"
    BINDINGS = [Binding("escape", "dismiss(False)", "No"), Binding("y", "dismiss(True)", "Yes")]

    def __init__(self, question: str, yes: str = "OK", *, danger: bool = False) -> None:
        super().__init__()
        self.question = question
        self.yes = yes
        self.danger = danger

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.question, markup=False)
            with Horizontal():
                yield Button(self.yes, variant="error" if self.danger else "primary", id="yes")
                yield Button("Cancel", id="no")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")


class Choice(ModalScreen[str | None]):
    """A question with a few answers (buttons, top to bottom); Esc is "none of them"."""

    CSS_PATH = "dialogs.tcss"
    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel")]

    def __init__(self, question: str, answers: list[tuple[str, str]]) -> None:
        super().__init__()
        self.question = question
        self.answers = answers
        """(id, label) pairs; the id is what the dialog returns."""

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.question, markup=False)
            with Vertical(classes="answers"):
                for key, label in self.answers:
                    yield Button(label, id=f"answer-{key}")
                yield Button("Cancel", id="answer-cancel")

    def on_mount(self) -> None:
        self.query(Button).first().focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        key = (event.button.id or "").removeprefix("answer-")
        self.dismiss(None if key == "cancel" else key)


_ENTRY = re.compile(r"(\s*(?:[•✗] )?(?:[^\s:]{1,40}(?: \(as [^)]*\))?: )?)")
"""What a wrapped line hangs under: its indent, a bullet, and a ``name: `` before the text."""


def hang(text: str, width: int) -> str:
    """``text`` wrapped to ``width``, each line's continuation under its text (after the
    indent, bullet and ``name:`` that start it): a description wrapped to column 0 hid where
    one tool ended and the next began."""
    out: list[str] = []
    for line in text.split("\n"):
        prefix = _ENTRY.match(line)
        lead = prefix.group(1) if prefix else ""
        if len(lead) > width // 3:  # a long name: hang under the bullet instead
            lead = line[: len(line) - len(line.lstrip())]
            lead += "• " if line.lstrip().startswith("• ") else ""
        room = max(10, width - len(lead))
        wrapped = textwrap.wrap(line[len(lead) :], room, break_on_hyphens=False) or [""]
        out.append(line[: len(lead)] + wrapped[0])
        out.extend(" " * len(lead) + rest for rest in wrapped[1:])
    return "\n".join(out)


class HangingText(Static):
    """Text wrapped by :func:`hang` at the width it is given (data: never markup)."""

    def __init__(self, text: str) -> None:
        super().__init__(Content(text), markup=False)
        self.text = text
        self._width = 0

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        self._set_width(width)
        return super().get_content_height(container, viewport, width)

    def _set_width(self, width: int) -> None:
        if width != self._width:
            self._width = width
            self.update(Content(hang(self.text, width)))


class TextViewer(ModalScreen[None]):
    """A text to read (scrolls; Esc or q closes). The text is data: shown as is, made safe."""

    CSS_PATH = "dialogs.tcss"
    BINDINGS = [Binding("escape,q", "dismiss(None)", "Close")]

    def __init__(self, title: str, text: str) -> None:
        super().__init__()
        self.title_text = title
        self.text = text

    def compose(self) -> ComposeResult:
        from requesty_tui.core.safe_text import make_safe

        with Vertical(classes="dialog viewer"):
            yield Label(self.title_text, markup=False)
            with VerticalScroll(id="viewer-body"):
                yield HangingText(make_safe(self.text))
            yield Label("Esc: close", markup=False, classes="hint")

    def on_mount(self) -> None:
        self.query_one("#viewer-body").focus()


def edit_option(
    screen: Screen[Any], conversation: Conversation, key: str, changed: Callable[[], None]
) -> None:
    """Ask for a new value of one per-conversation setting; ``changed`` after a valid one."""
    option = chat_options.BY_KEY[key]

    def done(text: str | None) -> None:
        if text is None:
            return
        try:
            option.apply(conversation, text)
        except chat_options.OptionError as exc:
            said = str(exc)
            screen.notify(said[:1].upper() + said[1:] + ".", severity="error", markup=False)
            return
        shown = option.show(conversation)
        if option.multiline and "\n" in shown:
            shown = f"{shown.splitlines()[0][:40]}… ({len(shown.splitlines())} lines)"
        name = option.title.removeprefix("chat: ")
        screen.notify(f"{name}: {shown or 'default'}", markup=False)
        changed()

    title = option.title.removeprefix("chat: ").capitalize()
    current = option.show(conversation)
    if option.multiline:
        editor = TextEditorPrompt(title, current, hint=f"{option.help}; empty: the default.")
        screen.app.push_screen(editor, done)
        return
    hint = f"{option.help}. Empty: back to the default."
    screen.app.push_screen(TextPrompt(title, current, hint=hint, allow_empty=True), done)
