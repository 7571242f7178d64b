"""A draft that comes back from disk is shown as such (issue 23): selected, with a notice, so
that typing replaces it instead of being appended to it unseen."""

from __future__ import annotations

from requesty_tui.core.settings import Settings
from requesty_tui.storage.drafts import draft_file
from requesty_tui.testing.router import RouterServer
from requesty_tui.ui.app import RequestyApp
from requesty_tui.ui.widgets.prompt_input import PromptInput
from tests.support.ui import chat_screen, type_text, wait_for


async def test_a_restored_draft_is_selected_and_said_so_and_typing_replaces_it(
    router: RouterServer, settings: Settings
) -> None:
    app = RequestyApp(settings)
    async with app.run_test() as pilot:
        await type_text(pilot, "KILL9-DRAFT")
        await pilot.press("ctrl+q")
    assert draft_file().read_text() == "KILL9-DRAFT"
    app = RequestyApp(settings)
    async with app.run_test(notifications=True) as pilot:
        prompt = chat_screen(app).query_one(PromptInput)
        await wait_for(pilot, lambda: prompt.text == "KILL9-DRAFT", what="the draft, back")
        assert prompt.selected_text == "KILL9-DRAFT", "shown as restored: selected"
        notices = [n.message for n in app._notifications]
        assert any("unsent text" in n and "backspace" in n for n in notices), notices
        await type_text(pilot, "with system")
        assert prompt.text == "with system", "typing replaces the restored draft"
        for _ in range(3):  # the typing is undone a word at a time, then the replacing
            await pilot.press("ctrl+z")
            await pilot.pause()
        assert prompt.text == "KILL9-DRAFT", "and it is a few undos away"


async def test_backspace_clears_a_restored_draft(router: RouterServer, settings: Settings) -> None:
    draft_file().parent.mkdir(parents=True, exist_ok=True)
    draft_file().write_text("old words\nfrom a crash")
    app = RequestyApp(settings)
    async with app.run_test() as pilot:
        prompt = chat_screen(app).query_one(PromptInput)
        await wait_for(pilot, lambda: prompt.text == "old words\nfrom a crash")
        await pilot.press("backspace")
        assert prompt.text == "", "one key clears it"
        await pilot.press("ctrl+q")
    assert not draft_file().exists()
