"""Spend per day as stacked bars of block characters, coloured from the theme.

Block characters rather than a plotting library: the bars take the theme's colours like the
rest of the app (a theme switch redraws them), eighth blocks make 8 steps per row, nothing is
imported at start-up, and an SVG snapshot is the same on every machine. The arithmetic is
:func:`requesty_tui.core.charts.stack`'s; this widget lays out the axis and the labels.
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.color import Color
from textual.widget import Widget

from requesty_tui.core.charts import stack
from requesty_tui.core.formatting import format_usd
from requesty_tui.core.usage import SpendHistory

PALETTE = ("primary", "secondary", "success", "accent", "error", "warning")
"""Theme colours for the top groups, in order; the rest share :data:`OTHER`."""
OTHER = "chat-reasoning"
"""A quiet colour every theme defines (the thinking block's)."""


def colours(variables: dict[str, str], count: int) -> list[str]:
    """``count`` colours for the top groups, then the one for "other" (hex strings)."""
    out = []
    for name in [*PALETTE[:count], OTHER]:
        value = variables.get(name) or variables.get("foreground") or "#888888"
        try:
            out.append(Color.parse(value).hex)
        except Exception:  # a theme's odd value must not break the screen
            out.append("#888888")
    return out


class SpendChart(Widget):
    """One bar per day, its parts the top groups (bottom first) and "other" on top."""

    DEFAULT_CSS = """
    SpendChart {
        height: 1fr;
        min-height: 6;
        color: $text-muted;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.history: SpendHistory | None = None
        self.names: list[str] = []
        self.message = "Loading…"

    def show(self, history: SpendHistory | None, names: list[str], message: str = "") -> None:
        """Draw ``history`` with ``names`` (the top groups, in colour order), or ``message``."""
        self.history = history
        self.names = names
        self.message = message
        self.refresh()

    def render(self) -> Text:
        history = self.history
        width, height = self.size.width, self.size.height
        if history is None or height < 3 or width < 10:
            return Text(self.message)
        palette = colours(self.app.theme_variables, len(self.names))
        days = history.days
        peak = max((d.spend for d in days), default=0.0)
        top_label = format_usd(peak) if peak else "$0"
        axis = max(len(top_label), 2) + 1
        rows = height - 1  # the last row holds the dates
        room = width - axis
        step = max(1, room // len(days))
        bar = max(1, step - 1) if step > 1 else 1
        index = {name: n for n, name in enumerate(self.names)}
        columns = []
        for day in days:
            parts = [0.0] * (len(self.names) + 1)
            for group in day.groups:
                parts[index.get(group.name, len(self.names))] += group.spend
            columns.append(stack(parts, peak, rows))
        text = Text()
        for line in range(rows):
            row = rows - 1 - line  # from the top
            label = top_label if line == 0 else ("$0" if row == 0 else "")
            text.append(label.rjust(axis - 1) + "│", Style(dim=True))
            for cells in columns:
                cell = cells[row]
                if cell.part is None:
                    text.append(" " * step)
                    continue
                style = Style(
                    color=palette[cell.part],
                    bgcolor=palette[cell.above] if cell.above is not None else None,
                )
                text.append(cell.char * bar, style)
                text.append(" " * (step - bar))
            text.append("\n")
        text.append(self._dates(axis, step), Style(dim=True))
        return text

    def _dates(self, axis: int, step: int) -> str:
        """The dates under the bars (MM-DD), as many as fit without touching."""
        assert self.history is not None
        line = [" "] * (axis + step * len(self.history.days))
        free = axis
        for n, day in enumerate(self.history.days):
            label = day.day.strftime("%m-%d")
            at = axis + n * step
            if at >= free and at + len(label) <= len(line):
                line[at : at + len(label)] = label
                free = at + len(label) + 1
        return "".join(line).rstrip()
