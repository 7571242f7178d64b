"""Presets in the chat: ``preset: new chat from…`` (a list to filter, each with its description;
the placeholders of its first message are asked for, and the filled text waits in the input
box, unsent) and ``preset: save current chat as…``. The files are
:mod:`requesty_tui.storage.presets`'; what a preset sets is :mod:`requesty_tui.chat.presets`'."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from requesty_tui.chat.presets import apply_preset, values_from
from requesty_tui.storage.presets import (
    BrokenPreset,
    Preset,
    PresetError,
    fill,
    list_presets,
    save_preset,
)
from requesty_tui.ui.screens.chat_host import ChatParts
from requesty_tui.ui.screens.dialogs import Confirm, TextPrompt
from requesty_tui.ui.screens.filter_list import LIST_BINDINGS, FilterListScreen


class PresetPicker(FilterListScreen[Preset | None]):
    """The presets, filtered as you type (name and description); broken files are listed with
    their problem and cannot be chosen."""

    CSS_PATH = "model_picker.tcss"
    BINDINGS = [Binding("escape", "dismiss(None)", "Close", id="presets.close"), *LIST_BINDINGS]

    def __init__(self, presets: list[Preset], broken: list[BrokenPreset]) -> None:
        super().__init__()
        self.presets = presets
        self.broken = broken
        self._shown: list[Preset | None] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="picker"):
            yield Input(placeholder="Filter presets", id="picker-filter")
            yield OptionList(id="picker-list")
            yield Static("", id="picker-status", markup=False)

    def on_mount(self) -> None:
        self.query_one("#picker").border_title = "New chat from a preset"
        self._apply("")
        self.query_one(Input).focus()

    def _apply(self, query: str) -> None:
        words = query.lower().split()

        def fits(*texts: str) -> bool:
            return all(any(w in t.lower() for t in texts) for w in words)

        shown: list[Preset | None] = []
        options: list[Option] = []
        for preset in self.presets:
            if fits(preset.name, preset.description):
                label = Text(preset.name, style="bold")
                label.append(f"  {preset.model}", style="dim")
                if preset.description:
                    label.append(f"\n  {' '.join(preset.description.split())}", style="italic")
                shown.append(preset)
                options.append(Option(label))
        for bad in self.broken:
            if fits(bad.name):
                shown.append(None)
                options.append(Option(Text(f"⚠ {bad.problem}", style="dim"), disabled=True))
        self._shown = shown
        option_list = self.query_one(OptionList)
        option_list.set_options(options)
        first = next((i for i, p in enumerate(shown) if p is not None), None)
        if first is not None:
            option_list.highlighted = first
        folder = str(self.presets[0].path.parent) if self.presets else "the presets folder"
        status = f"{len(self.presets)} presets in {folder}" if self.presets else "No presets yet"
        if self.broken:
            status += f" · {len(self.broken)} broken (fix the file, key named)"
        self.query_one("#picker-status", Static).update(Text(status))

    @on(Input.Changed, "#picker-filter")
    def _filter(self, event: Input.Changed) -> None:
        self._apply(event.value)

    @on(Input.Submitted, "#picker-filter")
    def _submitted(self) -> None:
        index = self.query_one(OptionList).highlighted
        if index is not None and index < len(self._shown) and self._shown[index] is not None:
            self.dismiss(self._shown[index])

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        if event.option_index < len(self._shown) and self._shown[event.option_index]:
            self.dismiss(self._shown[event.option_index])


class PresetHost(ChatParts, Protocol):
    async def new_chat(self, *, deleted: bool = False) -> None:
        """A new conversation on this screen."""


def choose_preset(chat: PresetHost) -> None:
    """``preset: new chat from…``."""
    presets, broken = list_presets()
    if broken:
        problems = "\n".join(b.problem for b in broken)
        chat.notify(f"Some presets are broken:\n{problems}", severity="warning", timeout=15,
                    markup=False)  # fmt: skip

    async def chosen(preset: Preset | None) -> None:
        if preset is not None:
            await start_from(chat, preset)

    chat.app.push_screen(PresetPicker(presets, broken), chosen)


async def start_from(chat: PresetHost, preset: Preset, *, new: bool = True) -> None:
    """A new chat with the preset's settings (``new``: else this empty chat takes them), then
    its first message: each placeholder asked for, the text left in the input box."""
    if new:
        await chat.new_chat()
    apply_preset(chat.session.conversation, preset)
    chat.refresh_bars()
    values: dict[str, str] = {}
    names = preset.placeholders

    def ask(index: int) -> None:
        if index == len(names):
            if preset.first_message:
                prompt = chat.prompt
                prompt.load_text(fill(preset.first_message, values))
                prompt.move_cursor(prompt.document.end)
                prompt.focus()
            return

        def answered(value: str | None) -> None:
            if value is None:
                chat.notify("The first message was left out (the preset's settings stay).")
                return
            values[names[index]] = value
            ask(index + 1)

        title = f"{preset.name}: {names[index]} ({index + 1} of {len(names)})"
        chat.app.push_screen(TextPrompt(title, allow_empty=True), answered)

    ask(0)


def save_as(chat: ChatParts) -> None:
    """``preset: save current chat as…``: a name, then the file (replacing one asks first)."""
    default = chat.session.conversation.preset

    def named(name: str | None) -> None:
        if not name:
            return
        from requesty_tui.storage.presets import presets_dir

        if (presets_dir() / f"{name}.toml").exists():

            def replace(yes: bool | None) -> None:
                if yes:
                    write(name)

            question = f"Replace the preset {name!r}?"
            chat.app.push_screen(Confirm(question, "Replace", danger=True), replace)
        else:
            write(name)

    def write(name: str) -> None:
        conversation = chat.session.conversation
        try:
            path = save_preset(name, values_from(conversation, conversation.title or ""))
        except (PresetError, OSError) as exc:
            chat.notify(f"Not saved: {exc}", severity="error", markup=False)
            return
        chat.notify(f"Preset saved: {path} (edit it by hand to change it)", markup=False)

    hint = "A file name: letters, digits, '.', '_', '-'. The model and settings of this chat."
    chat.app.push_screen(TextPrompt("Save this chat's settings as a preset", default, hint=hint),
                         named)  # fmt: skip


def preset_commands(chat: PresetHost) -> list[tuple[str, str, Callable[[], object]]]:
    return [
        ("preset: new chat from…", "A new chat with a saved prompt, model and settings",
         lambda: choose_preset(chat)),
        ("preset: save current chat as…", "Save this chat's model and settings as a preset",
         lambda: save_as(chat)),
    ]  # fmt: skip
