"""Stream a long Markdown reply from the local router into the headless app, as fast as it goes.

Prints, for each size, the median over several runs of: CPU seconds and wall seconds from the
first delta to the final render, the number of tail renders (batched: at most one per frame,
not one per delta), and the growth ratio between sizes (2x the text should cost ~2x, i.e.
linear, not 4x). The router runs in its own process so its CPU is not counted.

    python benchmarks/stream_render.py [--runs 3]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time

from _harness import median, router_process

from requesty_tui.config import Settings
from requesty_tui.ui.app import RequestyApp
from requesty_tui.ui.screens.chat import ChatScreen
from requesty_tui.ui.widgets.markdown_view import MarkdownView
from requesty_tui.ui.widgets.message import AssistantMessage
from tests.support.corpus import code_document, markdown_document

CASES = [
    ("100 KB markdown / 10k deltas", lambda: markdown_document(100_000), 10),
    ("200 KB markdown / 20k deltas", lambda: markdown_document(200_000), 10),
    ("100 KB code fence / 10k deltas", lambda: code_document(100_000), 10),
]


async def one_run(base_url: str) -> tuple[float, float, int, int]:
    first: dict[str, float] = {}
    original = MarkdownView.append

    def timed_append(self: MarkdownView, text: str) -> None:
        if "cpu" not in first:
            first["cpu"], first["wall"] = time.process_time(), time.perf_counter()
        original(self, text)

    MarkdownView.append = timed_append  # type: ignore[method-assign]
    try:
        app = RequestyApp(Settings(api_key="bench", base_url=base_url, stall_timeout=60))
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, ChatScreen)
            screen.query_one("PromptInput").load_text("go")  # type: ignore[attr-defined]
            await pilot.press("enter")
            while (
                screen.streaming
                or not screen.conversation.messages[-1:]
                or screen.conversation.messages[-1].role != "assistant"
            ):
                await asyncio.sleep(0.005)
            reply = screen.query_one(AssistantMessage)
            await pilot.pause()  # the final frame
            cpu = time.process_time() - first["cpu"]
            wall = time.perf_counter() - first["wall"]
            return cpu, wall, reply.body.renders, len(reply.body.source)
    finally:
        MarkdownView.append = original  # type: ignore[method-assign]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    os.environ.setdefault("XDG_DATA_HOME", tempfile.mkdtemp())
    os.environ.setdefault("XDG_CACHE_HOME", tempfile.mkdtemp())
    results: dict[str, float] = {}
    for label, make, chunk in CASES:
        text = make()
        cpus, walls, renders = [], [], []
        with router_process(text, chunk_chars=chunk) as base_url:
            for _ in range(args.runs):
                cpu, wall, count, size = asyncio.run(one_run(base_url))
                assert size == len(text), f"lost text: {size} of {len(text)} characters"
                cpus.append(cpu)
                walls.append(wall)
                renders.append(count)
        results[label] = median(cpus)
        deltas = len(text) // chunk
        print(
            f"{label:34s} ({len(text):,} chars, {deltas:,} deltas): "
            f"CPU {median(cpus):.2f} s, wall {median(walls):.2f} s, "
            f"tail renders {int(median(renders))} (runs: "
            f"{', '.join(f'{c:.2f}' for c in cpus)})"
        )
    ratio = results[CASES[1][0]] / results[CASES[0][0]]
    print(f"growth 100 KB -> 200 KB: x{ratio:.2f} CPU (linear is x2, quadratic x4)")


if __name__ == "__main__":
    main()
