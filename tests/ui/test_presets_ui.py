"""Presets in the chat: ``preset: new chat from…`` (filter, placeholders, the first message left
unsent in the input), ``preset: save current chat as…``, and ``--preset`` in the app."""

from __future__ import annotations

from textual.widgets import Input, OptionList

from requesty_tui.core.settings import Settings
from requesty_tui.storage.presets import load_preset, presets_dir
from requesty_tui.storage.sessions import SessionStore
from requesty_tui.testing.router import Reply, RouterServer
from requesty_tui.ui.app import RequestyApp
from requesty_tui.ui.screens.chat_presets import PresetPicker
from requesty_tui.ui.screens.dialogs import TextPrompt
from requesty_tui.ui.widgets.prompt_input import PromptInput
from tests.support.ui import chat_screen, run_command, send_and_wait, type_text, wait_for


async def answer(pilot: object, app: RequestyApp, text: str) -> None:
    await wait_for(pilot, lambda: isinstance(app.screen, TextPrompt), what="a question")  # type: ignore[arg-type]
    app.screen.query_one(Input).value = text
    await pilot.press("enter")  # type: ignore[attr-defined]


async def test_new_chat_from_a_preset(router: RouterServer, settings: Settings) -> None:
    presets_dir().mkdir(parents=True)
    (presets_dir() / "review.toml").write_text(
        'description = "Review a diff"\nmodel = "anthropic/claude-sonnet-4-5"\n'
        'system_prompt = "Be strict."\ntemperature = 0.2\n'
        'first_message = "Review {project} [bold]now[/bold]: {diff}"\n'
    )
    (presets_dir() / "broken.toml").write_text('model = "m"\nmax_tokens = -1\n')
    router.queue(Reply(text="looks fine"))
    app = RequestyApp(settings)
    async with app.run_test(size=(80, 24)) as pilot:
        await run_command(pilot, "preset: new chat from")
        await wait_for(pilot, lambda: isinstance(app.screen, PresetPicker), what="the presets")
        picker = app.screen
        options = picker.query_one(OptionList)
        shown = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert any("review" in s and "Review a diff" in s for s in shown)
        assert any("broken.toml: key 'max_tokens'" in s for s in shown), "broken: file and key"
        await type_text(pilot, "diff")
        await pilot.press("enter")
        await answer(pilot, app, "requesty-tui")
        await answer(pilot, app, "+ a line")
        chat = chat_screen(app)
        prompt = chat.query_one(PromptInput)
        await wait_for(pilot, lambda: "requesty-tui" in prompt.text, what="the first message")
        assert prompt.text == "Review requesty-tui [bold]now[/bold]: + a line"
        assert router.chat_requests() == [], "unsent"
        assert chat.model == "anthropic/claude-sonnet-4-5"
        assert "temp 0.2" in str(chat.query_one("#topbar").content)
        await pilot.press("enter")
        await wait_for(pilot, lambda: not chat.streaming and len(chat.conversation.messages) == 2)
        body = router.chat_requests()[0]["body"]
        assert body["messages"][0] == {"role": "system", "content": "Be strict."}
        conv_id = chat.conversation.id
    saved = SessionStore().load(conv_id)
    assert saved.preset == "review"


async def test_save_current_chat_as_a_preset(router: RouterServer, settings: Settings) -> None:
    router.queue(Reply(text="hi"))
    app = RequestyApp(settings)
    async with app.run_test(size=(80, 24)) as pilot:
        chat = chat_screen(app)
        chat.conversation.options.temperature = 0.7
        chat.conversation.system = "You are kind."
        await send_and_wait(pilot, "hello")
        await run_command(pilot, "preset: save current chat as")
        await answer(pilot, app, "kind")
        await wait_for(pilot, lambda: (presets_dir() / "kind.toml").exists(), what="the file")
    preset = load_preset("kind")
    assert (preset.model, preset.temperature, preset.system_prompt) == (
        "openai/gpt-4o-mini",
        0.7,
        "You are kind.",
    )


async def test_preset_on_the_command_line_opens_the_app_with_it(
    router: RouterServer, settings: Settings
) -> None:
    presets_dir().mkdir(parents=True)
    (presets_dir() / "t.toml").write_text(
        'model = "google/gemini-2.5-flash"\nfirst_message = "Translate into {language}: "\n'
    )
    app = RequestyApp(settings, preset=load_preset("t"))
    async with app.run_test(size=(80, 24)) as pilot:
        await answer(pilot, app, "French")
        chat = chat_screen(app)
        prompt = chat.query_one(PromptInput)
        await wait_for(pilot, lambda: prompt.text == "Translate into French: ", what="filled")
        assert chat.model == "google/gemini-2.5-flash"
