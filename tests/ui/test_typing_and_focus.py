"""Where keys go (issue 23): typing on a focused message, compare column or attachment chip
lands in the input box, in order, and never runs a command; the commands there use keys typing
cannot produce; the pane scrolls from the input box; remapped keys show where keys are named;
Quit stays in the key bar at 80 columns; a failed compare column is marked and not offered."""

from __future__ import annotations

from pathlib import Path

from requesty_tui.core.domain import Conversation, Message
from requesty_tui.core.settings import Settings
from requesty_tui.testing.router import Reply, RouterServer
from requesty_tui.ui.app import RequestyApp
from requesty_tui.ui.widgets.attachment_bar import AttachmentChip
from requesty_tui.ui.widgets.compare_view import CompareColumn, CompareView
from requesty_tui.ui.widgets.conversation import ConversationView
from requesty_tui.ui.widgets.key_bar import KeyBar
from requesty_tui.ui.widgets.message import AssistantMessage, UserMessage
from requesty_tui.ui.widgets.prompt_input import PromptInput
from tests.support.ui import chat_screen, send, send_and_wait, type_text, wait_for

A, B, C = "openai/gpt-4o-mini", "test/404", "google/gemini-2.5-flash"


def said(app: RequestyApp) -> list[str]:
    return [n.message for n in app._notifications]


async def test_typing_on_a_focused_message_goes_to_the_input(
    router: RouterServer, settings: Settings
) -> None:
    router.queue(Reply(text="Use `x = 1`:\n\n```python\nx = 1\n```\n"), Reply(text="Again."))
    app = RequestyApp(settings)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        screen = await send_and_wait(pilot, "question")
        box = screen.query_one(PromptInput)
        await pilot.press("shift+tab")
        reply = screen.query_one(AssistantMessage)
        assert screen.focused is reply
        await type_text(pilot, "great, thanks")
        assert box.text == "great, thanks" and screen.focused is box
        assert len(router.chat_requests()) == 1, "r typed on a reply regenerated it"
        assert not said(app), "y or c typed on a reply copied it"
        # A click on a message (to read it), then typing: the same.
        assert await pilot.click(UserMessage)
        assert isinstance(screen.focused, UserMessage)
        await type_text(pilot, " eh")
        assert box.text == "great, thanks eh" and screen.focused is box
        assert screen.branches.editing is None, "e typed on your message started an edit"
        # The commands are on keys typing cannot produce.
        reply.focus()
        await pilot.press("ctrl+k")
        await wait_for(pilot, lambda: any("code block 1 of 1" in n for n in said(app)))
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: len(router.chat_requests()) == 2, what="the regeneration")
        await wait_for(pilot, lambda: not screen.streaming, what="the second reply")
        assert screen.query(AssistantMessage).last().alternatives == (2, 2)
        assert box.text == "great, thanks eh", "nothing typed is lost"
        screen.query_one(UserMessage).focus()
        await pilot.press("enter")
        assert screen.branches.editing is not None, "enter on your message edits it"


async def test_typing_on_a_failed_compare_column_is_the_next_round(
    router: RouterServer, settings: Settings
) -> None:
    router.queue_for(A, Reply(text="Aardvark answer"), Reply(text="Next from A"))
    router.queue_for(B, Reply(status=404, error_message="Gone fishing"), Reply(text="B again"))
    router.queue_for(C, Reply(text="Cat answer"), Reply(text="Next from C"))
    app = RequestyApp(settings, compare=[A, B, C])
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        screen = chat_screen(app)
        await send(pilot, "which animal?")
        await wait_for(pilot, lambda: len(screen.query(CompareColumn)) == 3
                       and not screen.streaming, what="both columns ended")  # fmt: skip
        view = screen.query_one(CompareView)
        assert view.narrow, "80 columns: stacked"
        failed = list(screen.query(CompareColumn))[1]
        view.show_column(1)
        await wait_for(pilot, lambda: screen.focused is failed, what="the failed column")
        hint = str(view.query_one("#compare-hint").render())
        assert "continues with" not in hint and f"{B} failed" in hint, hint
        switcher = str(view.query_one("#compare-switcher").render())
        assert f"✗ {B}" in switcher, switcher
        await type_text(pilot, "second round")
        await pilot.press("enter")
        await wait_for(pilot, lambda: len(router.chat_requests()) == 6, what="the next round")
        assert router.chat_requests()[-1]["body"]["messages"][-1]["content"] == "second round"
        assert not any("code block" in n or "no reply to continue" in n for n in said(app))


