"""Resume a 1,000-message / ~2 MB conversation: time to its last screen, loading earlier turns,
and peak memory (RSS). Each run is a fresh process, so the numbers include nothing cached.

``--huge``: the same 1,000 messages, twenty replies of ~200 KB and two of ~1 MB among them (long
code, logs, a pasted file answered in full), one of the 1 MB ones on the last screen: what a
month of daily use leaves (issue 25).

``--tree``: the same 1,000 messages with 200 branch points (a regenerated reply beside every
fourth one). Also times switching to another alternative of the last reply (until the frame
that shows it), how many message widgets that built, and a save with and without changes.

    python benchmarks/long_session.py [--runs 3] [--messages 1000] [--tree | --huge]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time

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
    target = None
    target_shown_at = None

    def _display(self, screen, renderable):
        if (self.target is not None and self.target_shown_at is None and renderable is not None
                and any(getattr(w, "message", None) is self.target
                        for w in screen.query_one(ConversationView).message_widgets())):
            self.target_shown_at = time.perf_counter()
        # The first frame handed to the terminal that has the conversation's last screen in it.
        if (self.shown_at is None and renderable is not None and isinstance(screen, ChatScreen)
                and screen.query(AssistantMessage)):
            self.shown_at = time.perf_counter()
        super()._display(screen, renderable)

async def tree_switches(app, pilot, view):
    # Focus a reply (as a user does), let the screen settle, press right (or left), and time
    # until the frame that shows the other alternative; count the message bodies built.
    from requesty_tui.chat.branches import position
    from requesty_tui.ui.widgets import markdown_view
    built = []
    init = markdown_view.MarkdownView.__init__
    def counting(self, *a, **k):
        built.append(self)
        init(self, *a, **k)
    markdown_view.MarkdownView.__init__ = counting
    screen = app.screen
    conv = screen.conversation

    async def switch(widget):
        widget.focus()
        await pilot.pause()
        settle = time.perf_counter() + 5
        while (any(v.lazy for v in screen.query(markdown_view.MarkdownView))
               and time.perf_counter() < settle):
            await asyncio.sleep(0.01)
        n, of = position(conv, widget.message)
        siblings = conv.tree().siblings(widget.message)
        app.target, app.target_shown_at = (siblings[n] if n < of else siblings[n - 2]), None
        built.clear()
        t = time.perf_counter()
        await pilot.press("right" if n < of else "left")
        while app.target_shown_at is None:
            assert time.perf_counter() - t < 10, "the switch never showed"
            await asyncio.sleep(0.001)
        took = app.target_shown_at - t
        await pilot.pause()
        return took, len(built)

    def with_alternatives():
        return [w for w in screen.query(AssistantMessage)
                if w.message is not None and position(conv, w.message)[1] > 1]

    out = {"last": await switch(with_alternatives()[-1])}
    middle = with_alternatives()[len(with_alternatives()) // 2]
    out["middle"] = await switch(middle)
    back = next(w for w in screen.query(AssistantMessage) if w.message is app.target)
    out["back"] = await switch(back)
    markdown_view.MarkdownView.__init__ = init
    return out


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
        switches = {}
        if os.environ.get("TREE"):
            switches = await tree_switches(app, pilot, view)
        windows = []
        for _ in range(5):
            t = time.perf_counter()
            await view.show_earlier()
            await pilot.pause()
            windows.append(time.perf_counter() - t)
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps({"load": loaded - start, "shown": shown - start,
                          "window": sorted(windows)[len(windows) // 2], "rss_mb": rss,
                          "switches": switches}))

asyncio.run(main())
"""


def build(
    messages: int, tree: bool = False, huge: bool = False, store: object = None
) -> tuple[str, int]:
    """The conversation, saved (by ``store``: the default folders when None)."""
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
    if huge:
        # Twenty ~200 KB replies spread over the conversation, a ~1 MB one in the middle and
        # another as the second-to-last reply (on the last screen, under a short last one).
        replies = [i for i, m in enumerate(conv.messages) if m.role == "assistant"]
        big = markdown_document(200_000, seed=5)
        huge_text = markdown_document(1_000_000, seed=6)
        for n, index in enumerate(replies[:: len(replies) // 20][:20]):
            conv.messages[index].content = f"Reply {n}\n\n{big}"
        conv.messages[replies[len(replies) // 2]].content = huge_text
        conv.messages[replies[-2]].content = huge_text
        conv.messages[replies[-1]].content = "A short last reply."
    if tree:
        # 200 branch points: a second reply beside every fourth of the first 800 messages' replies
        # (so 1,000 messages in all, the branch on screen still ending at the newest one).
        conv.messages = conv.messages[: messages - messages // 5]
        end = conv.messages[-1]
        replies = [m for m in conv.messages if m.role == "assistant"]
        for n, reply in enumerate(replies[:: max(1, len(replies) // (messages // 5))]):
            if len(conv.messages) >= messages:
                break
            parent = conv.tree().parent(reply)
            conv.add(Message(role="assistant", content=f"alternative {n}\n\n{reply.content}",
                             finish_reason="stop"), under=parent)  # fmt: skip
        conv.show(end)
        if conv.tree().parent(end) is not None:  # the newest reply has an alternative too
            conv.add(Message(role="assistant", content="the last one's alternative",
                             finish_reason="stop"), under=conv.tree().parent(end))  # fmt: skip
            conv.show(end)
    save_costs(conv)
    (store or SessionStore()).save(conv)  # type: ignore[attr-defined]
    return conv.id, sum(len(m.content) for m in conv.messages)


def save_costs(conv: object) -> None:
    """A save of the whole conversation, the first time and again with nothing changed."""
    from requesty_tui.storage.session_format import to_toml

    for label in ("first", "unchanged"):
        started = time.perf_counter()
        to_toml(conv)  # type: ignore[arg-type]
        SAVES[label] = time.perf_counter() - started


SAVES: dict[str, float] = {}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--tree", action="store_true", help="200 branch points")
    parser.add_argument("--huge", action="store_true", help="twenty 200 KB and two 1 MB replies")
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
        session_id, size = build(args.messages, args.tree, args.huge)
        env["SESSION_ID"] = session_id
        if args.tree:
            env["TREE"] = "1"
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
    print(
        f"  save (to_toml): {SAVES['first'] * 1000:.0f} ms the first time, "
        f"{SAVES['unchanged'] * 1000:.1f} ms with nothing changed"
    )
    if args.tree:
        for key, label in (
            ("last", "the last reply"),
            ("middle", "a reply in the middle of the screen (the branch below goes)"),
            ("back", "and back (the branch below comes back)"),
        ):
            took = [r["switches"][key][0] for r in results]
            print(
                f"  switch {label}: {median(took) * 1000:.0f} ms to the frame "
                f"(runs: {', '.join(f'{v * 1000:.0f}' for v in took)}), "
                f"{results[0]['switches'][key][1]} message bodies built"
            )


if __name__ == "__main__":
    main()
