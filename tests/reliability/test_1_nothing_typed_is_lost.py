"""Promise 1: nothing typed is lost.

A message whose send fails for any reason stays in the input box (nothing arrived) or in the
conversation (something arrived), ready to resend with one key; the draft in the input box
survives quitting the app, and even kill -9 (it is on disk a second after typing stops). A
multi-line paste or shift+enter in a real terminal adds lines and never sends early.
"""

from __future__ import annotations

import dataclasses
import os
import signal
import time

import pytest

from requesty_tui.core.settings import Settings
from requesty_tui.storage.drafts import draft_file
from requesty_tui.testing.router import Reply, RouterServer
from requesty_tui.ui.app import RequestyApp
from requesty_tui.ui.widgets.message import AssistantMessage, Notice, UserMessage
from requesty_tui.ui.widgets.prompt_input import PromptInput
from tests.support.tmux import TmuxSession, terminal_env
from tests.support.ui import chat_screen, send, type_text, wait_for

FAILURES_BEFORE_ANY_TEXT = [
    (Reply(status=401), "REQUESTY_API_KEY"),
    (Reply(status=403, error_message="Invalid authorization token"), "invalid or revoked"),
    (Reply(status=403, error_message="Model blocked by org policy"), "policy"),
    (Reply(status=402, error_message="Insufficient balance"), "Top up"),
    (Reply(status=404, error_message="Provider and/or model not supported"), "another model"),
    (Reply(status=412, error_message="Reached monthly spend limit"), "spend limit"),
    (Reply(status=500), "HTTP 500"),
    (Reply(first_delay=3600), "sent nothing for 2 s"),  # timeout: accepted, never answered
    (Reply(stall_after=0), "sent nothing for 2 s"),  # headers, then silence
]


@pytest.mark.parametrize(
    ("reply", "expected"),
    FAILURES_BEFORE_ANY_TEXT,
    ids=["401", "403-key", "403-policy", "402", "404", "412", "500", "timeout", "stall"],
)
async def test_a_failed_send_puts_the_text_back_and_enter_resends(
    router: RouterServer, settings: Settings, reply: Reply, expected: str
) -> None:
    router.queue(reply)
    app = RequestyApp(dataclasses.replace(settings, max_attempts=1))
    async with app.run_test() as pilot:
        screen = chat_screen(app)
        await send(pilot, "keep me")
        await wait_for(pilot, lambda: screen.query(Notice), what="the error notice")
        notice = str(screen.query_one(Notice).content)
        assert expected in notice and "\n" not in notice.strip(), notice
        assert screen.query_one(PromptInput).text == "keep me"
        assert screen.query_one(UserMessage).has_class("-not-sent")
        assert screen.conversation.messages == []
        # The same text resends with one key once the server is fine again.
        await pilot.press("enter")
        await wait_for(pilot, lambda: len(screen.conversation.messages) == 2, what="resend")
        assert screen.conversation.messages[0].content == "keep me"


async def test_no_network_keeps_the_text(settings: Settings) -> None:
    app = RequestyApp(dataclasses.replace(settings, base_url="http://127.0.0.1:9/v1"))
    async with app.run_test() as pilot:
        screen = chat_screen(app)
        await send(pilot, "offline words")
        await wait_for(pilot, lambda: screen.query(Notice), what="the error notice")
        assert "refused" in str(screen.query_one(Notice).content)
        assert screen.query_one(PromptInput).text == "offline words"


async def test_cut_mid_stream_keeps_prompt_and_partial_reply(
    router: RouterServer, settings: Settings
) -> None:
    router.queue(Reply(text="partial answer that never ends", chunk_chars=4, cut_after=3))
    app = RequestyApp(settings)
    async with app.run_test() as pilot:
        screen = chat_screen(app)
        await send(pilot, "hi")
        await wait_for(pilot, lambda: screen.query(Notice), what="the error notice")
        reply = screen.query_one(AssistantMessage)
        assert reply.body.source == "partial answ"
        assert "incomplete" in str(reply.header.content)
        assert "middle of the reply" in str(screen.query_one(Notice).content)
        assert [m.content for m in screen.conversation.messages] == ["hi", "partial answ"]
        assert screen.conversation.messages[-1].finish_reason == "error"
        # Up brings the prompt back; Enter asks again.
        await pilot.press("up", "enter")
        await wait_for(pilot, lambda: len(screen.conversation.messages) == 4, what="the retry")
        assert screen.conversation.messages[2].content == "hi"


async def test_escape_before_the_first_token_gives_the_text_back(
    router: RouterServer, settings: Settings
) -> None:
    router.queue(Reply(first_delay=30))
    app = RequestyApp(settings)
    async with app.run_test() as pilot:
        screen = chat_screen(app)
        await send(pilot, "never mind")
        await wait_for(pilot, lambda: screen.streaming, what="the request")
        await pilot.press("escape")
        await wait_for(pilot, lambda: not screen.streaming, what="the stop")
        assert screen.query_one(PromptInput).text == "never mind"
        assert screen.conversation.messages == []


