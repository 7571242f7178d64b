"""Conversations as trees in the chat screen: edit, regenerate (also with another model),
switch with ‹ › and left/right, fork, delete, and the browser opening the branch of a search
hit. What the router received, what the screen shows and what the file holds."""

from __future__ import annotations

from textual.widgets import Input

from requesty_tui.core.settings import Settings
from requesty_tui.storage.sessions import SessionStore
from requesty_tui.testing.router import Reply, RouterServer
from requesty_tui.ui.app import RequestyApp
from requesty_tui.ui.screens.chat import ChatScreen
from requesty_tui.ui.screens.dialogs import Confirm
from requesty_tui.ui.screens.model_picker import ModelPicker
from requesty_tui.ui.widgets.key_bar import KeyBar
from requesty_tui.ui.widgets.message import AssistantMessage, UserMessage
from requesty_tui.ui.widgets.prompt_input import PromptInput
from tests.support.ui import (
    chat_screen,
    open_browser,
    rendered_text,
    run_command,
    send_and_wait,
    type_text,
)
from tests.support.ui import wait_for as wait


def sent(router: RouterServer, n: int = -1) -> list[str]:
    return [m["content"] for m in router.chat_requests()[n]["body"]["messages"]]


def shown(screen: ChatScreen) -> list[str]:
    out = []
    for widget in screen.query("UserMessage, AssistantMessage"):
        if isinstance(widget, UserMessage):
            out.append(str(widget.content))
        elif isinstance(widget, AssistantMessage):
            out.append(widget.text)
    return out


def saved_file(screen: ChatScreen) -> str:
    return SessionStore().path_for(screen.conversation.id).read_text()


async def palette(pilot, command: str) -> None:  # type: ignore[no-untyped-def]
    await run_command(pilot, command)


async def two_turns(pilot, router: RouterServer) -> ChatScreen:  # type: ignore[no-untyped-def]
    router.queue(Reply(text="answer one"), Reply(text="answer two"))
    await send_and_wait(pilot, "one")
    screen = await send_and_wait(pilot, "two")
    await wait(pilot, lambda: len(screen.conversation.messages) == 4, what="two turns")
    return screen


async def test_edit_a_prompt_keeps_the_old_branch(router: RouterServer, settings: Settings) -> None:
    app = RequestyApp(settings)
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await two_turns(pilot, router)
        prompt = screen.query_one(PromptInput)
        await type_text(pilot, "half typed")
        screen.query(UserMessage).first().focus()
        await pilot.press("enter")  # was e: a letter typed on a message is text now
        banner = screen.query_one("#edit-banner")
        assert banner.display and "Editing your message 1" in str(banner.content)
        assert prompt.text == "one"
        await pilot.pause()
        assert "esc Leave edit" in screen.query_one(KeyBar).render_line(0).text
        await pilot.press("escape")  # leave the edit: the draft comes back
        assert not banner.display and prompt.text == "half typed"
        prompt.clear()
        screen.query(UserMessage).first().focus()
        await pilot.press("enter")  # was e: a letter typed on a message is text now
        prompt.load_text("one, edited")
        router.queue(Reply(text="answer to the edit"))
        prompt.focus()
        await pilot.press("enter")
        await wait(pilot, lambda: not screen.streaming and len(router.chat_requests()) == 3)
        await wait(pilot, lambda: "answer to the edit" in shown(screen), what="the new reply")
        assert sent(router) == ["one, edited"], "from the same point: nothing after it"
        assert shown(screen) == ["one, edited", "answer to the edit"]
        first = screen.query(UserMessage).first()
        assert first.border_title == "You ‹2/2›"
        text = saved_file(screen)
        assert "format = 2" in text and "answer two" in text, "the old branch is in the file"
        # Back to the first version: its whole branch comes back, as it was.
        first.focus()
        await pilot.press("left")
        await wait(pilot, lambda: shown(screen)[:1] == ["one"], what="the old branch")
        assert shown(screen) == ["one", "answer one", "two", "answer two"]
        assert screen.query(UserMessage).first().border_title == "You ‹1/2›"
        # The next message continues the branch on screen, and only that path is sent.
        router.queue(Reply(text="answer three"))
        prompt.focus()
        await send_and_wait(pilot, "three")
        await wait(pilot, lambda: len(router.chat_requests()) == 4)
        assert sent(router) == ["one", "answer one", "two", "answer two", "three"]


