"""The chat screen against the local router, driven with Pilot."""

from __future__ import annotations

import dataclasses

from textual.widgets import Input, OptionList

from requesty_tui.core.settings import Settings
from requesty_tui.testing.router import Reply, RouterServer
from requesty_tui.ui.app import RequestyApp
from requesty_tui.ui.screens.model_picker import ModelPicker
from requesty_tui.ui.widgets.message import AssistantMessage, Notice
from requesty_tui.ui.widgets.prompt_input import PromptInput
from tests.support.ui import chat_screen, rendered_text, send, type_text, wait_for


async def test_reply_streams_in_before_the_end(router: RouterServer, settings: Settings) -> None:
    text = "# Answer\n\n" + " ".join(f"word{i}" for i in range(120)) + "\n\n```python\nx = 1\n```\n"
    # Pilot waits up to ~1 s for the app to idle after a key, so the stream takes ~4.5 s.
    router.queue(Reply(text=text, chunk_chars=6, delay=0.03, model="anthropic/claude-sonnet-4-5"))
    app = RequestyApp(settings)
    async with app.run_test(size=(100, 30)) as pilot:
        await send(pilot, "Hello\nworld")
        screen = chat_screen(app)
        reply = screen.query_one(AssistantMessage)
        await wait_for(pilot, lambda: "word10" in rendered_text(reply.body), what="first words")
        assert screen.streaming, "text is on screen while the stream is still running"
        assert "word119" not in rendered_text(reply.body)
        await wait_for(pilot, lambda: not screen.streaming, what="end of stream")
        shown = rendered_text(reply.body)
        assert "Answer" in shown and "word119" in shown and "x = 1" in shown
        assert "```" not in shown, "the fence is rendered as code, not shown raw"
        header = str(reply.header.content)
        assert "anthropic/claude-sonnet-4-5" in header and "asked: openai/gpt-4o-mini" in header
        assert "$0.000096" in header
        sent = router.chat_requests()[0]["body"]
        assert sent["messages"] == [{"role": "user", "content": "Hello\nworld"}]
        assert screen.query_one(PromptInput).text == ""


async def test_multi_turn_sends_the_whole_conversation(
    router: RouterServer, settings: Settings
) -> None:
    router.queue(Reply(text="First answer"), Reply(text="Second answer"))
    app = RequestyApp(settings)
    async with app.run_test() as pilot:
        screen = chat_screen(app)
        await send(pilot, "one")
        await wait_for(pilot, lambda: len(router.chat_requests()) == 1 and not screen.streaming)
        await send(pilot, "two")
        await wait_for(pilot, lambda: len(router.chat_requests()) == 2 and not screen.streaming)
        assert router.chat_requests()[1]["body"]["messages"] == [
            {"role": "user", "content": "one"},
            {"role": "assistant", "content": "First answer"},
            {"role": "user", "content": "two"},
        ]
        assert len(screen.query(AssistantMessage)) == 2


async def test_escape_stops_and_keeps_partial_text(
    router: RouterServer, settings: Settings
) -> None:
    router.queue(Reply(text="abcdefghij" * 200, chunk_chars=5, delay=0.02))
    app = RequestyApp(settings)
    async with app.run_test() as pilot:
        screen = chat_screen(app)
        await send(pilot, "go")
        reply = screen.query_one(AssistantMessage)
        await wait_for(pilot, lambda: len(reply.body.source) >= 50, what="some text")
        await pilot.press("escape")
        await wait_for(pilot, lambda: not screen.streaming, what="stop")
        kept = reply.body.source
        assert 50 <= len(kept) < 2000
        assert "stopped" in str(reply.header.content)
        assert screen.conversation.messages[-1].finish_reason == "cancelled"
        assert screen.conversation.messages[-1].content == kept
        await pilot.pause(0.3)
        assert reply.body.source == kept, "nothing arrives after the stop"


async def test_retries_5xx_before_first_token(router: RouterServer, settings: Settings) -> None:
    router.queue(Reply(status=503), Reply(status=429), Reply(text="finally"))
    app = RequestyApp(settings)
    async with app.run_test() as pilot:
        screen = chat_screen(app)
        await send(pilot, "hi")
        await wait_for(
            pilot,
            lambda: (
                screen.conversation.messages[-1:]
                and screen.conversation.messages[-1].role == "assistant"
            ),
        )
        assert screen.conversation.messages[-1].content == "finally"
        assert len(router.chat_requests()) == 3


async def test_no_key_says_how_to_set_it(router: RouterServer, settings: Settings) -> None:
    from requesty_tui.ui.screens.key_setup import KeySetup

    app = RequestyApp(Settings(base_url=settings.base_url))
    async with app.run_test() as pilot:
        # Issue 26: the key set-up opens first; skipped, a send says how to set a key.
        await wait_for(pilot, lambda: isinstance(app.screen, KeySetup), what="the set-up")
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, KeySetup), what="the chat")
        screen = chat_screen(app)
        await send(pilot, "hello")
        await wait_for(pilot, lambda: screen.query(Notice))
        assert "REQUESTY_API_KEY" in str(screen.query_one(Notice).content)
        assert "account: set key" in str(screen.query_one(Notice).content)
        assert screen.query_one(PromptInput).text == "hello"
    assert router.chat_requests() == []


