"""Autosave, the session browser (ctrl+o), resume: what the user sees and what is on disk."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable, Input

from requesty_tui.core.domain import Conversation, Message, Usage
from requesty_tui.core.settings import Settings
from requesty_tui.storage import paths
from requesty_tui.storage.sessions import SessionStore
from requesty_tui.testing.router import Reply, RouterServer
from requesty_tui.ui.app import RequestyApp
from requesty_tui.ui.screens.chat import ChatScreen
from requesty_tui.ui.screens.dialogs import Choice, Confirm, TextPrompt
from requesty_tui.ui.screens.session_browser import SessionBrowser
from requesty_tui.ui.widgets.message import AssistantMessage, UserMessage
from requesty_tui.ui.widgets.status_line import StatusLine
from tests.support.ui import open_browser, rendered_text, type_text, wait_for


def saved(store: SessionStore) -> list[Conversation]:
    return [store.load(s.id) for s in store.summaries() if s.readable]


def many_chats(count: int, pasta_in: int | None = None) -> None:
    """``count`` one-message chats, "Chat 0" the oldest; "pasta" in chat ``pasta_in`` alone."""
    store = SessionStore()
    for n in range(count):
        conv = Conversation(id=f"20261101-{n:06d}-many", model="m/x", title=f"Chat {n}")
        pasta = " pasta" if n == pasta_in else ""
        conv.messages = [Message(role="user", content=f"word{n}{pasta}")]
        store.save(conv)


def seed(store: SessionStore, cid: str, title: str, words: str) -> Conversation:
    conv = Conversation(id=cid, model="anthropic/claude-sonnet-4-5", title=title)
    conv.messages = [
        Message(role="user", content=f"Tell me about {words}"),
        Message(
            role="assistant",
            content=f"# {title}\n\nAll about **{words}**.",
            model="anthropic/claude-sonnet-4-5",
            finish_reason="stop",
            reasoning="think first",
            usage=Usage(prompt_tokens=5, completion_tokens=7, cost=0.0125),
        ),
    ]
    store.save(conv)
    return conv


async def test_autosave_after_prompt_and_reply(router: RouterServer, settings: Settings) -> None:
    router.queue(Reply(text="Saved *reply*", model="openai/gpt-4o"))
    app = RequestyApp(settings)
    async with app.run_test() as pilot:
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        await type_text(pilot, "first prompt")
        await pilot.press("enter")
        await wait_for(
            pilot, lambda: not screen.streaming and len(screen.conversation.messages) == 2
        )
    [conv] = saved(SessionStore())
    assert conv.title == "first prompt"
    assert [(m.role, m.content) for m in conv.messages] == [
        ("user", "first prompt"),
        ("assistant", "Saved *reply*"),
    ]
    assert conv.messages[1].model == "openai/gpt-4o"
    assert conv.messages[1].usage is not None and conv.messages[1].usage.cost == 0.000096
    text = next(paths.sessions_dir().glob("*.toml")).read_text()
    assert "test-key-123" not in text, "the key is never written"


async def test_long_stream_is_saved_while_it_runs(router: RouterServer, settings: Settings) -> None:
    router.queue(Reply(text="chunk " * 1000, chunk_chars=6, delay=0.005))
    app = RequestyApp(settings)
    async with app.run_test() as pilot:
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        await type_text(pilot, "go")
        await pilot.press("enter")

        def partial_on_disk() -> bool:
            convs = saved(SessionStore())
            return bool(convs) and len(convs[0].messages) == 2 and screen.streaming

        await wait_for(pilot, partial_on_disk, timeout=15, what="a partial save mid-stream")
        await pilot.press("escape")
        await wait_for(pilot, lambda: not screen.streaming)
    [conv] = saved(SessionStore())
    assert conv.messages[1].finish_reason == "cancelled"
    assert conv.messages[1].content.startswith("chunk chunk")


async def test_browse_filter_and_resume(router: RouterServer, settings: Settings) -> None:
    store = SessionStore()
    seed(store, "20261120-100000-aaaa", "Rust lifetimes", "borrowing")
    seed(store, "20261121-100000-bbbb", "Pasta", "carbonara")
    (store.folder / "20261122-000000-bad0.toml").write_text("not = [valid")
    app = RequestyApp(settings)
    async with app.run_test(size=(120, 30)) as pilot:
        browser = await open_browser(pilot)
        table = browser.query_one(DataTable)
        assert table.row_count == 3
        first = [str(c) for c in table.get_row_at(0)]
        assert first[0] == "unreadable" and "not valid TOML" in first[1]
        assert [str(c) for c in table.get_row_at(1)][1:4] == [
            "Pasta",
            "anthropic/claude-sonnet-4-5",
            "2",
        ]
        assert "$0.0125" in [str(c) for c in table.get_row_at(1)]
        await type_text(pilot, "borrow")
        assert table.row_count == 1
        assert str(table.get_row_at(0)[1]) == "Rust lifetimes"
        await pilot.press("enter")
        chat = app.screen
        assert isinstance(chat, ChatScreen)
        assert chat.conversation.id == "20261120-100000-aaaa"
        assert chat.conversation.model == "anthropic/claude-sonnet-4-5", "the session's model"
        await pilot.pause()
        assert "1 reply" in chat.query_one(StatusLine).shown, "the bars of the resumed chat"
        user = chat.query_one(UserMessage)
        assert "Tell me about borrowing" in str(user.content)
        reply = chat.query_one(AssistantMessage)
        shown = rendered_text(reply.body)
        assert "All about borrowing." in shown and "**" not in shown
        assert "$0.0125" in str(reply.header.content)
        # It continues: the next prompt goes with the history, into the same file.
        await type_text(pilot, "more")
        await pilot.press("enter")
        await wait_for(pilot, lambda: len(chat.conversation.messages) == 4)
        sent = router.chat_requests()[0]["body"]["messages"]
        assert [m["content"] for m in sent][:2] == [
            "Tell me about borrowing",
            "# Rust lifetimes\n\nAll about **borrowing**.",
        ]
    assert len(SessionStore().load("20261120-100000-aaaa").messages) == 4
    assert (store.folder / "20261122-000000-bad0.toml").read_text() == "not = [valid"


async def test_rename_delete_export(router: RouterServer, settings: Settings) -> None:
    store = SessionStore()
    seed(store, "20261120-100000-aaaa", "Old title", "naming")
    seed(store, "20261121-100000-bbbb", "Doomed", "deletion")
    app = RequestyApp(settings)
    async with app.run_test(size=(120, 30)) as pilot:
        browser = await open_browser(pilot)
        table = browser.query_one(DataTable)
        await pilot.press("down")  # the older one: "Old title"
        await pilot.press("ctrl+r")
        prompt = app.screen
        assert isinstance(prompt, TextPrompt)
        prompt.query_one(Input).value = ""
        await type_text(pilot, "New title")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is browser)
        assert "New title" in [str(table.get_row_at(i)[1]) for i in range(table.row_count)]
        assert SessionStore().load("20261120-100000-aaaa").title == "New title"
        await pilot.press("ctrl+e")
        exported = paths.data_dir() / "exports" / "20261120-100000-aaaa.md"
        await wait_for(pilot, exported.exists, what="the export")  # not a fixed wait: it was flaky
        assert exported.read_text().startswith("# New title\n")
        titles = [str(table.get_row_at(i)[1]) for i in range(table.row_count)]
        assert titles == ["New title", "Doomed"], "the renamed one is now the newest"
        table.move_cursor(row=1)
        await pilot.press("ctrl+d")
        assert isinstance(app.screen, Confirm)
        await pilot.press("escape")
        assert SessionStore().path_for("20261121-100000-bbbb").exists(), "no means no"
        await pilot.press("ctrl+d")
        await pilot.click("#yes")
        await wait_for(pilot, lambda: app.screen is browser)
        assert not SessionStore().path_for("20261121-100000-bbbb").exists()
        assert table.row_count == 1


async def test_resume_from_the_command_line_options(
    router: RouterServer, settings: Settings, xdg: Path
) -> None:
    store = SessionStore()
    conv = seed(store, "20261120-100000-aaaa", "Rust lifetimes", "borrowing")
    app = RequestyApp(Settings(api_key="k", base_url=router.base_url), conversation=conv)
    async with app.run_test() as pilot:
        await pilot.pause()
        chat = app.screen
        assert isinstance(chat, ChatScreen)
        assert chat.conversation.model == "anthropic/claude-sonnet-4-5", "the session's model"
        assert len(chat.query(AssistantMessage)) == 1
    app = RequestyApp(settings, conversation=SessionStore().load(conv.id), model="x/other")
    async with app.run_test() as pilot:
        await pilot.pause()
        chat = app.screen
        assert isinstance(chat, ChatScreen)
        assert chat.conversation.model == "x/other", "--model wins"


async def test_palette_opens_the_browser(router: RouterServer, settings: Settings) -> None:
    seed(SessionStore(), "20261120-100000-aaaa", "Rust lifetimes", "borrowing")
    app = RequestyApp(settings)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+p")
        await type_text(pilot, "session: brow")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, SessionBrowser), what="browser")


async def test_long_conversation_opens_windowed_and_all_stays_reachable(
    router: RouterServer, settings: Settings
) -> None:
    from requesty_tui.ui.widgets.conversation import SCROLL_LIMIT, WINDOW, ConversationView

    conv = Conversation(id="20261120-100000-long", model="openai/gpt-4o-mini", title="Long")
    for i in range(60):
        conv.messages.append(Message(role="user", content=f"question {i}"))
        conv.messages.append(
            Message(role="assistant", content=f"**answer {i}**", finish_reason="stop")
        )
    app = RequestyApp(settings, conversation=conv)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        chat = app.screen
        assert isinstance(chat, ChatScreen)
        view = chat.query_one(ConversationView)
        assert len(chat.query(UserMessage)) + len(chat.query(AssistantMessage)) == WINDOW
        assert "96 earlier messages" in str(chat.query_one("#earlier").content)
        last = chat.query(AssistantMessage).last()
        assert "answer 59" in rendered_text(last.body)
        # Every question comes in on the way up; those far below are put away again (issue 25:
        # all 120 stayed mounted), so fewer than all are mounted at the top.
        seen = {str(w.content) for w in chat.query(UserMessage)}
        while view.hidden_count:
            view.scroll_home(animate=False)
            await wait_for(pilot, lambda: not view._loading)
            await pilot.pause()
            seen.update(str(w.content) for w in chat.query(UserMessage))
            assert len(view.message_widgets()) <= SCROLL_LIMIT + WINDOW
        first = chat.query(UserMessage).first()
        assert "question 0" in str(first.content)
        assert seen == {f"question {i}" for i in range(60)}
        assert not chat.query("#earlier")


async def test_palette_opens_a_session_and_exports_the_chat(
    router: RouterServer, settings: Settings
) -> None:
    store = SessionStore()
    seed(store, "20261120-100000-aaaa", "Quokka facts", "quokkas")
    store.summaries()  # the palette reads the index as it is
    app = RequestyApp(settings)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+p")
        await type_text(pilot, "session: open quokka")
        await pilot.press("enter")
        await wait_for(
            pilot,
            lambda: (
                isinstance(app.screen, ChatScreen)
                and app.screen.conversation.id == "20261120-100000-aaaa"
            ),
        )
        await pilot.press("ctrl+p")
        await type_text(pilot, "chat: export")
        await pilot.press("enter")
        # The palette's export asks the format; Markdown is the first answer.
        await wait_for(pilot, lambda: isinstance(app.screen, Choice), what="the format question")
        await pilot.press("enter")
        exported = paths.data_dir() / "exports" / "20261120-100000-aaaa.md"
        await wait_for(pilot, exported.exists, what="the export")
        assert exported.read_text().startswith("# Quokka facts\n")


async def test_a_reply_cut_by_a_crash_is_marked_when_resumed(
    router: RouterServer, settings: Settings
) -> None:
    conv = Conversation(id="20261120-100000-kill", model="openai/gpt-4o-mini", title="Killed")
    conv.messages = [
        Message(role="user", content="go"),
        Message(role="assistant", content="half a repl"),
    ]  # no finish_reason
    app = RequestyApp(settings, conversation=conv)
    async with app.run_test() as pilot:
        await pilot.pause()
        reply = app.screen.query_one(AssistantMessage)
        assert "interrupted" in str(reply.header.content)
        assert "half a repl" in rendered_text(reply.body)


async def test_a_long_list_comes_whole_and_a_new_search_is_not_mixed_with_the_old(
    router: RouterServer, settings: Settings
) -> None:
    """Rows past the first screenfuls go in after the frame that shows the answer; all of them
    arrive, and a search typed meanwhile shows only its own rows (the old listing's rest is
    dropped, not added under it)."""
    many_chats(130, pasta_in=7)
    app = RequestyApp(settings)
    async with app.run_test(size=(120, 30)) as pilot:
        browser = await open_browser(pilot)
        table = browser.query_one(DataTable)
        await wait_for(pilot, lambda: table.row_count == 130, what="every conversation")
        assert str(table.get_row_at(129)[1]) == "Chat 0", "the oldest last"
        browser.reload()  # listed anew, its rest waiting for the frame…
        browser.query_one(Input).value = "pasta"
        browser.reload()  # …when a search comes first
        await wait_for(pilot, lambda: table.row_count == 1, what="the search's one row")
        await pilot.pause()
        await pilot.pause()
        assert [str(table.get_row_at(i)[1]) for i in range(table.row_count)] == ["Chat 7"]


async def test_choosing_a_row_past_the_first_screenfuls_keeps_the_place(
    router: RouterServer, settings: Settings
) -> None:
    """Space on row 120 chooses it and moves to row 121, though the listing made anew puts its
    rows past the first 100 in after its frame (the cursor went back to row 99)."""
    many_chats(130)
    app = RequestyApp(settings)
    async with app.run_test(size=(120, 30)) as pilot:
        browser = await open_browser(pilot)
        table = browser.query_one(DataTable)
        await wait_for(pilot, lambda: table.row_count == 130, what="every conversation")
        table.focus()
        table.move_cursor(row=120)
        await pilot.pause()
        chosen = browser.rows[120].id
        await pilot.press("space")
        await wait_for(pilot, lambda: table.row_count == 130, what="the list again")
        await pilot.pause()
        assert browser.chosen == {chosen}
        assert table.cursor_row == 121
