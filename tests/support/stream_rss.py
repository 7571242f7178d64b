"""Run the app headless in this process, stream one reply from BASE_URL, print its RSS.

``python -m tests.support.stream_rss BASE_URL`` prints ``{"start": MB, "end": MB}``: resident
memory when the reply's first text is on screen and when the reply has ended (before any
collection that its end allows). In a process of its own, so that what other tests left in
memory does not count.
"""

from __future__ import annotations

import asyncio
import json
import sys


def rss_mb() -> float:
    import os

    with open("/proc/self/statm", encoding="ascii") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


async def main(base_url: str) -> None:
    from requesty_tui.core.settings import Settings
    from requesty_tui.ui.app import RequestyApp
    from requesty_tui.ui.screens.chat import ChatScreen

    app = RequestyApp(Settings(api_key="k", base_url=base_url, stall_timeout=60))
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        screen.query_one("PromptInput").load_text("go")  # type: ignore[attr-defined]
        await pilot.press("enter")
        while not screen.conversation.messages or not any(
            m.role == "assistant" for m in screen.conversation.messages
        ):
            await asyncio.sleep(0.05)
        start = rss_mb()
        while screen.streaming:
            await asyncio.sleep(0.05)
        end = rss_mb()
    print(json.dumps({"start": start, "end": end}))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
