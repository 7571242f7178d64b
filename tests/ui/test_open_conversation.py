"""The conversation that is open (issue 23): deleting it from the browser, opening a search hit
where it matched, its title in the top bar, a comparison resumed as it was. Each test failed
before its fix."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

from textual.widget import Widget

from requesty_tui.core.domain import Conversation, Message
from requesty_tui.core.settings import Settings
from requesty_tui.storage import paths
from requesty_tui.storage.sessions import SessionStore
from requesty_tui.testing.router import Reply, RouterServer
from requesty_tui.ui.app import RequestyApp
from requesty_tui.ui.widgets.message import AssistantMessage, UserMessage
from tests.support.ui import chat_screen, open_browser, send_and_wait, type_text, wait_for


def copies() -> list[str]:
    folder = paths.data_dir() / "attachments"
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


async def delete_in_browser(pilot: object, row: int = 0) -> None:
    """ctrl+o, the row, ctrl+d, y, then Esc back to the chat."""
    from textual.pilot import Pilot
    from textual.widgets import DataTable

    assert isinstance(pilot, Pilot)
    browser = await open_browser(pilot)
    browser.query_one(DataTable).move_cursor(row=row)
    await pilot.press("ctrl+d")
    await pilot.press("y")
    await wait_for(pilot, lambda: pilot.app.screen is browser, what="back in the browser")
    await pilot.press("escape")


async def test_deleting_the_open_conversation_closes_it(
    router: RouterServer, settings: Settings, tmp_path: Path
) -> None:
    note = tmp_path / "unique.txt"
    note.write_text("one of a kind\n")
    app = RequestyApp(settings, attach=[note])
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_for(pilot, lambda: chat_screen(app).pending_attachments, what="the chip")
        screen = await send_and_wait(pilot, "read it")
        old = SessionStore().path_for(screen.conversation.id)
        await wait_for(pilot, lambda: screen.saver.idle and old.exists(), what="the file")
        assert len(copies()) == 1
        await delete_in_browser(pilot)
        chat = chat_screen(app)
        await wait_for(pilot, lambda: not chat.query(UserMessage), what="the chat to close")
        assert not chat.query(AssistantMessage), "a new chat takes its place"
        assert not chat.conversation.messages
        assert not old.exists()
        assert copies() == [], "its copy went with it: nothing refers to it any more"
        router.queue(Reply(text="fresh start"))
        chat = await send_and_wait(pilot, "hello again")
        await wait_for(pilot, lambda: chat.saver.idle, what="the save")
        assert not old.exists(), "the deleted conversation is not written again"
        [kept] = [SessionStore().load(s.id) for s in SessionStore().summaries()]
        assert [m.content for m in kept.messages] == ["hello again", "fresh start"]


async def test_a_copy_a_chat_still_holds_is_not_collected(
    router: RouterServer, settings: Settings, tmp_path: Path
) -> None:
    other = Conversation(id="20261120-100000-gone", model="openai/gpt-4o-mini", title="Other")
    other.messages = [Message(role="user", content="old"), Message(role="assistant", content="x")]
    SessionStore().save(other)
    note = tmp_path / "unique.txt"
    note.write_text("one of a kind\n")
    app = RequestyApp(settings, attach=[note])
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_for(pilot, lambda: chat_screen(app).pending_attachments, what="the chip")
        await delete_in_browser(pilot)
        await wait_for(pilot, lambda: not SessionStore().path_for(other.id).exists())
        assert len(copies()) == 1, "the file waiting for the next message keeps its copy"
        await send_and_wait(pilot, "read it")
        sent = json.dumps(router.chat_requests()[-1]["body"])
        assert "one of a kind" in sent


def on_screen(app: RequestyApp) -> str:
    """The screen's text as drawn (from a screenshot: its text spans, joined)."""
    svg = app.export_screenshot()
    return html.unescape("".join(re.findall(r"<text[^>]*>(.*?)</text>", svg))).replace("\xa0", " ")


def highlighted_words(widget: Widget) -> list[str]:
    """The texts drawn in reverse video in this widget (what a search highlights)."""
    found = []
    for y in range(widget.size.height):
        for segment in widget.render_line(y):
            if segment.style is not None and segment.style.reverse and segment.text.strip():
                found.append(segment.text)
    return found


async def test_a_search_hit_opens_where_it_matched(
    router: RouterServer, settings: Settings
) -> None:
    conv = Conversation(id="20261120-100000-long", model="openai/gpt-4o-mini", title="Long")
    for i in range(60):
        question = "Tell me of [bold]ZANZIBAR[/bold]" if i == 3 else f"question {i}"
        answer = "**Zanzibar** has cloves; zanzibar." if i == 3 else f"answer {i}"
        conv.messages.append(Message(role="user", content=question))
        conv.messages.append(Message(role="assistant", content=answer, finish_reason="stop"))
    SessionStore().save(conv)
    app = RequestyApp(settings)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_browser(pilot)
        await type_text(pilot, "zanzibar")
        await pilot.press("enter")
        await wait_for(pilot, lambda: chat_screen(app).conversation.id == conv.id)
        chat = chat_screen(app)

        def hit() -> Widget | None:
            return next(
                (w for w in chat.query(UserMessage) if "ZANZIBAR" in w.message.content), None
            )

        await wait_for(pilot, hit, what="the matching message to be mounted")
        prompt = hit()
        assert prompt is not None
        await wait_for(pilot, lambda: prompt.region.height > 0, what="the hit in view")
        assert highlighted_words(prompt) == ["ZANZIBAR"], "case-insensitive, literal"
        assert "[bold]ZANZIBAR[/bold]" in str(prompt.render()), "markup stays text"
        answer = chat.conversation.messages[7]
        reply = next(w for w in chat.query(AssistantMessage) if w.message is answer)
        assert reply.region.height > 0, "its reply below it is in view too"
        assert highlighted_words(reply.body) == ["Zanzibar", "zanzibar"]


