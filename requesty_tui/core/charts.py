"""Charts from block characters, as plain data: a horizontal bar for a line of text, and the
cells of a stacked vertical bar (the account screen colours them, ``usage`` prints the bars).

Eighth blocks give 8 steps per cell; where two stacked parts meet inside a cell, the lower
one is the block's colour and the upper one its background, so a cell shows both.
"""

from __future__ import annotations

from dataclasses import dataclass

HORIZONTAL = " ▏▎▍▌▋▊▉█"
"""0..8 eighths of a cell, from the left."""
VERTICAL = " ▁▂▃▄▅▆▇█"
"""0..8 eighths of a cell, from the bottom."""


def hbar(value: float, maximum: float, width: int) -> str:
    """``value`` of ``maximum`` as a bar ``width`` cells long at most (a value above zero
    shows at least an eighth)."""
    if maximum <= 0 or value <= 0 or width <= 0:
        return ""
    eighths = max(1, round(min(value, maximum) / maximum * width * 8))
    full, part = divmod(eighths, 8)
    return "█" * full + (HORIZONTAL[part] if part else "")


@dataclass(frozen=True, slots=True)
class Cell:
    """One cell of a vertical bar: a character, the part drawn in it (its colour) and the
    part above it in the same cell (its background; None: the chart's)."""

    char: str
    part: int | None = None
    above: int | None = None


def stack(parts: list[float], maximum: float, rows: int) -> list[Cell]:
    """The cells of one stacked bar, bottom row first (``rows`` of them): ``parts`` stacked in
    order from the bottom, scaled so that ``maximum`` fills every row. A bar above zero shows
    at least an eighth."""
    units = rows * 8
    tops: list[int] = []
    total = 0.0
    for value in parts:
        total += max(0.0, value)
        tops.append(round(total / maximum * units) if maximum > 0 else 0)
    if tops and tops[-1] == 0 and total > 0:
        tops[-1] = 1
    cells = []
    for row in range(rows):
        low, high = row * 8, row * 8 + 8

        def owner(eighth: int) -> int | None:
            """The part covering the eighth ``eighth`` (None: above the bar)."""
            return next((i for i, top in enumerate(tops) if eighth < top), None)

        bottom = owner(low)
        if bottom is None:
            cells.append(Cell(" "))
            continue
        top = owner(high - 1)
        if top == bottom:
            cells.append(Cell("█", bottom))
            continue
        filled = min(tops[bottom], high) - low  # the bottom part's eighths in this cell
        cells.append(Cell(VERTICAL[filled], bottom, top))
    return cells


def short_count(n: int) -> str:
    """ "950", "12.4k", "3.1M": tokens in a narrow column."""
    if n >= 1_000_000:
        return f"{n / 1_000_000:.1f}M"
    if n >= 1000:
        return f"{n / 1000:.1f}k"
    return str(n)
