"""Titles from a model: after the first reply with title_model set, on demand with the chat's
model; the cost counts; a title the user gave is never replaced."""

from __future__ import annotations

import dataclasses

from requesty_tui.chat.titles import clean_title
from requesty_tui.core.settings import Settings
from requesty_tui.storage.sessions import SessionStore
from requesty_tui.testing.router import Reply, RouterServer
from requesty_tui.ui.app import RequestyApp
from tests.support.ui import chat_screen, send_and_wait, type_text
from tests.support.ui import wait_for as wait

TITLER = "google/gemini-2.5-flash"


def test_a_models_answer_is_cleaned_into_a_title() -> None:
    assert clean_title('Title: "Fixing Linker Errors."\n\nMore text') == "Fixing Linker Errors"
    assert clean_title("**Rust lifetimes**") == "Rust lifetimes"
    assert clean_title("\x1b]0;evil\x07 Plain") == "]0;evil Plain"
    assert clean_title("   ") is None
    assert len(clean_title("word " * 40) or "") <= 60


async def test_the_first_reply_brings_a_title_and_its_cost_counts(
    router: RouterServer, settings: Settings
) -> None:
    router.queue_for(
        TITLER,
        Reply(text="Linker Errors Explained.", usage={"prompt_tokens": 50,
              "completion_tokens": 4, "cost": 0.00002}),
    )  # fmt: skip
    app = RequestyApp(dataclasses.replace(settings, title_model=TITLER))
    async with app.run_test(size=(120, 30), notifications=True) as pilot:
        screen = await send_and_wait(pilot, "why does my build fail at the linker")
        await wait(pilot, lambda: screen.conversation.title_by == "model", what="the title")
        title_request = router.chat_requests()[-1]["body"]
        assert title_request["model"] == TITLER and title_request["max_tokens"] == 30
        assert "why does my build fail" in title_request["messages"][1]["content"]
        assert screen.conversation.title == "Linker Errors Explained"
        assert any("Title: Linker Errors Explained ($0.00002)" in n.message
                   for n in app._notifications)  # fmt: skip
        total = screen.conversation.total_cost()
        assert total is not None and abs(total[0] - (0.000096 + 0.00002)) < 1e-12
        await send_and_wait(pilot, "and then?")
        await wait(pilot, lambda: not screen.streaming)
        assert len(router.chat_requests()) == 3, "asked once, after the first reply only"
        await wait(pilot, lambda: screen.saver.idle)
        conversation_id = screen.conversation.id
    text = SessionStore().path_for(conversation_id).read_text()
    assert 'title = "Linker Errors Explained"' in text and 'title_by = "model"' in text


async def test_on_demand_and_never_over_a_title_the_user_gave(
    router: RouterServer, settings: Settings
) -> None:
    app = RequestyApp(settings)
    async with app.run_test(size=(120, 30), notifications=True) as pilot:
        screen = await send_and_wait(pilot, "tell me about quokkas")
        assert len(router.chat_requests()) == 1, "no title_model: no title request"
        router.queue(Reply(text="Quokka Facts"))
        await pilot.press("ctrl+p")
        await type_text(pilot, "title from model")
        await pilot.press("enter")
        await wait(pilot, lambda: screen.conversation.title == "Quokka Facts", what="a title")
        assert router.chat_requests()[-1]["body"]["model"] == screen.model
        await wait(pilot, lambda: screen.saver.idle)
        store = SessionStore()
        store.rename(screen.conversation.id, "My quokka notes")
        renamed = store.load(screen.conversation.id)
    assert renamed.title_by == "user"
    again = RequestyApp(settings, conversation=renamed, store=store)
    async with again.run_test(size=(120, 30), notifications=True) as pilot:
        screen = chat_screen(again)
        await pilot.press("ctrl+p")
        await type_text(pilot, "title from model")
        await pilot.press("enter")
        await wait(pilot, lambda: any("You named this conversation" in n.message
                                      for n in again._notifications))  # fmt: skip
        assert screen.conversation.title == "My quokka notes"
