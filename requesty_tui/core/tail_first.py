"""A complete Markdown text split into blocks with its end first.

A resumed conversation shows the end of its last reply; when that reply is 1 MB, splitting all
of it took 0.13 s before the first frame, and its last 16 KB take 2 ms
(``benchmarks/big_conversation_terminal.py``). So the end is split at once, after a cut where
the whole's blocks would also break (:func:`~.markdown_blocks.tail_cut`), and what comes before
it is one block not split yet, the *head*, split in steps between frames. When the whole is
split its blocks are checked against the end's: the cut is a guess that a fence inside a
container could mislead, and the whole's blocks are the truth.

Pure Python; no Textual.
"""

from __future__ import annotations

import time
from typing import Literal

from requesty_tui.core.markdown_blocks import BlockSplitter, split_blocks, tail_cut

__all__ = ["SPLIT_STEP", "TAIL_FIRST_ABOVE", "TAIL_KEEP", "WholeText"]

TAIL_FIRST_ABOVE = 64 * 1024
"""Characters above which the end is split first (64 KB split whole in ~8 ms)."""

TAIL_KEEP = 16 * 1024
"""Characters at least in the end split first: more than a screenful of a tall terminal (the
rest of the screen, if ever, splits the head at once)."""

SPLIT_STEP = 32 * 1024
"""Characters split between two looks at the clock (~4 ms of a 1 MB reply's 0.12 s)."""

Outcome = Literal["more", "head", "all"]


class WholeText:
    """A complete text and its blocks: :attr:`blocks` is None until :meth:`start`; while
    :attr:`head` is true, ``blocks[0]`` is the text before the end, not split yet."""

    def __init__(self, text: str, above: int = TAIL_FIRST_ABOVE, keep: int = TAIL_KEEP) -> None:
        self.text = text
        self._above, self._keep = above, keep
        self.blocks: list[str] | None = None
        self.head = False
        self._whole: BlockSplitter | None = None
        self._fed = 0

    def start(self) -> list[str]:
        """The blocks, the end of a long text split now and its head left for later."""
        if self.blocks is None:
            text = self.text
            cut = tail_cut(text, self._keep) if len(text) > self._above else 0
            if cut:
                self.blocks = [text[:cut], *split_blocks(text[cut:])]
                self.head = True
            else:
                self.blocks = split_blocks(text)
        return self.blocks

    def split_some(self, seconds: float) -> Outcome:
        """Split more of the whole for about ``seconds``. ``"more"``: not done; ``"head"``:
        the head's blocks took its place; ``"all"``: the whole's blocks differ from the end's
        and replaced them all."""
        blocks = self.start()
        if not self.head:
            return "head"
        if self._whole is None:
            self._whole = BlockSplitter()
        splitter, text = self._whole, self.text
        deadline = time.perf_counter() + seconds
        step = len(text) if seconds == float("inf") else SPLIT_STEP
        while self._fed < len(text):
            splitter.feed(text[self._fed : self._fed + step])
            self._fed += step
            if time.perf_counter() > deadline and self._fed < len(text):
                return "more"
        splitter.close()
        whole, ends = splitter.finished, len(blocks) - 1
        self.blocks, self.head, self._whole = whole, False, None
        return "head" if whole[-ends:] == blocks[1:] and len(whole) > ends else "all"
