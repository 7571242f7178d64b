"""Writing the next message (issue 27): $EDITOR on ctrl+e, queueing while a reply streams, a
notification when a reply ends in an unfocused window, a screenshot pasted from the clipboard,
select all / clear in one key."""

from __future__ import annotations

import os
import stat
import struct
import subprocess
import threading
import zlib
from pathlib import Path

import pytest

from requesty_tui.core.settings import Settings
from requesty_tui.storage.drafts import draft_file
from requesty_tui.testing.router import Reply, RouterServer
from requesty_tui.ui.app import RequestyApp
from requesty_tui.ui.widgets.attachment_bar import AttachmentChip
from requesty_tui.ui.widgets.message import UserMessage
from requesty_tui.ui.widgets.prompt_input import PromptInput
from requesty_tui.ui.widgets.queued_bar import QueuedMessage
from tests.support.ui import chat_screen, run_command, send, type_text, wait_for
from tests.ui.test_clipboard import xvfb  # noqa: F401 - the fixture


def editor_script(tmp_path: Path, body: str) -> str:
    """A stand-in editor: a shell script that edits the file it is given ("$@": +LINE? FILE)."""
    script = tmp_path / "fake-editor"
    script.write_text(f"#!/bin/sh\nfor last; do :; done\n{body}\n")
    script.chmod(0o755)
    return str(script)


# -- $EDITOR ------------------------------------------------------------------------------------


