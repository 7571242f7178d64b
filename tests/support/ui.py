"""Helpers for Pilot tests."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from textual.pilot import Pilot

from requesty_tui.ui.widgets.markdown_view import MarkdownView


async def wait_for(
    pilot: Pilot[object],
    condition: Callable[[], object],
    timeout: float = 10.0,
    what: str = "condition",
) -> None:
    """Let the app run until ``condition()`` is truthy; fail with ``what`` after ``timeout``."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)
        await pilot.pause()


def rendered_text(view: MarkdownView) -> str:
    """What the Markdown view shows, line by line, as plain text."""
    return "\n".join(view.render_line(y).text.rstrip() for y in range(view.line_count()))


async def type_text(pilot: Pilot[object], text: str) -> None:
    """Type characters; newlines become ctrl+j (the newline key that works everywhere)."""
    keys = []
    for char in text:
        keys.append("ctrl+j" if char == "\n" else char)
    await pilot.press(*keys)
