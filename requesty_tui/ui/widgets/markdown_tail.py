"""The open tail of a streaming text: what follows its last finished block, drawn again as it grows.

The tail is one block at most, so it is rendered whole with Rich's Markdown; an open code fence
is drawn as plain monospace lines instead, each complete line rendered once and kept, so that a
long fence streams in linear time. It is highlighted once, when it closes (then it is a
finished block, see :mod:`.block_lines`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.strip import Strip

from requesty_tui.core.markdown_blocks import BlockSplitter

if TYPE_CHECKING:
    from requesty_tui.ui.widgets.markdown_render import BlockRenderer


class TailLines:
    """The tail's lines as drawn, and the lines of an open fence kept between two renders."""

    def __init__(self) -> None:
        self.lines: list[Strip] = []
        """The tail as drawn (after a blank line when blocks come before it). A render
        replaces the list: the one before stays as it was, to compare with."""
        self._fence: list[Strip] = []
        self._fence_done = 0
        """Complete lines of the open fence rendered into ``_fence``."""

    def clear(self) -> None:
        self.lines = []
        self.block_finished()

    def block_finished(self) -> None:
        """A block finished: the kept fence lines were its own."""
        self._fence = []
        self._fence_done = 0

    def render(
        self, splitter: BlockSplitter, width: int, after_blocks: bool, renderer: BlockRenderer
    ) -> None:
        """Draw the splitter's tail again (``after_blocks``: below finished blocks)."""
        tail = splitter.tail
        if splitter.in_open_fence:
            strips = self._render_open_fence(tail, width, renderer)
        elif tail.strip():
            strips = renderer.markdown(tail, width)
        else:
            strips = []
        if strips and after_blocks:
            strips.insert(0, Strip.blank(0))
        self.lines = strips

    def _render_open_fence(self, tail: str, width: int, renderer: BlockRenderer) -> list[Strip]:
        """Plain monospace lines; complete lines are rendered once and kept."""
        console, _options = renderer.options(max(1, width - 2))
        background = renderer.background_style()
        blank = Strip([Segment(" " * width, background)], width)
        code_lines = tail.split("\n")[1:]  # drop the opening ``` line
        complete, partial = code_lines[:-1], code_lines[-1] if code_lines else ""
        for line in complete[self._fence_done :]:
            self._fence.extend(code_line(line, width, background, console))
        self._fence_done = len(complete)
        out = [blank, *self._fence]
        if partial:
            out.extend(code_line(partial, width, background, console))
        return out


def code_line(line: str, width: int, background: Style, console: Console) -> list[Strip]:
    """One line of an open code fence: plain monospace on the code background, wrapped."""
    text = Text(line.expandtabs(4), style=background)
    wrapped = text.wrap(console, max(1, width - 2)) if line else [Text("")]
    out = []
    for piece in wrapped:
        segments = [
            Segment(" ", background),
            *piece.render(console),
            Segment(" " * max(0, width - 1 - piece.cell_len), background),
        ]
        out.append(Strip(segments).crop(0, width))
    return out