async def test_the_pane_scrolls_while_the_input_keeps_the_focus(
    router: RouterServer, settings: Settings
) -> None:
    conversation = Conversation(id="20260101-000000-scrl", model=A)
    for n in range(12):
        conversation.messages += [
            Message(role="user", content=f"prompt {n}"),
            Message(role="assistant", content="\n\n".join(f"para {n}.{k}" for k in range(6)),
                    finish_reason="stop"),
        ]  # fmt: skip
    app = RequestyApp(settings, conversation=conversation)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = chat_screen(app)
        pane = screen.query_one(ConversationView)
        box = screen.query_one(PromptInput)
        await wait_for(pilot, lambda: pane.max_scroll_y > 40 and pane.scroll_y == pane.max_scroll_y,
                       what="the pane at its end")  # fmt: skip
        await type_text(pilot, "draft")
        bottom = pane.scroll_y
        await pilot.press("pageup")
        await wait_for(pilot, lambda: pane.scroll_y < bottom - 5, what="a page up")
        assert screen.focused is box and box.text == "draft"
        await pilot.press("pagedown")
        await wait_for(pilot, lambda: pane.scroll_y == pane.max_scroll_y, what="a page down")
        await pilot.press("ctrl+home")
        await wait_for(pilot, lambda: pane.scroll_y == 0, what="the top")
        await pilot.press("ctrl+end")
        await wait_for(pilot, lambda: pane.scroll_y == pane.max_scroll_y, what="the end")
        assert screen.focused is box and box.text == "draft"


async def test_remapped_keys_are_named_where_keys_are_named(
    router: RouterServer, settings: Settings
) -> None:
    keys = {"chat.model": "f3", "input.send": "ctrl+s", "input.newline": "ctrl+o"}
    app = RequestyApp(settings.with_overrides(keys=keys))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        screen = chat_screen(app)
        placeholder = str(screen.query_one(PromptInput).placeholder)
        assert "ctrl+s to send" in placeholder and "ctrl+o for a new line" in placeholder
        assert "Enter" not in placeholder and "ctrl+j" not in placeholder
        top = str(screen.query_one("#topbar").render())
        assert "▾ F3" in top and "F2" not in top, top


async def test_quit_stays_in_the_key_bar_at_80_columns(
    router: RouterServer, settings: Settings
) -> None:
    app = RequestyApp(settings)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await send_and_wait(pilot, "hi")
        for focus in (screen.query_one(PromptInput), screen.query_one(AssistantMessage)):
            focus.focus()
            await pilot.pause()
            bar = screen.query_one(KeyBar).render_line(0).text
            assert "^q Quit" in bar and "f1 Help" in bar, bar


async def test_an_attachment_chip_is_removed_from_the_keyboard(
    router: RouterServer, settings: Settings, tmp_path: Path
) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("some notes\n")
    other = tmp_path / "other.txt"
    other.write_text("other notes\n")
    app = RequestyApp(settings, attach=[notes, other])
    async with app.run_test(size=(100, 30)) as pilot:
        screen = chat_screen(app)
        await wait_for(pilot, lambda: len(screen.query(AttachmentChip)) == 2, what="the chips")
        await pilot.press("shift+tab")
        chip = screen.focused
        assert isinstance(chip, AttachmentChip) and chip.attachment.name == "other.txt"
        await pilot.press("delete")
        await wait_for(pilot, lambda: len(screen.query(AttachmentChip)) == 1, what="removal")
        assert [a.name for a in screen.pending_attachments] == ["notes.txt"]
        left = screen.query_one(AttachmentChip)
        assert screen.focused is left, "the focus stays on the chips"
        await type_text(pilot, "hi")
        box = screen.query_one(PromptInput)
        assert box.text == "hi" and screen.focused is box
        assert [a.name for a in screen.pending_attachments] == ["notes.txt"]


async def test_keys_typed_in_a_burst_at_a_busy_filter_keep_their_order() -> None:
    """Backspaces then a letter, sent faster than the screen handles each change (the
    browser searches as its filter changes): the letter must not overtake a backspace
    (in tmux "gpt-4o", six backspaces and "b" gave "g"; ``textual_fixes`` 4)."""
    import time

    from textual import events
    from textual.app import App, ComposeResult
    from textual.widgets import Input

    from requesty_tui.ui.textual_fixes import apply_fixes

    apply_fixes()

    class Busy(App[None]):
        def compose(self) -> ComposeResult:
            yield Input()

        def on_input_changed(self) -> None:
            time.sleep(0.03)  # a search and a table rebuilt, as the browser does

    app = Busy()
    async with app.run_test() as pilot:
        box = app.query_one(Input)
        box.value = "gpt-4o"
        await pilot.pause()
        for key in ["backspace"] * 6 + ["b"]:  # as the driver posts them: all at once
            app.post_message(events.Key(key, "b" if key == "b" else None))
        await wait_for(pilot, lambda: box.value in ("b", "g", "gb"), what="the keys handled")
        await pilot.pause(0.3)
        assert box.value == "b"
