"""Marks drawn over a line, never put in the text: the words searched for, the mouse selection.

Words: a search hit opened from the browser (an in-chat find can use the same). They are literal
text matched case-insensitively, never a regular expression or markup; marking happens on what
is drawn (rendered Markdown lines, a message's Content), so it can never change what the text
says. The selection: a drag over a reply's lines, in the screen's selection colours."""

from __future__ import annotations

import re
from collections.abc import Iterable

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

HIGHLIGHT = "bold reverse"
"""How a found word is drawn (as the browser's snippet marks its hits)."""

_STYLE = Style.parse(HIGHLIGHT)


def words_pattern(words: Iterable[str]) -> re.Pattern[str] | None:
    """Any of ``words``, literally and whatever the case; None when there is none. Longer words
    first, so that a word holding another is marked whole."""
    unique = sorted({w for w in words if w.strip()}, key=len, reverse=True)
    if not unique:
        return None
    return re.compile("|".join(re.escape(w) for w in unique), re.IGNORECASE)


def hit_spans(text: str, pattern: re.Pattern[str]) -> list[tuple[int, int]]:
    """(start, end) character offsets of every match."""
    return [m.span() for m in pattern.finditer(text) if m.end() > m.start()]


def highlight_strip(strip: Strip, pattern: re.Pattern[str] | None) -> Strip:
    """The line with every match drawn in :data:`HIGHLIGHT` over its own style (a match is
    found within one line: a word wrapped across two is not)."""
    if pattern is None:
        return strip
    text = strip.text
    spans = hit_spans(text, pattern)
    if not spans:
        return strip
    cuts: list[int] = []
    for start, end in spans:
        cuts += [cell_len(text[:start]), cell_len(text[:end])]
    cuts.append(strip.cell_length)
    pieces = strip.divide(cuts)
    marked = [
        Strip(Segment.apply_style(list(piece), post_style=_STYLE), piece.cell_length)
        if n % 2
        else piece
        for n, piece in enumerate(pieces)
    ]
    return Strip.join(marked)


def mark_selected(strip: Strip, start: int, end: int, selected: Style) -> Strip:
    """The characters ``start:end`` of a line (-1: to its end) drawn over in ``selected``
    (the screen's selection colours), the rest as it was."""
    text = strip.text
    end = len(text) if end == -1 else min(end, len(text))
    if start >= end:
        return strip
    first, last = cell_len(text[:start]), cell_len(text[:end])
    before, inside, after = strip.crop(0, first), strip.crop(first, last), strip.crop(last)
    marked = Strip(
        [Segment(t, s + selected if s else selected, c) for t, s, c in inside], inside.cell_length
    )
    return Strip.join([before, marked, after])
