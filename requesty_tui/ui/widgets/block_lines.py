"""The rendered lines of a Markdown text's finished blocks, some of them not rendered yet.

A block that a fast stream carried past the screen is kept as an estimated height until
something draws it: rendering every block of a 195 KB reply streamed at full speed cost most
of its CPU, though only the last screenful was ever seen (``benchmarks/stream_terminal.py``).
Each block after the first starts with the blank line that separates it from the one before.
"""

from __future__ import annotations

import bisect

from textual.strip import Strip


class BlockLines:
    """Per-block lines (or ``None`` with an estimate) and the y offset where each block starts."""

    def __init__(self) -> None:
        self._lines: list[list[Strip] | None] = []
        self._heights: list[int] = []
        self._starts: list[int] = []
        self.height = 0
        """Lines of all blocks (estimates included)."""

    def __len__(self) -> int:
        return len(self._lines)

    def clear(self) -> None:
        self._lines.clear()
        self._heights.clear()
        self._starts.clear()
        self.height = 0

    def add(self, lines: list[Strip] | None, estimate: int = 0) -> None:
        """A finished block: its rendered lines, or None and how many lines it will take."""
        if self._lines and lines is not None:
            lines = [Strip.blank(0), *lines]
        height = len(lines) if lines is not None else estimate + (1 if self._lines else 0)
        self._starts.append(self.height)
        self._lines.append(lines)
        self._heights.append(height)
        self.height += height

    def split_first(self, estimates: list[int]) -> None:
        """The first block turned out to be several, none rendered (each an estimate)."""
        self._lines[:1] = [None] * len(estimates)
        self._heights[:1] = [estimate + (1 if n else 0) for n, estimate in enumerate(estimates)]
        self._starts[:1] = [0] * len(estimates)
        self._recount_from(0)

    def rendered(self, index: int) -> bool:
        return self._lines[index] is not None

    def block_at(self, y: int) -> int:
        return max(0, bisect.bisect_right(self._starts, y) - 1)

    def line(self, y: int) -> Strip | None:
        """The line at ``y``; None when its block is not rendered yet."""
        index = self.block_at(y)
        lines = self._lines[index]
        if lines is None:
            return None
        offset = y - self._starts[index]
        return lines[offset] if offset < len(lines) else Strip.blank(0)

    def lines_from(self, y: int) -> list[Strip]:
        """Every line from ``y`` on (all of those blocks rendered)."""
        out: list[Strip] = []
        for index in range(self.block_at(y) if self._lines else 0, len(self._lines)):
            lines = self._lines[index] or []
            skip = max(0, y - self._starts[index])
            out.extend(lines[skip:])
        return out

    def waiting_before(self, end: int) -> int | None:
        """The last block before ``end`` that is not rendered yet (None: all are)."""
        for index in range(min(end, len(self._lines)) - 1, -1, -1):
            if self._lines[index] is None:
                return index
        return None

    def set_many(self, rendered: dict[int, list[Strip]]) -> int:
        """Several blocks rendered at last, the starts worked out once (block by block, a
        3,500-block reply moved every later start 3,500 times); returns the height change."""
        delta = 0
        for index, lines in rendered.items():
            if index:
                lines = [Strip.blank(0), *lines]
            delta += len(lines) - self._heights[index]
            self._lines[index] = lines
            self._heights[index] = len(lines)
        if delta:
            self._recount_from(min(rendered))
        return delta

    def _recount_from(self, first: int) -> None:
        """Where each block from ``first`` on starts, and the total (heights changed)."""
        start = self._starts[first]
        for index in range(first, len(self._starts)):
            self._starts[index] = start
            start += self._heights[index]
        self.height = start

    def set_lines(self, index: int, lines: list[Strip]) -> int:
        """A block rendered at last; returns how much the total height changed."""
        if index:
            lines = [Strip.blank(0), *lines]
        delta = len(lines) - self._heights[index]
        self._lines[index] = lines
        self._heights[index] = len(lines)
        if delta:
            for later in range(index + 1, len(self._starts)):
                self._starts[later] += delta
            self.height += delta
        return delta
