"""A Markdown view built for streaming: finished blocks render once, only the tail re-renders.

Textual's ``Markdown`` widget lays out and renders the whole document on every update (O(size)
per delta). Here the lines live in a :class:`.markdown_cache.RenderCache` (each finished block
rendered once, and only when it can be seen; the open tail drawn again as it grows, see
:mod:`.markdown_tail`); the widget coalesces deltas, renders at most once per frame and repaints
only the cells that changed (:mod:`.repaint`); ``render_line`` only indexes the cache and draws
the marks (:mod:`.highlight`: found words, the selection) over it.
"""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Iterator

from rich.console import Console, ConsoleOptions
from rich.style import Style
from textual.geometry import Size
from textual.selection import Selection
from textual.strip import Strip
from textual.widget import Widget

from requesty_tui.ui.gc_pause import hold_full_collections, release_full_collections
from requesty_tui.ui.widgets.block_lines import BlockLines
from requesty_tui.ui.widgets.frame_clock import FrameClock
from requesty_tui.ui.widgets.highlight import highlight_strip, mark_selected
from requesty_tui.ui.widgets.markdown_cache import RenderCache
from requesty_tui.ui.widgets.repaint import changed_regions

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

WHOLE_AT_ONCE = 300
"""Estimated lines up to which a complete text is rendered whole when it is first drawn (then no
block's height changes while someone scrolls through it). A longer one renders the screenful
drawn first and the rest in slices between frames: a 1 MB reply (3,500 blocks, ~19,000 lines)
held the UI for 3.7 s when it was drawn (``benchmarks/long_session.py --huge``)."""

FILL_SLICE = 0.010
"""Seconds of rendering in one slice of a long text's rest: a key pressed meanwhile waits at
most this long (the key-echo budget is 50 ms)."""

