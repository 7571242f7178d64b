"""The key hints along the bottom: one widget drawing one line.

Textual's ``Footer`` mounts a widget per key and restyles each of them several times while the
first screen is built; profiling start-up showed ~0.3 s of a ~1.2 s start in it (2-core machine).
This draws the same hints (the focused chain's shown bindings, the palette key on the right) as
one line of text and maps a click back to the key under the pointer.
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.screen import Screen
from textual.widget import Widget

_DIM = Style(dim=True)
_PLAIN = Style()


class KeyBar(Widget):
    """Shown bindings of whatever has focus; click a hint to press its key."""

    ALLOW_SELECT = False
    COMPONENT_CLASSES = {"key-bar--key", "key-bar--description"}
    DEFAULT_CSS = """
    KeyBar {
        height: 1;
        dock: bottom;
        background: $footer-background;
        .key-bar--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        .key-bar--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._hints: list[tuple[Binding, bool]] = []
        self._spans: list[tuple[int, int, str]] = []

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen[object]) -> None:
        if not self.is_attached or screen is not self.screen:
            return
        seen: set[str] = set()
        hints: list[tuple[Binding, bool]] = []
        palette: tuple[Binding, bool] | None = None
        for key, (_node, binding, enabled, _tip) in screen.active_bindings.items():
            if key == self.app.COMMAND_PALETTE_BINDING and self.app.ENABLE_COMMAND_PALETTE:
                palette = (binding, enabled)
                continue
            if not binding.show or binding.action in seen:
                continue
            seen.add(binding.action)
            hints.append((binding, enabled))
        if palette is not None:
            hints.append(palette)  # last: the rightmost hint
        if hints != self._hints:
            self._hints = hints
            self.refresh()

    RIGHT_ACTIONS = frozenset({"toggle_help", "app.toggle_help", "quit", "app.quit"})
    """Kept on the right with the palette key, whatever the width: the way to every other key,
    and the way out (at 80 columns a focused reply's hints pushed Quit off the bar)."""

    def render(self) -> Text:
        key_style = self.get_component_rich_style("key-bar--key")
        description_style = self.get_component_rich_style("key-bar--description")
        left: list[tuple[Binding, bool]] = []
        right: list[tuple[Binding, bool]] = []
        for binding, enabled in self._hints:
            is_right = (
                binding.key == self.app.COMMAND_PALETTE_BINDING
                or binding.action in self.RIGHT_ACTIONS
            )
            (right if is_right else left).append((binding, enabled))

        def piece(binding: Binding, enabled: bool) -> Text:
            extra = _PLAIN if enabled else _DIM
            return Text.assemble(
                (f" {self.app.get_key_display(binding)} ", key_style + extra),
                (f"{binding.description} ", description_style + extra),
            )

        right_pieces = [(piece(*hint), hint[0].key) for hint in right]
        left_pieces = [(piece(*hint), hint[0].key) for hint in left]
        room = self.size.width - sum(p.cell_len for p, _ in right_pieces) - 1
        # Whole hints are dropped from the end (the focused widget's come first), never cut.
        while left_pieces and sum(p.cell_len for p, _ in left_pieces) > room:
            left_pieces.pop()
        line = Text(no_wrap=True, overflow="ellipsis", end="")
        spans: list[tuple[int, int, str]] = []
        for text, key in left_pieces:
            start = line.cell_len
            line.append_text(text)
            spans.append((start, line.cell_len, key))
        if right_pieces:
            width = sum(p.cell_len for p, _ in right_pieces)
            line.append(" " * max(self.size.width - line.cell_len - width, 1))
            for text, key in right_pieces:
                start = line.cell_len
                line.append_text(text)
                spans.append((start, line.cell_len, key))
        self._spans = spans
        return line

    def on_click(self, event: events.Click) -> None:
        for start, end, key in self._spans:
            if start <= event.x < end:
                event.stop()
                self.app.simulate_key(key)
                return
