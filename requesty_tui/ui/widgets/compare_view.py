"""Several replies to one prompt, side by side: a column per model, each streaming, failing or
stopped on its own. Narrower than :data:`COLUMN_MIN` cells per column, one column shows at a
time with a switcher line above it.

| key | action |
| --- | --- |
| enter | continue with this reply (the others stay as its alternatives; not a failed one) |
| ctrl+x | stop this column |
| left/right | the column beside it |
| ctrl+y / ctrl+k | copy the reply / a code block |

As on any message, typed text goes to the input box (``ChatKeys.route_typing``): "second
round⏎" typed on a column is the next message, never "copy code" and "continue with this".
"""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message as TextualMessage
from textual.reactive import reactive
from textual.widgets import Static

from requesty_tui.chat.turn import Turn
from requesty_tui.core.formatting import usage_summary
from requesty_tui.ui.key_names import label_for
from requesty_tui.ui.widgets.message import AssistantMessage, CodeStyle

COLUMN_MIN = 36
"""Cells a column needs to be readable (a code line, a table; three fit a 120-column
terminal); below, columns are stacked."""


class CompareColumn(AssistantMessage):
    """One model's reply in a comparison; its header adds the timing."""

    HELP_TITLE = "Compared reply"
    DEFAULT_CSS = """
    CompareColumn {
        width: 1fr;  /* until the view knows its width: then whole cells each */
        margin: 0 1 0 0;
        &:last-of-type { margin: 0; }
        .reply-header { height: auto; }
        &.-picked { border: double $accent; }
    }
    """
    BINDINGS = [
        Binding("enter", "pick", "Continue with this", id="compare.pick"),
        Binding("ctrl+x", "stop_one", "Stop this one", id="compare.stop"),
        Binding("left", "beside(-1)", "‹ Column", id="compare.previous"),
        Binding("right", "beside(1)", "Column ›", id="compare.next"),
    ]

    class Picked(TextualMessage):
        def __init__(self, column: CompareColumn) -> None:
            super().__init__()
            self.column = column

    class StopOne(TextualMessage):
        def __init__(self, column: CompareColumn) -> None:
            super().__init__()
            self.column = column

    def __init__(self, turn: Turn, index: int, code_style: CodeStyle | None = None) -> None:
        super().__init__(turn.model, code_style=code_style)
        self.turn = turn
        self.index = index
        self.running = True
        self.border_title = turn.model

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("regenerate", "alternative"):
            return False  # a comparison's replies are picked, not switched
        if action == "stop_one":
            return self.running
        if action == "pick":
            return not self.failed
        return super().check_action(action, parameters)

    @property
    def failed(self) -> bool:
        """Ended without any reply: nothing to continue with."""
        return not self.running and self.message is None

    def _refresh_header(self) -> None:
        turn = self.turn
        bits = [self._state] if self._state else []
        if turn.first_token_s is not None:
            bits.append(f"first token {turn.first_token_s:.2f} s")
        rate = turn.tokens_per_s()
        if rate is not None:
            bits.append(f"{rate:.0f} tok/s")
        usage = usage_summary(self._usage)
        if usage:
            bits.append(usage)
        model = self._model
        if model != self.requested_model:
            bits.insert(0, f"answered by {model}")
        self.header.update(Text(" · ".join(bits) or "waiting…"))

    def append(self, text: str) -> None:
        first = self.turn.first_token_s is not None and not self.body.source
        super().append(text)
        if first:
            self._refresh_header()

    def action_pick(self) -> None:
        self.post_message(self.Picked(self))

    def action_stop_one(self) -> None:
        self.post_message(self.StopOne(self))

    def action_beside(self, step: int) -> None:
        view = next((a for a in self.ancestors if isinstance(a, CompareView)), None)
        if view is not None:
            view.show_column(self.index + step)

    def on_click(self, event: events.Click) -> None:
        """A click picks a finished column (while it streams, or failed, it only focuses it)."""
        self.focus()
        if not self.running and not self.failed:
            self.action_pick()

    def ended(self, failure: str | None) -> None:
        """The column's stream is over (``failure``: why it has no complete reply)."""
        self.running = False
        if failure:
            self.set_state(failure)
            self.border_subtitle = "failed" if self.message is None else "incomplete"
        self.refresh_bindings()
        view = next((a for a in self.ancestors if isinstance(a, CompareView)), None)
        if view is not None:
            view.column_ended(self)


