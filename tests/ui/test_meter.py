"""The context meter in the status bar, and the dialog when the next message would not fit:
send the recent turns that fit (the request carries only those), pick a larger model, or
cancel (nothing sent, the text stays)."""

from __future__ import annotations

import dataclasses

from requesty_tui.core.settings import Settings
from requesty_tui.testing.router import Reply, RouterServer
from requesty_tui.ui.app import RequestyApp
from requesty_tui.ui.screens.dialogs import Choice
from requesty_tui.ui.screens.model_picker import ModelPicker
from requesty_tui.ui.widgets.prompt_input import PromptInput
from requesty_tui.ui.widgets.status_line import StatusLine
from tests.support.ui import chat_screen, send_and_wait, type_text
from tests.support.ui import wait_for as wait

TINY = {"id": "tiny/model", "context_window": 300, "input_price": 1e-6, "output_price": 2e-6}


def status(app: RequestyApp) -> str:
    return chat_screen(app).query_one(StatusLine).render_line(0).text


async def test_the_meter_counts_what_is_typed_and_is_calibrated_by_the_router(
    router: RouterServer, settings: Settings
) -> None:
    app = RequestyApp(settings)
    async with app.run_test(size=(160, 30)) as pilot:
        await wait(pilot, lambda: app.services.catalogue.models, what="the model list")
        chat_screen(app).query_one(PromptInput).insert("x" * 399)  # as if pasted
        await type_text(pilot, "x")  # and a key typed
        await wait(pilot, lambda: "/ 128k tokens" in status(app), what="the meter")
        assert "≈104 / 128k tokens (0 %)" in status(app)  # 100 + 4 of framing
        assert "next ≈ $0.000016 in" in status(app)  # 104 tokens at $0.15 per M
        # A model the list knows no window or prices of: only the count.
        chat_screen(app).set_model("policy/my-fallback")
        chat_screen(app).refresh_bars()
        await pilot.pause()
        assert "≈104 tokens" in status(app) and "/ " not in status(app).split("·")[0]
        assert "next ≈" not in status(app)
        chat_screen(app).set_model("openai/gpt-4o-mini")
        chat_screen(app).query_one(PromptInput).clear()
        router.queue(Reply(text="ok", usage={"prompt_tokens": 520, "completion_tokens": 1}))
        chat_screen(app).query_one(PromptInput).insert("y" * 400)
        await send_and_wait(pilot, "")
        await wait(pilot, lambda: "≈" not in status(app).split("tokens")[0], what="calibrated")
        # The router counted 5x the rule of thumb: the next estimate is 5x too.
        assert "tokens (0 %)" in status(app)
        tokens = status(app).split(" / 128k")[0].split()[-1]
        # (400 + 2 characters) / 4 + 4 tokens for each of the two messages, five times.
        assert int(tokens) == round(5 * ((400 + 2) / 4 + 2 * 4)), status(app)


async def test_a_message_too_big_for_the_window_asks_first(
    router: RouterServer, settings: Settings
) -> None:
    router.models.append(TINY)
    app = RequestyApp(dataclasses.replace(settings, model="tiny/model"))
    async with app.run_test(size=(120, 30), notifications=True) as pilot:
        screen = chat_screen(app)
        await wait(pilot, lambda: app.services.catalogue.info("tiny/model"), what="the models")
        prompt = screen.query_one(PromptInput)
        for n in range(3):
            router.queue(Reply(text=f"answer {n} " + "a" * 200, usage=None))
            prompt.insert(f"question {n} " + "q" * 200)
            await send_and_wait(pilot, "")
        prompt.insert("the last question " + "z" * 200)
        await pilot.pause()
        assert "(1" in status(app) and "%)" in status(app), "over 100 % of the window"
        requests = len(router.chat_requests())
        await pilot.press("enter")
        await wait(pilot, lambda: isinstance(app.screen, Choice), what="the dialog")
        dialog = app.screen
        assert "would not fit tiny/model's context window" in dialog.question
        labels = [label for _, label in dialog.answers]
        assert labels[0].startswith("Send with the last 4 messages only (2 earlier")
        assert "larger context window" in labels[1]
        # Cancel: nothing sent, the text is where it was.
        await pilot.press("escape")
        await wait(pilot, lambda: app.screen is screen)
        assert len(router.chat_requests()) == requests
        assert screen.query_one(PromptInput).text.startswith("the last question")
        # A larger model: the picker opens.
        await pilot.press("enter")
        await wait(pilot, lambda: isinstance(app.screen, Choice))
        await pilot.click("#answer-model")
        await wait(pilot, lambda: isinstance(app.screen, ModelPicker), what="the picker")
        await pilot.press("escape")
        await wait(pilot, lambda: app.screen is screen)
        # The recent turns: the request carries only those, the conversation keeps all.
        router.queue(Reply(text="a short answer"))
        await pilot.press("enter")
        await wait(pilot, lambda: isinstance(app.screen, Choice))
        await pilot.click("#answer-recent")
        await wait(pilot, lambda: len(router.chat_requests()) == requests + 1, what="the send")
        await wait(pilot, lambda: not screen.streaming)
        sent = [m["content"] for m in router.chat_requests()[-1]["body"]["messages"]]
        assert sent[0].startswith("question 1") and sent[-1].startswith("the last question")
        assert len(sent) == 5
        assert len(screen.conversation.messages) == 8, "nothing left the conversation"
        assert any("2 earlier messages left out" in n.message for n in app._notifications)
