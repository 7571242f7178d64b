"""Dialogs show their whole question at 80x24 (issue 23: "Delete this message and the 1
message below it on this branch? I" lost "This cannot be undone"; the fit dialog lost its
numbers and "Nothing has been sent")."""

from __future__ import annotations

import dataclasses

from textual.screen import Screen

from requesty_tui.core.domain import Conversation, Message
from requesty_tui.core.settings import Settings
from requesty_tui.testing.router import Reply, RouterServer
from requesty_tui.ui.app import RequestyApp
from requesty_tui.ui.screens.dialogs import Choice, Confirm
from requesty_tui.ui.widgets.prompt_input import PromptInput
from tests.support.ui import chat_screen, run_command, wait_for

TINY = {"id": "tiny/model", "context_window": 300, "input_price": 1e-6, "output_price": 2e-6}


def dialog_text(screen: Screen[object]) -> str:
    """What the terminal shows inside the dialog's frame, its lines joined by spaces (a
    wrapped sentence reads as one)."""
    region = screen.query_one(".dialog").content_region
    strips = screen._compositor.render_strips()
    rows = strips[region.y : region.bottom]
    lines = (strip.text[region.x : region.right].strip() for strip in rows)
    return " ".join(line for line in lines if line)


async def test_the_delete_question_is_shown_whole(settings: Settings) -> None:
    conversation = Conversation(id="20261120-100000-aaaa", model="openai/gpt-4o-mini")
    conversation.messages = [
        Message(role="user", content="first question"),
        Message(role="assistant", content="first answer", finish_reason="stop"),
    ]
    app = RequestyApp(settings, conversation=conversation)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        chat_screen(app).query("UserMessage").first().focus()
        await run_command(pilot, "chat: delete message")
        await wait_for(pilot, lambda: isinstance(app.screen, Confirm), what="the question")
        await pilot.pause()
        shown = dialog_text(app.screen)
        assert "Delete this message and the 1 message below it on this branch?" in shown
        assert "This cannot be undone." in shown, shown
        assert "Delete" in shown and "Cancel" in shown


async def test_the_fit_question_keeps_its_numbers(router: RouterServer, settings: Settings) -> None:
    router.models.append(TINY)
    app = RequestyApp(dataclasses.replace(settings, model="tiny/model"))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = chat_screen(app)
        await wait_for(pilot, lambda: app.services.catalogue.info("tiny/model"), what="models")
        prompt = screen.query_one(PromptInput)
        for n in range(3):
            router.queue(Reply(text=f"answer {n} " + "a" * 200, usage=None))
            prompt.insert(f"question {n} " + "q" * 200)
            await pilot.press("enter")
            await wait_for(pilot, lambda n=n: len(screen.conversation.messages) == 2 * n + 2
                           and not screen.streaming, what="the reply")  # fmt: skip
        prompt.insert("the last question " + "z" * 200)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, Choice), what="the dialog")
        await pilot.pause()
        shown = dialog_text(app.screen)
        assert "tokens" in shown and "%)" in shown, shown
        assert "Nothing has been sent." in shown, shown
        assert "(2 earlier messages left out of this request)" in shown, shown
