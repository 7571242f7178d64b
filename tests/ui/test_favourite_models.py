"""Starred and recent models: the picker's sections, ctrl+s / * to star, ctrl+up / ctrl+down in
the chat, kept per server in the state file."""

from __future__ import annotations

from textual.widgets import Input, OptionList

from requesty_tui.core.settings import Settings
from requesty_tui.storage.state import AppState, load_state, save_state
from requesty_tui.testing.router import Reply, RouterServer
from requesty_tui.ui.app import RequestyApp
from requesty_tui.ui.screens.model_picker import ModelPicker
from tests.support.ui import chat_screen, send_and_wait, type_text, wait_for


def prompts(picker: ModelPicker) -> list[str]:
    options = picker.query_one(OptionList)
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


async def test_star_in_the_picker_and_sections(router: RouterServer, settings: Settings) -> None:
    save_state(AppState(starred={settings.base_url: ["gone/old-model"]}))
    router.queue(Reply(text="hi"))
    app = RequestyApp(settings)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: app.services.catalogue.models, what="model list")
        await send_and_wait(pilot, "hello")  # to openai/gpt-4o-mini: now a recent model
        await pilot.press("f2")
        picker = app.screen
        assert isinstance(picker, ModelPicker)
        shown = prompts(picker)
        assert shown[0].startswith("★ Starred")
        assert "gone/old-model" in shown[1] and "not available on this server" in shown[1]
        assert shown[2] == "Recently used"
        assert "openai/gpt-4o-mini" in shown[3]
        assert shown[4] == "All models" and shown[5].startswith("◆ policy/my-fallback")
        # * typed in the filter box is text; ctrl+s stars the highlighted model.
        await type_text(pilot, "claude*")
        assert picker.query_one(Input).value == "claude*"
        picker.query_one(Input).value = "claude son"
        await wait_for(
            pilot, lambda: any("claude-sonnet" in p for p in prompts(picker)), what="filtered"
        )
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "★ anthropic" in " ".join(prompts(picker)), what="a star")
        picker.query_one(Input).value = ""
        await wait_for(pilot, lambda: "★ anthropic" in prompts(picker)[2], what="starred first")
        # On the list, * stars too (here: unstars the model gone from the server).
        picker.query_one(OptionList).focus()
        picker.query_one(OptionList).highlighted = 1
        await pilot.press("asterisk")
        await wait_for(pilot, lambda: "gone/old-model" not in prompts(picker)[1], what="unstar")
        await pilot.press("escape")
    state = load_state()
    assert state.starred == {settings.base_url: ["anthropic/claude-sonnet-4-5"]}
    assert state.recent == {settings.base_url: ["openai/gpt-4o-mini"]}


async def test_ctrl_up_down_switch_among_starred_and_recent(
    router: RouterServer, settings: Settings
) -> None:
    other = "https://elsewhere.example/v1"
    save_state(
        AppState(
            starred={
                settings.base_url: ["anthropic/claude-sonnet-4-5", "policy/my-fallback"],
                other: ["not/this-server"],
            },
            recent={settings.base_url: ["google/gemini-2.5-flash", "policy/my-fallback"]},
        )
    )
    app = RequestyApp(settings)
    async with app.run_test(size=(80, 24)) as pilot:
        chat = chat_screen(app)
        top = chat.query_one("#topbar")
        assert chat.model == "openai/gpt-4o-mini"
        await pilot.press("ctrl+down")
        await wait_for(pilot, lambda: chat.model == "anthropic/claude-sonnet-4-5", what="first")
        assert "anthropic/claude-sonnet-4-5" in str(top.content)
        await pilot.press("ctrl+down")
        await wait_for(pilot, lambda: chat.model == "policy/my-fallback", what="second")
        await pilot.press("ctrl+down")
        await wait_for(pilot, lambda: chat.model == "google/gemini-2.5-flash", what="a recent")
        await pilot.press("ctrl+down")
        await wait_for(pilot, lambda: chat.model == "anthropic/claude-sonnet-4-5", what="wraps")
        await pilot.press("ctrl+up")
        await wait_for(pilot, lambda: chat.model == "google/gemini-2.5-flash", what="back")
        assert "google/gemini-2.5-flash" in str(top.content)


async def test_without_stars_or_recents_ctrl_down_says_how(
    router: RouterServer, settings: Settings
) -> None:
    app = RequestyApp(settings)
    async with app.run_test(size=(80, 24)) as pilot:
        chat = chat_screen(app)
        await pilot.press("ctrl+down")
        await wait_for(
            pilot,
            lambda: any("star some in the picker" in str(n.message) for n in app._notifications),
            what="the hint",
        )
        assert chat.model == "openai/gpt-4o-mini"
