"""Keys: remapping from config.toml, F1 help, Up recalls the last prompt, tab reaches messages."""

from __future__ import annotations

from requesty_tui.core.settings import Settings
from requesty_tui.testing.router import RouterServer
from requesty_tui.ui.app import RequestyApp
from requesty_tui.ui.screens.chat import ChatScreen
from requesty_tui.ui.screens.model_picker import ModelPicker
from requesty_tui.ui.widgets.message import AssistantMessage
from requesty_tui.ui.widgets.prompt_input import PromptInput
from tests.support.ui import send_and_wait, type_text, wait_for


async def test_remapped_keys(router: RouterServer, settings: Settings) -> None:
    keys = {"chat.model": "f3", "input.send": "ctrl+s"}
    app = RequestyApp(settings.with_overrides(keys=keys))
    async with app.run_test() as pilot:
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        await pilot.press("f2")
        assert app.screen is screen, "f2 no longer opens the picker"
        await pilot.press("f3")
        assert isinstance(app.screen, ModelPicker)
        await pilot.press("escape")
        await type_text(pilot, "hi")
        await pilot.press("enter")
        assert screen.query_one(PromptInput).text == "hi\n", "enter is a newline now"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: router.chat_requests(), what="the send")


async def test_f1_shows_the_keys_of_the_focused_area(
    router: RouterServer, settings: Settings
) -> None:
    from requesty_tui.ui.widgets.key_help import KeyHelp

    app = RequestyApp(settings)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.press("f1")
        await pilot.pause()
        panel = app.screen.query_one(KeyHelp)
        sections = panel.sections()
        headings = [heading for heading, _ in sections]
        assert headings == ["Input box", "This screen", "Everywhere", "Editing"], headings
        assert ("⏎", "Send") in sections[0][1], "the app's own keys first"
        assert any(what == "Model" for _, what in sections[1][1])
        assert len(sections[-1][1]) > 10, "the standard editing keys are still listed, last"
        await pilot.press("f1")
        await pilot.pause()
        assert not app.screen.query(KeyHelp)


async def test_up_recalls_and_tab_reaches_the_reply(
    router: RouterServer, settings: Settings
) -> None:
    app = RequestyApp(settings)
    async with app.run_test() as pilot:
        screen = await send_and_wait(pilot, "first")
        await pilot.press("up")
        prompt = screen.query_one(PromptInput)
        assert prompt.text == "first"
        await pilot.press("shift+tab")
        assert isinstance(app.focused, AssistantMessage)


async def test_small_terminal_and_the_mouse(router: RouterServer, settings: Settings) -> None:
    app = RequestyApp(settings)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await send_and_wait(pilot, "tiny")
        prompt = screen.query_one(PromptInput)
        reply = screen.query_one(AssistantMessage)
        for widget in (prompt, reply):
            assert screen.region.contains_region(widget.region), widget
        assert await pilot.click("#topbar")
        assert isinstance(app.screen, ModelPicker), "the model bar opens the picker"
        await pilot.press("escape")
        assert await pilot.click(AssistantMessage)
        assert app.focused is reply, "a click focuses a message"


async def test_shift_enter_and_paste_keep_one_message(
    router: RouterServer, settings: Settings
) -> None:
    from textual import events

    app = RequestyApp(settings)
    async with app.run_test() as pilot:
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        prompt = screen.query_one(PromptInput)
        await type_text(pilot, "a")
        await pilot.press("shift+enter")  # what kitty-protocol terminals send
        await type_text(pilot, "b")
        app.post_message(events.Paste("pasted line 1\npasted line 2"))  # as the driver does
        await pilot.pause()
        assert prompt.text == "a\nbpasted line 1\npasted line 2"
        assert router.chat_requests() == [], "a paste never sends"
        await pilot.press("enter")
        await wait_for(pilot, lambda: router.chat_requests(), what="the send")
        assert router.chat_requests()[0]["body"]["messages"][-1]["content"] == (
            "a\nbpasted line 1\npasted line 2"
        )
