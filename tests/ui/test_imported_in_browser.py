"""Imported conversations in the browser: marked with their source, found by ``from:chatgpt``,
opened on the branch the user last saw, the alternatives switchable."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable

from requesty_tui.cli import main
from requesty_tui.core.settings import Settings
from requesty_tui.storage.sessions import SessionStore
from requesty_tui.testing.exports import write_json, write_zip
from requesty_tui.testing.router import RouterServer
from requesty_tui.ui.app import RequestyApp
from requesty_tui.ui.screens.chat import ChatScreen
from requesty_tui.ui.widgets.message import AssistantMessage
from tests.support.ui import open_browser, type_text, wait_for
from tests.ui.test_branches import shown
from tests.unit.test_import import chatgpt_tree, claude_export


async def test_imported_chats_are_marked_filtered_and_open_on_their_branch(
    router: RouterServer, settings: Settings, tmp_path: Path
) -> None:
    assert (
        main(
            ["import", str(write_zip(tmp_path / "c.zip", {"conversations.json": [chatgpt_tree()]}))]
        )
        == 0
    )
    assert main(["import", str(write_json(tmp_path / "conversations.json", claude_export()))]) == 0
    app = RequestyApp(settings)
    async with app.run_test(size=(120, 30)) as pilot:
        browser = await open_browser(pilot)
        table = browser.query_one(DataTable)
        titles = [str(table.get_row_at(n)[1]) for n in range(table.row_count)]
        assert sorted(titles) == ["⇣chatgpt Ünïcode title", "⇣claude Notes"]
        await type_text(pilot, "from:chatgpt")
        await wait_for(pilot, lambda: table.row_count == 1, what="the filter")
        assert str(table.get_row_at(0)[1]) == "⇣chatgpt Ünïcode title"
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen), what="the chat")
        chat = app.screen
        assert isinstance(chat, ChatScreen)
        await wait_for(pilot, lambda: len(shown(chat)) == 4, what="the branch on screen")
        assert shown(chat)[1] == "Regenerated answer", "the branch the user last saw"
        second = chat.query(AssistantMessage).first()
        assert second.border_title is not None and "‹2/2›" in str(second.border_title)
        second.focus()
        await pilot.press("left")
        await wait_for(pilot, lambda: shown(chat)[1] == "First answer", what="the other reply")
        assert len(shown(chat)) == 2, "the first answer had no follow-up"
        await pilot.press("right")
        await wait_for(pilot, lambda: shown(chat)[1] == "Regenerated answer", what="back")
        assert shown(chat)[-1].endswith("A cat, *surely*.")
    assert len(list(SessionStore().folder.glob("*.toml"))) == 2