async def test_the_draft_survives_quitting_and_is_gone_once_sent(
    router: RouterServer, settings: Settings
) -> None:
    app = RequestyApp(settings)
    async with app.run_test() as pilot:
        await type_text(pilot, "half a\nthought")
        await pilot.press("ctrl+q")
    assert draft_file().read_text() == "half a\nthought"
    app = RequestyApp(settings)
    async with app.run_test() as pilot:
        screen = chat_screen(app)
        assert screen.query_one(PromptInput).text == "half a\nthought"
        await pilot.press("enter")
        await wait_for(pilot, lambda: len(screen.conversation.messages) == 2, what="the reply")
        await pilot.press("ctrl+q")
    assert not draft_file().exists(), "a sent message is not a draft any more"


def test_the_draft_survives_kill_9(router: RouterServer) -> None:
    session = TmuxSession([], terminal_env(router))
    try:
        session.wait_started()
        session.keys("typed but not sent", literal=True)
        session.wait_for(lambda s: "typed but not sent" in s, what="the typing")
        deadline = time.monotonic() + 10
        while not draft_file().exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        os.kill(session.pid(), signal.SIGKILL)
    finally:
        session.close()
    assert draft_file().read_text() == "typed but not sent"
    session = TmuxSession([], terminal_env(router))
    try:
        session.wait_started()
        session.wait_for(lambda s: "typed but not sent" in s, what="the draft, back")
    finally:
        session.close()


SHIFT_ENTER_CSI_U = ["1b", "5b", "31", "33", "3b", "32", "75"]
"""ESC [ 13 ; 2 u: shift+enter as terminals with the kitty keyboard protocol send it."""


def test_a_multi_line_paste_and_shift_enter_in_a_real_terminal_wait_for_enter(
    router: RouterServer,
) -> None:
    pasted = "first pasted line\nsecond pasted line\n\tindented third"
    session = TmuxSession([], terminal_env(router))
    try:
        session.wait_started()
        # A bracketed paste (tmux paste-buffer -p), as a terminal delivers Cmd/ctrl+shift+V.
        session.tmux("set-buffer", "-b", "clip", pasted)
        session.tmux("paste-buffer", "-p", "-b", "clip", "-t", session.name)
        session.wait_for(lambda s: "indented third" in s, what="the pasted text")
        session.keys(" end", literal=True)
        session.keys("-H", *SHIFT_ENTER_CSI_U)
        session.keys("typed after shift+enter", literal=True)
        shown = session.wait_for(lambda s: "typed after shift+enter" in s, what="the typing")
        assert "first pasted line" in shown and "second pasted line" in shown
        assert not router.chat_requests(), "the paste's newlines must not send the message"
        session.keys("Enter")
        deadline = time.monotonic() + 10
        while not router.chat_requests() and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        session.close()
    [request] = router.chat_requests()
    sent = request["body"]["messages"][-1]["content"]
    assert sent == pasted + " end\ntyped after shift+enter"


async def test_a_draft_stays_with_the_conversation_it_was_typed_in(
    router: RouterServer, settings: Settings
) -> None:
    """Typed in one chat, it never turns up in another (where Enter would send it there, and
    it became a new chat's title); each chat's draft comes back when that chat does."""
    from requesty_tui.core.domain import Conversation, Message
    from requesty_tui.storage.sessions import SessionStore
    from tests.support.ui import open_browser

    other = Conversation(id="20261126-000000-othr", model="m/x", title="Other chat")
    other.messages = [Message(role="user", content="old"), Message(role="assistant", content="a")]
    SessionStore().save(other)
    app = RequestyApp(settings)
    async with app.run_test() as pilot:
        prompt = lambda: chat_screen(app).query_one(PromptInput)  # noqa: E731
        await type_text(pilot, "new chat words")
        await open_browser(pilot)
        await pilot.press("enter")
        await wait_for(pilot, lambda: chat_screen(app).conversation.id == other.id)
        await pilot.pause()
        assert prompt().text == "", "the other chat has no draft of its own"
        await type_text(pilot, "words for the other chat")
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: not chat_screen(app).conversation.messages)
        assert prompt().text == "new chat words", "the new chat's draft, not the other's"
        await open_browser(pilot)
        await pilot.press("enter")
        await wait_for(pilot, lambda: chat_screen(app).conversation.id == other.id)
        await pilot.pause()
        assert prompt().text == "words for the other chat"
        await pilot.press("ctrl+q")
    assert draft_file().read_text() == "new chat words"
    assert draft_file(other.id).read_text() == "words for the other chat"
    app = RequestyApp(settings, conversation=SessionStore().load(other.id))
    async with app.run_test() as pilot:
        await pilot.pause()
        assert chat_screen(app).query_one(PromptInput).text == "words for the other chat"
    app = RequestyApp(settings)
    async with app.run_test() as pilot:
        await pilot.pause()
        assert chat_screen(app).query_one(PromptInput).text == "new chat words"


