"""Pick a file to attach: every file below the folder the app was started in, filtered as
you type (words in any order, as the model picker); a typed path is taken as it is.

| key | action |
| --- | --- |
| up/down | move in the list |
| enter | attach the highlighted file (or the typed path) |
| escape | close |
"""

from __future__ import annotations

import os
from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from requesty_tui.core.safe_text import make_safe
from requesty_tui.ui.screens.filter_list import LIST_BINDINGS, FilterListScreen

MAX_FILES = 20_000
"""Files listed at most (a home folder holds millions; the filter box finds the rest by path)."""
SHOWN = 200
"""Matches shown at a time: more is scrolling nobody does."""
SKIPPED = {".git", "node_modules", "__pycache__", ".venv", "venv", ".mypy_cache", ".tox"}


def list_files(root: Path, limit: int = MAX_FILES) -> list[str]:
    """Relative paths below ``root``, hidden folders and build clutter left out."""
    found: list[str] = []
    for folder, dirs, files in os.walk(root, onerror=lambda _error: None):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED and not d.startswith("."))
        base = Path(folder).relative_to(root)
        for name in sorted(files):
            found.append(str(base / name) if str(base) != "." else name)
            if len(found) >= limit:
                return found
    return found


class FilePicker(FilterListScreen[Path | None]):
    """Returns the chosen file's path, or None."""

    CSS_PATH = "model_picker.tcss"
    BINDINGS = [Binding("escape", "dismiss(None)", "Close", id="files.close"), *LIST_BINDINGS]

    def __init__(self, root: Path) -> None:
        super().__init__()
        self.root = root
        self.files = list_files(root)
        self._shown: list[str] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="picker"):
            yield Input(placeholder="Filter files, or type a path", id="picker-filter")
            yield OptionList(id="picker-list")
            yield Static("", id="picker-status", markup=False)

    def on_mount(self) -> None:
        self.query_one("#picker").border_title = f"Attach a file from {make_safe(str(self.root))}"
        self._apply_filter("")
        self.query_one(Input).focus()

    def _apply_filter(self, query: str) -> None:
        words = query.lower().split()
        shown = [f for f in self.files if all(w in f.lower() for w in words)][:SHOWN]
        self._shown = shown
        option_list = self.query_one(OptionList)
        option_list.set_options([Option(Text(make_safe(f))) for f in shown])
        if shown:
            option_list.highlighted = 0
        more = " (the first 20,000 files)" if len(self.files) >= MAX_FILES else ""
        status = f"{len(shown)} shown of {len(self.files)} files{more}"
        if not shown and query.strip():
            status = "No file matches. Enter takes what is typed as a path."
        self.query_one("#picker-status", Static).update(Text(status))

    @on(Input.Changed, "#picker-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self._apply_filter(event.value)

    @on(Input.Submitted, "#picker-filter")
    def _submitted(self, event: Input.Submitted) -> None:
        option_list = self.query_one(OptionList)
        if self._shown and option_list.highlighted is not None:
            self.dismiss(self.root / self._shown[option_list.highlighted])
        elif event.value.strip():
            self.dismiss((self.root / Path(event.value.strip()).expanduser()).resolve())

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        if 0 <= event.option_index < len(self._shown):
            self.dismiss(self.root / self._shown[event.option_index])
