"""Helpers for Pilot tests."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from textual.app import App
from textual.pilot import Pilot

from requesty_tui.ui.screens.chat import ChatScreen
from requesty_tui.ui.screens.session_browser import SessionBrowser
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


def chat_screen(app: App[object]) -> ChatScreen:
    screen = app.screen
    assert isinstance(screen, ChatScreen)
    return screen


async def send(pilot: Pilot[object], text: str) -> None:
    """Type ``text`` into the input and press Enter."""
    await type_text(pilot, text)
    await pilot.press("enter")


async def send_and_wait(pilot: Pilot[object], text: str) -> ChatScreen:
    """Send ``text`` and wait until the reply is over and recorded."""
    screen = chat_screen(pilot.app)
    await send(pilot, text)
    await wait_for(
        pilot, lambda: not screen.streaming and screen.conversation.messages, what="the reply"
    )
    return screen


async def open_browser(pilot: Pilot[object]) -> SessionBrowser:
    """ctrl+o, then wait until the browser's index has caught up with the folder."""
    await pilot.press("ctrl+o")
    browser = pilot.app.screen
    assert isinstance(browser, SessionBrowser)
    await wait_for(pilot, lambda: not browser.indexing, what="the index to catch up")
    return browser


async def run_command(pilot: Pilot[object], command: str) -> None:
    """Open the palette, search for ``command`` and run it (Enter once it is highlighted).

    The whole text is set at once (typed key by key, the palette searched again after each
    key: 13 s of a test that sets five options), and Enter waits until the highlighted hit is
    that command, not a discovery hit still shown from before the search."""
    from textual.command import Command, CommandList, CommandPalette
    from textual.widgets import Input

    await pilot.press("ctrl+p")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, CommandPalette), what="palette")
    pilot.app.screen.query_one(Input).value = command

    def highlighted() -> str:
        found = pilot.app.screen.query_one(CommandList)
        if found.highlighted is None:
            return ""
        option = found.get_option_at_index(found.highlighted)
        hit = option.hit if isinstance(option, Command) else None
        return (hit.text or "") if hit is not None else ""

    await wait_for(
        pilot, lambda: highlighted().startswith(command), what=f"the command {command!r}"
    )
    await pilot.press("enter")