FILL_GAP = 0.010
"""Seconds between two slices, for the frames and keys (about half of a core while it fills).
Full garbage collections wait meanwhile, as during a stream: the lines kept are many new
long-lived objects, and each of the full collections they set off (45-89 ms) was one of the
slowest key echoes of scrolling back (``benchmarks/big_conversation_terminal.py``)."""


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
        self._cache = RenderCache(self._options, code_style, self._estimate_was_off)
        self._pending: list[str] = []
        self._source: list[str] = []
        self._ticking = False
        """Listening to the frame clock (text is streaming in)."""
        self._not_before = 0.0
        self._width = 0
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
        self._filling = False
        """A slice of the rest of a long text is due (see :data:`WHOLE_AT_ONCE`)."""
        self._holding = False
        """Full garbage collections wait for this view's fill (see :data:`FILL_GAP`)."""
        self._pattern: re.Pattern[str] | None = None
        """Words marked where they are drawn (see :mod:`.highlight`)."""
        if text:
            self._cache.give_whole(text)  # split when first drawn, its end first
            self._source.append(text)
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

    def finish(self) -> None:
        """The text is complete: render everything that is left, now."""
        self._stop_timer()
        self._consume_pending()
        self._cache.close()
        self._text_complete = True
        self._update()

    def set_code_theme(self, theme: str, background: str | None = None) -> None:
        """The Pygments style for code, and the background the colour theme gives code."""
        if self._cache.renderer.set_code_style(theme, background) and not self._lazy:
            self._invalidate()

    def highlight(self, pattern: re.Pattern[str] | None) -> None:
        """Mark these words wherever they are drawn (None: no more)."""
        if pattern != self._pattern:
            self._pattern = pattern
            self.refresh()

    def first_hit_line(self) -> int | None:
        """The first line holding a marked word (renders the whole text first)."""
        pattern = self._pattern
        if pattern is None:
            return None
        return next((y for y, line in enumerate(self.drawn_lines()) if pattern.search(line)), None)

    def drawn_lines(self) -> Iterator[str]:
        """The text of each line as drawn (renders every block first), from the render cache:
        not through :meth:`render_line`, whose marks and styles a search does not need."""
        width = self._width
        for y in range(self.line_count()):
            yield self._cache.line(y, width).text

    def line_count(self) -> int:
        """Rendered lines (renders every block first)."""
        self._realize()
        self._cache.render_all(self._width)
        return self._cache.height

    # -- streaming --------------------------------------------------------------------------

    def _start_timer(self) -> None:
        # One clock for every streaming view: four replies at once render on the same tick.
        FrameClock.of(self.app, FRAME).add(self._flush)
        self._ticking = True

    def _stop_timer(self) -> None:
        if self._ticking:
            self._ticking = False
            with contextlib.suppress(RuntimeError):  # no active app: it is gone already
                FrameClock.of(self.app, FRAME).remove(self._flush)

    def _consume_pending(self) -> None:
        if self._pending:
            self._cache.feed("".join(self._pending))
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
        cache = self._cache
        shown = self._reported
        start = cache.blocks.height
        old_tail = cache.tail.lines
        skipped = cache.render_new_blocks(width, self.app.size.height)
        cache.render_tail(width)
        height = cache.height
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
        # The same height: repaint only the cells that changed.
        new = cache.blocks.lines_from(start) + cache.tail.lines
        regions = changed_regions(old_tail, new, start, shown, width)
        if regions:
            self.refresh(*regions)

    def _grow(self) -> None:
        """Give the streaming text room for what arrived and HEADROOM more lines."""
        self._room = self._cache.height + self._headroom()
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

    @property
    def _blocks(self) -> BlockLines:
        """The finished blocks' lines (which are rendered, which are estimates)."""
        return self._cache.blocks

    def _options(self, width: int) -> tuple[Console, ConsoleOptions]:
        console = self.app.console
        return console, self.app.console_options.update(width=width, height=None, highlight=False)

    def _invalidate(self, relayout: bool = True, everything: bool = False) -> None:
        """Render again (a new width or code theme): what is on screen now, the rest of a
        complete text in slices between frames (``everything``: all of it now)."""
        self._cache.clear()
        if self._width:
            waits = self._cache.render_new_blocks(self._width, self.app.size.height, everything)
            self._cache.render_tail(self._width)
            if waits and self._text_complete:
                self._fill_soon()
        if relayout:
            self._relayout()

    def _fill_soon(self) -> None:
        if not self._filling and self.is_mounted:
            self._filling = True
            if not self._holding:
                self._holding = True
                hold_full_collections()
            self.set_timer(FILL_GAP, self._fill, name="fill")

    def _fill_done(self) -> None:
        """Nothing more to fill (or never will be: unmounted): full collections may run."""
        if self._holding:
            self._holding = False
            release_full_collections()

    def _fill(self) -> None:
        """One slice of the blocks still waiting, the newest first (the end of a reply is what
        a resumed conversation shows; its pane stays anchored there as the heights come)."""
        self._filling = False
        if self._lazy or not self._width:
            self._fill_done()
            return
        waiting, delta = self._cache.render_waiting(self._width, FILL_SLICE)
        if delta:
            self._relayout()
        self._fill_soon() if waiting else self._fill_done()

    def _estimate_was_off(self) -> None:
        """A block drawn at last is not as high as estimated: lay out again after this frame."""
        self.call_after_refresh(self._relayout)

    def _ensure_width(self, width: int) -> None:
        if width != self._width:
            self._width = width
            if not self._lazy:
                self._invalidate(relayout=False)  # called during layout: it is being done
                if not self._text_complete:
                    self._room = self._cache.height + self._headroom()

    def _realize(self) -> None:
        """Render a lazy view for real (it is being drawn): all of it, so that scrolling
        through an old reply does not shift it block by block; a long one (more than
        :data:`WHOLE_AT_ONCE` lines) its last screenful now and the rest in slices."""
        if self._lazy and self._width:
            self._lazy = False
            estimated = self._cache.estimate(self._width)
            self._invalidate(relayout=False, everything=estimated <= WHOLE_AT_ONCE)
            if self._cache.height != estimated:
                self.call_after_refresh(self._relayout)

    # -- Textual hooks --------------------------------------------------------------------------

    def on_mount(self) -> None:
        if self._pending:
            self._start_timer()

    def on_unmount(self) -> None:
        self._stop_timer()
        self._fill_done()

    def get_content_width(self, container: Size, viewport: Size) -> int:
        return container.width

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        self._ensure_width(width)
        if self._lazy:
            return self._cache.estimate(width)
        self._reported = self._cache.height if self._text_complete else self._room
        return self._reported

    def render_line(self, y: int) -> Strip:
        self._realize()
        strip = self._cache.line(y, self._width)
        style = self._line_style
        if style is None:
            # Worked out from every ancestor's styles: ~0.1 ms, for every line drawn.
            style = self._line_style = self.rich_style
        # Styled first: cached on the cached strip, and a line without a mark keeps it, so a
        # line drawn again costs nothing more (marked first, every line was styled anew on
        # every redraw while a search was open). The marks go on a new strip, a marked line's.
        strip = strip.apply_style(style)
        if self._pattern is not None:
            strip = highlight_strip(strip, self._pattern)
        selection = self.text_selection
        if selection is not None:
            span = selection.get_span(y)
            if span is not None:
                selected = self.screen.get_component_rich_style("screen--selection")
                strip = mark_selected(strip, *span, selected)
        # Last, once the segments are cut: each cell says which character it shows (how the
        # screen's mouse selection finds its place; cached on the strip too).
        return strip.apply_offsets(0, y)

    def get_selection(self, selection: Selection) -> tuple[str, str] | None:
        """The selected text as shown (its lines as drawn), for the screen's copy."""
        lines = (line.rstrip() for line in self.drawn_lines())
        return selection.extract("\n".join(lines)), "\n"

    def notify_style_update(self) -> None:
        self._line_style = None
        super().notify_style_update()
