"""Resume a 1,000-message / ~2 MB conversation: time to its last screen, loading earlier turns,
and peak memory (RSS). Each run is a fresh process, so the numbers include nothing cached.

    python benchmarks/long_session.py [--runs 3] [--messages 1000]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile

from _harness import ROOT, median

CHILD = r"""
import asyncio, json, os, resource, sys, time
start = time.perf_counter()
sys.path.insert(0, os.environ["ROOT"])
from requesty_tui.core.settings import Settings
from requesty_tui.storage.sessions import SessionStore
from requesty_tui.ui.app import RequestyApp
from requesty_tui.ui.screens.chat import ChatScreen
from requesty_tui.ui.widgets.conversation import ConversationView
from requesty_tui.ui.widgets.message import AssistantMessage

class Timed(RequestyApp):
    CSS_PATH = os.path.join(os.environ["ROOT"], "requesty_tui", "ui", "app.tcss")
    shown_at = None

    def _display(self, screen, renderable):
        # The first frame handed to the terminal that has the conversation's last screen in it.
        if (self.shown_at is None and renderable is not None and isinstance(screen, ChatScreen)
                and screen.query(AssistantMessage)):
            self.shown_at = time.perf_counter()
        super()._display(screen, renderable)

async def main():
    conv = SessionStore().load(os.environ["SESSION_ID"])
    loaded = time.perf_counter()
    app = Timed(Settings(api_key="k", base_url="http://127.0.0.1:9/v1"), conversation=conv)
    async with app.run_test(size=(120, 40)) as pilot:
        while app.shown_at is None:
            await asyncio.sleep(0.001)
        await pilot.pause()
        shown = app.shown_at
        view = app.screen.query_one(ConversationView)
        windows = []
        for _ in range(5):
            t = time.perf_counter()
            await view.show_earlier()
            await pilot.pause()
            windows.append(time.perf_counter() - t)
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps({"load": loaded - start, "shown": shown - start,
                          "window": sorted(windows)[len(windows) // 2], "rss_mb": rss}))

asyncio.run(main())
"""


def build(messages: int) -> tuple[str, int]:
    from requesty_tui.core.domain import Conversation, Message
    from requesty_tui.storage.sessions import SessionStore
    from requesty_tui.testing.corpus import markdown_document

    text = markdown_document(messages * 4_100, seed=11)  # ~2 MB for 1,000 messages
    chunk = len(text) // messages
    conv = Conversation(id="20261126-000000-long", model="openai/gpt-4o-mini", title="Long")
    for i in range(messages):
        body = text[i * chunk : (i + 1) * chunk]
        role = "user" if i % 2 == 0 else "assistant"
        conv.messages.append(
            Message(
                role=role,
                content=body[:200] if role == "user" else body,
                finish_reason=None if role == "user" else "stop",
            )
        )
    SessionStore().save(conv)
    return conv.id, sum(len(m.content) for m in conv.messages)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--messages", type=int, default=1000)
    args = parser.parse_args()
    import os

    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "XDG_DATA_HOME": tmp + "/data",
            "XDG_CACHE_HOME": tmp + "/cache",
            "XDG_CONFIG_HOME": tmp + "/config",
            "ROOT": str(ROOT),
        }
        os.environ.update(
            {k: env[k] for k in ("XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME")}
        )
        session_id, size = build(args.messages)
        env["SESSION_ID"] = session_id
        results = []
        for _ in range(args.runs):
            out = subprocess.run(
                [sys.executable, "-c", CHILD],
                env=env,
                capture_output=True,
                text=True,
                check=True,
                cwd=ROOT,
            ).stdout
            results.append(json.loads(out.strip().splitlines()[-1]))
    print(f"{args.messages:,} messages, {size / 1e6:.1f} MB of text, median of {args.runs} runs:")
    for key, label in (
        ("load", "process start -> session file parsed"),
        ("shown", "process start -> last screen painted"),
        ("window", "one more window of earlier messages"),
    ):
        values = [r[key] for r in results]
        print(f"  {label}: {median(values):.2f} s (runs: {', '.join(f'{v:.2f}' for v in values)})")
    print(f"  peak RSS: {median([r['rss_mb'] for r in results]):.0f} MB")


if __name__ == "__main__":
    main()
