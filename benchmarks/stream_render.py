"""Stream a long Markdown reply from the local router into the headless app, as fast as it goes.

For each case, (a) our chat app and (b) a baseline that streams the same deltas into Textual's
``Markdown`` through ``MarkdownStream`` (as oterm, Toad and Textual's own examples do). Prints
the median CPU and wall seconds from the first delta to the final frame, the number of tail
renders (batched: at most one per frame, not one per delta), the baseline/ours ratio, and the
growth ratio between 100 KB and 200 KB (linear is x2, quadratic x4). The router runs in its own
process so its CPU is not counted.

    python benchmarks/stream_render.py [--runs 3] [--baseline-runs 1] [--no-baseline]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time

from _harness import median, router_process

from requesty_tui.core.settings import Settings
from requesty_tui.testing.corpus import code_document, markdown_document
from requesty_tui.ui.app import RequestyApp
from requesty_tui.ui.screens.chat import ChatScreen
from requesty_tui.ui.widgets.markdown_view import MarkdownView
from requesty_tui.ui.widgets.message import AssistantMessage

CASES = [
    ("100 KB markdown / 10k deltas", lambda: markdown_document(100_000), 10),
    ("200 KB markdown / 20k deltas", lambda: markdown_document(200_000), 10),
    ("100 KB code fence / 10k deltas", lambda: code_document(100_000), 10),
]


async def one_run(base_url: str) -> tuple[float, float, int, int]:
    first: dict[str, float] = {}
    original = MarkdownView.append
    original_update = MarkdownView._update
    renders = [0]

    def counted_update(self: MarkdownView) -> None:
        renders[0] += 1
        original_update(self)

    def timed_append(self: MarkdownView, text: str) -> None:
        if "cpu" not in first:
            first["cpu"], first["wall"] = time.process_time(), time.perf_counter()
        original(self, text)

    MarkdownView.append = timed_append  # type: ignore[method-assign]
    MarkdownView._update = counted_update  # type: ignore[method-assign]
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
            return cpu, wall, renders[0], len(reply.body.source)
    finally:
        MarkdownView.append = original  # type: ignore[method-assign]
        MarkdownView._update = original_update  # type: ignore[method-assign]


async def baseline_run(base_url: str) -> tuple[float, float, int]:
    """Textual's Markdown + MarkdownStream, fed by the same client and router."""
    from textual import work
    from textual.app import App, ComposeResult
    from textual.containers import VerticalScroll
    from textual.widgets import Markdown

    from requesty_tui.client import ChatRequest, RouterClient, TextDelta

    marks: dict[str, float] = {}

    class Baseline(App[None]):
        done = False
        received = 0

        def compose(self) -> ComposeResult:
            with VerticalScroll(id="chat"):
                yield Markdown(id="reply")

        @work(exclusive=True, group="llm", exit_on_error=False)
        async def stream(self) -> None:
            self.query_one("#chat").anchor()
            stream = Markdown.get_stream(self.query_one("#reply", Markdown))
            client = RouterClient(base_url, "bench", stall_timeout=600)
            request = ChatRequest("m/x", [{"role": "user", "content": "go"}])
            try:
                async for event in client.stream_chat(request):
                    if isinstance(event, TextDelta):
                        if "cpu" not in marks:
                            marks["cpu"], marks["wall"] = time.process_time(), time.perf_counter()
                        self.received += len(event.text)
                        await stream.write(event.text)
            finally:
                await stream.stop()
                await client.aclose()
                self.done = True

    app = Baseline()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app.stream()
        while not app.done:
            await asyncio.sleep(0.01)
        await pilot.pause()
        return time.process_time() - marks["cpu"], time.perf_counter() - marks["wall"], app.received


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--baseline-runs", type=int, default=1, help="the baseline takes minutes per run at 200 KB"
    )
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--only", type=int, nargs="*", help="case numbers to run (0, 1, 2)")
    parser.add_argument(
        "--baseline-timeout",
        type=float,
        default=600,
        help="seconds before a baseline run is given up (it is quadratic)",
    )
    args = parser.parse_args()
    os.environ.setdefault("XDG_DATA_HOME", tempfile.mkdtemp())
    os.environ.setdefault("XDG_CACHE_HOME", tempfile.mkdtemp())
    results: dict[str, float] = {}
    for number, (label, make, chunk) in enumerate(CASES):
        if args.only is not None and number not in args.only:
            continue
        text = make()
        cpus, walls, renders = [], [], []
        base_cpus: list[float] = []
        with router_process(text, chunk_chars=chunk) as base_url:
            for _ in range(args.runs):
                cpu, wall, count, size = asyncio.run(one_run(base_url))
                assert size == len(text), f"lost text: {size} of {len(text)} characters"
                cpus.append(cpu)
                walls.append(wall)
                renders.append(count)
            if not args.no_baseline:
                for _ in range(args.baseline_runs):
                    try:
                        cpu, _wall, size = asyncio.run(
                            asyncio.wait_for(baseline_run(base_url), args.baseline_timeout)
                        )
                    except TimeoutError:
                        print(
                            f"{'':34s} baseline gave up after {args.baseline_timeout:.0f} s wall",
                            flush=True,
                        )
                        break
                    assert size == len(text)
                    base_cpus.append(cpu)
        results[label] = median(cpus)
        deltas = len(text) // chunk
        print(
            f"{label:34s} ({len(text):,} chars, {deltas:,} deltas): "
            f"ours CPU {median(cpus):.2f} s, wall {median(walls):.2f} s, "
            f"tail renders {int(median(renders))} "
            f"(runs: {', '.join(f'{c:.2f}' for c in cpus)})",
            flush=True,
        )
        if base_cpus:
            print(
                f"{'':34s} baseline MarkdownStream CPU {median(base_cpus):.2f} s "
                f"(runs: {', '.join(f'{c:.2f}' for c in base_cpus)}): "
                f"ours is x{median(base_cpus) / median(cpus):.1f} cheaper",
                flush=True,
            )
    if CASES[0][0] in results and CASES[1][0] in results:
        ratio = results[CASES[1][0]] / results[CASES[0][0]]
        print(f"growth 100 KB -> 200 KB: x{ratio:.2f} CPU (linear is x2, quadratic x4)")


if __name__ == "__main__":
    main()