async def test_a_failed_send_is_never_saved_as_sent(
    router: RouterServer, settings: Settings
) -> None:
    """The prompt goes back to the input box and out of the file: resumed, it would show as
    sent and the draft would hold it too, so Enter sent it twice."""
    from requesty_tui.storage.sessions import SessionStore

    router.queue(Reply(status=404, error_message="Provider and/or model not supported"))
    app = RequestyApp(settings)
    async with app.run_test() as pilot:
        screen = chat_screen(app)
        await send(pilot, "to an unknown model")
        await wait_for(pilot, lambda: screen.query(Notice), what="the error")
        await pilot.pause()
        assert SessionStore().summaries() == [], "a chat whose only prompt failed has no file"
        assert screen.query_one(PromptInput).text == "to an unknown model"
        await pilot.press("enter")  # the server is fine now
        await wait_for(pilot, lambda: len(screen.conversation.messages) == 2, what="the reply")
        router.queue(Reply(status=400, error_message="Provider not allowed for organization"))
        await send(pilot, "second, refused")
        await wait_for(pilot, lambda: len(screen.query(Notice)) == 2, what="the second error")
        await pilot.pause()
    [summary] = SessionStore().summaries()
    saved = SessionStore().load(summary.id)
    assert [m.content for m in saved.messages] == [
        "to an unknown model",
        "You said: to an unknown model",
    ]
    assert draft_file(summary.id).read_text() == "second, refused"
    app = RequestyApp(settings, conversation=SessionStore().load(summary.id))
    async with app.run_test() as pilot:
        screen = chat_screen(app)
        await pilot.pause()
        assert screen.query_one(PromptInput).text == "second, refused"
        assert len(screen.query(UserMessage)) == 1, "the refused prompt is not in the history"
        await pilot.press("enter")
        await wait_for(pilot, lambda: len(screen.conversation.messages) == 4, what="the resend")
    sent = router.chat_requests()[-1]["body"]["messages"]
    assert [m["content"] for m in sent if m["role"] == "user"] == [
        "to an unknown model",
        "second, refused",
    ], "sent once"


async def test_without_a_key_nothing_is_saved_and_the_start_says_so(
    router: RouterServer, settings: Settings
) -> None:
    from requesty_tui.storage.sessions import SessionStore
    from requesty_tui.ui.screens.key_setup import KeySetup
    from requesty_tui.ui.widgets.status_line import StatusLine

    app = RequestyApp(dataclasses.replace(settings, api_key=None))
    async with app.run_test(size=(100, 30)) as pilot:
        # Issue 26: the key set-up opens first; skipped, the chat says how to come back.
        await wait_for(pilot, lambda: isinstance(app.screen, KeySetup), what="the set-up")
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, KeySetup), what="the chat")
        screen = chat_screen(app)
        await pilot.pause()
        assert any("No API key" in str(n.message) for n in app._notifications)
        assert "no API key" in screen.query_one(StatusLine).shown
        await send(pilot, "hello")
        await wait_for(pilot, lambda: screen.query(Notice), what="the error")
        await pilot.pause()
    assert SessionStore().summaries() == []
    assert router.chat_requests() == []


async def test_a_prompt_the_app_never_got_a_reply_for_comes_back_to_the_input(
    router: RouterServer, settings: Settings
) -> None:
    """Killed (or quit) before the first token: the file ends with the prompt. Resumed, it is
    back in the input box, not in the history as if answered; Enter sends it once."""
    from requesty_tui.core.domain import Conversation, Message
    from requesty_tui.storage.sessions import SessionStore

    conv = Conversation(id="20261126-000000-unan", model="openai/gpt-4o-mini", title="t")
    conv.messages = [
        Message(role="user", content="first"),
        Message(role="assistant", content="answer", finish_reason="stop"),
        Message(role="user", content="asked, then killed"),
    ]
    store = SessionStore()
    store.save(conv)
    app = RequestyApp(settings, conversation=store.load(conv.id), store=store)
    async with app.run_test() as pilot:
        screen = chat_screen(app)
        await pilot.pause()
        assert screen.query_one(PromptInput).text == "asked, then killed"
        assert [str(w.content) for w in screen.query(UserMessage)] == ["first"]
        assert any("got no reply" in str(n.content) for n in screen.query(Notice))
        await pilot.press("enter")
        await wait_for(pilot, lambda: len(screen.conversation.messages) == 4, what="the reply")
    sent = router.chat_requests()[0]["body"]["messages"]
    assert [m["content"] for m in sent] == ["first", "answer", "asked, then killed"]
    assert len(SessionStore().summaries()) == 1, "the same file, no copy"
