"""Issue 27 in a real terminal (tmux, 80x24): compose in an editor, queue while a reply
streams (and kill -9 with a queue), a notification in the bytes the app writes, a screenshot
pasted from a real X clipboard, an attached PNG drawn through tmux's passthrough."""

from __future__ import annotations

import os
import re
import signal
import time
from pathlib import Path

import pytest

from requesty_tui.storage import paths
from requesty_tui.testing.router import Reply, RouterServer
from tests.support.tmux import TmuxSession, terminal_env
from tests.ui.test_clipboard import xvfb  # noqa: F401 - the fixture
from tests.ui.test_compose import hold_clipboard, png

WORDS = " ".join(f"w{n}" for n in range(120))


def config(text: str) -> None:
    path = paths.config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def session(router: RouterServer, **env: str) -> TmuxSession:
    tmux = TmuxSession([], {**terminal_env(router), **env}, width=80, height=24)
    tmux.wait_started()
    return tmux


def test_ctrl_e_opens_the_editor_and_its_text_comes_back(
    router: RouterServer, xdg: Path, tmp_path: Path
) -> None:
    script = tmp_path / "sed-editor"
    script.write_text('#!/bin/sh\nfor f; do :; done\nsed -i "s/rough/polished/" "$f"\n')
    script.chmod(0o755)
    tmux = session(router, VISUAL=str(script))
    try:
        tmux.keys("a rough idea", literal=True)
        tmux.wait_for(lambda s: "a rough idea" in s, what="the typing")
        tmux.keys("C-e")
        tmux.wait_for(lambda s: "a polished idea" in s, what="the edited text")
        assert not router.chat_requests(), "not sent: Enter sends it"
        tmux.keys("Enter")
        tmux.wait_for(lambda s: "1 reply" in s, what="the reply")
        assert router.chat_requests()[0]["body"]["messages"][-1]["content"] == "a polished idea"
    finally:
        tmux.close()


def test_vi_driven_as_ex_edits_at_the_cursor_line(router: RouterServer, xdg: Path) -> None:
    """A real vi, non-interactive (ex mode): it gets +LINE, the cursor's line."""
    tmux = session(router, VISUAL="vi -es -c 's/two/TWO/' -c wq")
    try:
        tmux.keys("one", "C-j", "two", "C-j", "three", "Up")  # the cursor on line 2
        tmux.wait_for(lambda s: "three" in s, what="the typing")
        tmux.keys("C-e")
        tmux.wait_for(lambda s: "TWO" in s, what="vi's edit at line 2")
        screen = tmux.screen()
        assert "one" in screen and "three" in screen
    finally:
        tmux.close()


def test_no_editor_and_a_failing_editor_say_why(router: RouterServer, xdg: Path) -> None:
    tmux = session(router, VISUAL="no-such-editor", PATH=os.environ["PATH"])
    try:
        tmux.keys("kept as it was", literal=True)
        tmux.wait_for(lambda s: "kept as it was" in s, what="the typing")
        tmux.keys("C-e")
        shown = tmux.wait_for(lambda s: "not found" in s, what="the notice")
        assert "kept as it was" in shown
    finally:
        tmux.close()
    tmux = session(router, VISUAL="false")
    try:
        tmux.keys("still here", literal=True)
        tmux.wait_for(lambda s: "still here" in s, what="the typing")
        tmux.keys("C-e")
        shown = tmux.wait_for(lambda s: "exited with status 1" in s, what="the notice")
        assert "still here" in shown
    finally:
        tmux.close()


def test_queued_while_streaming_then_sent_and_a_queue_survives_kill_9(
    router: RouterServer, xdg: Path
) -> None:
    router.queue(Reply(text=WORDS, chunk_chars=4, delay=0.04), Reply(text="second answer"))
    tmux = session(router)
    try:
        tmux.keys("first", "Enter")
        tmux.wait_for(lambda s: "w3" in s, what="the stream")
        tmux.keys("next one", "Enter")
        shown = tmux.wait_for(lambda s: "queued · next one" in s, what="the queued message")
        assert len(router.chat_requests()) == 1
        tmux.wait_for(lambda s: "second answer" in s, timeout=30, what="the queued reply")
        assert router.chat_requests()[1]["body"]["messages"][-1]["content"] == "next one"
        assert "queued" in shown
    finally:
        tmux.close()
    # kill -9 while a message is queued: it comes back into the input at the next start.
    router.queue(Reply(text=WORDS * 4, chunk_chars=2, delay=0.05))
    tmux = session(router)
    try:
        tmux.keys("again", "Enter")
        tmux.wait_for(lambda s: "w3" in s, what="the stream")
        tmux.keys("queued then killed", "Enter")
        tmux.wait_for(lambda s: "queued · queued then killed" in s, what="the queued message")
        os.kill(tmux.pid(), signal.SIGKILL)
    finally:
        tmux.close()
    tmux = TmuxSession(["-c"], terminal_env(router), width=80, height=24)  # the chat it was in
    try:
        shown = tmux.wait_for(lambda s: "queued then killed" in s, what="the queue, back")
        assert "queued ·" not in shown, "back in the input box, not queued"
    finally:
        tmux.close()


