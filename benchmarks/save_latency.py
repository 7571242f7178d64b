"""Typing while a 10 MB conversation is saved: key press -> the input holds the character.

The conversation (10 replies of 1 MB, with an escape character in every line, so that TOML needs
escaped strings: the slowest case) is resumed in the headless app; then, 20 times, every reply
grows by a word (as a streaming reply does between two saves, so that nothing is cached), a key
is posted the way the driver posts it and a save starts at the same moment. Prints the echo
latency (p50, p99, max) and how long the saves took. Before issue 14 the save ran on the UI
thread, so every key waited for the whole save.

    python benchmarks/save_latency.py [--rounds 20]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time

from _harness import ROOT  # noqa: F401  (puts the repository on sys.path)
from textual import events

try:
    from requesty_tui.core.domain import Conversation, Message
    from requesty_tui.core.settings import Settings
except ImportError:  # the layout before issue 14, for an A/B run
    from requesty_tui.config import Settings  # type: ignore[no-redef]
    from requesty_tui.domain import Conversation, Message  # type: ignore[no-redef]
from requesty_tui.ui.app import RequestyApp

BLOCK = ("a long line of a long reply \x1b with an escape\n" * 20_000)[:1_000_000]


def conversation() -> Conversation:
    conv = Conversation(id="20261201-000000-big0", model="openai/gpt-4o-mini", title="Big")
    for n in range(10):
        conv.messages.append(Message(role="user", content=f"question {n}"))
        conv.messages.append(Message(role="assistant", content=BLOCK, finish_reason="stop"))
    return conv


async def measure(rounds: int) -> tuple[list[float], list[float]]:
    app = RequestyApp(
        Settings(api_key="k", base_url="http://127.0.0.1:9/v1"), conversation=conversation()
    )
    echoes, saves = [], []
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        prompt = screen.query_one("PromptInput")
        for n in range(rounds):
            char = "abcdefghij"[n % 10]
            for message in screen.conversation.messages:  # type: ignore[attr-defined]
                message.content += " more"
            before = prompt.text  # type: ignore[attr-defined]
            pressed = time.perf_counter()
            app.post_message(events.Key(char, char))
            screen.save()  # type: ignore[attr-defined]
            while prompt.text == before:  # type: ignore[attr-defined]
                await asyncio.sleep(0.0005)
            echoes.append(time.perf_counter() - pressed)
            saver = getattr(screen, "saver", None)
            while saver is not None and not saver.idle:
                await asyncio.sleep(0.005)
            saves.append(time.perf_counter() - pressed)
    return echoes, saves


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    os.environ["XDG_DATA_HOME"] = tempfile.mkdtemp()
    os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp()
    os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp()
    echoes, saves = asyncio.run(measure(args.rounds))
    echoes.sort()
    p99 = echoes[min(len(echoes) - 1, int(len(echoes) * 0.99))]
    p50 = statistics.median(echoes)
    print(
        f"key echo during the save of a 10 MB conversation: p50 {p50 * 1000:.0f} ms, "
        f"p99 {p99 * 1000:.0f} ms, max {echoes[-1] * 1000:.0f} ms; "
        f"a save took {statistics.median(saves):.2f} s (median of {len(saves)})"
    )


if __name__ == "__main__":
    main()
