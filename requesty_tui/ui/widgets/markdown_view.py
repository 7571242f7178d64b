"""A Markdown view built for streaming: finished blocks render once, only the tail re-renders.

Textual's ``Markdown`` widget lays out and renders the whole document on every update (O(size)
per delta). Here every finished top-level block (see :mod:`requesty_tui.markdown_blocks`) is
rendered once to cached strips; deltas are coalesced and the open tail is re-rendered at most
once per frame; an open code fence is shown as plain monospace text, line by line, and
highlighted once when it closes. ``render_line`` only indexes the cache.
"""

from __future__ import annotations

import time

from rich.cells import chop_cells
from rich.console import Console, ConsoleOptions
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.geometry import Size
from textual.strip import Strip
from textual.timer import Timer
from textual.widget import Widget

from requesty_tui.markdown_blocks import BlockSplitter, make_safe

FRAME = 1 / 30
"""The shortest gap between two renders of the tail while streaming."""

PLAIN_ABOVE = 256 * 1024
"""A single block longer than this (characters) is shown as plain wrapped text: Rich would
spend seconds on it (a 1 MB paragraph took 1.3 s, 10 MB minutes) while the UI waits."""


class MarkdownView(Widget):
    """Markdown text that can grow by :meth:`append` and is rendered incrementally."""

    DEFAULT_CSS = """
    MarkdownView {
        height: auto;
        width: 1fr;
    }
    """

    def __init__(
        self,
        text: str = "",
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._splitter = BlockSplitter()
        from requesty_tui.ui.widgets import markdown_render  # Rich Markdown + Pygments: lazy

        self._render_module = markdown_render
        self._rich_parser = markdown_render.rich_parser()
        self._pending: list[str] = []
        self._source: list[str] = []
        self._timer: Timer | None = None
        self._not_before = 0.0
        self._width = 0
        self._code_theme = "monokai"
        self._code_background: str | None = None
        self._block_lines: list[Strip] = []
        self._rendered_blocks = 0
        self._tail_lines: list[Strip] = []
        self._fence_lines: list[Strip] = []
        self._fence_done = 0
        self._text_complete = False
        self.renders = 0
        """How many times the tail was rendered (the benchmark reads it)."""
        self._lazy = False
        """A complete text not rendered yet: its height is estimated until it is on screen."""
        if text:
            self._splitter.feed(make_safe(text))
            self._source.append(text)
            self._splitter.close()
            self._text_complete = True
            self._lazy = True

    # -- public API ---------------------------------------------------------------------------

    @property
    def source(self) -> str:
        """All text given so far (as given, before control characters were made visible)."""
        if len(self._source) > 1:
            self._source = ["".join(self._source)]
        return self._source[0] if self._source else ""

    def append(self, text: str) -> None:
        """Add a delta. Cheap: the render happens at most once per frame, on a timer."""
        if not text:
            return
        self._source.append(text)
        self._pending.append(text)
        if self._timer is None and self.is_mounted:
            self._start_timer()

    def _start_timer(self) -> None:
        # A repeating timer, not set_timer: a one-shot Textual timer whose tick comes late
        # (the loop was busy) is skipped and never fires.
        self._timer = self.set_interval(FRAME, self._flush, name="markdown-flush")

    def finish(self) -> None:
        """The text is complete: render everything that is left, now."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self._consume_pending()
        self._splitter.close()
        self._text_complete = True
        self._update()

    def set_code_theme(self, theme: str, background: str | None = None) -> None:
        """The Pygments style for code, and the background the colour theme gives code."""
        if (theme, background) != (self._code_theme, self._code_background):
            self._code_theme = theme
            self._code_background = background
            if not self._lazy:
                self._invalidate()

    # -- streaming --------------------------------------------------------------------------

    def _consume_pending(self) -> None:
        if self._pending:
            self._splitter.feed(make_safe("".join(self._pending)))
            self._pending.clear()

    def _flush(self) -> None:
        started = time.perf_counter()
        if not self._pending or started < self._not_before:
            return
        self._consume_pending()
        self._update()
        cost = time.perf_counter() - started
        # A render that costs more than a frame spaces the next ones out, so that rendering
        # never takes more than about a third of the time: total cost stays linear.
        self._not_before = started + 3 * cost

    def _update(self) -> None:
        width = self._width
        if not width:
            self.refresh(layout=True)
            return
        old_height = self._height()
        self._render_new_blocks(width)
        self._render_tail(width)
        self.renders += 1
        if self._height() != old_height:
            self._relayout()
        else:
            self.refresh()

    def _relayout(self) -> None:
        """A new height must reach every auto-height ancestor.

        ``refresh(layout=True)`` only clears the parent's cached arrangement; the reply sits in
        a message widget inside the conversation, whose cached arrangement would otherwise keep
        the old height (seen in tmux: the last line of a reply hidden under its border).
        """
        node: Widget = self
        while True:
            node.refresh(layout=True)
            parent = node.parent
            if not isinstance(parent, Widget):
                return
            height = parent.styles.height
            if height is not None and not height.is_auto:
                return  # a fixed-height parent: its own parent's layout does not change
            node = parent

    # -- rendering ----------------------------------------------------------------------------

    def _invalidate(self, relayout: bool = True) -> None:
        self._block_lines = []
        self._rendered_blocks = 0
        self._tail_lines = []
        self._fence_lines = []
        self._fence_done = 0
        if self._width:
            self._render_new_blocks(self._width)
            self._render_tail(self._width)
        if relayout:
            self._relayout()

    def _options(self, width: int) -> tuple[Console, ConsoleOptions]:
        console = self.app.console
        return console, self.app.console_options.update(width=width, height=None, highlight=False)

    def _render_markdown(self, source: str, width: int) -> list[Strip]:
        if len(source) > PLAIN_ABOVE:
            return _render_plain(source, width)
        console, options = self._options(width)
        markdown = self._render_module.BlockMarkdown(
            source, self._rich_parser, self._code_theme, self._code_background
        )
        lines = console.render_lines(markdown, options, pad=False)
        strips = [Strip(line) for line in lines]
        while strips and not strips[-1].text.strip():
            strips.pop()
        while strips and not strips[0].text.strip():
            strips.pop(0)
        return strips

    def _render_new_blocks(self, width: int) -> None:
        blocks = self._splitter.finished
        lines = self._block_lines
        for source in blocks[self._rendered_blocks :]:
            if lines:
                lines.append(Strip.blank(0))
            lines.extend(self._render_markdown(source, width))
        if len(blocks) != self._rendered_blocks:
            self._fence_lines = []
            self._fence_done = 0
        self._rendered_blocks = len(blocks)

    def _render_tail(self, width: int) -> None:
        tail = self._splitter.tail
        if self._splitter.in_open_fence:
            strips = self._render_open_fence(tail, width)
        elif tail.strip():
            strips = self._render_markdown(tail, width)
        else:
            strips = []
        if strips and self._block_lines:
            strips.insert(0, Strip.blank(0))
        self._tail_lines = strips

    def _render_open_fence(self, tail: str, width: int) -> list[Strip]:
        """Plain monospace lines; complete lines are rendered once and kept."""
        console, options = self._options(max(1, width - 2))
        background = (
            Style(bgcolor=self._code_background)
            if self._code_background
            else self._render_module.Syntax.get_theme(self._code_theme).get_background_style()
        )
        blank = Strip([Segment(" " * width, background)], width)
        code_lines = tail.split("\n")[1:]  # drop the opening ``` line
        complete, partial = code_lines[:-1], code_lines[-1] if code_lines else ""
        for line in complete[self._fence_done :]:
            self._fence_lines.extend(self._code_line(line, width, background, console, options))
        self._fence_done = len(complete)
        out = [blank, *self._fence_lines]
        if partial:
            out.extend(self._code_line(partial, width, background, console, options))
        return out

    @staticmethod
    def _code_line(
        line: str, width: int, background: Style, console: Console, options: ConsoleOptions
    ) -> list[Strip]:
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

    def _height(self) -> int:
        return len(self._block_lines) + len(self._tail_lines)

    def _ensure_width(self, width: int) -> None:
        if width != self._width:
            self._width = width
            if not self._lazy:
                self._invalidate(relayout=False)  # called during layout: it is being done

    def _estimate(self, width: int) -> int:
        """Lines the finished blocks will take, without rendering them (off-screen history)."""
        lines = 0
        for block in self._splitter.finished:
            for line in block.split("\n"):
                lines += 1 + len(line) // max(1, width - 4)
            lines += 1  # the gap between blocks
        return max(1, lines - 1)

    def _realize(self) -> None:
        """Render a lazy view for real (it is being drawn)."""
        if self._lazy and self._width:
            self._lazy = False
            estimated = self._estimate(self._width)
            self._invalidate(relayout=False)
            if self._height() != estimated:
                self.call_after_refresh(self._relayout)

    def line_count(self) -> int:
        """Rendered lines (renders a lazy view first)."""
        self._realize()
        return self._height()

    # -- Textual hooks --------------------------------------------------------------------------

    def on_mount(self) -> None:
        self._code_theme = str(getattr(self.app, "code_theme", self._code_theme))
        self._code_background = getattr(self.app, "code_background", None)
        if self._pending:
            self._start_timer()

    def get_content_width(self, container: Size, viewport: Size) -> int:
        return container.width

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        self._ensure_width(width)
        if self._lazy:
            return self._estimate(width)
        return self._height()

    def render_line(self, y: int) -> Strip:
        self._realize()
        blocks = self._block_lines
        if y < len(blocks):
            strip = blocks[y]
        else:
            index = y - len(blocks)
            tail = self._tail_lines
            strip = tail[index] if index < len(tail) else Strip.blank(0)
        return strip.apply_style(self.rich_style)


def _render_plain(source: str, width: int) -> list[Strip]:
    """Lines cut at the width, no Markdown: linear and fast for any size."""
    width = max(1, width)
    out: list[Strip] = []
    for line in source.expandtabs(4).split("\n"):
        if not line:
            out.append(Strip.blank(0))
        elif line.isascii():
            out.extend(
                Strip([Segment(piece)], len(piece))
                for piece in (line[i : i + width] for i in range(0, len(line), width))
            )
        else:
            out.extend(Strip([Segment(piece)]) for piece in chop_cells(line, width))
    return out
