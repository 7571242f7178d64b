"""A Markdown view built for streaming: finished blocks render once, only the tail re-renders.

Textual's ``Markdown`` widget lays out and renders the whole document on every update (O(size)
per delta). Here every finished top-level block (see :mod:`requesty_tui.core.markdown_blocks`) is
rendered once to cached strips, and only when it can be seen (see :mod:`.block_lines`); deltas
are coalesced and the open tail is re-rendered at most once per frame, repainting only the
cells that changed; an open code fence is shown as plain monospace text, line by line, and
highlighted once when it closes. ``render_line`` only indexes the cache.
"""

from __future__ import annotations

import contextlib
import re
import time

from rich.console import Console, ConsoleOptions
from rich.segment import Segment
from rich.style import Style
from textual.geometry import Region, Size
from textual.selection import Selection
from textual.strip import Strip
from textual.widget import Widget

from requesty_tui.core.markdown_blocks import BlockSplitter, make_safe
from requesty_tui.ui.widgets.block_lines import BlockLines, mark_selected, unchanged_cells
from requesty_tui.ui.widgets.frame_clock import FrameClock
from requesty_tui.ui.widgets.highlight import highlight_strip

FRAME = 1 / 10
"""The shortest gap between two renders of the tail while streaming. Text arrives as words,
not motion: at 100 tokens/s (20 chunks/s) rendering every chunk cost 3.2 s of CPU per 500
chunks, at most 12 renders a second 2.0 s (``benchmarks/stream_terminal.py``, 160x50)."""

HEADROOM = 10
"""Blank lines a streaming text keeps below itself (at most; a fifth of the screen's height in a
small terminal), so that most new lines fill them instead of growing the widget. Each growth is
a layout and a repaint of the whole pane (the view scrolls): at 160x50 a reading-speed reply
grew about six times a second, and those repaints were most of its CPU time and terminal
output; with 8 lines of room, about once every 2 s (``benchmarks/stream_terminal.py``)."""

