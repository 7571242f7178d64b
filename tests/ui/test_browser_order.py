"""Keeping conversations in order: pin (on top), tags, the browser's filter words, choosing
several to delete or export at once, and renaming the open conversation from the chat."""

from __future__ import annotations

from textual.widgets import DataTable, Input

from requesty_tui.core.domain import Conversation, Message
from requesty_tui.core.settings import Settings
from requesty_tui.storage.sessions import SessionStore
from requesty_tui.testing.router import RouterServer
from requesty_tui.ui.app import RequestyApp
from requesty_tui.ui.screens.dialogs import Confirm, TextPrompt
from requesty_tui.ui.screens.session_browser import SessionBrowser
from tests.support.ui import chat_screen, open_browser, send_and_wait, wait_for


def seed(store: SessionStore, cid: str, title: str, model: str = "openai/gpt-4o-mini") -> None:
    conv = Conversation(id=cid, model=model, title=title)
    conv.messages = [
        Message(role="user", content=f"about {title}"),
        Message(role="assistant", content="ok", finish_reason="stop"),
    ]
    store.save(conv)


def titles(browser: SessionBrowser) -> list[str]:
    table = browser.query_one(DataTable)
    return [str(table.get_row_at(i)[1]) for i in range(table.row_count)]


async def filter_to(pilot: object, browser: SessionBrowser, query: str) -> None:
    browser.query_one(Input).value = query
    await pilot.pause()  # type: ignore[attr-defined]


async def test_pin_tags_and_filter_words(router: RouterServer, settings: Settings) -> None:
    store = SessionStore()
    seed(store, "20261120-100000-aaaa", "Oldest", "anthropic/claude-sonnet-4-5")
    seed(store, "20261121-100000-bbbb", "Middle")
    seed(store, "20261122-100000-cccc", "Newest")
    (store.folder / "20261123-100000-dddd.toml").write_text(
        'format = 1\nid = "20261123-100000-dddd"\nmodel = "m"\ntitle = "Imported"\n'
        'source = "chatgpt"\n'
    )
    app = RequestyApp(settings)
    async with app.run_test(size=(110, 30)) as pilot:  # room for the title and its tags
        browser = await open_browser(pilot)
        # the imported one is marked with its source (the import's mark, kept with the pins)
        assert titles(browser)[:4] == ["⇣chatgpt Imported", "Newest", "Middle", "Oldest"]
        browser.query_one(DataTable).move_cursor(row=3)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: titles(browser)[0] == "★ Oldest", what="pinned on top")
        assert browser.query_one(DataTable).cursor_row == 0, "the cursor follows it"
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: isinstance(app.screen, TextPrompt), what="the tags")
        app.screen.query_one(Input).value = "work, #rust"
        await pilot.press("enter")
        await wait_for(pilot, lambda: "#work" in titles(browser)[0], what="tags shown")
        saved = store.load("20261120-100000-aaaa")
        assert saved.pinned and saved.labels == ["work", "rust"]
        await filter_to(pilot, browser, "tag:work")
        await wait_for(pilot, lambda: len(titles(browser)) == 1, what="tag:")
        await filter_to(pilot, browser, "model:claude")
        await wait_for(pilot, lambda: len(titles(browser)) == 1, what="model:")
        await filter_to(pilot, browser, "from:chatgpt")
        await wait_for(pilot, lambda: titles(browser) == ["⇣chatgpt Imported"], what="from:")
        await filter_to(pilot, browser, "is:pinned")
        await wait_for(pilot, lambda: len(titles(browser)) == 1, what="is:pinned")
        await filter_to(pilot, browser, "tag:work about")
        await wait_for(pilot, lambda: len(titles(browser)) == 1, what="with free text")
        await filter_to(pilot, browser, "tag:nothing")
        await wait_for(pilot, lambda: titles(browser) == [], what="nothing")


async def test_choose_several_then_delete_them_at_once(
    router: RouterServer, settings: Settings
) -> None:
    store = SessionStore()
    for n, cid in enumerate(("20261120-100000-aaaa", "20261121-100000-bbbb", "20261122-1-cccc")):
        seed(store, cid, f"Talk {n}")
    app = RequestyApp(settings)
    async with app.run_test(size=(80, 24)) as pilot:
        browser = await open_browser(pilot)
        await filter_to(pilot, browser, "")
        await pilot.press(" ")
        assert browser.query_one(Input).value == " ", "in the filter box a space is text"
        browser.query_one(Input).value = ""
        browser.query_one(DataTable).focus()
        await pilot.press("space", "space")
        await wait_for(pilot, lambda: len(browser.chosen) == 2, what="two chosen")
        assert titles(browser) and str(browser.query_one(DataTable).get_row_at(0)[0])[0] == "✓"
        await pilot.press("ctrl+d")
        await wait_for(pilot, lambda: isinstance(app.screen, Confirm), what="one question")
        assert "Delete these 2 conversations?" in app.screen.question
        await pilot.press("y")
        await wait_for(pilot, lambda: len(titles(browser)) == 1, what="both deleted")
    assert [s.title for s in SessionStore().summaries() if s.readable] == ["Talk 0"]


async def test_rename_the_open_conversation_from_the_chat(
    router: RouterServer, settings: Settings
) -> None:
    app = RequestyApp(settings)
    async with app.run_test(size=(80, 24)) as pilot:
        chat = await send_and_wait(pilot, "first prompt")
        await pilot.press("f4")
        await wait_for(pilot, lambda: isinstance(app.screen, TextPrompt), what="rename")
        app.screen.query_one(Input).value = "Named by me"
        await pilot.press("enter")
        top = chat.query_one("#topbar")
        await wait_for(pilot, lambda: "Named by me" in str(top.content), what="the top bar")
        await pilot.click("#topbar", offset=(3, 0))  # on the title
        await wait_for(pilot, lambda: isinstance(app.screen, TextPrompt), what="click renames")
        await pilot.press("escape")
        assert chat_screen(app) is chat
        conv_id = chat.conversation.id
    saved = SessionStore().load(conv_id)
    assert (saved.title, saved.title_by) == ("Named by me", "user")
