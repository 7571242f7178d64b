"""Long use holds (reliability promise 8): 200 streamed replies in one conversation, then resume it.

Prints the resident memory (RSS) and the per-reply latency (Enter -> reply recorded and saved)
over the first and the last 20 replies, and how much each grew; then the time to resume the
conversation and show its last screen. The promise: neither grows more than 20 %. The app
process's CPU time per reply is printed too: on a shared 2-core machine it is steadier than the
wall-clock latency, which moves by +-15 % from run to run.

    python benchmarks/soak.py [--replies 200]
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time

from _harness import growth, router_process, rss_mb, soak_args, trail

REPLY = (
    "## A heading\n\nSome **bold** text and `code`, then a list:\n\n"
    + "".join(f"- item {i} with a few words in it\n" for i in range(12))
    + "\n```python\nfor i in range(3):\n    print(i)\n```\n\nAnd a closing paragraph of text. " * 2
)


async def soak(base_url: str, replies: int) -> tuple[list[float], list[float], list[float], str]:
    from requesty_tui.core.settings import Settings
    from requesty_tui.ui.app import RequestyApp
    from requesty_tui.ui.screens.chat import ChatScreen

    settings = Settings(api_key="bench", base_url=base_url, stall_timeout=60)
    latencies, cpu, memory = [], [], []
    app = RequestyApp(settings)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app._freeze_startup_objects()  # what the program does in a terminal (not headless)
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        prompt = screen.query_one("PromptInput")
        for n in range(replies):
            started, cpu_started = time.perf_counter(), time.process_time()
            prompt.load_text(f"question {n}")  # type: ignore[attr-defined]
            await pilot.press("enter")
            deadline = time.monotonic() + 60
            while screen.streaming or len(screen.conversation.messages) < 2 * (n + 1):
                await asyncio.sleep(0.002)
                if time.monotonic() > deadline:
                    notes = [str(x.content) for x in screen.query("Notice")]
                    raise SystemExit(f"reply {n} never came: {notes}")
            await pilot.pause()
            latencies.append(time.perf_counter() - started)
            cpu.append(time.process_time() - cpu_started)
            memory.append(rss_mb())
        conversation_id = screen.conversation.id
    return latencies, cpu, memory, conversation_id


async def resume(base_url: str, conversation_id: str) -> float:
    from requesty_tui.core.settings import Settings
    from requesty_tui.storage.sessions import SessionStore
    from requesty_tui.ui.app import RequestyApp
    from requesty_tui.ui.widgets.message import AssistantMessage

    started = time.perf_counter()
    conversation = SessionStore().load(conversation_id)
    app = RequestyApp(Settings(api_key="bench", base_url=base_url), conversation=conversation)
    async with app.run_test(size=(120, 40)) as pilot:
        while not app.screen.query(AssistantMessage):
            await pilot.pause()
        await pilot.pause()
        return time.perf_counter() - started


def main() -> None:
    replies, window = soak_args()
    with tempfile.TemporaryDirectory() as tmp:
        for var in ("XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME"):
            os.environ[var] = tmp
        with router_process(REPLY, chunk_chars=10, delay=0.0) as base_url:
            latencies, cpu, memory, conversation_id = asyncio.run(soak(base_url, replies))
            resumed = asyncio.run(resume(base_url, conversation_id))
    step = max(1, replies // 8)
    print(f"{replies} replies of {len(REPLY):,} chars ({len(REPLY) // 10} deltas) each:")
    print(growth("per-reply latency", latencies, window, "ms", 1000))
    print(growth("CPU per reply (app process)", cpu, window, "ms", 1000))
    print(growth("RSS", memory, window, "MB"))
    print(f"  RSS, median of each {step} replies (MB): {trail(memory, step)}")
    print(f"  latency, median of each {step} replies (ms): {trail(latencies, step, 1000)}")
    print(f"  resume of the {2 * replies}-message conversation: {resumed:.2f} s")


if __name__ == "__main__":
    main()