async def test_regenerate_and_switch_between_replies(
    router: RouterServer, settings: Settings
) -> None:
    app = RequestyApp(settings)
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await two_turns(pilot, router)
        router.queue(Reply(text="answer two, again"))
        await pilot.press("ctrl+r")
        await wait(pilot, lambda: "answer two, again" in shown(screen), what="regenerated")
        await wait(pilot, lambda: not screen.streaming)
        assert sent(router) == ["one", "answer one", "two"], "up to the prompt, not the reply"
        assert shown(screen) == ["one", "answer one", "two", "answer two, again"]
        last = screen.query(AssistantMessage).last()
        assert last.border_title == "‹2/2›"
        last.focus()
        await pilot.press("left")
        await wait(pilot, lambda: shown(screen)[-1] == "answer two", what="the first reply")
        assert app.focused is screen.query(AssistantMessage).last(), "still on it: ‹ › again"
        await pilot.press("right")
        await wait(pilot, lambda: shown(screen)[-1] == "answer two, again", what="forward")
        await pilot.press("left")
        await wait(pilot, lambda: shown(screen)[-1] == "answer two", what="back")
        # Clicking › goes forward again.
        last = screen.query(AssistantMessage).last()
        await pilot.click(last, offset=(7, 0))
        await wait(pilot, lambda: shown(screen)[-1] == "answer two, again", what="the click")
        # Regenerate with another model: the alternative records which model answered.
        router.queue(Reply(text="from claude", model="anthropic/claude-sonnet-4-5"))
        await palette(pilot, "chat: regenerate with model")
        await wait(pilot, lambda: isinstance(app.screen, ModelPicker), what="the picker")
        app.screen.query_one(Input).value = "claude son"
        await pilot.press("enter")
        await wait(pilot, lambda: "from claude" in shown(screen), what="the other model")
        await wait(pilot, lambda: not screen.streaming)
        assert router.chat_requests()[-1]["body"]["model"] == "anthropic/claude-sonnet-4-5"
        assert screen.conversation.model == "openai/gpt-4o-mini", "the chat's model is kept"
        assert screen.query(AssistantMessage).last().border_title == "‹3/3›"
        assert 'model = "anthropic/claude-sonnet-4-5"' in saved_file(screen)


async def test_fork_and_delete(router: RouterServer, settings: Settings) -> None:
    app = RequestyApp(settings)
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await two_turns(pilot, router)
        original = screen.conversation.id
        screen.query(AssistantMessage).first().focus()
        await palette(pilot, "chat: fork here")
        await wait(pilot, lambda: chat_screen(app).conversation.id != original, what="the fork")
        forked = chat_screen(app)
        await pilot.pause()
        assert shown(forked) == ["one", "answer one"]
        assert len(SessionStore().load(original).messages) == 4, "the original is unchanged"
        assert [m.content for m in SessionStore().load(forked.conversation.id).messages] == [
            "one",
            "answer one",
        ]
        forked.query(UserMessage).first().focus()
        await palette(pilot, "chat: delete message")
        await wait(pilot, lambda: isinstance(app.screen, Confirm), what="the question")
        assert "and the 1 message below it" in str(app.screen.query_one("Label").content)
        await pilot.click("#yes")
        await wait(pilot, lambda: not forked.conversation.messages, what="the delete")
        assert shown(forked) == []


async def test_search_opens_the_branch_that_holds_the_hit(
    router: RouterServer, settings: Settings
) -> None:
    app = RequestyApp(settings)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await two_turns(pilot, router)
        router.queue(Reply(text="a quokka answer"))
        await pilot.press("ctrl+r")
        await wait(pilot, lambda: not screen.streaming and "a quokka answer" in shown(screen))
        screen.query(AssistantMessage).last().focus()
        await pilot.press("left")  # the quokka is now off screen
        await wait(pilot, lambda: "a quokka answer" not in shown(screen))
        await wait(pilot, lambda: screen.saver.idle, what="the save")
        await pilot.press("ctrl+n")
        await open_browser(pilot)
        await type_text(pilot, "quokka")
        await pilot.press("enter")
        await wait(
            pilot,
            lambda: isinstance(app.screen, ChatScreen) and bool(app.screen.conversation.messages),
        )
        reopened = chat_screen(app)
        await pilot.pause()
        assert shown(reopened)[-1] == "a quokka answer"
        body = rendered_text(reopened.query(AssistantMessage).last().body)
        assert "quokka" in body


async def test_a_damaged_tree_opens_with_a_notice_and_is_left_alone(
    router: RouterServer, settings: Settings
) -> None:
    store = SessionStore()
    path = store.folder / "20261201-000000-hurt.toml"
    store.folder.mkdir(parents=True, exist_ok=True)
    damaged = (
        'format = 2\nid = "20261201-000000-hurt"\nmodel = "test/echo"\nleaf = "gone"\n\n'
        '[[messages]]\nid = "q1"\nrole = "user"\ncontent = "question"\n\n'
        '[[messages]]\nid = "a1"\nrole = "assistant"\ncontent = "first answer"\n\n'
        '[[messages]]\nid = "a2"\nparent = "nowhere"\nrole = "assistant"\n'
        'content = "second answer"\n'
    )
    path.write_text(damaged)
    conversation = store.load("20261201-000000-hurt")
    app = RequestyApp(settings, conversation=conversation, store=store)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        screen = chat_screen(app)
        await wait(pilot, lambda: bool(shown(screen)), what="the history")
        notices = [n.message for n in app._notifications]
        assert any("unknown parent 'nowhere'" in n and "'gone'" in n for n in notices), notices
        assert shown(screen) == ["question", "first answer", "second answer"]
        await wait(pilot, lambda: screen.saver.idle, what="the saver")
        assert path.read_text() == damaged, "opening it rewrote nothing"
        router.queue(Reply(text="a sound answer"))
        await send_and_wait(pilot, "go on")
        await wait(pilot, lambda: "a sound answer" in path.read_text(), what="the save")
    again = store.load("20261201-000000-hurt")
    assert again.problems == []
    assert [m.content for m in again.path()][-2:] == ["go on", "a sound answer"]
