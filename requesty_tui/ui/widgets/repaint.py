"""Which cells of a streaming text a render changed: those are repainted, not the widget.

Most deltas add a few words to the last line; refreshing the whole widget repainted every line
on screen (25 KiB of terminal output per delta at 160x50, ``benchmarks/stream_terminal.py``).
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.cells import cell_len
from textual.geometry import Region
from textual.strip import Strip


def changed_regions(
    before: Sequence[Strip], after: Sequence[Strip], top: int, shown: int, width: int
) -> list[Region]:
    """The regions to repaint when the lines from ``top`` on were ``before`` and are now
    ``after`` (the widget is ``shown`` lines high: rows below it are not on screen)."""
    regions = []
    for y in range(min(max(len(before), len(after)), shown - top)):
        old = before[y] if y < len(before) else None
        new = after[y] if y < len(after) else None
        if old != new:
            x = unchanged_cells(old, new)
            regions.append(Region(x, top + y, width - x, 1))
    return regions


def unchanged_cells(before: Strip | None, after: Strip | None) -> int:
    """How many cells at the start of a line stayed the same (0 when in doubt)."""
    if before is None or after is None:
        return 0
    old, new = before.text, after.text
    common = 0
    for a, b in zip(old, new, strict=False):
        if a != b:
            break
        common += 1
    if common == 0 or old == new:
        return 0  # only the styles changed: the whole line
    cells = cell_len(new[:common])
    # The prefix must look the same too (a closing ** turns earlier words bold).
    if before.crop(0, cells) != after.crop(0, cells):
        return 0
    return cells