async def test_ctrl_e_edits_the_input_in_the_editor_and_keeps_it_unsent(
    router: RouterServer, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = tmp_path / "seen"
    script = editor_script(
        tmp_path,
        f'cp "$last" {seen}; stat -c %a "$last" > {seen}.mode; echo "$@" > {seen}.args\n'
        'sed -i "s/draft/final text/" "$last"; printf "second line\\n" >> "$last"',
    )
    monkeypatch.setenv("VISUAL", f"{script} --wait")  # arguments are split, never a shell
    monkeypatch.delenv("EDITOR", raising=False)
    app = RequestyApp(settings)
    async with app.run_test() as pilot:
        box = chat_screen(app).query_one(PromptInput)
        await type_text(pilot, "a draft\n")
        await pilot.press("ctrl+e")
        await wait_for(pilot, lambda: "second line" in box.text, what="the edited text")
        assert box.text == "a final text\nsecond line", "the file's text, one newline dropped"
        assert not router.chat_requests(), "the input keeps it: Enter sends"
        assert seen.read_text() == "a draft\n", "the editor got the input's text"
        assert (seen.with_suffix(".mode")).read_text().strip() == "600"
        args = seen.with_suffix(".args").read_text().split()
        assert args[0] == "--wait" and not Path(args[-1]).exists(), "the temp file is removed"
        await pilot.press("ctrl+z")
        await wait_for(pilot, lambda: box.text == "a draft\n", what="undo")


async def test_an_editor_that_fails_or_is_missing_leaves_the_input_and_says_why(
    router: RouterServer, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    failing = editor_script(tmp_path, 'echo changed > "$last"; exit 3')
    monkeypatch.setenv("VISUAL", failing)
    app = RequestyApp(settings)
    async with app.run_test(notifications=True) as pilot:
        box = chat_screen(app).query_one(PromptInput)
        await type_text(pilot, "keep me")
        await pilot.press("ctrl+e")
        await wait_for(pilot, lambda: app._notifications, what="the notice")
        assert box.text == "keep me"
        assert "exited with status 3" in list(app._notifications)[-1].message
        monkeypatch.setenv("VISUAL", "no-such-editor-xyz")
        await pilot.press("ctrl+e")
        await wait_for(pilot, lambda: len(app._notifications) > 1, what="the second notice")
        assert "no-such-editor-xyz, which was not found" in list(app._notifications)[-1].message
        assert box.text == "keep me"
        unchanged = editor_script(tmp_path, "true")
        monkeypatch.setenv("VISUAL", unchanged)
        await run_command(pilot, "input: open in editor")
        await pilot.pause()
        assert box.text == "keep me", "an unchanged file changes nothing"


async def test_the_system_prompt_editor_offers_ctrl_e(
    router: RouterServer, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from textual.widgets import TextArea

    monkeypatch.setenv("VISUAL", editor_script(tmp_path, 'printf "Be terse.\\n" > "$last"'))
    app = RequestyApp(settings)
    async with app.run_test() as pilot:
        screen = chat_screen(app)
        await run_command(pilot, "chat: system prompt")
        await wait_for(pilot, lambda: app.screen is not screen, what="the editor dialog")
        area = app.screen.query_one(TextArea)
        await pilot.press("ctrl+e")
        await wait_for(pilot, lambda: area.text == "Be terse.", what="the editor's text")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen.conversation.system == "Be terse.", what="saved")


# -- select all, clear ----------------------------------------------------------------------------


async def test_select_all_and_clear_in_one_key_undoable(
    router: RouterServer, settings: Settings
) -> None:
    app = RequestyApp(settings)
    big = "x" * 100_000
    async with app.run_test() as pilot:
        box = chat_screen(app).query_one(PromptInput)
        box.insert(big)
        await pilot.press("ctrl+a")
        assert box.selected_text == big, "ctrl+a selects all"
        await pilot.press("ctrl+l")
        assert box.text == "", "ctrl+l clears"
        await pilot.press("ctrl+z")
        await wait_for(pilot, lambda: box.text == big, what="the cleared text, back")


# -- the queue ----------------------------------------------------------------------------------


SLOW = " ".join(f"w{n}" for n in range(40))


async def test_enter_while_streaming_queues_and_sends_after_the_reply(
    router: RouterServer, settings: Settings
) -> None:
    router.queue(Reply(text=SLOW, chunk_chars=3, delay=0.04), Reply(text="one"), Reply(text="two"))
    app = RequestyApp(settings)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = chat_screen(app)
        box = screen.query_one(PromptInput)
        await send(pilot, "first")
        await wait_for(pilot, lambda: screen.streaming, what="the stream")
        await send(pilot, "queued A")
        await send(pilot, "queued B")
        assert box.text == "", "Enter no longer refuses"
        shown = [str(m.render()) for m in screen.query(QueuedMessage)]
        assert len(shown) == 2 and "queued" in shown[0] and "queued A" in shown[0]
        assert len(router.chat_requests()) == 1, "nothing more sent while it streams"
        done = lambda: len(screen.conversation.messages) == 6 and not screen.streaming  # noqa: E731
        await wait_for(pilot, done, what="both queued messages, in turn")
        prompts = [r["body"]["messages"][-1]["content"] for r in router.chat_requests()]
        assert prompts == ["first", "queued A", "queued B"]
        assert not screen.query(QueuedMessage), "the queue is empty"
        assert [w.message.content for w in screen.query(UserMessage)][-1] == "queued B"


async def test_a_failed_reply_gives_the_queue_back_into_the_input(
    router: RouterServer, settings: Settings
) -> None:
    hold = threading.Event()
    router.queue(Reply(text=SLOW, chunk_chars=3, hold=hold, error_chunk_after=2))
    app = RequestyApp(settings.with_overrides(stall_timeout=30.0))
    async with app.run_test(notifications=True) as pilot:
        screen = chat_screen(app)
        box = screen.query_one(PromptInput)
        await send(pilot, "first")
        await wait_for(pilot, lambda: screen.streaming, what="the stream")
        await send(pilot, "never sent")
        await type_text(pilot, "typed since")
        hold.set()  # the stream goes on, and fails
        await wait_for(pilot, lambda: not screen.streaming, what="the failure")
        await wait_for(pilot, lambda: "never sent" in box.text, what="the queue, back")
        assert box.text == "never sent\n\ntyped since", "in the order it was written"
        assert len(router.chat_requests()) == 1
        assert any("1 queued message not sent" in n.message for n in app._notifications)
        assert not screen.query(QueuedMessage)


async def test_esc_stops_and_the_queue_comes_back_and_up_takes_one_back(
    router: RouterServer, settings: Settings
) -> None:
    router.queue(Reply(text=SLOW, chunk_chars=2, delay=0.05))
    app = RequestyApp(settings)
    async with app.run_test() as pilot:
        screen = chat_screen(app)
        box = screen.query_one(PromptInput)
        await send(pilot, "first")
        await wait_for(pilot, lambda: screen.streaming, what="the stream")
        await send(pilot, "one")
        await send(pilot, "two")
        await pilot.press("up")  # in the empty box: the newest queued message comes back
        assert box.text == "two" and len(screen.query(QueuedMessage)) == 1
        await pilot.press("ctrl+l", "escape")
        await wait_for(pilot, lambda: not screen.streaming, what="stopped")
        await wait_for(pilot, lambda: box.text == "one", what="the queue, back")
        assert len(router.chat_requests()) == 1


async def test_a_queue_on_disk_comes_back_after_a_crash(
    router: RouterServer, settings: Settings
) -> None:
    hold = threading.Event()
    router.queue(Reply(text="slow", hold=hold))
    app = RequestyApp(settings.with_overrides(stall_timeout=30.0))
    async with app.run_test() as pilot:
        screen = chat_screen(app)
        await send(pilot, "first")
        await wait_for(pilot, lambda: screen.streaming, what="the stream")
        await send(pilot, "queued before the crash")
        await type_text(pilot, "and typing")
        screen.save_draft(force=True)  # a second after typing stops; queueing saved at once
        saved = {p.read_text() for p in draft_file().parent.rglob("*.txt")}
        hold.set()
        await pilot.press("escape")
    assert "queued before the crash\n\nand typing" in saved, saved


# -- notifications ------------------------------------------------------------------------------


async def test_no_notification_while_focused_and_once_when_not(
    router: RouterServer, settings: Settings
) -> None:
    from requesty_tui.ui import notify

    written: list[str] = []
    router.queue(Reply(text="Here is the answer you wanted"), Reply(text=SLOW, delay=0.01))
    app = RequestyApp(settings.with_overrides(notify="osc9", notify_after=0.0))
    async with app.run_test() as pilot:
        screen = chat_screen(app)
        driver = app._driver
        assert driver is not None
        original = driver.write
        driver.write = lambda data: (written.append(data), original(data))[1]  # type: ignore[method-assign]
        await send(pilot, "hi")
        await wait_for(pilot, lambda: not screen.streaming and screen.conversation.messages)
        await pilot.pause()
        assert not any("\x1b]9;" in w for w in written), "focused: no notification"
        await send(pilot, "again")
        app.app_focus = False  # a key or a click gives it back (Textual)
        await wait_for(pilot, lambda: any("\x1b]9;" in w for w in written), what="the OSC 9")
        [osc] = [w for w in written if "\x1b]9;" in w]
        assert osc == "\x1b]9;hi: " + " ".join(SLOW.split()[:12]) + " …\x07", "title, words"
    assert notify  # the module


# -- a pasted screenshot ---------------------------------------------------------------------------


def png(width: int = 2, height: int = 2) -> bytes:
    """A real PNG, generated."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))
            + chunk(b"IEND", b""))  # fmt: skip


def hold_clipboard(data: bytes, mime: str) -> subprocess.Popen[bytes]:
    """xclip keeps owning the selection in the background (as a screenshot tool would)."""
    proc = subprocess.Popen(["xclip", "-selection", "clipboard", "-t", mime, "-i"],
                            stdin=subprocess.PIPE)  # fmt: skip
    assert proc.stdin is not None
    proc.stdin.write(data)
    proc.stdin.close()
    proc.wait(10)  # xclip forks a child that serves the selection
    return proc


async def test_ctrl_v_attaches_a_screenshot_from_the_x_clipboard(
    router: RouterServer,
    settings: Settings,
    xvfb: str,  # noqa: F811
) -> None:
    image = png()
    hold_clipboard(image, "image/png")
    app = RequestyApp(settings)
    async with app.run_test(notifications=True) as pilot:
        screen = chat_screen(app)
        await pilot.press("ctrl+v")
        await wait_for(pilot, lambda: screen.pending_attachments, what="the image attached")
        [attachment] = screen.pending_attachments
        assert attachment.kind == "image" and attachment.mime == "image/png"
        assert attachment.name.startswith("clipboard-") and attachment.size == len(image)
        assert screen.query(AttachmentChip), "a chip above the input"
        copy = screen.attach.store.folder / attachment.sha256
        assert copy.read_bytes() == image and stat.S_IMODE(copy.stat().st_mode) == 0o600
        # Text on the clipboard pastes as text.
        hold_clipboard(b"plain words", "UTF8_STRING")
        await pilot.press("ctrl+v")
        box = screen.query_one(PromptInput)
        await wait_for(pilot, lambda: box.text == "plain words", what="the text pasted")
        assert len(screen.pending_attachments) == 1


async def test_without_a_clipboard_tool_the_notice_says_what_to_do(
    router: RouterServer, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    app = RequestyApp(settings)
    async with app.run_test(notifications=True) as pilot:
        await pilot.press("ctrl+v")
        await wait_for(pilot, lambda: app._notifications, what="the notice")
        message = list(app._notifications)[-1].message
        assert "no system clipboard here" in message and "ctrl+t" in message
    assert os.environ.get("DISPLAY") is None


async def test_in_compare_mode_the_queue_waits_for_every_column(
    router: RouterServer, settings: Settings
) -> None:
    a, b = "openai/gpt-4o-mini", "anthropic/claude-sonnet-4-5"
    hold_b = threading.Event()
    router.queue_for(a, Reply(text="alpha"), Reply(text="alpha again"))
    router.queue_for(b, Reply(text="bravo", hold=hold_b), Reply(text="bravo again"))
    app = RequestyApp(settings.with_overrides(stall_timeout=30.0), compare=[a, b])
    async with app.run_test(size=(120, 30), notifications=True) as pilot:
        screen = chat_screen(app)
        await send(pilot, "both")
        await wait_for(pilot, lambda: len(router.chat_requests()) == 2, what="two requests")
        await send(pilot, "then this")
        await wait_for(pilot, lambda: screen.conversation.messages[-1].content == "alpha")
        await pilot.pause()
        assert len(router.chat_requests()) == 2, "one column still streams: it waits"
        hold_b.set()
        await wait_for(pilot, lambda: len(router.chat_requests()) == 4, what="sent to both")
        assert router.chat_requests()[2]["body"]["messages"][-1]["content"] == "then this"
        assert any("Continuing from" in n.message for n in app._notifications), "as today"


async def test_keys_on_a_queued_message_take_it_back_or_remove_it(
    router: RouterServer, settings: Settings
) -> None:
    hold = threading.Event()
    router.queue(Reply(text="slow", hold=hold))
    app = RequestyApp(settings.with_overrides(stall_timeout=30.0))
    async with app.run_test() as pilot:
        screen = chat_screen(app)
        box = screen.query_one(PromptInput)
        await send(pilot, "first")
        await wait_for(pilot, lambda: screen.streaming, what="the stream")
        for text in ("one", "two", "three"):
            await send(pilot, text)
        queued = list(screen.query(QueuedMessage))
        queued[0].focus()
        await pilot.press("delete")  # "one" goes
        await wait_for(pilot, lambda: screen.session.drafts.queue.items == ["two", "three"])
        focused = screen.focused
        assert isinstance(focused, QueuedMessage), "the next one keeps the focus"
        await pilot.press("x")  # typing on it goes to the input box
        assert screen.focused is box and box.text == "x"
        screen.query(QueuedMessage).last().focus()
        await pilot.press("enter")  # "three" comes back into the box, after what is there
        assert box.text == "x\n\nthree" and screen.session.drafts.queue.items == ["two"]
        hold.set()
        await wait_for(pilot, lambda: len(router.chat_requests()) == 2, what="two goes")
        assert router.chat_requests()[1]["body"]["messages"][-1]["content"] == "two"
