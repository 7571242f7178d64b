"""Promise 2: nothing received is lost.

A partial reply is kept and marked in the session file when the user stops it, when the stream
fails, when the app quits, and when the process gets SIGTERM or SIGHUP (the terminal closed).
Under SIGKILL only the last seconds can be lost; the test prints how many characters survived.
"""

from __future__ import annotations

import os
import signal
import time

import pytest

from requesty_tui.core.settings import Settings
from requesty_tui.storage.sessions import SessionStore
from requesty_tui.testing.router import Reply, RouterServer
from requesty_tui.ui.app import RequestyApp
from requesty_tui.ui.widgets.message import AssistantMessage
from tests.support.tmux import TmuxSession, terminal_env
from tests.support.ui import chat_screen, rendered_text, send, wait_for

WORDS = " ".join(f"w{i:04d}" for i in range(2000))


def saved_reply() -> tuple[str, str | None]:
    """The only conversation on disk: its reply's text and finish_reason."""
    [summary] = SessionStore().summaries()
    conversation = SessionStore().load(summary.id)
    assert conversation.messages[0].content == "save me"
    reply = conversation.messages[1]
    return reply.content, reply.finish_reason


@pytest.mark.parametrize("how", ["escape", "error chunk", "quit"])
async def test_partial_reply_is_on_disk_and_marked(
    router: RouterServer, settings: Settings, how: str
) -> None:
    if how == "error chunk":
        router.queue(Reply(text=WORDS, chunk_chars=6, delay=0.01, error_chunk_after=60))
    else:
        router.queue(Reply(text=WORDS, chunk_chars=6, delay=0.01))
    app = RequestyApp(settings)
    async with app.run_test() as pilot:
        screen = chat_screen(app)
        await send(pilot, "save me")
        reply = screen.query_one(AssistantMessage)
        await wait_for(pilot, lambda: "w0040" in rendered_text(reply.body), what="some text")
        if how == "escape":
            await pilot.press("escape")
        elif how == "quit":
            await pilot.press("ctrl+q")
        if how != "quit":
            await wait_for(pilot, lambda: not screen.streaming, what="the end")
            shown = reply.body.source
    text, finish = saved_reply()
    assert WORDS.startswith(text) and len(text) >= 240, len(text)
    assert finish == ("error" if how == "error chunk" else "cancelled")
    if how != "quit":
        assert text == shown, "the file has every character that was on screen"


def running(pid: int) -> bool:
    """Alive and not a zombie (once tmux is gone nobody may reap the exited app)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, ProcessLookupError):
        return False


def streaming_in_tmux(router: RouterServer) -> TmuxSession:
    """The app in a real terminal, a reply streaming at ~600 characters a second."""
    router.queue(Reply(text=WORDS, chunk_chars=6, delay=0.01))
    session = TmuxSession([], terminal_env(router))
    try:
        session.wait_started()
        session.keys("save me", "Enter")
        session.wait_for(lambda s: "w0010" in s, what="the reply to start")
    except BaseException:
        session.close()
        raise
    return session


@pytest.mark.parametrize("sig", ["SIGTERM", "SIGHUP (terminal closed)"])
def test_signals_save_the_partial_reply(router: RouterServer, sig: str) -> None:
    session = streaming_in_tmux(router)
    try:
        time.sleep(0.5)  # well inside the 2 s between periodic saves
        pid = session.pid()
        if sig == "SIGTERM":
            os.kill(pid, signal.SIGTERM)
        else:
            session.tmux("kill-session", "-t", session.name)  # the terminal goes away
        deadline = time.monotonic() + 15
        while running(pid):
            if time.monotonic() > deadline:
                pytest.fail(f"the app did not exit after {sig}")
            time.sleep(0.05)
    finally:
        session.close()
    text, finish = saved_reply()
    assert finish == "cancelled", "marked as stopped, not left looking unfinished"
    assert WORDS.startswith(text) and "w0010" in text, text[-40:]


def test_kill_9_mid_reply_loses_at_most_a_few_seconds(router: RouterServer) -> None:
    session = streaming_in_tmux(router)
    try:
        # Wait for a periodic save mid-stream (every 2 s), not for a fixed time: the kill
        # then lands while the reply is still streaming and the file holds a partial save.
        deadline = time.monotonic() + 15
        while len(partial_on_disk()) < 600:
            assert time.monotonic() < deadline, "no save while the reply streamed"
            time.sleep(0.05)
        os.kill(session.pid(), signal.SIGKILL)
    finally:
        session.close()
    [summary] = SessionStore().summaries()
    conv = SessionStore().load(summary.id)
    assert conv.messages[0].content == "save me"
    on_disk = conv.messages[1].content if len(conv.messages) > 1 else ""
    assert WORDS.startswith(on_disk), "what is on disk is exactly what was received"
    # ~600 chars/s and a save every 2 s: all but the last ~2 s survive kill -9.
    assert len(on_disk) >= 600, f"only {len(on_disk)} characters survived kill -9"
    assert conv.messages[1].finish_reason is None, "saved mid-stream, never finished"
    print(f"\nkill -9 mid-stream: {len(on_disk)} characters were on disk")


def partial_on_disk() -> str:
    """The reply's text in the only session file, "" while there is none (or it is mid-write)."""
    summaries = SessionStore().summaries()
    if not summaries:
        return ""
    conv = SessionStore().load(summaries[0].id)
    return conv.messages[1].content if len(conv.messages) > 1 else ""


async def test_identical_exchanges_in_the_same_second_are_all_kept(
    router: RouterServer, settings: Settings
) -> None:
    """Found by the soak benchmark: equal Message objects made the second reply vanish."""
    router.queue(Reply(text="same"), Reply(text="same"), Reply(text="same"))
    app = RequestyApp(settings)
    async with app.run_test() as pilot:
        screen = chat_screen(app)
        for n in range(3):
            await send(pilot, "again")
            await wait_for(pilot, lambda n=n: len(screen.query(AssistantMessage)) == n + 1)
            await wait_for(pilot, lambda: not screen.streaming)
        await wait_for(pilot, lambda: len(screen.conversation.messages) == 6, what="6 messages")
    [summary] = SessionStore().summaries()
    assert [m.content for m in SessionStore().load(summary.id).messages] == ["again", "same"] * 3