async def test_a_hit_deep_in_a_long_reply_is_scrolled_to(
    router: RouterServer, settings: Settings
) -> None:
    conv = Conversation(id="20261120-100000-deep", model="openai/gpt-4o-mini", title="Deep")
    lines = [f"Line {n} of a long answer." for n in range(120)]
    lines[90] = "Here the QUOKKA appears."
    for i in range(30):
        answer = "\n\n".join(lines) if i == 2 else f"answer {i}"
        conv.messages.append(Message(role="user", content=f"question {i}"))
        conv.messages.append(Message(role="assistant", content=answer, finish_reason="stop"))
    SessionStore().save(conv)
    app = RequestyApp(settings)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_browser(pilot)
        await type_text(pilot, "quokka")
        await pilot.press("enter")
        await wait_for(pilot, lambda: chat_screen(app).conversation.id == conv.id)
        await wait_for(pilot, lambda: "Here the QUOKKA" in on_screen(app), what="the line")
        assert "question 29" not in on_screen(app), "not opened at its end"


async def test_the_top_bar_names_the_open_conversation(
    router: RouterServer, settings: Settings
) -> None:
    from textual.widgets import Input, Static

    from requesty_tui.ui.screens.dialogs import TextPrompt

    app = RequestyApp(settings)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = chat_screen(app)

        def top() -> str:
            return screen.query_one("#topbar", Static).render_line(0).text

        long = "Why does the borrow checker reject this perfectly reasonable code of mine"
        screen = await send_and_wait(pilot, long)
        await wait_for(pilot, lambda: "Why does the borrow" in top(), what="the title")
        assert "openai/gpt-4o-mini" in top(), "the model still fits at 80 columns"
        assert "…" in top() and "code of mine" not in top(), "a long title is shortened"
        # Renamed in the browser while open: the bar says so, and the next save keeps it.
        await wait_for(pilot, lambda: screen.saver.idle, what="the save")
        await open_browser(pilot)
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: isinstance(app.screen, TextPrompt), what="the prompt")
        app.screen.query_one(Input).value = "Borrowing"
        await pilot.press("enter")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen, what="the chat")
        assert "Borrowing" in top()
        await send_and_wait(pilot, "and now?")
        await wait_for(pilot, lambda: screen.saver.idle, what="the save")
        assert SessionStore().load(screen.conversation.id).title == "Borrowing"
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: "Borrowing" not in top(), what="the new chat's bar")


async def test_a_comparison_is_listed_under_its_models_and_resumes_comparing(
    router: RouterServer, settings: Settings
) -> None:
    from textual.widgets import DataTable, Static

    from requesty_tui.ui.widgets.compare_view import CompareColumn

    a, b = "anthropic/claude-sonnet-4-5", "google/gemini-2.5-flash"  # not the chat's model
    router.queue_for(a, Reply(text="from a"))
    router.queue_for(b, Reply(text="from b"))
    app = RequestyApp(settings, compare=[a, b])
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await send_and_wait(pilot, "which is best?")
        await wait_for(pilot, lambda: len(screen.query(CompareColumn)) == 2)
        await wait_for(pilot, lambda: not screen.streaming and screen.saver.idle, what="saved")
    [listed] = SessionStore().summaries()
    assert listed.model == f"{a}, {b}", "not the model it never used"
    router.queue_for(a, Reply(text="again a"))
    router.queue_for(b, Reply(text="again b"))
    app = RequestyApp(settings)
    async with app.run_test(size=(120, 30)) as pilot:
        browser = await open_browser(pilot)
        assert str(browser.query_one(DataTable).get_row_at(0)[2]) == f"{a}, {b}"
        await pilot.press("enter")
        await wait_for(pilot, lambda: chat_screen(app).conversation.id == listed.id)
        screen = chat_screen(app)
        assert f"compare: {a} · {b}" in str(screen.query_one("#topbar", Static).render())
        await send_and_wait(pilot, "and now?")
        await wait_for(pilot, lambda: len(router.chat_requests()) == 4, what="both asked")
        assert {r["body"]["model"] for r in router.chat_requests()[2:]} == {a, b}


async def test_deleting_the_open_conversation_while_it_streams(
    router: RouterServer, settings: Settings
) -> None:
    router.queue(Reply(text="word " * 400, chunk_chars=5, delay=0.01))
    app = RequestyApp(settings)
    async with app.run_test(size=(120, 30)) as pilot:
        screen = chat_screen(app)
        await type_text(pilot, "go on")
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.streaming and screen.query(AssistantMessage))
        old = SessionStore().path_for(screen.conversation.id)
        await wait_for(pilot, old.exists, what="the prompt saved")
        await delete_in_browser(pilot)
        await wait_for(pilot, lambda: not screen.query(UserMessage), what="the chat to close")
        assert not screen.streaming, "its reply was stopped"
        await wait_for(pilot, lambda: screen.saver.idle, what="the new saver")
        assert not old.exists(), "nothing of it was written again"
        assert SessionStore().summaries() == []