def general_hint(keys: dict[str, str]) -> str:
    pick = label_for(keys, "compare.pick", "enter")
    stop = label_for(keys, "compare.stop", "ctrl+x")
    return (
        f"{pick} on a column continues with it (the others stay as alternatives) · {stop} "
        "stops one · Esc stops all"
    )


class CompareView(Vertical):
    """The columns of one comparison; ``narrow`` stacks them behind a switcher."""

    DEFAULT_CSS = """
    CompareView {
        height: auto;
        margin: 1 0 0 0;
        #compare-switcher { height: 1; color: $text-muted; display: none; }
        &.-narrow #compare-switcher { display: block; }
        #compare-columns { height: auto; }
        #compare-hint { height: 1; color: $text-muted; }
    }
    """

    narrow: reactive[bool] = reactive(False)
    active: reactive[int] = reactive(0)

    def __init__(self, columns: list[CompareColumn]) -> None:
        super().__init__()
        self.columns = columns

    def compose(self) -> ComposeResult:
        yield Static("", id="compare-switcher", markup=False)
        with Horizontal(id="compare-columns"):
            yield from self.columns
        yield Static(general_hint(self._keys()), id="compare-hint", markup=False)

    def _keys(self) -> dict[str, str]:
        return dict(getattr(self.app, "keymap", {}))

    def on_resize(self, event: events.Resize) -> None:
        width = event.size.width
        self.narrow = width < COLUMN_MIN * len(self.columns)
        self._set_widths(width)

    def _set_widths(self, width: int) -> None:
        """Whole cells per column, fixed here: with ``1fr`` Textual handed the odd cells to
        different columns from one layout to the next, and a reply whose width changes is
        rendered again from the start (4 x 2,000 chunks: 34 <-> 35 cells, 20 times)."""
        if self.narrow:
            for column in self.columns:
                column.styles.width = width
            return
        count = len(self.columns)
        room = width - (count - 1)  # a cell between columns
        for index, column in enumerate(self.columns):
            column.styles.width = room // count + (1 if index < room % count else 0)

    def watch_narrow(self, narrow: bool) -> None:
        self.set_class(narrow, "-narrow")
        self._show()

    def watch_active(self) -> None:
        self._show()

    def show_column(self, index: int) -> None:
        """Focus the column at ``index`` (and show it, when stacked)."""
        if 0 <= index < len(self.columns):
            self.active = index
            self.columns[index].focus()

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        for column in self.columns:
            if event.widget is column or column in event.widget.ancestors:
                self.active = column.index
                self._hint(column)

    def on_descendant_blur(self, event: events.DescendantBlur) -> None:
        # Blur and focus arrive in either order: name whichever column has the focus now.
        focused = self.screen.focused
        self._hint(next((c for c in self.columns if c is focused), None))

    def _hint(self, column: CompareColumn | None) -> None:
        """What enter would do, naming the focused column's model (a failed column offers
        nothing to continue with: it says so)."""
        keys = self._keys()
        pick = label_for(keys, "compare.pick", "enter")
        stop = label_for(keys, "compare.stop", "ctrl+x")
        if column is None:
            text = general_hint(keys)
        elif column.failed:
            text = f"{column.requested_model} failed: no reply to go on with · ←/→ the others"
        else:
            text = (
                f"{pick} continues with {column.requested_model}'s reply (the others stay as "
                f"alternatives) · {stop} stops it · Esc stops all"
            )
        self.query_one("#compare-hint", Static).update(Text(text))

    def column_ended(self, column: CompareColumn) -> None:
        """A column's stream is over: the switcher marks a failure, the hint follows."""
        self._show()
        if self.screen.focused is column:
            self._hint(column)

    def _show(self) -> None:
        for column in self.columns:
            column.display = not self.narrow or column.index == self.active
        if self.narrow:
            text = Text(f"‹ {self.active + 1}/{len(self.columns)} › ")
            for column in self.columns:
                style = "bold reverse" if column.index == self.active else ""
                mark = "✗ " if column.failed else ""
                text.append(f" {mark}{column.requested_model} ", style=style)
            self.query_one("#compare-switcher", Static).update(text)

    def on_click(self, event: events.Click) -> None:
        if self.narrow and event.widget is self.query_one("#compare-switcher"):
            self.show_column((self.active + 1) % len(self.columns))
