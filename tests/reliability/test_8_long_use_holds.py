"""Promise 8: long use holds.

The figures (200 replies: per-reply latency and memory at the start and at the end) come from
``benchmarks/soak.py``; these tests pin the two mechanisms behind them, so that a change which
brings the growth back fails here first: a live chat keeps a bounded number of message widgets
mounted (every message stays reachable), and the widgets it puts away are freed with everything
they rendered (Textual's ``StylesCache`` leak, see ``requesty_tui.ui.textual_fixes``).
"""

from __future__ import annotations

import gc
import weakref

from requesty_tui.core.settings import Settings
from requesty_tui.testing.router import Reply, RouterServer
from requesty_tui.ui.app import RequestyApp
from requesty_tui.ui.gc_pause import full_collections_paused, hold_until_first_frame
from requesty_tui.ui.widgets.conversation import LIVE_LIMIT, WINDOW, ConversationView
from requesty_tui.ui.widgets.markdown_view import MarkdownView
from requesty_tui.ui.widgets.message import AssistantMessage, UserMessage
from tests.support.ui import chat_screen, rendered_text, wait_for

REPLIES = LIVE_LIMIT // 2 + 6
REPLY = "## Heading\n\n" + "".join(f"- point {i} with **bold** words\n" for i in range(8))


async def test_a_long_live_chat_frees_what_it_puts_away_and_keeps_every_message(
    router: RouterServer, settings: Settings
) -> None:
    router.queue(*(Reply(text=f"{REPLY}\nreply {n}") for n in range(REPLIES)))
    app = RequestyApp(settings)
    views: dict[int, weakref.ref[MarkdownView]] = {}
    line_caches: dict[int, weakref.ref[object]] = {}
    async with app.run_test(size=(100, 30)) as pilot:
        screen = chat_screen(app)
        prompt = screen.query_one("PromptInput")
        for n in range(REPLIES):
            prompt.load_text(f"question {n}")  # type: ignore[attr-defined]
            await pilot.press("enter")
            expected = 2 * (n + 1)
            await wait_for(
                pilot,
                lambda: not screen.streaming and len(screen.conversation.messages) == expected,  # noqa: B023
                what=f"reply {n}",
            )
            await pilot.pause()
            mounted = len(screen.query(UserMessage)) + len(screen.query(AssistantMessage))
            assert mounted <= LIVE_LIMIT, (n, mounted)
            for view in screen.query(MarkdownView):
                views.setdefault(id(view), weakref.ref(view))
                line_caches.setdefault(id(view), weakref.ref(view._styles_cache))
        # The end of the chat is on screen, the start is behind the marker.
        last = screen.query(AssistantMessage).last()
        assert f"reply {REPLIES - 1}" in rendered_text(last.body)
        conversation = screen.query_one(ConversationView)
        assert conversation.hidden_count >= 2 * REPLIES - LIVE_LIMIT
        assert f"{conversation.hidden_count} earlier messages" in str(
            screen.query_one("#earlier").content
        )
        mounted_now = {id(view) for view in screen.query(MarkdownView)}
        put_away = [key for key in views if key not in mounted_now]
        assert len(put_away) >= REPLIES - WINDOW // 2
        # Textual's NodeList caches the last "displayed" list it computed; reading it drops the
        # removed widgets from that cache (one list, not a growth).
        assert len(conversation.displayed_children) == len(conversation.children)
        gc.collect()
        alive = [key for key in put_away if views[key]() is not None]
        kept_lines = [key for key in put_away if line_caches[key]() is not None]
        assert not alive, f"{len(alive)} of {len(put_away)} put-away replies still in memory"
        assert not kept_lines, (
            f"the rendered lines of {len(kept_lines)} of {len(put_away)} put-away replies are "
            "still in memory"
        )
        # Every message is still reachable by scrolling up.
        while conversation.hidden_count:
            conversation.scroll_home(animate=False)
            await wait_for(pilot, lambda: not conversation._loading, what="earlier messages")
            await pilot.pause()
        assert "question 0" in str(screen.query(UserMessage).first().content)
        assert len(screen.query(AssistantMessage)) == REPLIES


async def test_no_full_collection_mid_stream_and_collection_always_resumes(
    router: RouterServer, settings: Settings
) -> None:
    """A full collection stalls the UI for ~90 ms (soak); it waits for the reply to end, while
    the young generations keep running (they free each frame's garbage). After a stopped,
    failed or finished reply full collections run again, or memory would only grow."""
    router.queue(
        Reply(text="slow words " * 200, chunk_chars=11, delay=0.02),
        Reply(status=401),
        Reply(text="done"),
    )
    before = gc.get_threshold()
    app = RequestyApp(settings)
    async with app.run_test() as pilot:
        screen = chat_screen(app)
        prompt = screen.query_one("PromptInput")
        prompt.load_text("first")  # type: ignore[attr-defined]
        await pilot.press("enter")
        reply = screen.query_one(AssistantMessage)
        await wait_for(pilot, lambda: "slow words slow" in rendered_text(reply.body), what="text")
        assert screen.streaming and full_collections_paused() and gc.isenabled()
        await pilot.press("escape")
        await wait_for(pilot, lambda: not screen.streaming, what="the stop")
        assert gc.get_threshold() == before, "stopped reply"
        for text in ("second", "third"):  # a failed request, then a finished reply
            prompt.load_text(text)  # type: ignore[attr-defined]
            await pilot.press("enter")
            await wait_for(pilot, lambda: not screen.streaming, what=f"the end of {text}")
            assert gc.get_threshold() == before, text
        assert [m.content for m in screen.conversation.messages[-2:]] == ["third", "done"]


async def test_the_collector_held_for_the_start_runs_again_after_the_first_frame(
    settings: Settings,
) -> None:
    """The CLI holds every collection while the app starts (start-up is faster by one full
    collection); a collector left off after that would let memory grow for the whole session."""
    hold_until_first_frame()
    try:
        assert not gc.isenabled()
        app = RequestyApp(settings)
        async with app.run_test() as pilot:
            await wait_for(pilot, gc.isenabled, what="the collector back on")
            assert chat_screen(app).query_one("PromptInput").has_focus
    finally:
        gc.enable()


def test_memory_stays_flat_while_a_reply_streams_at_reading_speed(router: RouterServer) -> None:
    """300 chunks at ~33 a second, in an app process of its own: its memory at the end of the
    stream is within 10 MB of the start. With collection switched off for the stream, each
    frame's cyclic garbage (Textual's strips caching themselves) piled up: +36 MB in 12 s,
    +280 MB over a 2,000-chunk reply in a real terminal."""
    import json
    import subprocess
    import sys

    from requesty_tui.testing.corpus import markdown_document

    router.queue(Reply(text=markdown_document(300 * 20), chunk_chars=20, delay=0.03))
    result = subprocess.run(
        [sys.executable, "-m", "tests.support.stream_rss", router.base_url],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    rss = json.loads(result.stdout)
    assert rss["end"] - rss["start"] < 10, rss