async def test_connection_refused_is_explained(settings: Settings) -> None:
    app = RequestyApp(Settings(api_key="k", base_url="http://127.0.0.1:9/v1"))
    async with app.run_test() as pilot:
        screen = chat_screen(app)
        await send(pilot, "hello")
        await wait_for(pilot, lambda: screen.query(Notice))
        assert "refused" in str(screen.query_one(Notice).content)


async def test_model_picker_filters_and_remembers(router: RouterServer, settings: Settings) -> None:
    app = RequestyApp(dataclasses.replace(settings, model=None))
    async with app.run_test() as pilot:
        await wait_for(pilot, lambda: app.services.catalogue.models, what="model list")
        await pilot.press("f2")
        picker = app.screen
        assert isinstance(picker, ModelPicker)
        options = picker.query_one(OptionList)
        assert str(options.get_option_at_index(0).prompt).startswith("◆ policy/my-fallback")
        assert "200k ctx" in str(options.get_option_at_index(2).prompt) or any(
            "200k ctx" in str(options.get_option_at_index(i).prompt)
            for i in range(options.option_count)
        )
        await type_text(pilot, "claude son")
        assert options.option_count == 1
        assert "$3.00/$15.00 per M" in str(options.get_option_at_index(0).prompt)
        await pilot.press("enter")
        screen = chat_screen(app)
        assert screen.conversation.model == "anthropic/claude-sonnet-4-5"
    again = RequestyApp(dataclasses.replace(settings, model=None))
    assert again.first_model == "anthropic/claude-sonnet-4-5", "the last model is remembered"


async def test_model_list_unavailable_still_accepts_typed_id(
    router: RouterServer, settings: Settings
) -> None:
    router.models_status = 500
    app = RequestyApp(settings)
    async with app.run_test() as pilot:
        await wait_for(
            pilot, lambda: "no model list" in app.services.catalogue.status, what="fetch failure"
        )
        assert app.services.catalogue.status == "no model list (the server answered HTTP 500)"
        await pilot.press("f2")
        picker = app.screen
        assert isinstance(picker, ModelPicker)
        status = str(picker.query_one("#picker-status").content)
        assert status.startswith("Model list unavailable") and "HTTP 500" in status
        await type_text(pilot, "mistral/mistral-large")
        assert picker.query_one(Input).value == "mistral/mistral-large"
        await pilot.press("enter")
        assert chat_screen(app).conversation.model == "mistral/mistral-large"


async def test_keys_typed_right_before_enter_are_not_lost(
    router: RouterServer, settings: Settings
) -> None:
    app = RequestyApp(settings)
    async with app.run_test() as pilot:
        screen = chat_screen(app)
        # (The tmux test sends the same as one burst, which is where a race would show.)
        await pilot.press(*"abc", "ctrl+j", *"defgh", "enter", *"next")
        await wait_for(pilot, lambda: router.chat_requests(), what="the request")
        assert router.chat_requests()[0]["body"]["messages"][-1]["content"] == "abc\ndefgh"
        await wait_for(pilot, lambda: not screen.streaming)
        assert screen.query_one(PromptInput).text == "next", "keys after Enter stay in the box"


async def test_ui_stays_live_while_streaming(router: RouterServer, settings: Settings) -> None:
    router.queue(Reply(text="streaming text " * 400, chunk_chars=6, delay=0.01))
    app = RequestyApp(settings)
    async with app.run_test() as pilot:
        screen = chat_screen(app)
        await send(pilot, "long one")
        await wait_for(
            pilot,
            lambda: (
                screen.query(AssistantMessage)
                and len(screen.query_one(AssistantMessage).body.source) > 20
            ),
        )
        # Pilot waits up to ~1 s per key for the app to go idle, which a stream never is:
        # keep the keys few.
        await type_text(pilot, "ok")
        assert screen.query_one(PromptInput).text == "ok"
        await pilot.press("f2")
        assert isinstance(app.screen, ModelPicker), "the picker opens mid-stream"
        await pilot.press("escape")
        assert app.screen is screen
        assert screen.streaming, "the reply is still streaming after all that"
        await pilot.press("enter")  # issue 27: queued (it was refused), sent after the reply
        assert screen.query_one(PromptInput).text == ""
        assert screen.session.drafts.queue.items == ["ok"]
        assert len(router.chat_requests()) == 1
        await wait_for(
            pilot,
            lambda: len(router.chat_requests()) == 2 and not screen.streaming,
            timeout=30,
            what="the reply, then the queued message's",
        )
        assert screen.query(AssistantMessage).first().body.source == "streaming text " * 400
        assert router.chat_requests()[1]["body"]["messages"][-1]["content"] == "ok"


async def test_reply_box_grows_with_every_last_line(
    router: RouterServer, settings: Settings
) -> None:
    text = "# Table\n\n" + "\n".join(
        ["| a | b |", "|---|---|"] + [f"| {i} | x |" for i in range(9)]
    )
    router.queue(Reply(text=text, chunk_chars=5, delay=0.02))
    app = RequestyApp(settings)
    async with app.run_test(size=(80, 40)) as pilot:
        screen = chat_screen(app)
        await send(pilot, "table please")
        await wait_for(pilot, lambda: not screen.streaming and screen.conversation.messages)
        await pilot.pause()
        reply = screen.query_one(AssistantMessage)
        assert "8  x" in rendered_text(reply.body)
        assert reply.body.size.height == reply.body.line_count()
        # header line + body + top and bottom border: nothing hidden under the border
        assert reply.region.height == 1 + reply.body.line_count() + 2
        assert reply.body.region.height == reply.body.line_count()
