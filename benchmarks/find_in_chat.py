"""Find in a 1,000-message / ~2 MB conversation (the one ``long_session.py`` builds): from a
key typed in the find bar to the frame with the marks, and from Enter to the frame that shows a
match 800 messages up (mounted from behind the "earlier messages" marker). Each run is a fresh
process, headless at 120x40.

    python benchmarks/find_in_chat.py [--runs 3] [--messages 1000]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile

from _harness import ROOT, median

WORD = "xylophone"
"""In one message 800 from the end (and nowhere else): Enter goes there."""

CHILD = r"""
import asyncio, json, os, sys, time
sys.path.insert(0, os.environ["ROOT"])
from requesty_tui.core.settings import Settings
from requesty_tui.storage.sessions import SessionStore
from requesty_tui.ui.app import RequestyApp
from requesty_tui.ui.widgets.conversation import ConversationView
from requesty_tui.ui.widgets.find_bar import FindBar
from requesty_tui.ui.widgets.message import AssistantMessage

class Timed(RequestyApp):
    CSS_PATH = os.path.join(os.environ["ROOT"], "requesty_tui", "ui", "app.tcss")
    wait = None       # a predicate on the screen, checked at each frame
    seen_at = None

    def _display(self, screen, renderable):
        if self.wait is not None and self.seen_at is None and renderable is not None:
            if self.wait(screen):
                self.seen_at = time.perf_counter()
        super()._display(screen, renderable)

async def timed(app, pilot, key, predicate):
    app.wait, app.seen_at = predicate, None
    started = time.perf_counter()
    await pilot.press(key)
    while app.seen_at is None:
        assert time.perf_counter() - started < 20, "never shown"
        await asyncio.sleep(0.001)
    return app.seen_at - started

async def main():
    conv = SessionStore().load(os.environ["SESSION_ID"])
    word = os.environ["WORD"]
    app = Timed(Settings(api_key="k", base_url="http://127.0.0.1:9/v1"), conversation=conv)
    async with app.run_test(size=(120, 40)) as pilot:
        while not app.screen.query(AssistantMessage):
            await asyncio.sleep(0.01)
        await pilot.pause()
        chat = app.screen
        view = chat.query_one(ConversationView)
        await pilot.press("ctrl+f")
        while not chat.query(FindBar):
            await asyncio.sleep(0.01)
        await pilot.pause()
        # Each key of a common word: every message of the branch is searched, the mounted
        # ones marked; the frame that carries the marks and the new count.
        keys = []
        typed = ""
        for key in "the":
            typed += key
            want = typed
            keys.append(await timed(app, pilot, key, lambda s, want=want: (
                chat.finder.pattern is not None and chat.finder.pattern.pattern == want)))
            await pilot.pause()
        # A word 800 messages up: Enter, until the frame that shows its message in the pane.
        chat.query_one(FindBar).input.value = ""
        await pilot.pause()
        for key in word:
            await pilot.press(key)
        await pilot.pause()
        target = next(m for m in conv.messages if word in m.content)

        def shown(screen):
            for w in view.message_widgets():
                if getattr(w, "message", None) is target:
                    r, pane = w.region, view.content_region
                    return r.height and r.y < pane.bottom and r.bottom > pane.y
            return False

        go = await timed(app, pilot, "enter", shown)
        print(json.dumps({"keys": keys, "go": go, "mounted": len(view.message_widgets())}))

asyncio.run(main())
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--messages", type=int, default=1000)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "XDG_DATA_HOME": tmp + "/data",
            "XDG_CACHE_HOME": tmp + "/cache",
            "XDG_CONFIG_HOME": tmp + "/config",
            "ROOT": str(ROOT),
            "WORD": WORD,
        }
        os.environ.update(
            {k: env[k] for k in ("XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME")}
        )
        env["SESSION_ID"] = build(args.messages)
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
    keys = [max(r["keys"]) for r in results]
    go = [r["go"] for r in results]
    print(f"{args.messages:,} messages, median of {args.runs} runs:")
    print(
        f"  a key in the find bar -> the frame with the marks: {median(keys) * 1000:.0f} ms "
        f"(slowest of 3 keys; runs: {', '.join(f'{v * 1000:.0f}' for v in keys)})"
    )
    print(
        f"  Enter -> the frame showing a match 800 messages up: {median(go) * 1000:.0f} ms "
        f"(runs: {', '.join(f'{v * 1000:.0f}' for v in go)}; "
        f"{results[0]['mounted']} message widgets mounted after)"
    )


def build(messages: int) -> str:
    """long_session.py's conversation, with :data:`WORD` in the reply 800 from the end."""
    from long_session import build as build_long

    from requesty_tui.storage.sessions import SessionStore

    session_id, _size = build_long(messages)
    store = SessionStore()
    conv = store.load(session_id)
    target = conv.messages[max(1, len(conv.messages) - 800) | 1]  # a reply
    target.content = f"{target.content}\n\nA {WORD} here."
    store.save(conv)
    return session_id


if __name__ == "__main__":
    main()
