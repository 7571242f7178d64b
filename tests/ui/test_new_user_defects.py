"""What a new user ran into (issue 12): each test failed before its fix."""

from __future__ import annotations

import dataclasses

from textual.widgets import Input

from requesty_tui.core.domain import Conversation, Message
from requesty_tui.core.settings import Settings
from requesty_tui.storage.sessions import SessionStore
from requesty_tui.testing.router import Reply, RouterServer
from requesty_tui.ui.app import RequestyApp
from requesty_tui.ui.screens.dialogs import TextPrompt
from requesty_tui.ui.screens.model_picker import ModelPicker
from requesty_tui.ui.widgets.key_bar import KeyBar
from requesty_tui.ui.widgets.message import AssistantMessage, Notice
from requesty_tui.ui.widgets.status_line import StatusLine
from tests.support.ui import chat_screen, open_browser, send, send_and_wait, type_text, wait_for


async def test_a_reply_with_an_unreadable_chunk_is_marked(
    router: RouterServer, settings: Settings
) -> None:
    router.queue(Reply(text="one two three four", chunk_chars=4, malformed_at=1))
    app = RequestyApp(settings)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await send_and_wait(pilot, "hi")
        await wait_for(pilot, lambda: screen.query(Notice), what="the notice")
        notice = str(screen.query_one(Notice).content)
        assert "1 chunk of the stream could not be read (invalid JSON)" in notice
        reply = screen.query_one(AssistantMessage)
        assert "text may be missing" in str(reply.header.content)
        assert "text may be missing" in str(reply.border_subtitle), "at its end too"
        assert reply.has_class("-error")
    [conv] = [SessionStore().load(s.id) for s in SessionStore().summaries()]
    assert conv.messages[1].skipped_chunks == 1, "saved, so a resume shows it too"
    app = RequestyApp(settings, conversation=conv)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        reply = chat_screen(app).query_one(AssistantMessage)
        assert "text may be missing" in str(reply.header.content)


async def test_the_retry_notice_starts_with_what_we_do(
    router: RouterServer, settings: Settings
) -> None:
    long = "litellm.RateLimitError: RateLimitError: OpenAIException - " * 6
    router.queue(Reply(status=429, error_message=long, headers={"Retry-After": "3"}))
    app = RequestyApp(settings)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = chat_screen(app)
        await send(pilot, "hi")
        await wait_for(pilot, lambda: screen.query(AssistantMessage), what="the reply box")
        reply = screen.query_one(AssistantMessage)
        await wait_for(pilot, lambda: "Retrying" in str(reply.header.content), what="retry")
        await pilot.pause()
        shown = reply.header.render_line(0).text
        assert "Retrying in 3.0 s (attempt 2/4)" in shown, shown
        await pilot.press("escape")


async def test_a_rejected_key_is_not_called_offline(
    router: RouterServer, settings: Settings
) -> None:
    router.models_status = 401
    app = RequestyApp(settings)
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_for(
            pilot, lambda: "rejected" in app.services.catalogue.status, what="the status"
        )
        assert "offline" not in app.services.catalogue.status
        assert app.services.catalogue.status == "no model list (the key was rejected)"


async def test_a_remembered_model_the_server_does_not_have_is_said(
    router: RouterServer, settings: Settings
) -> None:
    app = RequestyApp(dataclasses.replace(settings, model="gone/model-of-yesterday"))
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_for(pilot, lambda: app.services.catalogue.live, what="the model list")
        await pilot.pause()
        status = chat_screen(app).query_one(StatusLine).shown
        assert "gone/model-of-yesterday is not on this server (F2)" in status
        assert any("not in this server's model list" in str(n.message) for n in app._notifications)


async def test_the_picker_hides_models_that_cannot_chat(
    router: RouterServer, settings: Settings
) -> None:
    router.models = [
        *router.models,
        {"id": "openai/text-embedding-3-small"},
        {"id": "openai/gpt-image-1"},
    ]
    app = RequestyApp(settings)
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_for(pilot, lambda: app.services.catalogue.live, what="the model list")
        await pilot.press("f2")
        picker = app.screen
        assert isinstance(picker, ModelPicker)
        ids = [m.id for m in picker._shown]
        assert "openai/text-embedding-3-small" not in ids and "openai/gpt-image-1" not in ids
        status = str(picker.query_one("#picker-status").content)
        assert "2 that cannot chat hidden (ctrl+a shows them)" in status
        await pilot.press("ctrl+a")
        assert "openai/gpt-image-1" in [m.id for m in picker._shown]


async def test_the_browser_shows_where_the_search_matched(
    router: RouterServer, settings: Settings
) -> None:
    """The highlighted row's snippet (found for that row alone, off the UI thread), and the
    next row's when the cursor moves."""
    conv = Conversation(id="20261120-100000-snip", model="m/x", title="Cooking")
    conv.messages = [
        Message(role="user", content="How long should I boil [b]spaghetti[/b] for carbonara?"),
        Message(role="assistant", content="Boil it for nine minutes, then toss with eggs."),
    ]
    older = Conversation(id="20261119-100000-nine", model="m/x", title="Older")
    older.messages = [Message(role="user", content="What rhymes with nine? Pine and wine.")]
    SessionStore().save(older)
    SessionStore().save(conv)
    app = RequestyApp(settings)
    async with app.run_test(size=(120, 30)) as pilot:
        browser = await open_browser(pilot)
        await type_text(pilot, "nine")
        snippet = browser.query_one("#browser-snippet")

        def shown() -> str:
            return snippet.render_line(0).text if snippet.display else ""

        await wait_for(pilot, lambda: "Boil it for nine minutes" in shown(), what="the snippet")
        await pilot.press("down")
        await wait_for(pilot, lambda: "rhymes with nine" in shown(), what="the next row's")
        assert "Boil it" not in shown()
        for _ in "nine":
            await pilot.press("backspace")
        await type_text(pilot, "spag")
        await wait_for(pilot, lambda: "spaghetti" in shown(), what="the new search's snippet")
        assert "[b]spaghetti[/b]" in shown(), "as data, not markup"


async def test_small_terminal_keeps_help_and_palette_keys(
    router: RouterServer, settings: Settings
) -> None:
    app = RequestyApp(settings)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        bar = chat_screen(app).query_one(KeyBar).render_line(0).text
        assert "f1 Help" in bar and "^p palette" in bar, bar
        assert "Send" in bar, "the most useful hints first"


async def test_rename_keeps_the_old_title_until_edited(
    router: RouterServer, settings: Settings
) -> None:
    conv = Conversation(id="20261120-100000-rnme", model="m/x", title="Old title")
    conv.messages = [Message(role="user", content="x")]
    SessionStore().save(conv)
    app = RequestyApp(settings)
    async with app.run_test(size=(120, 30)) as pilot:
        await open_browser(pilot)
        await pilot.press("ctrl+r")
        prompt = app.screen
        assert isinstance(prompt, TextPrompt)
        assert "Enter: save · Esc: cancel" in str(prompt.query_one(".hint").content)
        await type_text(pilot, " (edited)")
        assert prompt.query_one(Input).value == "Old title (edited)"
        await pilot.press("enter")
    assert SessionStore().load(conv.id).title == "Old title (edited)"


async def test_a_wide_terminal_keeps_a_reading_column(
    router: RouterServer, settings: Settings
) -> None:
    app = RequestyApp(settings)
    async with app.run_test(size=(200, 30)) as pilot:
        screen = await send_and_wait(pilot, "wide")
        await pilot.pause()
        reply = screen.query_one(AssistantMessage)
        assert reply.region.width == 120
        assert reply.region.x > 30, "centred"
