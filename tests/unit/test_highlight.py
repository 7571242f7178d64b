"""Marking found words in drawn lines: literal, case-insensitive, at the right cells."""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from requesty_tui.ui.widgets.highlight import highlight_strip, words_pattern


def marked(strip: Strip) -> list[str]:
    return [s.text for s in strip if s.style is not None and s.style.reverse]


def test_words_are_literal_and_case_insensitive() -> None:
    pattern = words_pattern(["c++", "A.B", " "])
    assert pattern is not None
    line = Strip([Segment("C++ and a.b, not axb; c++", Style(bold=True))])
    out = highlight_strip(line, pattern)
    assert marked(out) == ["C++", "a.b", "c++"]
    assert out.text == line.text and out.cell_length == line.cell_length
    assert all(s.style is not None and s.style.bold for s in out), "its own style stays"
    assert words_pattern(["", "  "]) is None


def test_wide_characters_and_a_hit_at_the_start() -> None:
    pattern = words_pattern(["東京", "tokyo"])
    assert pattern is not None
    line = Strip([Segment("東京 is Tokyo")])
    assert marked(highlight_strip(line, pattern)) == ["東京", "Tokyo"]
