"""Scrolling back through a long conversation (issue 25): ctrl+home reaches the first message
at once, ctrl+end the last again, and paging up through 320 messages shows each of them, in
order, with a bounded number of widgets mounted."""

from __future__ import annotations

from textual.widget import Widget

from requesty_tui.core.domain import Conversation, Message
from requesty_tui.core.settings import Settings
from requesty_tui.testing.router import RouterServer
from requesty_tui.ui.app import RequestyApp
from requesty_tui.ui.widgets.conversation import LIVE_LIMIT, WINDOW, ConversationView
from requesty_tui.ui.widgets.prompt_input import PromptInput
from tests.support.ui import chat_screen, type_text, wait_for

TURNS = 160
"""320 messages."""


def long_conversation() -> Conversation:
    conv = Conversation(id="20261120-100000-back", model="openai/gpt-4o-mini", title="Back")
    for i in range(TURNS):
        conv.messages.append(Message(role="user", content=f"question {i}"))
        text = f"answer {i}" + ("\n\nmore lines\n\nof text" if i % 3 == 0 else "")
        conv.messages.append(Message(role="assistant", content=text, finish_reason="stop"))
    return conv


def on_screen(view: ConversationView) -> list[Widget]:
    """The message widgets with at least a line in the pane's viewport."""
    top, bottom = view.scroll_y, view.scroll_y + view.scrollable_content_region.height
    return [
        w
        for w in view.message_widgets()
        if w.virtual_region.height and w.virtual_region.y < bottom and w.virtual_region.bottom > top
    ]


def positions(conv: Conversation, widgets: list[Widget]) -> list[int]:
    order = {id(m): n for n, m in enumerate(conv.messages)}
    return [order[id(getattr(w, "message", None))] for w in widgets]


async def test_ctrl_home_shows_the_first_message_and_ctrl_end_the_last(
    router: RouterServer, settings: Settings
) -> None:
    conv = long_conversation()
    app = RequestyApp(settings, conversation=conv)
    async with app.run_test(size=(80, 24)) as pilot:
        chat = chat_screen(app)
        view = chat.query_one(ConversationView)
        await wait_for(pilot, lambda: view.message_widgets(), what="the history")
        await pilot.press("ctrl+home")
        first, last = conv.messages[0], conv.messages[-1]
        await wait_for(
            pilot,
            lambda: view.scroll_y == 0 and any(w.message is first for w in on_screen(view)),  # type: ignore[attr-defined]
            what="the first message on screen",
        )
        assert view.hidden_count == 0
        assert len(view.message_widgets()) <= 2 * WINDOW, "not every message on the way"
        assert isinstance(app.focused, PromptInput), "the input keeps the focus"
        await pilot.press("ctrl+end")
        await wait_for(
            pilot,
            lambda: any(w.message is last for w in on_screen(view)),  # type: ignore[attr-defined]
            what="the last message on screen again",
        )
        assert len(view.message_widgets()) <= LIVE_LIMIT
        await type_text(pilot, "hi")
        assert chat.query_one(PromptInput).text == "hi"


async def test_paging_up_shows_every_message_in_order_with_few_mounted(
    router: RouterServer, settings: Settings
) -> None:
    conv = long_conversation()
    app = RequestyApp(settings, conversation=conv)
    async with app.run_test(size=(80, 24)) as pilot:
        chat = chat_screen(app)
        view = chat.query_one(ConversationView)
        await wait_for(pilot, lambda: view.message_widgets(), what="the history")
        await pilot.pause()
        seen: set[int] = set()
        most = 0
        for _ in range(400):
            mounted = positions(conv, view.message_widgets())
            assert mounted == sorted(set(mounted)), "mounted in order, none twice"
            most = max(most, len(mounted))
            shown = positions(conv, on_screen(view))
            if seen and shown:
                # Nothing skipped: what is shown now reaches what was shown before.
                assert max(shown) + 1 >= min(seen), (shown, min(seen))
            seen.update(shown)
            if view.scroll_y == 0 and not view.hidden_count:
                break
            await pilot.press("pageup")
            await wait_for(pilot, lambda: not view._loading, what="earlier messages")
            await pilot.pause()
        assert seen == set(range(len(conv.messages))), "every message was on screen"
        assert most <= LIVE_LIMIT + 2 * WINDOW, f"{most} message widgets mounted at once"
        assert isinstance(app.focused, PromptInput)


async def test_paging_down_from_the_first_message_shows_every_message_with_few_mounted(
    router: RouterServer, settings: Settings
) -> None:
    conv = long_conversation()
    app = RequestyApp(settings, conversation=conv)
    async with app.run_test(size=(80, 24)) as pilot:
        chat = chat_screen(app)
        view = chat.query_one(ConversationView)
        await wait_for(pilot, lambda: view.message_widgets(), what="the history")
        await pilot.press("ctrl+home")
        await wait_for(pilot, lambda: view.scroll_y == 0 and on_screen(view), what="the top")
        seen: set[int] = set()
        most = 0
        last = len(conv.messages) - 1
        for _ in range(400):
            mounted = positions(conv, view.message_widgets())
            assert mounted == sorted(set(mounted)), "mounted in order, none twice"
            most = max(most, len(mounted))
            shown = positions(conv, on_screen(view))
            if seen and shown:
                assert min(shown) - 1 <= max(seen), (shown, max(seen))
            seen.update(shown)
            if last in seen:
                break
            await pilot.press("pagedown")
            await wait_for(pilot, lambda: not view._loading, what="later messages")
            await pilot.pause()
        assert seen == set(range(len(conv.messages))), "every message was on screen"
        assert most <= LIVE_LIMIT + 2 * WINDOW, f"{most} message widgets mounted at once"


async def test_ctrl_home_and_end_while_a_reply_streams(
    router: RouterServer, settings: Settings
) -> None:
    from requesty_tui.testing.router import Reply
    from requesty_tui.ui.widgets.message import AssistantMessage

    router.queue(Reply(text="streamed words " * 150, chunk_chars=11, delay=0.01))
    conv = long_conversation()
    app = RequestyApp(settings, conversation=conv)
    async with app.run_test(size=(80, 24)) as pilot:
        chat = chat_screen(app)
        view = chat.query_one(ConversationView)
        await wait_for(pilot, lambda: view.message_widgets(), what="the history")
        await type_text(pilot, "go on")
        await pilot.press("enter")
        await wait_for(pilot, lambda: chat.streaming, what="the reply to start")
        await pilot.press("ctrl+home")
        first = conv.messages[0]
        await wait_for(
            pilot,
            lambda: any(w.message is first for w in on_screen(view)),  # type: ignore[attr-defined]
            what="the first message while the reply streams",
        )
        assert chat.streaming, "the reply is still streaming (the test saw it mid-way)"
        await pilot.press("ctrl+end")
        await wait_for(pilot, lambda: not chat.streaming, timeout=30, what="the reply to end")
        reply = chat.query(AssistantMessage).last()
        assert reply.message is not None
        assert reply.message.content == "streamed words " * 150
        assert len(conv.messages) == 2 * TURNS + 2
        await wait_for(pilot, lambda: reply in on_screen(view), what="the end in view")
