"""F1: every key that works where the focus is, the app's own first.

Textual's help panel lists the focused widget's bindings first; for the input box that meant
~40 text-editing keys (cursor, selection, undo) before Send, Stop or the model picker. Here the
keys this app defines come first (the focused widget's, then the screen's, then those that work
everywhere), and the standard editing keys after them.
"""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Static


def _title(node: object) -> str:
    return str(getattr(node, "HELP_TITLE", "") or type(node).__name__)


class KeyHelp(VerticalScroll, can_focus=False):
    """The key table beside the screen; follows focus and remapped keys."""

    DEFAULT_CSS = """
    KeyHelp {
        split: right;
        width: 33%;
        min-width: 32;
        max-width: 60;
        height: 1fr;
        border-left: vkey $foreground 30%;
        padding: 0 1;
        Static {
            width: 100%;
        }
    }
    """

    def compose(self) -> ComposeResult:
        yield Static(id="key-help-table")

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._changed)
        self._changed(self.screen)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _changed(self, screen: Screen[object]) -> None:
        if self.is_attached and screen is self.screen:
            self.query_one("#key-help-table", Static).update(self.table())

    def sections(self) -> list[tuple[str, list[tuple[str, str]]]]:
        """(heading, [(keys, what)]) in the order shown."""
        ours: dict[str, list[tuple[Binding, str]]] = {}
        editing: list[tuple[Binding, str]] = []
        app = self.app
        for _key, (node, binding, _enabled, _tip) in self.screen.active_bindings.items():
            if binding.system or not binding.description:
                continue
            if node is app:
                heading = "Everywhere"
            elif node is self.screen:
                heading = "This screen"
            elif binding.id is None:
                editing.append((binding, binding.description))  # a Textual widget's standard key
                continue
            else:
                heading = _title(node)
            ours.setdefault(heading, []).append((binding, binding.description))
        widgets = [h for h in ours if h not in ("This screen", "Everywhere")]
        order = [*widgets, "This screen", "Everywhere"]
        out = [(h, self._rows(ours[h])) for h in order if h in ours]
        if editing:
            out.append(("Editing", self._rows(editing)))
        return out

    def _rows(self, bindings: list[tuple[Binding, str]]) -> list[tuple[str, str]]:
        rows: dict[str, list[str]] = {}
        for binding, what in bindings:  # one row per action, all its keys
            keys = rows.setdefault(what, [])
            shown = self.app.get_key_display(binding)
            if shown not in keys:
                keys.append(shown)
        return [(" ".join(keys), what) for what, keys in rows.items()]

    def table(self) -> Table:
        table = Table.grid(padding=(0, 1))
        table.add_column(justify="right", style="bold")
        table.add_column()
        for n, (heading, rows) in enumerate(self.sections()):
            if n:
                table.add_row("", "")
            table.add_row("", Text(heading, style="underline"))
            for keys, what in rows:
                table.add_row(Text(keys), Text(what))
        return table


def toggle_key_help(screen: Screen[object]) -> Widget | None:
    """Show the key table on ``screen``, or take it away; return it when shown."""
    shown = screen.query(KeyHelp)
    if shown:
        shown.remove()
        return None
    panel = KeyHelp()
    screen.mount(panel)
    return panel