GROW_EVERY = 0.25
"""Seconds between two growths at the most: a fast stream adds lines every frame, and the
lines beyond the room wait for the next growth."""

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
        code_style: tuple[str, str | None] | None = None,
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
        self._ticking = False
        """Listening to the frame clock (text is streaming in)."""
        self._not_before = 0.0
        self._width = 0
        self._code_theme, self._code_background = code_style or ("monokai", None)
        self._blocks = BlockLines()
        self._tail_lines: list[Strip] = []
        self._fence_lines: list[Strip] = []
        self._fence_done = 0
        self._text_complete = False
        self._room = 0
        """The height the layout is given while streaming: the text and its headroom."""
        self._reported = 0
        """The height the layout was last given (rows beyond it are not on screen)."""
        self._grown_at = 0.0
        self._grow_due = False
        self._line_style: Style | None = None
        self._lazy = False
        """A complete text not rendered yet: its height is estimated until it is on screen."""
        self._pattern: re.Pattern[str] | None = None
        """Words marked where they are drawn (see :mod:`.highlight`)."""
        if text:
            self._splitter.feed(make_safe(text))
            self._source.append(text)
            self._splitter.close()
            self._text_complete = True
            self._lazy = True

    # -- public API ---------------------------------------------------------------------------

    @property
    def lazy(self) -> bool:
        """Not rendered yet (its height is an estimate)."""
        return self._lazy and bool(self._width)

    def prepare(self) -> None:
        """Render now what would otherwise be rendered when it is first drawn."""
        self._realize()

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
        if not self._ticking and self.is_mounted:
            self._start_timer()

    def _start_timer(self) -> None:
        # One clock for every streaming view: four replies at once render on the same tick.
        FrameClock.of(self.app, FRAME).add(self._flush)
        self._ticking = True

    def _stop_timer(self) -> None:
        if self._ticking:
            self._ticking = False
            with contextlib.suppress(RuntimeError):  # no active app: it is gone already
                FrameClock.of(self.app, FRAME).remove(self._flush)

    def finish(self) -> None:
        """The text is complete: render everything that is left, now."""
        self._stop_timer()
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

    def highlight(self, pattern: re.Pattern[str] | None) -> None:
        """Mark these words wherever they are drawn (None: no more)."""
        if pattern != self._pattern:
            self._pattern = pattern
            self.refresh()

    def first_hit_line(self) -> int | None:
        """The first line holding a marked word (renders the whole text first)."""
        if self._pattern is None:
            return None
        for y in range(self.line_count()):
            if self._pattern.search(self.render_line(y).text):
                return y
        return None

    # -- streaming --------------------------------------------------------------------------

    def _consume_pending(self) -> None:
        if self._pending:
            self._splitter.feed(make_safe("".join(self._pending)))
            self._pending.clear()

    def _flush(self) -> None:
        started = time.perf_counter()
        if started < self._not_before:
            return
        if not self._pending:
            if self._grow_due and started - self._grown_at >= GROW_EVERY:
                self._grow()
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
            # Not laid out yet: ask for a layout, unless it is hidden (a stacked comparison's
            # other columns): each of those asked for one every frame, and keys typed at 80x24
            # waited up to 79 ms behind them (benchmarks/compare_render.py --size 80x24).
            # Shown again, the layout gives it a width and it renders what it has.
            if all(node.display for node in self.ancestors_with_self if isinstance(node, Widget)):
                self.refresh(layout=True)
            return
        shown = self._reported
        start = self._blocks.height
        old_tail = self._tail_lines
        skipped = self._render_new_blocks(width)
        self._render_tail(width)
        height = self._height()
        if self._text_complete:
            if height != shown:
                self._relayout()
                return
        elif skipped:
            self._grow()  # blocks went by unseen: their heights are estimates
            return
        elif height > self._room:
            if time.perf_counter() - self._grown_at >= GROW_EVERY:
                self._grow()
                return
            self._grow_due = True  # soon: the lines beyond the room wait until then
        # The same height: repaint only the cells that changed. Most deltas add a few words to
        # the last line; refreshing the whole widget repainted every line on screen (25 KiB of
        # terminal output per delta at 160x50, benchmarks/stream_terminal.py).
        new = self._blocks.lines_from(start) + self._tail_lines
        regions = []
        for y in range(min(max(len(old_tail), len(new)), shown - start)):
            before = old_tail[y] if y < len(old_tail) else None
            after = new[y] if y < len(new) else None
            if before != after:
                x = unchanged_cells(before, after)
                regions.append(Region(x, start + y, width - x, 1))
        if regions:
            self.refresh(*regions)

    def _grow(self) -> None:
        """Give the streaming text room for what arrived and HEADROOM more lines."""
        self._room = self._height() + self._headroom()
        self._grown_at = time.perf_counter()
        self._grow_due = False
        self._relayout()

    def _headroom(self) -> int:
        return max(2, min(HEADROOM, self.app.size.height // 5))

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

    def _invalidate(self, relayout: bool = True, everything: bool = False) -> None:
        """Render again (a new width or code theme): what is on screen now, the rest when
        drawn (``everything``: all of it now)."""
        self._blocks.clear()
        self._tail_lines = []
        self._fence_lines = []
        self._fence_done = 0
        if self._width:
            self._render_new_blocks(self._width, everything)
            self._render_tail(self._width)
        if relayout:
            self._relayout()

    def _options(self, width: int) -> tuple[Console, ConsoleOptions]:
        console = self.app.console
        return console, self.app.console_options.update(width=width, height=None, highlight=False)

    def _render_markdown(self, source: str, width: int) -> list[Strip]:
        if len(source) > PLAIN_ABOVE:
            return self._render_module.render_plain(source, width)
        console, options = self._options(width)
        markdown = self._render_module.BlockMarkdown(
            source, self._rich_parser, self._code_theme, self._code_background
        )
        lines = console.render_lines(markdown, options, pad=False)
        # Neighbours of one style as one segment: each segment gets its own selection offset
        # when drawn (render_line), which would keep them apart on the way to the terminal.
        strips = [Strip(Segment.simplify(line)) for line in lines]
        while strips and not strips[-1].text.strip():
            strips.pop()
        while strips and not strips[0].text.strip():
            strips.pop(0)
        return strips

    def _render_new_blocks(self, width: int, everything: bool = False) -> bool:
        """Render the blocks that finished since the last call, from the newest back until a
        screenful is rendered; older ones wait until they are drawn. True if any waits."""
        new = self._splitter.finished[len(self._blocks) :]
        if not new:
            return False
        self._fence_lines = []
        self._fence_done = 0
        budget = self.app.size.height  # the most a screen can show of them
        rendered: list[list[Strip] | None] = []
        for source in reversed(new):
            if everything or budget > 0:
                strips = self._render_markdown(source, width)
                budget -= len(strips) + 1
                rendered.append(strips)
            else:
                rendered.append(None)
        estimate = self._render_module.estimate_lines
        for source, done in zip(new, reversed(rendered), strict=True):
            self._blocks.add(done, estimate(source, width) if done is None else 0)
        return any(done is None for done in rendered)

    def _render_tail(self, width: int) -> None:
        tail = self._splitter.tail
        if self._splitter.in_open_fence:
            strips = self._render_open_fence(tail, width)
        elif tail.strip():
            strips = self._render_markdown(tail, width)
        else:
            strips = []
        if strips and len(self._blocks):
            strips.insert(0, Strip.blank(0))
        self._tail_lines = strips

    def _render_open_fence(self, tail: str, width: int) -> list[Strip]:
        """Plain monospace lines; complete lines are rendered once and kept."""
        console, _options = self._options(max(1, width - 2))
        background = (
            Style(bgcolor=self._code_background)
            if self._code_background
            else self._render_module.Syntax.get_theme(self._code_theme).get_background_style()
        )
        blank = Strip([Segment(" " * width, background)], width)
        code_lines = tail.split("\n")[1:]  # drop the opening ``` line
        complete, partial = code_lines[:-1], code_lines[-1] if code_lines else ""
        code_line = self._render_module.code_line
        for line in complete[self._fence_done :]:
            self._fence_lines.extend(code_line(line, width, background, console))
        self._fence_done = len(complete)
        out = [blank, *self._fence_lines]
        if partial:
            out.extend(code_line(partial, width, background, console))
        return out

    def _height(self) -> int:
        return self._blocks.height + len(self._tail_lines)

    def _ensure_width(self, width: int) -> None:
        if width != self._width:
            self._width = width
            if not self._lazy:
                self._invalidate(relayout=False)  # called during layout: it is being done
                if not self._text_complete:
                    self._room = self._height() + self._headroom()

    def _estimate(self, width: int) -> int:
        """Lines the finished blocks will take, without rendering them (off-screen history)."""
        estimate = self._render_module.estimate_lines
        blocks = self._splitter.finished
        return max(1, sum(estimate(block, width) for block in blocks) + len(blocks) - 1)

    def _realize(self) -> None:
        """Render a lazy view for real (it is being drawn): all of it, so that scrolling
        through an old reply does not shift it block by block."""
        if self._lazy and self._width:
            self._lazy = False
            estimated = self._estimate(self._width)
            self._invalidate(relayout=False, everything=True)
            if self._height() != estimated:
                self.call_after_refresh(self._relayout)

    def _realize_block(self, y: int) -> Strip:
        """Line ``y`` of a block that a fast stream carried past the screen: render it now."""
        index = self._blocks.block_at(y)
        source = self._splitter.finished[index]
        if self._blocks.set_lines(index, self._render_markdown(source, self._width)):
            self.call_after_refresh(self._relayout)  # its estimate was off
        return self._blocks.line(y) or Strip.blank(0)

    def line_count(self) -> int:
        """Rendered lines (renders every block first)."""
        self._realize()
        for index in range(len(self._blocks)):
            if not self._blocks.rendered(index):
                source = self._splitter.finished[index]
                self._blocks.set_lines(index, self._render_markdown(source, self._width))
        return self._height()

    # -- Textual hooks --------------------------------------------------------------------------

    def on_mount(self) -> None:
        if self._pending:
            self._start_timer()

    def on_unmount(self) -> None:
        self._stop_timer()

    def get_content_width(self, container: Size, viewport: Size) -> int:
        return container.width

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        self._ensure_width(width)
        if self._lazy:
            return self._estimate(width)
        self._reported = self._height() if self._text_complete else self._room
        return self._reported

    def _line(self, y: int) -> Strip:
        blocks = self._blocks
        if y < blocks.height:
            return blocks.line(y) or self._realize_block(y)
        index = y - blocks.height
        tail = self._tail_lines
        return tail[index] if index < len(tail) else Strip.blank(0)

    def render_line(self, y: int) -> Strip:
        self._realize()
        strip = self._line(y)
        style = self._line_style
        if style is None:
            # Worked out from every ancestor's styles: ~0.1 ms, for every line drawn.
            style = self._line_style = self.rich_style
        if self._pattern is not None:
            strip = highlight_strip(strip, self._pattern)
        # Both steps are cached on the strip: a line drawn again costs nothing more.
        strip = strip.apply_style(style)
        selection = self.text_selection
        if selection is not None:
            span = selection.get_span(y)
            if span is not None:
                selected = self.screen.get_component_rich_style("screen--selection")
                strip = mark_selected(strip, *span, selected)
        # Each cell says which character it shows: how the screen's mouse selection finds
        # its place in the text (without it, a drag selected nothing).
        return strip.apply_offsets(0, y)

    def get_selection(self, selection: Selection) -> tuple[str, str] | None:
        """The selected text as shown (its lines as drawn), for the screen's copy."""
        lines = (self._line(y).text.rstrip() for y in range(self.line_count()))
        return selection.extract("\n".join(lines)), "\n"

    def notify_style_update(self) -> None:
        self._line_style = None
        super().notify_style_update()
