"""The one-line status bar: pieces with priorities, fitted to the width at every render.

A long piece (an offline model list, a reasoning note) must not push the ones that matter
("streaming — Esc stops", "no API key") off the line, and nothing is cut mid-sentence: when the
line is too narrow the least important pieces go first, whole.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.widget import Widget


@dataclass(frozen=True, slots=True)
class Piece:
    text: str
    priority: int = 5
    """0 is kept longest; higher numbers are dropped first when the line is too narrow."""
    warning: bool = False
    """Drawn in the theme's warning colour (no key, a model the server does not list)."""


SEPARATOR = " · "


def fit(pieces: list[Piece], width: int) -> list[Piece]:
    """The pieces that fit in ``width`` cells, in their order, dropping the least important
    (the last of equal priority first)."""
    kept = list(pieces)

    def length(items: list[Piece]) -> int:
        return sum(len(p.text) for p in items) + len(SEPARATOR) * max(0, len(items) - 1)

    while len(kept) > 1 and length(kept) > width:
        worst = max(range(len(kept)), key=lambda i: (kept[i].priority, i))
        del kept[worst]
    return kept


class StatusLine(Widget):
    """Shows :class:`Piece` s; text is data (never markup)."""

    COMPONENT_CLASSES = {"status-line--warning"}
    DEFAULT_CSS = """
    StatusLine {
        height: 1;
        color: $text-muted;
        padding: 0 1;
        .status-line--warning {
            color: $warning;
        }
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.pieces: list[Piece] = []

    @property
    def shown(self) -> str:
        """The line as drawn at the current width."""
        return SEPARATOR.join(p.text for p in fit(self.pieces, self.content_size.width))

    def set_pieces(self, pieces: list[Piece]) -> None:
        if pieces != self.pieces:
            self.pieces = pieces
            self.refresh()

    def render(self) -> Text:
        warning = self.get_component_rich_style("status-line--warning")
        line = Text(no_wrap=True, overflow="ellipsis", end="")
        for n, piece in enumerate(fit(self.pieces, self.content_size.width)):
            if n:
                line.append(SEPARATOR)
            line.append(piece.text, style=warning if piece.warning else "")
        return line
