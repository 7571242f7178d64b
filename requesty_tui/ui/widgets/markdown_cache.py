"""The lines a Markdown text draws at a width, each rendered as seldom as it can be.

Every finished top-level block (see :mod:`requesty_tui.core.markdown_blocks`) is rendered once to
strips and kept (:class:`.block_lines.BlockLines`), and only when it can be seen: when many
finish between two renders (a stream at full speed), the newest screenful is rendered and the
others keep an estimated height until something draws them. The open tail is drawn again as it
grows (:mod:`.markdown_tail`). A new width or code style clears it all.

A complete text given whole (a reply from history) is split when it is first drawn, its end
first (:mod:`requesty_tui.core.tail_first`): until the rest is split, it is the first block, an
estimate that nothing renders, split in steps by :meth:`RenderCache.render_waiting`.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from rich.console import Console, ConsoleOptions
from textual.strip import Strip

from requesty_tui.core.markdown_blocks import BlockSplitter, make_safe
from requesty_tui.core.tail_first import WholeText
from requesty_tui.ui.widgets.block_lines import BlockLines
from requesty_tui.ui.widgets.markdown_tail import TailLines


class RenderCache:
    """A text's blocks (as they finish), their lines and the tail's lines.

    ``options`` gives the app's console and its options at a width; ``resized`` is called when
    drawing a block that was an estimate changed the height (the layout must hear of it).
    """

    def __init__(
        self,
        options: Callable[[int], tuple[Console, ConsoleOptions]],
        code_style: tuple[str, str | None] | None,
        resized: Callable[[], None],
    ) -> None:
        from requesty_tui.ui.widgets import markdown_render  # Rich Markdown + Pygments: lazy

        self._estimate_lines = markdown_render.estimate_lines
        self.renderer = markdown_render.BlockRenderer(options, code_style)
        self.splitter = BlockSplitter()
        self.blocks = BlockLines()
        self.tail = TailLines()
        self._prepared: dict[int, list[Strip]] = {}
        """Blocks rendered ahead (:meth:`render_waiting`) but not in :attr:`blocks` yet: their
        heights change nothing until all are there, so that the layout is done once."""
        self._prepare_from: int | None = None
        self._estimated: tuple[tuple[int, int], int] = ((0, 0), 1)
        self._resized = resized
        self._whole: WholeText | None = None
        """A complete text given at once (None: it streams through :attr:`splitter`)."""

    def give_whole(self, text: str) -> None:
        """The whole text at once, complete: split when it is first drawn, its end first."""
        self._whole = WholeText(make_safe(text))

    def feed(self, text: str) -> None:
        """More text (control characters made visible first). After a whole text, the text
        streams on from it (nothing does that today: a reply from history is complete)."""
        if self._whole is not None:
            whole, self._whole = self._whole.text, None
            self.clear()
            self.splitter.feed(whole)
        self.splitter.feed(make_safe(text))

    def _sources(self, whole_at: int = 0) -> list[str]:
        """The finished blocks' sources (``whole_at`` a width: the head split too, now)."""
        if self._whole is None:
            return self.splitter.finished
        if whole_at and self._whole.head:
            self._split_head(float("inf"), whole_at)
        return self._whole.start()

    def _is_head(self, index: int) -> bool:
        return index == 0 and self._whole is not None and self._whole.head

    def _split_head(self, seconds: float, width: int) -> None:
        """Split the head for about ``seconds``; once done, its blocks take its place. The
        lines of the blocks after it stay as they are (all go, in the rare case that the
        whole's blocks are not the end's)."""
        assert self._whole is not None
        count = len(self._whole.start())
        outcome = self._whole.split_some(seconds)
        if outcome != "more" and len(self.blocks) == count and width:
            sources = self._whole.start()
            if outcome == "head":
                heads = sources[: len(sources) - count + 1]
                self.blocks.split_first([self._estimate_lines(s, width) for s in heads])
                shift = len(heads) - 1
                self._prepared = {index + shift: lines for index, lines in self._prepared.items()}
                if self._prepare_from is not None:
                    self._prepare_from += shift
            else:
                self.clear()
                self.render_new_blocks(width, 0)
                self._resized()

    def close(self) -> None:
        """The text is complete: its tail is a finished block."""
        self.splitter.close()

    @property
    def height(self) -> int:
        return self.blocks.height + len(self.tail.lines)

    def clear(self) -> None:
        """Forget every line (a new width or code style)."""
        self.blocks.clear()
        self.tail.clear()
        self._prepared.clear()
        self._prepare_from = None

    def render_new_blocks(self, width: int, budget: int, everything: bool = False) -> bool:
        """Render the blocks that finished since the last call, from the newest back until
        ``budget`` lines (a screenful) are rendered; older ones wait until they are drawn
        (``everything``: none waits). True if any waits."""
        sources = self._sources(whole_at=width if everything else 0)
        new = sources[len(self.blocks) :]
        if not new:
            return False
        self.tail.block_finished()
        rendered: list[list[Strip] | None] = []
        for index, source in zip(range(len(sources) - 1, -1, -1), reversed(new), strict=False):
            if (everything or budget > 0) and not self._is_head(index):
                strips = self.renderer.markdown(source, width)
                budget -= len(strips) + 1
                rendered.append(strips)
            else:
                rendered.append(None)
        estimate = self._estimate_lines
        for source, done in zip(new, reversed(rendered), strict=True):
            self.blocks.add(done, estimate(source, width) if done is None else 0)
        return any(done is None for done in rendered)

    def render_tail(self, width: int) -> None:
        self.tail.render(self.splitter, width, bool(len(self.blocks)), self.renderer)

    def estimate(self, width: int) -> int:
        """Lines the finished blocks will take, without rendering them (off-screen history).

        Kept per width and block count: every layout of the pane asks each message not drawn
        yet, and a 1 MB reply's 3,500 blocks took 5 ms to estimate each time (a third of the
        CPU of scrolling back through a big conversation was layouts)."""
        unsplit = self._whole is not None and self._whole.blocks is None
        # Not split yet: the whole text as one block is near enough, and costs no split.
        blocks = [self._whole.text] if self._whole is not None and unsplit else self._sources()
        key = (width, -1 if unsplit else len(blocks))
        if self._estimated[0] != key:
            estimate = self._estimate_lines
            total = sum(estimate(block, width) for block in blocks) + len(blocks) - 1
            self._estimated = (key, max(1, total))
        return self._estimated[1]

    def render_waiting(self, width: int, seconds: float) -> tuple[bool, int]:
        """Render blocks still waiting, the newest first, for about ``seconds``; return
        whether any still wait and how much the height changed. The lines are kept aside
        until the last block is rendered and go in together (one layout, not one a slice:
        a layout of the whole pane every 20 ms doubled the CPU of opening a big
        conversation, ``benchmarks/big_conversation_terminal.py``)."""
        deadline = time.perf_counter() + seconds
        blocks = self.blocks
        index = blocks.waiting_before(
            len(blocks) if self._prepare_from is None else self._prepare_from
        )
        while index is not None:
            if self._is_head(index):
                height = blocks.height
                self._prepare_from = 1  # after the split: the last of the head's blocks
                self._split_head(deadline - time.perf_counter(), width)
                return True, blocks.height - height
            self._prepared[index] = self.renderer.markdown(self._sources()[index], width)
            index = blocks.waiting_before(index)
            if index is not None and time.perf_counter() > deadline:
                self._prepare_from = index + 1  # the next slice starts with it
                return True, 0
        prepared = self._prepared
        ready = {i: lines for i, lines in prepared.items() if not blocks.rendered(i)}
        prepared.clear()
        self._prepare_from = None
        return False, blocks.set_many(ready) if ready else 0

    def render_all(self, width: int) -> None:
        """Render every block still waiting."""
        sources = self._sources(whole_at=width)
        done = {
            index: self._prepared.pop(index, []) or self.renderer.markdown(sources[index], width)
            for index in range(len(self.blocks))
            if not self.blocks.rendered(index)
        }
        self._prepared.clear()
        self._prepare_from = None
        if done:
            self.blocks.set_many(done)

    def line(self, y: int, width: int) -> Strip:
        """Line ``y`` as rendered at ``width`` (a block not rendered yet is rendered now)."""
        blocks = self.blocks
        if y < blocks.height:
            return blocks.line(y) or self._render_block_at(y, width)
        index = y - blocks.height
        tail = self.tail.lines
        return tail[index] if index < len(tail) else Strip.blank(0)

    def _render_block_at(self, y: int, width: int) -> Strip:
        """Line ``y`` of a block that a fast stream carried past the screen: render it now."""
        index = self.blocks.block_at(y)
        if self._is_head(index):  # drawn before the fill split it: split it now
            self._split_head(float("inf"), width)
            self._resized()
            index = self.blocks.block_at(y)
            line = self.blocks.line(y)
            if line is not None:
                return line
        done = {i: lines for i, lines in self._prepared.items() if not self.blocks.rendered(i)}
        self._prepared.clear()
        if index not in done:
            done[index] = self.renderer.markdown(self._sources()[index], width)
        # The blocks rendered ahead go in with it: they lie between here and the end, where
        # someone scrolling back has come from, so the next pages need no layout of their own
        # (a layout of a pane holding a 1 MB reply takes 60-150 ms).
        if self.blocks.set_many(done):
            self._resized()  # its estimate was off
        return self.blocks.line(y) or Strip.blank(0)