@pytest.mark.parametrize(("notify", "expected"), [("osc9", "\x1b]9;"), ("auto", "\x07")])
def test_a_reply_that_ends_in_an_unfocused_window_notifies_once(
    router: RouterServer, xdg: Path, tmp_path: Path, notify: str, expected: str
) -> None:
    config(f'notify = "{notify}"\nnotify_after = 0.5\n')
    router.queue(
        Reply(text="Evil \x1b]52;c;aGk=\x07 reply " + WORDS, chunk_chars=8, delay=0.03),
        Reply(text="Quick " + WORDS, chunk_chars=8, delay=0.03),
    )
    log = tmp_path / "out.bin"
    tmux = session(router)
    try:
        tmux.tmux("pipe-pane", "-O", "-t", tmux.name, f"cat > {log}")
        tmux.keys("focused", "Enter")
        tmux.wait_for(lambda s: "1 reply" in s, what="the first reply")
        time.sleep(0.5)  # what was written reaches the pipe
        assert "\x1b]9;" not in log.read_bytes().decode("utf-8", "replace"), "focused: nothing"
        tmux.keys("elsewhere", "Enter")
        tmux.wait_for(lambda s: "w1" in s, what="the second reply streaming")
        tmux.keys("-H", "1b", "5b", "4f")  # the terminal says: focus out (ESC [ O)
        tmux.wait_for(lambda s: "2 replies" in s, what="the second reply")
        time.sleep(0.5)
        written = log.read_bytes().decode("utf-8", "replace")
    finally:
        tmux.close()
    after = written.split("focused", 1)[-1]
    if notify == "osc9":
        assert after.count("\x1b]9;") == 1, "once"
        start = after.index("\x1b]9;")
        osc = after[start : after.index("\x07", start) + 1]
        assert osc.startswith("\x1b]9;focused: Quick w0 w1"), osc
        assert "\x1b]52" not in written, "the reply's escape is shown as text, never sent"
    else:
        assert expected in after


def test_ctrl_v_attaches_an_image_from_the_x_clipboard(
    router: RouterServer,
    xdg: Path,
    xvfb: str,  # noqa: F811
) -> None:
    hold_clipboard(png(), "image/png")
    tmux = session(router, DISPLAY=xvfb)
    try:
        tmux.keys("C-v")
        tmux.wait_for(lambda s: "clipboard-" in s and ".png" in s, what="the chip")
    finally:
        tmux.close()
    tmux = session(router, DISPLAY="", WAYLAND_DISPLAY="")  # over SSH, say
    try:
        tmux.keys("C-v")
        shown = tmux.wait_for(lambda s: "ctrl+t" in s, what="the notice")
        assert "Nothing pasted" in shown and "clipboard-" not in shown
    finally:
        tmux.close()


def test_a_png_attachment_reaches_kitty_through_tmux_as_a_picture(
    router: RouterServer, xdg: Path, tmp_path: Path
) -> None:
    """``images = "kitty"`` inside tmux (which the outer kitty would be behind): the image is
    sent wrapped in tmux's passthrough, the message's cells are U+10EEEE placeholders in the
    image id's colour."""
    from requesty_tui.core import kitty_graphics as kg
    from requesty_tui.core.domain import Conversation, Message
    from requesty_tui.storage.attachments import AttachmentStore
    from requesty_tui.storage.sessions import SessionStore
    from tests.support.files import png as sized_png

    config('images = "kitty"\n')
    shot = AttachmentStore().add_bytes("shot.png", sized_png(80, 40))
    conv = Conversation(id="20261122-100000-cccc", model="openai/gpt-4o-mini", title="Shots")
    conv.messages = [
        Message(role="user", content="what is in this?", attachments=[shot]),
        Message(role="assistant", content="A red square.", finish_reason="stop"),
    ]
    SessionStore().save(conv)
    log = tmp_path / "out.bin"
    tmux = session(router)
    try:
        tmux.tmux("pipe-pane", "-O", "-t", tmux.name, f"cat > {log}")
        tmux.keys("C-o")  # opened now, so that pipe-pane sees it drawn from the start
        # Its row, not only its frame: the index catches up with the new file in a thread,
        # and an Enter on the empty list before that opened nothing.
        tmux.wait_for(lambda s: "Shots" in s, what="the browser listing it")
        tmux.keys("Enter")
        tmux.wait_for(lambda s: "A red square." in s, what="the conversation")
        image = kg.image_id(shot.sha256)
        red, green, blue = kg.colour(image)
        deadline = time.monotonic() + 20
        written = ""
        while time.monotonic() < deadline and f"38;2;{red};{green};{blue}" not in written:
            time.sleep(0.1)  # what was written reaches the pipe
            written = log.read_bytes().decode("utf-8", "replace")
    finally:
        tmux.close()
    start = f"\x1bPtmux;\x1b\x1b_Ga=T,U=1,f=100,i={image},"
    assert written.count(start) == 1, "sent once, through tmux's passthrough"
    keys = written[written.index(start) + len(start) - 1 :].split(";", 1)[0]
    size = re.fullmatch(r",c=(\d+),r=(\d+),q=2,m=0", keys)  # tmux says its cells' pixels
    assert size, keys
    columns, rows = int(size[1]), int(size[2])
    drawn = re.findall(rf"\x1b\[38;2;{red};{green};{blue}[;\d]*m(\U0010eeee[^\x1b]*)", written)
    assert drawn[:rows] == kg.placeholder_rows(columns, rows), "the cells, in the id's colour"
