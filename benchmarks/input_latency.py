"""Typing while a reply streams at ~500 deltas/s: key press -> the input holds the character.

A key event is posted the way the driver posts it; the latency is the time until the input's
text has the character (the next frame then paints it). Reports p50/p99 over 150 keys.

    python benchmarks/input_latency.py
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time

from _harness import router_process
from textual import events

from requesty_tui.core.settings import Settings
from requesty_tui.testing.corpus import markdown_document
from requesty_tui.ui.app import RequestyApp
from requesty_tui.ui.screens.chat import ChatScreen
from requesty_tui.ui.widgets.prompt_input import PromptInput

KEYS = 150


async def measure(base_url: str) -> list[float]:
    app = RequestyApp(Settings(api_key="k", base_url=base_url, stall_timeout=60))
    latencies = []
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        prompt = screen.query_one(PromptInput)
        prompt.load_text("go")
        await pilot.press("enter")
        while not screen.streaming:
            await asyncio.sleep(0.001)
        await asyncio.sleep(1.0)  # well into the stream
        for n in range(KEYS):
            if not screen.streaming:
                break
            before = len(prompt.text)
            started = time.perf_counter()
            app.post_message(events.Key("x", "x"))
            while len(prompt.text) == before:
                await asyncio.sleep(0)
            latencies.append(time.perf_counter() - started)
            await asyncio.sleep(0.03 + (n % 3) * 0.01)
        assert screen.streaming, "the stream must outlast the typing"
    return latencies


def main() -> None:
    os.environ.setdefault("XDG_DATA_HOME", tempfile.mkdtemp())
    os.environ.setdefault("XDG_CACHE_HOME", tempfile.mkdtemp())
    text = markdown_document(120_000)
    # 10 characters a delta, 2 ms apart: ~500 deltas/s for ~25 s.
    with router_process(text, chunk_chars=10, delay=0.002) as base_url:
        values = sorted(asyncio.run(measure(base_url)))
    p50 = values[len(values) // 2]
    p99 = values[min(len(values) - 1, int(len(values) * 0.99))]
    print(
        f"{len(values)} keys typed during a ~500 deltas/s stream: key -> input p50 "
        f"{p50 * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms, max {values[-1] * 1000:.1f} ms"
    )


if __name__ == "__main__":
    main()
